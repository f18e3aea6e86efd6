// Input checks of the strided row gather/scatter and of the in-place sum; their values are checked
// against PyTorch by the "rows" and "add" kernel checks.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { addInPlace } from './add';
import { gatherRows, scatterRows } from './rows';

describe('row selection', () => {
  it('gathers one row per sequence', async () => {
    const engine = await testEngine();
    // [batch 2 · tokens 3, 2]: row r contains (r, 10 r).
    const x = engine.tensor(Float32Array.from([0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50]), [6, 2]);
    const cls = gatherRows(x, { stride: 3 });
    const last = gatherRows(x, { stride: 3, offset: 2 });
    expect(cls.shape).toEqual([2, 2]);
    expect(Array.from(await cls.readFloat())).toEqual([0, 0, 3, 30]);
    expect(Array.from(await last.readFloat())).toEqual([2, 20, 5, 50]);
    for (const tensor of [x, cls, last]) tensor.destroy();
  });

  it('rejects a stride below 1 or an offset past the stride', async () => {
    const engine = await testEngine();
    const x = engine.zeros([6, 2]);
    expect(() => gatherRows(x, { stride: 0 })).toThrow(/stride is 0; it must be a positive integer/);
    expect(() => gatherRows(x, { stride: 3, offset: 3 })).toThrow(/offset is 3; it must be an integer in \[0, 3\)/);
    x.destroy();
  });

  it('rejects a gradient with the wrong row count', async () => {
    const engine = await testEngine();
    const dx = engine.zeros([6, 2]);
    const dy = engine.zeros([3, 2]);
    expect(() => scatterRows(dy, dx, { stride: 3 })).toThrow(/scatterRows dy .* has shape \[3, 2\], expected \[2, 2\]/);
    for (const tensor of [dx, dy]) tensor.destroy();
  });

  it('rejects a 3-D input', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 3, 2]);
    expect(() => gatherRows(x, { stride: 3 })).toThrow(/must be 2-D \[rows, cols\]/);
    x.destroy();
  });
});

describe('in-place add', () => {
  it('rejects operands of different shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([3, 4]);
    const y = engine.zeros([4, 3]);
    expect(() => addInPlace(y, x)).toThrow(/has shape \[3, 4\] but y .* has \[4, 3\]/);
    for (const tensor of [x, y]) tensor.destroy();
  });

  it('rejects adding a tensor into itself', async () => {
    const engine = await testEngine();
    const x = engine.zeros([5]);
    expect(() => addInPlace(x, x.reshape([5]))).toThrow(/share the buffer/);
    x.destroy();
  });
});
