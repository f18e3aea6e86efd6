// Dropout masks: kept fraction, dependence on the seed, reproducibility and input checks.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { dropoutBackward, dropoutForward } from './dropout';

const COUNT = 100_003;

/** Runs dropout on a tensor of ones and returns the output. */
async function dropOnes(p: number, seed: number): Promise<Float32Array> {
  const engine = await testEngine();
  const ones = engine.tensor(new Float32Array(COUNT).fill(1), [COUNT], 'f32', 'ones');
  const y = dropoutForward(ones, p, seed);
  const values = await y.readFloat();
  ones.destroy();
  y.destroy();
  return values;
}

describe('dropout mask', () => {
  for (const p of [0.1, 0.5, 0.9]) {
    it(`keeps about 1 − p of elements at p=${p}`, async () => {
      const y = await dropOnes(p, 2024);
      const scale = Math.fround(1 / (1 - p));
      let kept = 0;
      for (const value of y) {
        if (value !== 0) {
          kept += 1;
          expect(value).toBe(scale);
        }
      }

      // The kept count is binomial(COUNT, 1 − p); 5 standard errors fail by chance with probability under 1e-6.
      const standardError = Math.sqrt(COUNT * p * (1 - p));
      expect(Math.abs(kept - COUNT * (1 - p))).toBeLessThan(5 * standardError);
    });
  }

  it('differs between seeds', async () => {
    const p = 0.5;
    const first = await dropOnes(p, 7);
    for (const seed of [8, 7 + 2 ** 16, 0xffffffff]) {
      const second = await dropOnes(p, seed);
      let differing = 0;
      for (let i = 0; i < COUNT; i++) {
        if ((first[i] === 0) !== (second[i] === 0)) differing += 1;
      }

      // Independent masks disagree on a fraction 2p(1 − p) of the elements.
      const expected = 2 * p * (1 - p);
      const standardError = Math.sqrt(COUNT * expected * (1 - expected));
      expect(Math.abs(differing - COUNT * expected), `seed ${seed}`).toBeLessThan(5 * standardError);
    }
  });

  it('has no correlation between neighbours', async () => {
    const p = 0.5;
    const y = await dropOnes(p, 11);
    for (const offset of [1, 2, 256]) {
      let bothKept = 0;
      const pairs = COUNT - offset;
      for (let i = 0; i < pairs; i++) {
        if (y[i] !== 0 && y[i + offset] !== 0) bothKept += 1;
      }

      // Independent elements are both kept with probability (1 − p)².
      const expected = (1 - p) ** 2;
      const standardError = Math.sqrt(pairs * expected * (1 - expected));
      expect(Math.abs(bothKept - pairs * expected), `offset ${offset}`).toBeLessThan(5 * standardError);
    }
  });

  it('repeats for the same seed', async () => {
    const first = await dropOnes(0.3, 99);
    const second = await dropOnes(0.3, 99);
    expect(second).toEqual(first);
  });

  it('backward reuses the forward mask', async () => {
    const engine = await testEngine();
    const values = Float32Array.from({ length: 4099 }, (_, i) => 1 + (i % 17));
    const x = engine.tensor(values, [4099], 'f32', 'x');
    const y = dropoutForward(x, 0.25, 31);
    const dx = dropoutBackward(x, 0.25, 31);
    expect(await dx.readFloat()).toEqual(await y.readFloat());
    for (const tensor of [x, y, dx]) tensor.destroy();
  });

  it('is the identity at p=0', async () => {
    const y = await dropOnes(0, 5);
    expect(y.every((value) => value === 1)).toBe(true);
  });
});

describe('dropout input checks', () => {
  it('rejects p outside [0, 1)', async () => {
    const engine = await testEngine();
    const x = engine.zeros([4], 'f32', 'x');
    expect(() => dropoutForward(x, 1, 0)).toThrow('Dropout probability p is 1. It must be in [0, 1).');
    expect(() => dropoutForward(x, -0.1, 0)).toThrow('Dropout probability p is -0.1');
    expect(() => dropoutBackward(x, Number.NaN, 0)).toThrow('Dropout probability p is NaN');
    x.destroy();
  });

  it('rejects a seed that is not a u32', async () => {
    const engine = await testEngine();
    const x = engine.zeros([4], 'f32', 'x');
    expect(() => dropoutForward(x, 0.1, -1)).toThrow('Dropout seed is -1. It must be an integer in [0, 2^32 − 1].');
    expect(() => dropoutForward(x, 0.1, 2 ** 32)).toThrow('Dropout seed is 4294967296');
    expect(() => dropoutForward(x, 0.1, 1.5)).toThrow('Dropout seed is 1.5');
    x.destroy();
  });

  it('rejects integer input', async () => {
    const engine = await testEngine();
    const ids = engine.zeros([4], 'i32', 'ids');
    expect(() => dropoutForward(ids, 0.1, 0)).toThrow('dropout x ("ids") is i32, expected f32.');
    ids.destroy();
  });
});
