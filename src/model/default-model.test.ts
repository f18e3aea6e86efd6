// The embedded default encoder has learnt something: on held-out sentences its masked-token accuracy
// clearly beats always predicting the most frequent token.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testEngine } from '../gpu/test-engine';
import { createRandom } from '../util/random';
import { BertModel } from './bert';
import { weightsFromCheckpoint } from './bert-weights';
import { loadCheckpointFromFolder } from './node-sources';

const MODEL_DIR = fileURLToPath(new URL('../../public/models/mtlora-bert-tiny', import.meta.url));
const HELDOUT = fileURLToPath(new URL('../../tools/pretrain/heldout-sample.txt', import.meta.url));

const SENTENCES = 64;
const BATCH = 16;
const MAX_LENGTH = 40;
/** BERT's masking rate: 15 % of the real (non-special) tokens of each sentence, at least one. */
const MASK_RATE = 0.15;

describe('embedded default model', () => {
  it('beats the unigram baseline on held-out sentences', async () => {
    expect(existsSync(MODEL_DIR), `${MODEL_DIR} is missing`).toBe(true);
    const engine = await testEngine();
    const { checkpoint, tokenizer } = await loadCheckpointFromFolder(MODEL_DIR);
    const model = BertModel.create(engine, checkpoint.config, weightsFromCheckpoint(checkpoint), { task: { kind: 'classification', numLabels: 2 }, trainable: { kind: 'head' }, seed: 1 });
    const sentences = readFileSync(HELDOUT, 'utf8').split('\n').filter((line) => line.trim().length > 0).slice(0, SENTENCES);
    const special = new Set([tokenizer.padTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.maskTokenId, tokenizer.unkTokenId]);
    const random = createRandom(2024);

    // Token frequencies over the sentences themselves: an optimistic unigram baseline.
    const counts = new Map<number, number>();
    let modelCorrect = 0;
    const masked: number[] = [];

    for (let start = 0; start < sentences.length; start += BATCH) {
      const encoded = tokenizer.encodeBatch(sentences.slice(start, start + BATCH), { maxLength: MAX_LENGTH });
      const inputIds = encoded.inputIds.slice();
      const targets: Array<[number, number]> = [];

      for (let row = 0; row < encoded.batch; row++) {
        const positions: number[] = [];
        for (let t = 0; t < encoded.maxLength; t++) {
          const id = encoded.inputIds[row * encoded.maxLength + t];
          if (special.has(id)) continue;
          positions.push(t);
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const maskCount = Math.max(1, Math.round(positions.length * MASK_RATE));
        for (let m = 0; m < maskCount && positions.length > 0; m++) {
          const [t] = positions.splice(Math.floor(random.next() * positions.length), 1);
          const index = row * encoded.maxLength + t;
          targets.push([index, encoded.inputIds[index]]);
          inputIds[index] = tokenizer.maskTokenId;
        }
      }

      const logits = model.mlmLogits({ batch: encoded.batch, tokens: encoded.maxLength, inputIds, tokenTypeIds: encoded.tokenTypeIds, attentionMask: encoded.attentionMask });
      const values = await logits.readFloat();
      const vocab = logits.shape[1];
      for (const [index, target] of targets) {
        let best = 0;
        for (let v = 1; v < vocab; v++) if (values[index * vocab + v] > values[index * vocab + best]) best = v;
        if (best === target) modelCorrect++;
        masked.push(target);
      }
      logits.destroy();
    }

    const [mostFrequent] = [...counts.entries()].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    const baselineCorrect = masked.filter((target) => target === mostFrequent).length;
    const modelAccuracy = modelCorrect / masked.length;
    const baselineAccuracy = baselineCorrect / masked.length;
    console.log(`masked-token accuracy on ${masked.length} held-out positions: model ${(100 * modelAccuracy).toFixed(1)} %, unigram baseline ("${tokenizer.idToToken(mostFrequent)}") ${(100 * baselineAccuracy).toFixed(1)} %`);

    expect(masked.length).toBeGreaterThan(200);
    expect(modelAccuracy).toBeGreaterThan(baselineAccuracy + 0.05);
    expect(modelAccuracy).toBeGreaterThan(2 * baselineAccuracy);
    model.destroy();
  });
});
