// A mocked `fetch` that serves files from memory, and an in-memory Cache Storage, for source tests.

/** A mocked response for one URL: bytes, or an HTTP status without a body. */
export type MockResponse = Uint8Array | { status: number; statusText?: string };

export interface MockServerOptions {
  /** Bytes per body chunk, so progress arrives in several steps. */
  chunkBytes?: number;
  /** Extra headers per URL, e.g. Content-Encoding. */
  headers?: Record<string, Record<string, string>>;
  /** Content-Length to declare instead of the true length, per URL. */
  declaredLength?: Record<string, number>;
}

/** Returns a fetch that serves `files` by URL (404 for others) and records each requested URL. */
export function mockFetch(files: Map<string, MockResponse>, options: MockServerOptions = {}): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const chunkBytes = options.chunkBytes ?? 1000;

  const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push(url);
    const entry = files.get(url);
    if (entry === undefined) {
      return new Response('Entry not found', { status: 404, statusText: 'Not Found' });
    }
    if (!(entry instanceof Uint8Array)) {
      return new Response(null, { status: entry.status, statusText: entry.statusText ?? '' });
    }

    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= entry.length) {
          controller.close();
          return;
        }
        controller.enqueue(entry.slice(offset, offset + chunkBytes));
        offset += chunkBytes;
      },
    });
    const length = options.declaredLength?.[url] ?? entry.length;
    return new Response(body, { status: 200, headers: { 'Content-Length': String(length), ...options.headers?.[url] } });
  };
  return { fetch: fetchImpl as typeof fetch, requests };
}

interface StoredResponse {
  status: number;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

/** A Cache with the match and put behaviour the loader uses, stored in memory. */
class MemoryCache {
  readonly entries = new Map<string, StoredResponse>();

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    const stored = this.entries.get(String(request));
    if (stored === undefined) {
      return undefined;
    }
    const body = stored.body === null ? null : stored.body.slice(0);
    return new Response(body, { status: stored.status, headers: stored.headers });
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    const body = response.body === null ? null : await response.arrayBuffer();
    this.entries.set(String(request), { status: response.status, headers: [...response.headers], body });
  }
}

/** An in-memory CacheStorage, to stub as the global `caches`. */
export class MemoryCacheStorage {
  readonly caches = new Map<string, MemoryCache>();

  async open(name: string): Promise<MemoryCache> {
    let cache = this.caches.get(name);
    if (cache === undefined) {
      cache = new MemoryCache();
      this.caches.set(name, cache);
    }
    return cache;
  }

  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
}
