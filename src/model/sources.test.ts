// Model sources: Hub id checks, URL building, downloads through a mocked fetch with progress and
// Cache Storage, and files picked by the user.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelFileError } from './errors';
import { clearModelCache, DEFAULT_CACHE_NAME } from './http-files';
import { hubFileUrl, loadModelFiles, normalizeBaseUrl, validateHubModelId, type FileProgress } from './sources';
import { buildWordPieceTokenizerJson } from './tokenizer';
import { MemoryCacheStorage, mockFetch, type MockResponse } from './test-server';
import { TINY_VOCAB, tinyCheckpointFiles } from './test-checkpoint';

const HUB_BASE = 'https://huggingface.co/tiny/bert/resolve/main/';
const hubSource = { kind: 'hub', id: 'tiny/bert' } as const;

/** Serves a tiny checkpoint under `base`; `withTokenizerJson` adds tokenizer.json and tokenizer_config.json. */
function served(base: string, withTokenizerJson = false): Map<string, MockResponse> {
  const files = new Map<string, MockResponse>();
  for (const [name, bytes] of tinyCheckpointFiles()) {
    files.set(base + name, bytes);
  }
  if (withTokenizerJson) {
    const encoder = new TextEncoder();
    files.set(base + 'tokenizer.json', encoder.encode(JSON.stringify(buildWordPieceTokenizerJson(TINY_VOCAB))));
    files.set(base + 'tokenizer_config.json', encoder.encode(JSON.stringify({ do_lower_case: true })));
    files.delete(base + 'vocab.txt');
  }
  return files;
}

async function loadError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('validateHubModelId', () => {
  it('accepts owner/name and name', () => {
    for (const id of ['bert-base-uncased', 'prajjwal1/bert-tiny', 'sentence-transformers/all-MiniLM-L6-v2', 'google/bert_uncased_L-2_H-128_A-2', 'a/b.c']) {
      expect(validateHubModelId(id)).toBe(id);
    }
    expect(validateHubModelId('  prajjwal1/bert-tiny \n')).toBe('prajjwal1/bert-tiny');
  });

  it('rejects invalid ids', () => {
    const cases: [string, string][] = [
      ['', 'it is empty'],
      ['a/b/c', 'it has 2 slashes, expected at most one'],
      ['owner/na me', '"na me" may contain only letters, digits, "-", "_" and "."'],
      ['-owner/name', '"-owner" may contain only'],
      ['owner/name.', '"name." may contain only'],
      ['owner/a--b', 'it contains "--" or ".."'],
      ['owner/a..b', 'it contains "--" or ".."'],
      ['https://huggingface.co/prajjwal1/bert-tiny', 'it is a URL'],
      [`owner/${'x'.repeat(97)}`, 'the name has 97 characters, expected at most 96'],
      ['owner/model.git', 'it ends with ".git"'],
      ['ünï/x', '"ünï" may contain only'],
    ];
    for (const [id, reason] of cases) {
      expect(() => validateHubModelId(id), id).toThrow(`Invalid Hugging Face model id ${JSON.stringify(id)}: ${reason}`);
    }
    expect(() => validateHubModelId('a b')).toThrow('Enter "owner/name" or "name", for example "sentence-transformers/all-MiniLM-L6-v2"');
  });
});

describe('file URLs', () => {
  it('builds Hub resolve URLs', () => {
    expect(hubFileUrl('prajjwal1/bert-tiny', 'config.json')).toBe('https://huggingface.co/prajjwal1/bert-tiny/resolve/main/config.json');
    expect(hubFileUrl('bert-base-uncased', 'vocab.txt', 'refs/pr/1')).toBe('https://huggingface.co/bert-base-uncased/resolve/refs%2Fpr%2F1/vocab.txt');
    expect(() => hubFileUrl('x', 'config.json', 'my branch')).toThrow('Invalid revision "my branch"');
  });

  it('normalizes base URLs', () => {
    expect(normalizeBaseUrl('http://localhost:8000/models/tiny')).toBe('http://localhost:8000/models/tiny/');
    expect(normalizeBaseUrl(' http://127.0.0.1/m/?x=1#top ')).toBe('http://127.0.0.1/m/');
    expect(() => normalizeBaseUrl('ftp://localhost/m/')).toThrow('the protocol is ftp:, expected http: or https:');
    expect(() => normalizeBaseUrl('models/tiny')).toThrow('Invalid base URL "models/tiny": use an absolute http(s) URL');
    expect(() => normalizeBaseUrl('not a url')).toThrow('Invalid base URL "not a url": a URL has no spaces.');
  });
});

