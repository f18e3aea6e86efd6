// The embedded default model on our engine reproduces the MLM logits that the PyTorch reference computes
// from the same files by their Hugging Face tensor names (tools/reference/embedded_mlm.py).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeError } from '../gpu/checks/compare';
import { testEngine } from '../gpu/test-engine';
import { BertModel } from './bert';
import { weightsFromCheckpoint } from './bert-weights';
import { loadCheckpointFromFolder } from './node-sources';

const MODEL_DIR = fileURLToPath(new URL('../../public/models/mtlora-bert-tiny', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../tools/reference/fixtures/embedded-mlm.json', import.meta.url));

interface EmbeddedMlmFixture {
  sentences: string[];
  input_ids: number[][];
  attention_mask: number[][];
  mask_positions: number[];
  mask_logits: number[][];
}

describe('embedded model MLM logits', () => {
  it('match the PyTorch reference', async () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as EmbeddedMlmFixture;
    const engine = await testEngine();
    const { checkpoint, tokenizer } = await loadCheckpointFromFolder(MODEL_DIR);
    const tokens = fixture.input_ids[0].length;

    // Our tokenizer (the @huggingface/tokenizers library) gives the ids the reference used.
    const encoded = tokenizer.encodeBatch(fixture.sentences, { maxLength: tokens });
    expect(Array.from(encoded.inputIds)).toEqual(fixture.input_ids.flat());
    expect(Array.from(encoded.attentionMask)).toEqual(fixture.attention_mask.flat());

    const model = BertModel.create(engine, checkpoint.config, weightsFromCheckpoint(checkpoint), { task: { kind: 'classification', numLabels: 2 }, trainable: { kind: 'head' }, seed: 1 });
    const logits = model.mlmLogits({ batch: encoded.batch, tokens, inputIds: encoded.inputIds, tokenTypeIds: encoded.tokenTypeIds, attentionMask: encoded.attentionMask });
    const values = await logits.readFloat();
    const vocab = logits.shape[1];

    fixture.mask_positions.forEach((position, row) => {
      const start = (row * tokens + position) * vocab;
      const error = relativeError(values.subarray(start, start + vocab), fixture.mask_logits[row]);
      expect(error, `sentence ${row}`).toBeLessThanOrEqual(1e-4);
    });
    logits.destroy();
    model.destroy();
  });
});
