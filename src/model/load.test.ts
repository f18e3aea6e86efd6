// loadCheckpoint: the files of a tiny checkpoint, fetched through a mocked server, become a checked model and tokenizer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from './load';
import { loadModelFiles } from './sources';
import { mockFetch, type MockResponse } from './test-server';
import { tinyCheckpointFiles, tinyConfigJson, TINY_VOCAB } from './test-checkpoint';

const BASE = 'http://127.0.0.1:8000/tiny/';

function served(files: Map<string, Uint8Array>): Map<string, MockResponse> {
  return new Map([...files].map(([name, bytes]) => [BASE + name, bytes]));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loadCheckpoint', () => {
  it('loads a BertForMaskedLM checkpoint with its tokenizer', async () => {
    vi.stubGlobal('fetch', mockFetch(served(tinyCheckpointFiles({ prefix: 'bert.', mlmHead: true, dtype: 'BF16' }))).fetch);

    const { checkpoint, tokenizer } = await loadCheckpoint(await loadModelFiles({ kind: 'url', baseUrl: BASE }));

    expect(checkpoint.config.hiddenSize).toBe(12);
    expect(checkpoint.fileName).toBe(`${BASE}model.safetensors`);
    expect(checkpoint.prefix).toBe('bert.');
    expect(checkpoint.weights.layers).toHaveLength(2);
    expect(checkpoint.mlmHead!.decoderWeight.sourceDtype).toBe('BF16');
    expect(tokenizer.vocabSize).toBe(TINY_VOCAB.length);
    expect(tokenizer.encode('hello world').ids).toEqual([2, 12, 13, 3]);
  });

  it('rejects a tokenizer larger than the embeddings', async () => {
    const config = tinyConfigJson({ vocab_size: 20, pad_token_id: 0 });
    vi.stubGlobal('fetch', mockFetch(served(tinyCheckpointFiles({ config }))).fetch);

    await expect(loadCheckpoint(await loadModelFiles({ kind: 'url', baseUrl: BASE }))).rejects.toThrow(
      `${BASE}vocab.txt: the tokenizer has 21 tokens, but config.json sets vocab_size = 20; ids from the tokenizer would index past the word embeddings.`,
    );
  });

  it('notes a pad id that differs from the config', async () => {
    const config = tinyConfigJson({ pad_token_id: 5 });
    vi.stubGlobal('fetch', mockFetch(served(tinyCheckpointFiles({ config, pooler: false }))).fetch);

    const { checkpoint } = await loadCheckpoint(await loadModelFiles({ kind: 'url', baseUrl: BASE }));

    expect(checkpoint.notes).toEqual([
      `${BASE}model.safetensors has no pooler.dense weights; initialise the pooler before using the pooled [CLS] output.`,
      "The tokenizer's pad token id is 0, but config.json sets pad_token_id = 5; padding uses the tokenizer's.",
    ]);
  });

  it('reports invalid tokenizer files by location', async () => {
    const files = tinyCheckpointFiles();
    files.set('tokenizer_config.json', new TextEncoder().encode('{"do_lower_case": tru'));
    vi.stubGlobal('fetch', mockFetch(served(files)).fetch);

    await expect(loadCheckpoint(await loadModelFiles({ kind: 'url', baseUrl: BASE }))).rejects.toThrow(`${BASE}tokenizer_config.json: invalid JSON (`);
  });
});
