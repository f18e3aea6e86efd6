// Attention with dropout on the probabilities: the forward and every gradient against a float64 host
// reference that applies the same mask (read from the dropout op on a tensor of ones).
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { createRandom } from '../../util/random';
import { attentionBackward, attentionForward } from './attention';
import { dropoutForward } from './dropout';

const BATCH = 2;
const TOKENS = 5;
const HEADS = 2;
const HEAD_DIM = 3;
const HIDDEN = HEADS * HEAD_DIM;
const P = 0.3;
const SEED = 1234;

/** sum(context ⊙ dContext) of attention with a fixed dropout mask, in float64. */
function objective(q: Float64Array, k: Float64Array, v: Float64Array, mask: Int32Array, keep: Float32Array, dContext: Float32Array): number {
  let total = 0;
  const scale = 1 / Math.sqrt(HEAD_DIM);
  for (let b = 0; b < BATCH; b++) {
    for (let h = 0; h < HEADS; h++) {
      for (let i = 0; i < TOKENS; i++) {
        const scores = new Float64Array(TOKENS);
        for (let j = 0; j < TOKENS; j++) {
          let dot = 0;
          for (let d = 0; d < HEAD_DIM; d++) dot += q[(b * TOKENS + i) * HIDDEN + h * HEAD_DIM + d] * k[(b * TOKENS + j) * HIDDEN + h * HEAD_DIM + d];
          scores[j] = dot * scale + (mask[b * TOKENS + j] === 0 ? -3.4028234663852886e38 : 0);
        }
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const sum = exps.reduce((a, e) => a + e, 0);
        for (let d = 0; d < HEAD_DIM; d++) {
          let context = 0;
          for (let j = 0; j < TOKENS; j++) {
            const prob = (exps[j] / sum) * keep[((b * HEADS + h) * TOKENS + i) * TOKENS + j];
            context += prob * v[(b * TOKENS + j) * HIDDEN + h * HEAD_DIM + d];
          }
          total += context * dContext[(b * TOKENS + i) * HIDDEN + h * HEAD_DIM + d];
        }
      }
    }
  }
  return total;
}

/** Central finite differences of `objective` with respect to one input, in float64. */
function numericGradient(values: Float64Array, evaluate: () => number): Float64Array {
  const gradient = new Float64Array(values.length);
  const step = 1e-5;
  for (let i = 0; i < values.length; i++) {
    const original = values[i];
    values[i] = original + step;
    const plus = evaluate();
    values[i] = original - step;
    const minus = evaluate();
    values[i] = original;
    gradient[i] = (plus - minus) / (2 * step);
  }
  return gradient;
}

function relativeError(actual: Float32Array, expected: Float64Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

describe('attention dropout', () => {
  it('matches a float64 reference with the same mask', async () => {
    const engine = await testEngine();
    const random = createRandom(11);
    const fill = (count: number) => Float32Array.from({ length: count }, () => random.uniform(-1, 1));
    const [qValues, kValues, vValues, dContextValues] = [fill(BATCH * TOKENS * HIDDEN), fill(BATCH * TOKENS * HIDDEN), fill(BATCH * TOKENS * HIDDEN), fill(BATCH * TOKENS * HIDDEN)];
    const maskValues = Int32Array.from({ length: BATCH * TOKENS }, (_, i) => (i === BATCH * TOKENS - 1 ? 0 : 1));

    const shape = [BATCH, TOKENS, HIDDEN];
    const q = engine.tensor(qValues, shape);
    const k = engine.tensor(kValues, shape);
    const v = engine.tensor(vValues, shape);
    const dContext = engine.tensor(dContextValues, shape);
    const mask = engine.tensor(maskValues, [BATCH, TOKENS], 'i32');
    const options = { heads: HEADS, dropout: { p: P, seed: SEED } };

    // The mask the op uses: dropout of ones gives 0 or 1/(1−p) per probability.
    const ones = engine.tensor(new Float32Array(BATCH * HEADS * TOKENS * TOKENS).fill(1), [BATCH, HEADS, TOKENS, TOKENS]);
    const keep = await dropoutForward(ones, P, SEED).readFloat();
    expect(keep.some((value) => value === 0)).toBe(true);

    const { context, probs } = attentionForward(q, k, v, mask, options);
    const { dq, dk, dv } = attentionBackward(q, k, v, probs, dContext, options);

    const q64 = Float64Array.from(qValues);
    const k64 = Float64Array.from(kValues);
    const v64 = Float64Array.from(vValues);
    const evaluate = () => objective(q64, k64, v64, maskValues, keep, dContextValues);

    // The forward: sum(context ⊙ dContext) equals the reference objective.
    const contextValues = await context.readFloat();
    const forward = contextValues.reduce((sum, value, i) => sum + value * dContextValues[i], 0);
    expect(forward).toBeCloseTo(evaluate(), 4);

    // The backward: each gradient against finite differences of the same objective.
    expect(relativeError(await dq.readFloat(), numericGradient(q64, evaluate))).toBeLessThan(1e-4);
    expect(relativeError(await dk.readFloat(), numericGradient(k64, evaluate))).toBeLessThan(1e-4);
    expect(relativeError(await dv.readFloat(), numericGradient(v64, evaluate))).toBeLessThan(1e-4);
  });
});
