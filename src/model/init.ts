// Seeded normal initialisation of the weights that a checkpoint does not provide (the task head, a
// missing pooler), N(0, std²) as BERT's _init_weights draws them with std = initializer_range.
// tools/reference/encoder.py mirrors this stream so that the PyTorch check uses the same head.
import { createRandom } from '../util/random';

/**
 * Returns `count` values from N(0, std²), drawn by Box-Muller from the Mulberry32 stream of `seed` with two
 * uniforms per value (cosine branch only): u1 = 1 − next() in (0, 1], u2 = next().
 */
export function normalValues(seed: number, count: number, std: number): Float32Array {
  if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`Normal init std is ${std}; expected a non-negative finite number.`);
  const random = createRandom(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u1 = 1 - random.next();
    const u2 = random.next();
    values[i] = std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  return values;
}