describe('loadModelFiles over HTTP', () => {
  it('falls back to vocab.txt when tokenizer.json is absent', async () => {
    const server = mockFetch(served(HUB_BASE));
    vi.stubGlobal('fetch', server.fetch);

    const files = await loadModelFiles(hubSource);

    expect(server.requests).toEqual(['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'model.safetensors'].map((name) => HUB_BASE + name));
    expect(files.origin).toBe('hub:tiny/bert@main');
    expect(files.tokenizerJson).toBeUndefined();
    expect(files.tokenizerConfig).toBeUndefined();
    expect(await files.vocab!.data.text()).toBe(`${TINY_VOCAB.join('\n')}\n`);
    expect(files.weights.location).toBe(`${HUB_BASE}model.safetensors`);
    expect(files.fromCache).toBe(false);
  });

  it('skips vocab.txt when tokenizer.json exists', async () => {
    const server = mockFetch(served(HUB_BASE, true));
    vi.stubGlobal('fetch', server.fetch);

    const files = await loadModelFiles(hubSource);

    expect(server.requests).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'].map((name) => HUB_BASE + name));
    expect(files.vocab).toBeUndefined();
    expect(files.tokenizerJson!.name).toBe('tokenizer.json');
    expect(JSON.parse(await files.tokenizerConfig!.data.text())).toEqual({ do_lower_case: true });
  });

  it('reports byte progress per file', async () => {
    const content = served(HUB_BASE);
    const weightsSize = (content.get(`${HUB_BASE}model.safetensors`) as Uint8Array).length;
    vi.stubGlobal('fetch', mockFetch(content, { chunkBytes: 1024 }).fetch);
    const events: FileProgress[] = [];

    await loadModelFiles(hubSource, { onProgress: (progress) => events.push(progress) });

    const weights = events.filter((event) => event.file === 'model.safetensors');
    expect(weights[0]).toEqual({ file: 'model.safetensors', location: `${HUB_BASE}model.safetensors`, loaded: 0, total: weightsSize, fromCache: false, done: false });
    expect(weights.at(-1)).toMatchObject({ loaded: weightsSize, total: weightsSize, done: true });
    expect(weights.length).toBe(Math.ceil(weightsSize / 1024) + 2);
    for (let i = 1; i < weights.length; i++) {
      expect(weights[i].loaded).toBeGreaterThanOrEqual(weights[i - 1].loaded);
    }
    expect(events.filter((event) => event.done).map((event) => event.file)).toEqual(['config.json', 'vocab.txt', 'model.safetensors']);
  });

  it('reports no total for compressed bodies', async () => {
    const content = served(HUB_BASE);
    vi.stubGlobal('fetch', mockFetch(content, { headers: { [`${HUB_BASE}config.json`]: { 'Content-Encoding': 'gzip' } } }).fetch);
    const events: FileProgress[] = [];

    await loadModelFiles(hubSource, { onProgress: (progress) => events.push(progress) });

    const config = events.filter((event) => event.file === 'config.json');
    expect(config[0].total).toBeNull();
    expect(config.at(-1)!.total).toBe((content.get(`${HUB_BASE}config.json`) as Uint8Array).length);
  });

  it('names the URL and status of a missing required file', async () => {
    const content = served(HUB_BASE);
    content.delete(`${HUB_BASE}vocab.txt`);
    vi.stubGlobal('fetch', mockFetch(content).fetch);

    const error = await loadError(loadModelFiles(hubSource));
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error.message).toBe(
      `${HUB_BASE}vocab.txt: HTTP 404 Not Found for required file vocab.txt. Check the model id or base URL, and that the folder has vocab.txt.`,
    );

    content.delete(`${HUB_BASE}model.safetensors`);
    content.set(`${HUB_BASE}tokenizer.json`, new TextEncoder().encode(JSON.stringify(buildWordPieceTokenizerJson(TINY_VOCAB))));
    expect((await loadError(loadModelFiles(hubSource))).message).toContain(
      `${HUB_BASE}model.safetensors: HTTP 404 Not Found for required file model.safetensors. Only safetensors weights can be loaded`,
    );
  });

  it('explains an unauthorized repository', async () => {
    const content = new Map<string, MockResponse>([[`${HUB_BASE}config.json`, { status: 401, statusText: 'Unauthorized' }]]);
    vi.stubGlobal('fetch', mockFetch(content).fetch);

    expect((await loadError(loadModelFiles(hubSource))).message).toBe(
      `${HUB_BASE}config.json: HTTP 401 Unauthorized for required file config.json. The repository may not exist, or it is private or gated; this app sends no access token.`,
    );
  });

  it('rejects a short or failed download', async () => {
    const content = served(HUB_BASE);
    vi.stubGlobal('fetch', mockFetch(content, { declaredLength: { [`${HUB_BASE}model.safetensors`]: 1_000_000 } }).fetch);
    expect((await loadError(loadModelFiles(hubSource))).message).toMatch(
      /^https:\/\/huggingface\.co\/tiny\/bert\/resolve\/main\/model\.safetensors: the download ended after \d+ of 1000000 bytes \(Content-Length\); try again\.$/,
    );

    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    expect((await loadError(loadModelFiles(hubSource))).message).toBe(
      `${HUB_BASE}config.json: the request failed (fetch failed); check the network connection and the address.`,
    );
  });

  it('checks config.json before downloading weights', async () => {
    const content = served(HUB_BASE);
    content.set(`${HUB_BASE}config.json`, new TextEncoder().encode(JSON.stringify({ model_type: 'gpt2' })));
    const server = mockFetch(content);
    vi.stubGlobal('fetch', server.fetch);

    expect((await loadError(loadModelFiles(hubSource))).message).toBe(
      `${HUB_BASE}config.json: "model_type" is "gpt2"; expected "bert". Only BERT-family encoders can be loaded.`,
    );
    expect(server.requests).toEqual([`${HUB_BASE}config.json`]);
  });

  it('serves a second load from Cache Storage', async () => {
    const server = mockFetch(served(HUB_BASE));
    const storage = new MemoryCacheStorage();
    vi.stubGlobal('fetch', server.fetch);
    vi.stubGlobal('caches', storage);

    const first = await loadModelFiles(hubSource);
    const requestsAfterFirst = server.requests.length;
    const events: FileProgress[] = [];
    const second = await loadModelFiles(hubSource, { onProgress: (progress) => events.push(progress) });

    expect(first.fromCache).toBe(false);
    expect(requestsAfterFirst).toBe(5);
    expect(server.requests.length).toBe(5);
    expect(second.fromCache).toBe(true);
    expect(second.weights.fromCache).toBe(true);
    expect(second.tokenizerJson).toBeUndefined();
    expect(new Uint8Array(await second.weights.data.arrayBuffer())).toEqual(new Uint8Array(await first.weights.data.arrayBuffer()));
    expect(events.every((event) => event.fromCache && event.done)).toBe(true);
    expect(events.map((event) => event.file)).toEqual(['config.json', 'vocab.txt', 'model.safetensors']);

    expect(await clearModelCache()).toBe(true);
    expect(storage.caches.has(DEFAULT_CACHE_NAME)).toBe(false);
    await loadModelFiles(hubSource, { cacheName: null });
    expect(server.requests.length).toBe(10);
    expect(storage.caches.size).toBe(0);
  });

  it('names an HTML page served in place of config.json', async () => {
    const base = 'http://127.0.0.1:4190/nope/';
    const page = new TextEncoder().encode('<!doctype html><html><body>app</body></html>');
    const server = mockFetch(new Map([[`${base}config.json`, page]]), { headers: { [`${base}config.json`]: { 'Content-Type': 'text/html; charset=utf-8' } } });
    vi.stubGlobal('fetch', server.fetch);

    const error = await loadModelFiles({ kind: 'url', baseUrl: base }, { cacheName: null }).then(
      () => null,
      (caught: unknown) => caught as ModelFileError,
    );
    expect(error).toBeInstanceOf(ModelFileError);
    if (error === null) return;
    expect(error.file).toBe(`${base}config.json`);
    expect(error.message).toBe(
      `${base}config.json: the server returned an HTML page (Content-Type text/html; charset=utf-8), not config.json, so ${base} does not serve a Hugging Face model folder. ` +
        'Use the URL of the folder that contains config.json, model.safetensors and tokenizer.json or vocab.txt.',
    );
    // The weights are never requested.
    expect(server.requests).toEqual([`${base}config.json`]);
  });

  it('does not cache an HTML page', async () => {
    const base = 'http://127.0.0.1:4190/nope/';
    const page = new TextEncoder().encode('<!doctype html>');
    const storage = new MemoryCacheStorage();
    vi.stubGlobal('caches', storage);
    vi.stubGlobal('fetch', mockFetch(new Map([[`${base}config.json`, page]]), { headers: { [`${base}config.json`]: { 'Content-Type': 'text/html' } } }).fetch);
    await expect(loadModelFiles({ kind: 'url', baseUrl: base })).rejects.toThrow('the server returned an HTML page');

    // The server now serves the model folder; the next load must not get the page from Cache Storage.
    vi.stubGlobal('fetch', mockFetch(served(base, true)).fetch);
    const files = await loadModelFiles({ kind: 'url', baseUrl: base });
    expect(files.config.fromCache).toBe(false);
  });

  it('recognises an HTML page without a Content-Type', async () => {
    const base = 'http://127.0.0.1:4190/nope/';
    vi.stubGlobal('fetch', mockFetch(new Map([[`${base}config.json`, new TextEncoder().encode('\n  <html></html>')]])).fetch);
    await expect(loadModelFiles({ kind: 'url', baseUrl: base }, { cacheName: null })).rejects.toThrow('the server returned an HTML page (no Content-Type), not config.json');
  });

  it('fetches from a base URL and a revision', async () => {
    const base = 'http://127.0.0.1:8000/models/tiny/';
    const server = mockFetch(served(base, true));
    vi.stubGlobal('fetch', server.fetch);

    const files = await loadModelFiles({ kind: 'url', baseUrl: 'http://127.0.0.1:8000/models/tiny' });
    expect(files.origin).toBe(base);
    expect(files.config.location).toBe(`${base}config.json`);

    vi.stubGlobal('fetch', mockFetch(served('https://huggingface.co/tiny/bert/resolve/v1.0/')).fetch);
    const tagged = await loadModelFiles({ kind: 'hub', id: 'tiny/bert', revision: 'v1.0' });
    expect(tagged.origin).toBe('hub:tiny/bert@v1.0');
  });
});

describe('loadModelFiles from picked files', () => {
  function picked(name: string, bytes: Uint8Array, relativePath?: string): File {
    const file = new File([bytes as BlobPart], name);
    if (relativePath !== undefined) {
      Object.defineProperty(file, 'webkitRelativePath', { value: relativePath });
    }
    return file;
  }

  it('matches files by name', async () => {
    const files = [...tinyCheckpointFiles()].map(([name, bytes]) => picked(name, bytes));
    const events: FileProgress[] = [];

    const loaded = await loadModelFiles({ kind: 'files', files }, { onProgress: (progress) => events.push(progress) });

    expect(loaded.origin).toBe('local files');
    expect(loaded.weights.data).toBe(files.find((file) => file.name === 'model.safetensors'));
    expect(loaded.vocab!.name).toBe('vocab.txt');
    expect(events.map((event) => [event.file, event.done, event.loaded === event.total])).toEqual([
      ['config.json', true, true],
      ['vocab.txt', true, true],
      ['model.safetensors', true, true],
    ]);
  });

  it('prefers the file nearest the folder root', async () => {
    const files = [...tinyCheckpointFiles()].map(([name, bytes]) => picked(name, bytes, `minilm/${name}`));
    files.push(picked('config.json', new TextEncoder().encode('{"word_embedding_dimension": 12}'), 'minilm/1_Pooling/config.json'));

    const loaded = await loadModelFiles({ kind: 'files', files });
    expect(loaded.config.location).toBe('minilm/config.json');

    files.push(picked('config.json', new Uint8Array(1), 'minilm2/config.json'));
    expect((await loadError(loadModelFiles({ kind: 'files', files }))).message).toBe(
      'config.json: chosen more than once (minilm/config.json, minilm2/config.json); choose one model at a time.',
    );
  });

  it('names the missing required file', async () => {
    const files = [...tinyCheckpointFiles()].filter(([name]) => name !== 'model.safetensors').map(([name, bytes]) => picked(name, bytes));

    expect((await loadError(loadModelFiles({ kind: 'files', files }))).message).toBe(
      'model.safetensors: not among the chosen files (config.json, vocab.txt). Choose the model folder, or its config.json, model.safetensors and tokenizer.json or vocab.txt.',
    );
  });
});
