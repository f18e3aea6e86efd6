import { describe, expect, it } from 'vitest';
import { apportion, quantileBinner, stratifiedSample } from './sampling';

describe('apportion', () => {
  it('gives exact shares that add up to the count', () => {
    expect(apportion([50, 30, 20], 10)).toEqual([5, 3, 2]);
    // Exact shares 3.33…, 3.33…, 3.33…: the one left goes to the lowest index.
    expect(apportion([10, 10, 10], 10)).toEqual([4, 3, 3]);
    // Exact shares 0.5 and 4.5: equal remainders, so the larger stratum gets the extra one.
    expect(apportion([1, 9], 5)).toEqual([0, 5]);
  });

  it('never takes more than a stratum has', () => {
    expect(apportion([1, 1, 8], 10)).toEqual([1, 1, 8]);
  });

  it('rejects a count above the total', () => {
    expect(() => apportion([2, 3], 6)).toThrow('Cannot take 6 items from strata of 5 items in all; use an integer from 0 to 5.');
  });
});

describe('stratifiedSample', () => {
  const items = Array.from({ length: 100 }, (_, index) => ({ index, label: index < 70 ? 0 : 1 }));

  it('keeps the class proportions', () => {
    const { selected, rest } = stratifiedSample(items, 20, (item) => item.label, 5, 'test');
    expect(selected.filter((item) => item.label === 0)).toHaveLength(14);
    expect(selected.filter((item) => item.label === 1)).toHaveLength(6);
    expect(rest).toHaveLength(80);
    expect(rest.map((item) => item.index)).toEqual([...rest.map((item) => item.index)].sort((a, b) => a - b));
    const chosen = new Set(selected);
    expect(rest.some((item) => chosen.has(item))).toBe(false);
  });

  it('depends on the seed and the stream only', () => {
    const one = stratifiedSample(items, 20, (item) => item.label, 5, 'test').selected;
    expect(stratifiedSample(items, 20, (item) => item.label, 5, 'test').selected).toEqual(one);
    expect(stratifiedSample(items, 20, (item) => item.label, 6, 'test').selected).not.toEqual(one);
    expect(stratifiedSample(items, 20, (item) => item.label, 5, 'other').selected).not.toEqual(one);
  });
});

describe('quantileBinner', () => {
  it('puts scores into deciles', () => {
    const scores = Array.from({ length: 100 }, (_, index) => index);
    const bin = quantileBinner(scores, 10);
    expect([0, 9, 10, 55, 99].map(bin)).toEqual([0, 0, 1, 5, 9]);
  });

  it('keeps equal scores in one bin', () => {
    // Edges are the scores at ranks 2, 4 and 6 of the sorted list: 1, 1 and 2. A score on an edge
    // belongs to the bin above it, so every 1 is in bin 2 and bins 0 and 1 stay empty.
    const bin = quantileBinner([1, 1, 1, 1, 1, 1, 2, 3], 4);
    expect([1, 2, 3].map(bin)).toEqual([2, 3, 3]);
  });

  it('accepts an empty score list', () => {
    expect(quantileBinner([], 10)(3)).toBe(0);
  });
});
