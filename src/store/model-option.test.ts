import { describe, expect, it } from 'vitest';
import { modelOptionOf } from './model-option';
import type { ModelSummary } from './model';

const SUMMARY = { hiddenSize: 256, maxPositionEmbeddings: 128 } as ModelSummary;

describe('modelOptionOf', () => {
  it('offers nothing extra for the embedded model', () => {
    expect(modelOptionOf({ kind: 'embedded' }, SUMMARY)).toBeNull();
  });

  it('keeps the Hub id and revision', () => {
    expect(modelOptionOf({ kind: 'hub', id: 'google/bert_uncased_L-2_H-128_A-2', revision: 'v1' }, SUMMARY)).toEqual({
      ref: { id: 'google/bert_uncased_L-2_H-128_A-2', source: 'hub', revision: 'v1' },
      name: 'google/bert_uncased_L-2_H-128_A-2@v1',
      hiddenSize: 256,
      maxPositionEmbeddings: 128,
    });
  });

  it('keeps the base URL', () => {
    expect(modelOptionOf({ kind: 'url', baseUrl: 'http://127.0.0.1:8000/bert/' }, SUMMARY)?.ref).toEqual({ id: 'http://127.0.0.1:8000/bert/', source: 'url' });
  });

  it('names picked files by their folder and keeps them', () => {
    const inFolder = new File(['{}'], 'config.json');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'my-bert/config.json' });
    const option = modelOptionOf({ kind: 'files', files: [inFolder] }, SUMMARY);
    expect(option?.ref).toEqual({ id: 'my-bert', source: 'files' });
    expect(option?.files).toEqual([inFolder]);

    const loose = [new File(['{}'], 'config.json'), new File([''], 'model.safetensors')];
    expect(modelOptionOf({ kind: 'files', files: loose }, SUMMARY)?.name).toBe('2 picked files');
  });
});
