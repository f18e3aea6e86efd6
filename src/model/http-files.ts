// Downloads model files over HTTP with byte-level progress, and keeps them in the browser's
// Cache Storage (where `caches` exists) so that a second load of the same URL needs no network.

import { ModelFileError } from './errors';
import type { FileProgress, LoadModelFilesOptions, ModelFile } from './sources';

export const DEFAULT_CACHE_NAME = 'mtlora-model-files-v1';

/** Marks a cached 404 of an optional file, so that a cached load does not ask the server again. */
const MISSING_MARKER_HEADER = 'X-MTLoRA-Missing';

/** Opens the cache, or returns null where Cache Storage is absent or refused (e.g. outside a secure context). */
async function openCache(cacheName: string | null): Promise<Cache | null> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (cacheName === null || storage === undefined) {
    return null;
  }
  try {
    return await storage.open(cacheName);
  } catch (error) {
    console.warn(`Cache Storage "${cacheName}" cannot be opened, so model files are downloaded without caching:`, error);
    return null;
  }
}

/** Deletes the cache of downloaded model files. Returns false where there was none or no Cache Storage. */
export async function clearModelCache(cacheName = DEFAULT_CACHE_NAME): Promise<boolean> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  return storage === undefined ? false : storage.delete(cacheName);
}

/** Stores a response. A failure (e.g. a full quota) must not fail the load, so it is logged instead. */
async function storeInCache(cache: Cache, url: string, response: Response): Promise<void> {
  try {
    await cache.put(url, response);
  } catch (error) {
    console.warn(`Storing ${url} in Cache Storage failed, so the next load requests it again:`, error);
  }
}

function statusHint(status: number, name: string): string {
  if (status === 401 || status === 403) {
    return 'The repository may not exist, or it is private or gated; this app sends no access token.';
  }
  if (status === 404 && name === 'model.safetensors') {
    return 'Only safetensors weights can be loaded: choose a model that has model.safetensors, or convert its pytorch_model.bin.';
  }
  if (status === 404) {
    return `Check the model id or base URL, and that the folder has ${name}.`;
  }
  return 'Try again later, or check the server.';
}

/** Reads a response body chunk by chunk, reporting loaded bytes against Content-Length. */
async function readBody(response: Response, report: (loaded: number, total: number | null, done: boolean) => void, url: string): Promise<Blob> {
  // With Content-Encoding (gzip, br), Content-Length counts compressed bytes, not the bytes read here.
  const encoding = response.headers.get('Content-Encoding');
  const lengthHeader = response.headers.get('Content-Length');
  const declared = lengthHeader === null ? Number.NaN : Number(lengthHeader);
  const total = (encoding === null || encoding === 'identity') && Number.isSafeInteger(declared) && declared >= 0 ? declared : null;

  report(0, total, false);
  if (response.body === null) {
    const blob = await response.blob();
    report(blob.size, total ?? blob.size, true);
    return blob;
  }

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    loaded += value.length;
    report(loaded, total, false);
  }
  if (total !== null && loaded !== total) {
    throw new ModelFileError(url, `the download ended after ${loaded} of ${total} bytes (Content-Length); try again.`);
  }
  report(loaded, total ?? loaded, true);
  // The Blob keeps the Content-Type, so that a caller can tell an HTML page from the JSON it expected.
  return new Blob(chunks as BlobPart[], { type: response.headers.get('Content-Type') ?? '' });
}

/**
 * Returns one file from Cache Storage or the network. A 404 on an optional file returns undefined;
 * any other failure raises a ModelFileError naming the URL and the HTTP status.
 */
export async function fetchModelFile(url: string, name: string, required: boolean, options: LoadModelFilesOptions): Promise<ModelFile | undefined> {
  const cache = await openCache(options.cacheName === undefined ? DEFAULT_CACHE_NAME : options.cacheName);
  const report = (loaded: number, total: number | null, done: boolean, fromCache: boolean): void =>
    options.onProgress?.({ file: name, location: url, loaded, total, fromCache, done } satisfies FileProgress);

  // NOTE: entries are keyed by URL and never revalidated, so a Hub branch such as "main" that moves
  // keeps serving the cached files until clearModelCache() runs.
  const cached = await cache?.match(url);
  if (cached !== undefined) {
    if (cached.headers.get(MISSING_MARKER_HEADER) === null) {
      const data = await cached.blob();
      report(data.size, data.size, true, true);
      return { name, location: url, data, fromCache: true };
    }
    if (!required) {
      return undefined;
    }
    // A file once absent is now required (for example vocab.txt after tokenizer.json): ask the server.
  }

  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (error) {
    throw new ModelFileError(url, `the request failed (${(error as Error).message}); check the network connection and the address.`);
  }

  if (!response.ok) {
    if (response.status === 404 && !required) {
      if (cache !== null) {
        await storeInCache(cache, url, new Response(null, { status: 404, headers: { [MISSING_MARKER_HEADER]: '1' } }));
      }
      return undefined;
    }
    throw new ModelFileError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for required file ${name}. ${statusHint(response.status, name)}`);
  }

  const data = await readBody(response, (loaded, total, done) => report(loaded, total, done, false), url);
  // A server returns an HTML page for a path outside the model folder, and collectModelFiles rejects it. The page is
  // not cached, so a load after the URL or the server is fixed requests the file again.
  if (cache !== null && !/^text\/html\b/i.test(data.type)) {
    const headers = { 'Content-Type': response.headers.get('Content-Type') ?? 'application/octet-stream', 'Content-Length': String(data.size) };
    await storeInCache(cache, url, new Response(data, { headers }));
  }
  return { name, location: url, data, fromCache: false };
}
