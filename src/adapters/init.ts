// Initial adapter values. A, C and D are kaiming-uniform, U(−1/√fan_in, +1/√fan_in) as PyTorch's
// nn.Linear default (kaiming_uniform_ with a = √5) gives, with fan_in = in for A and fan_in = rank for
// C and D; B = 0 so that ΔW = s·B·T·A starts at exactly 0 and the model starts as the frozen one.
// C = D = 0 would be a trap: for ICFM (T = C·Cᵀ) and CTCM (T = C·D) every gradient of C and D is then
// exactly 0 at every step, so the core never learns (src/adapters/init.test.ts shows it).
import { createRandom, type Random } from '../util/random';
import { METHOD_SPECS, type AdapterMethod } from './methods';

export interface AdapterValues {
  a: Float32Array;
  b: Float32Array;
  c?: Float32Array;
  d?: Float32Array;
}

/** Fills `count` values from U(−1/√fanIn, +1/√fanIn). */
export function kaimingUniform(random: Random, count: number, fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = random.uniform(-bound, bound);
  return values;
}

/** Draws A, C, D (in that order, from one seeded stream) and zeros B. */
export function initialAdapterValues(method: AdapterMethod, rank: number, inFeatures: number, outFeatures: number, seed: number): AdapterValues {
  const random = createRandom(seed);
  const factors = METHOD_SPECS[method].factors;
  return {
    a: kaimingUniform(random, rank * inFeatures, inFeatures),
    b: new Float32Array(outFeatures * rank),
    c: factors.includes('C') ? kaimingUniform(random, rank * rank, rank) : undefined,
    d: factors.includes('D') ? kaimingUniform(random, rank * rank, rank) : undefined,
  };
}
