import { describe, expect, it } from 'vitest';
import { createRandom } from '../util/random';
import { countLabels, deduplicateExamples, majorityBaselineAccuracy, shuffleInPlace, stratifiedSplit } from './split';
import type { TaskExample } from './task';

/** n examples with distinct texts; the first `positives` have label 1, the rest label 0. */
function examples(n: number, positives: number): TaskExample[] {
  return Array.from({ length: n }, (_, i) => ({ text: `text ${i}`, label: i < positives ? 1 : 0 }));
}

describe('shuffleInPlace', () => {
  it('permutes and is reproducible', () => {
    const first = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRandom(7));
    const second = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRandom(7));
    expect(first).toEqual(second);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(first).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('changes with the seed', () => {
    const a = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRandom(7));
    const b = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), createRandom(8));
    expect(a).not.toEqual(b);
  });
});

describe('deduplicateExamples', () => {
  it('keeps the first copy, ignoring case', () => {
    const result = deduplicateExamples([
      { text: 'Win money', label: 1 },
      { text: 'hello', label: 0 },
      { text: 'WIN MONEY', label: 1 },
      { text: 'win money', label: 1 },
    ]);
    expect(result.examples).toEqual([
      { text: 'Win money', label: 1 },
      { text: 'hello', label: 0 },
    ]);
    expect(result.duplicates).toBe(2);
    expect(result.conflicts).toBe(0);
  });

  it('drops every copy of a text with two labels', () => {
    const result = deduplicateExamples([
      { text: 'same', label: 0 },
      { text: 'other', label: 0 },
      { text: 'Same', label: 1 },
      { text: 'same', label: 0 },
    ]);
    expect(result.examples).toEqual([{ text: 'other', label: 0 }]);
    expect(result.conflicts).toBe(3);
    expect(result.duplicates).toBe(0);
  });

  it('tells pairs apart by their second text', () => {
    const result = deduplicateExamples([
      { text: 'a', textPair: 'b', label: 0 },
      { text: 'a', textPair: 'c', label: 0 },
      { text: 'a', label: 0 },
    ]);
    expect(result.examples).toHaveLength(3);
  });
});

describe('stratifiedSplit', () => {
  it('keeps class proportions in every split', () => {
    const splits = stratifiedSplit(examples(1000, 300), { dev: 0.1, test: 0.1 }, 1);
    expect(countLabels(splits.train)).toEqual(new Map([[0, 560], [1, 240]]));
    expect(countLabels(splits.dev)).toEqual(new Map([[0, 70], [1, 30]]));
    expect(countLabels(splits.test)).toEqual(new Map([[0, 70], [1, 30]]));
  });

  it('rounds per class', () => {
    // Class 1: 7 examples → round(0.7) = 1 test, 1 dev, 5 train. Class 0: 13 → 1, 1, 11.
    const splits = stratifiedSplit(examples(20, 7), { dev: 0.1, test: 0.1 }, 3);
    expect(countLabels(splits.test)).toEqual(new Map([[0, 1], [1, 1]]));
    expect(countLabels(splits.dev)).toEqual(new Map([[0, 1], [1, 1]]));
    expect(countLabels(splits.train)).toEqual(new Map([[0, 11], [1, 5]]));
  });

  it('uses every example exactly once', () => {
    const input = examples(97, 31);
    const splits = stratifiedSplit(input, { dev: 0.15, test: 0.2 }, 5);
    const texts = [...splits.train, ...splits.dev, ...splits.test].map((example) => example.text).sort();
    expect(texts).toEqual(input.map((example) => example.text).sort());
  });

  it('is reproducible and depends on the seed', () => {
    const a = stratifiedSplit(examples(200, 50), { dev: 0.1, test: 0.1 }, 11);
    const b = stratifiedSplit(examples(200, 50), { dev: 0.1, test: 0.1 }, 11);
    const c = stratifiedSplit(examples(200, 50), { dev: 0.1, test: 0.1 }, 12);
    expect(a).toEqual(b);
    expect(c.test.map((example) => example.text)).not.toEqual(a.test.map((example) => example.text));
  });

  it('interleaves classes within a split', () => {
    const { train } = stratifiedSplit(examples(200, 100), { dev: 0.1, test: 0.1 }, 2);
    const firstHalfPositives = train.slice(0, 80).filter((example) => example.label === 1).length;
    expect(firstHalfPositives).toBeGreaterThan(20);
    expect(firstHalfPositives).toBeLessThan(60);
  });

  it('rejects invalid fractions', () => {
    expect(() => stratifiedSplit(examples(10, 5), { dev: 0.5, test: 0.5 }, 1)).toThrow(/dev 0.5 and test 0.5 are invalid/);
    expect(() => stratifiedSplit(examples(10, 5), { dev: -0.1, test: 0.1 }, 1)).toThrow(/invalid/);
    expect(() => stratifiedSplit(examples(10, 5), { dev: Number.NaN, test: 0.1 }, 1)).toThrow(/invalid/);
  });

  it('rejects non-class labels and empty input', () => {
    expect(() => stratifiedSplit([{ text: 'a', label: 0.5 }], { dev: 0.1, test: 0.1 }, 1)).toThrow(/Example 0 has label 0.5/);
    expect(() => stratifiedSplit([], { dev: 0.1, test: 0.1 }, 1)).toThrow(/at least one example/);
  });
});

describe('majorityBaselineAccuracy', () => {
  it('predicts the majority of the reference set', () => {
    const reference = examples(10, 3);
    const evaluated = [...examples(4, 1)];
    expect(majorityBaselineAccuracy(reference, evaluated)).toBe(0.75);
  });

  it('breaks ties toward the lower label', () => {
    expect(majorityBaselineAccuracy(examples(4, 2), examples(5, 1))).toBe(0.8);
  });

  it('rejects empty sets', () => {
    expect(() => majorityBaselineAccuracy([], examples(2, 1))).toThrow(/needs examples in both sets/);
  });
});
