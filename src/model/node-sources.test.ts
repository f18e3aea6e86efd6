// Loading a checkpoint folder in Node: files written at test time into a temporary folder.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from './errors';
import { loadCheckpointFromFolder, loadModelFolder } from './node-sources';
import { buildWordPieceTokenizerJson } from './tokenizer';
import { tinyCheckpointFiles, TINY_VOCAB } from './test-checkpoint';

let root: string;

async function writeFolder(name: string, files: Map<string, Uint8Array>): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder);
  for (const [file, bytes] of files) {
    await writeFile(join(folder, file), bytes);
  }
  return folder;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mtlora-checkpoint-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadCheckpointFromFolder', () => {
  it('loads a BertModel folder with vocab.txt', async () => {
    const folder = await writeFolder('bert-model-f16', tinyCheckpointFiles({ dtype: 'F16' }));

    const { checkpoint, tokenizer } = await loadCheckpointFromFolder(folder);

    expect(checkpoint.prefix).toBe('');
    expect(checkpoint.fileName).toBe(join(folder, 'model.safetensors'));
    expect(checkpoint.weights.embeddings.wordEmbeddings.sourceDtype).toBe('F16');
    expect(checkpoint.weights.pooler).toBeDefined();
    expect(tokenizer.origin).toBe('vocab.txt');
  });

  it('loads a folder with tokenizer.json', async () => {
    const files = tinyCheckpointFiles({ prefix: 'bert.', mlmHead: true, tiedDecoder: true });
    files.delete('vocab.txt');
    files.set('tokenizer.json', new TextEncoder().encode(JSON.stringify(buildWordPieceTokenizerJson(TINY_VOCAB))));
    const folder = await writeFolder('masked-lm', files);

    const loaded = await loadModelFolder(folder);
    const { checkpoint, tokenizer } = await loadCheckpointFromFolder(folder);

    expect(loaded.vocab).toBeUndefined();
    expect(loaded.tokenizerConfig).toBeUndefined();
    expect(tokenizer.origin).toBe('tokenizer.json');
    expect(checkpoint.mlmHead!.decoderTied).toBe(true);
  });

  it('names the missing file path', async () => {
    const files = tinyCheckpointFiles();
    files.delete('model.safetensors');
    const folder = await writeFolder('no-weights', files);

    const error = await loadModelFolder(folder).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toBe(`${join(folder, 'model.safetensors')}: cannot be read (ENOENT); the folder must contain model.safetensors.`);
  });

  it('rejects a truncated weights file', async () => {
    const files = tinyCheckpointFiles();
    const weights = files.get('model.safetensors')!;
    files.set('model.safetensors', weights.subarray(0, weights.length - 100));
    const folder = await writeFolder('truncated', files);

    await expect(loadCheckpointFromFolder(folder)).rejects.toThrow(`${join(folder, 'model.safetensors')}: tensor "pooler.dense.weight" ends at byte`);
  });
});
