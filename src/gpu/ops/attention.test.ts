// Input validation of attentionForward / attentionBackward, and the key padding mask on a tiny case.
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import type { Tensor } from '../tensor';
import { testEngine } from '../test-engine';
import { attentionBackward, attentionForward } from './attention';

const created: Tensor[] = [];

function filled(engine: Engine, shape: number[], dtype: 'f32' | 'i32' = 'f32', value = 1): Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  const data = dtype === 'f32' ? new Float32Array(size).fill(value) : new Int32Array(size).fill(value);
  const tensor = engine.tensor(data, shape, dtype);
  created.push(tensor);
  return tensor;
}

afterEach(() => {
  for (const tensor of created.splice(0)) tensor.destroy();
});

describe('attentionForward validation', () => {
  it('rejects hidden not divisible by heads', async () => {
    const engine = await testEngine();
    const x = filled(engine, [1, 2, 10]);
    const mask = filled(engine, [1, 2], 'i32');
    expect(() => attentionForward(x, x, x, mask, { heads: 3 })).toThrow(/hidden size 10 is not divisible by heads 3/);
  });

  it('rejects non-integer heads', async () => {
    const engine = await testEngine();
    const x = filled(engine, [1, 2, 4]);
    const mask = filled(engine, [1, 2], 'i32');
    expect(() => attentionForward(x, x, x, mask, { heads: 1.5 })).toThrow(/heads must be a positive integer, got 1.5/);
    expect(() => attentionForward(x, x, x, mask, { heads: 0 })).toThrow(/got 0/);
  });

  it('rejects q that is not 3-D', async () => {
    const engine = await testEngine();
    const x = filled(engine, [2, 4]);
    const mask = filled(engine, [1, 2], 'i32');
    expect(() => attentionForward(x, x, x, mask, { heads: 1 })).toThrow(/attention q has shape \[2, 4\]/);
  });

  it('rejects k with other tokens', async () => {
    const engine = await testEngine();
    const q = filled(engine, [1, 3, 4]);
    const k = filled(engine, [1, 5, 4]);
    const mask = filled(engine, [1, 3], 'i32');
    expect(() => attentionForward(q, k, q, mask, { heads: 2 })).toThrow(/attention k has shape \[1, 5, 4\], expected \[1, 3, 4\]/);
  });

  it('rejects mask with other tokens', async () => {
    const engine = await testEngine();
    const x = filled(engine, [2, 3, 4]);
    const mask = filled(engine, [2, 4], 'i32');
    expect(() => attentionForward(x, x, x, mask, { heads: 2 })).toThrow(/attention mask has shape \[2, 4\], expected \[2, 3\]/);
  });

  it('rejects f32 mask', async () => {
    const engine = await testEngine();
    const x = filled(engine, [1, 3, 4]);
    const mask = filled(engine, [1, 3], 'f32');
    expect(() => attentionForward(x, x, x, mask, { heads: 2 })).toThrow(/mask has dtype f32, expected i32/);
  });
});

describe('attentionBackward validation', () => {
  it('rejects probs of another head count', async () => {
    const engine = await testEngine();
    const x = filled(engine, [1, 3, 4]);
    const probs = filled(engine, [1, 1, 3, 3]);
    expect(() => attentionBackward(x, x, x, probs, x, { heads: 2 })).toThrow(/attention probs has shape \[1, 1, 3, 3\], expected \[1, 2, 3, 3\]/);
  });

  it('rejects dContext of another shape', async () => {
    const engine = await testEngine();
    const x = filled(engine, [1, 3, 4]);
    const dContext = filled(engine, [1, 3, 2]);
    const probs = filled(engine, [1, 2, 3, 3]);
    expect(() => attentionBackward(x, x, x, probs, dContext, { heads: 2 })).toThrow(/attention dContext has shape \[1, 3, 2\]/);
  });
});

describe('attention key padding mask', () => {
  it('gives padded keys zero probability', async () => {
    const engine = await testEngine();
    // One sequence of 3 tokens and 1 head of size 2, in which key 1 is padding.
    const q = engine.tensor(new Float32Array([1, 0, 0, 1, 1, 1]), [1, 3, 2]);
    const mask = engine.tensor(new Int32Array([1, 0, 1]), [1, 3], 'i32');
    created.push(q, mask);
    const { context, probs } = attentionForward(q, q, q, mask, { heads: 1 });
    created.push(context, probs);

    const values = await probs.readFloat();
    for (let query = 0; query < 3; query++) {
      expect(values[query * 3 + 1]).toBe(0);
      expect(values[query * 3] + values[query * 3 + 2]).toBeCloseTo(1, 6);
    }
  });

  it('spreads fully padded rows uniformly', async () => {
    const engine = await testEngine();
    const q = engine.tensor(new Float32Array([3, -1, 0.5, 2, -4, 1]), [1, 3, 2]);
    const mask = engine.tensor(new Int32Array([0, 0, 0]), [1, 3], 'i32');
    created.push(q, mask);
    const { context, probs } = attentionForward(q, q, q, mask, { heads: 1 });
    created.push(context, probs);

    for (const value of await probs.readFloat()) expect(value).toBeCloseTo(1 / 3, 6);
    const contextValues = await context.readFloat();
    // Every query averages the three values: [(3 + 0.5 − 4)/3, (−1 + 2 + 1)/3].
    for (let query = 0; query < 3; query++) {
      expect(contextValues[query * 2]).toBeCloseTo(-0.5 / 3, 6);
      expect(contextValues[query * 2 + 1]).toBeCloseTo(2 / 3, 6);
    }
  });
});
