import { describe, expect, it } from 'vitest';
import { batches, evalBatches, trainingBatches } from './batching';

const items = Array.from({ length: 10 }, (_, i) => i);

describe('batches', () => {
  it('keeps the last partial batch', () => {
    const result = batches(items, 4, 1, 0);
    expect(result.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(result.flat().sort((a, b) => a - b)).toEqual(items);
  });

  it('is reproducible per seed and epoch', () => {
    expect(batches(items, 3, 42, 2)).toEqual(batches(items, 3, 42, 2));
  });

  it('reshuffles every epoch and per seed', () => {
    const epoch0 = batches(items, 10, 42, 0)[0];
    expect(batches(items, 10, 42, 1)[0]).not.toEqual(epoch0);
    expect(batches(items, 10, 43, 0)[0]).not.toEqual(epoch0);
    expect(epoch0).not.toEqual(items);
  });

  it('does not modify its input', () => {
    const input = [...items];
    batches(input, 3, 1, 0);
    expect(input).toEqual(items);
  });

  it('rejects invalid arguments', () => {
    expect(() => batches([], 4, 1, 0)).toThrow(/at least one example/);
    expect(() => batches(items, 0, 1, 0)).toThrow(/Batch size 0 is invalid/);
    expect(() => batches(items, 2.5, 1, 0)).toThrow(/Batch size 2.5 is invalid/);
    expect(() => batches(items, 4, -1, 0)).toThrow(/Seed -1 is invalid/);
    expect(() => batches(items, 4, 1, -1)).toThrow(/Epoch -1 is invalid/);
  });
});

describe('trainingBatches', () => {
  it('continues across epochs', () => {
    const iterator = trainingBatches(items, 4, 9);
    const taken = Array.from({ length: 7 }, () => iterator.next().value);
    expect(taken.map((batch) => [batch.epoch, batch.indexInEpoch])).toEqual([
      [0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0],
    ]);
    expect(taken.slice(0, 3).map((batch) => batch.examples)).toEqual(batches(items, 4, 9, 0));
    expect(taken.slice(3, 6).map((batch) => batch.examples)).toEqual(batches(items, 4, 9, 1));
  });

  it('checks arguments at the call', () => {
    expect(() => trainingBatches(items, 0, 1)).toThrow(/Batch size 0 is invalid/);
    expect(() => trainingBatches(items, 2, 1.5)).toThrow(/Seed 1.5 is invalid/);
  });
});

describe('evalBatches', () => {
  it('keeps the split order', () => {
    expect(evalBatches(items, 4)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('rejects an empty split', () => {
    expect(() => evalBatches([], 4)).toThrow(/at least one example/);
  });
});
