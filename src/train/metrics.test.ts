import { describe, expect, it } from 'vitest';
import { accuracy, computeMetrics, f1Score, matthewsCorrelation, pearsonCorrelation, spearmanCorrelation } from './metrics';

// Binary case: TP 3, FN 1, FP 1, TN 3.
const binaryLabels = [1, 1, 1, 0, 0, 0, 0, 1];
const binaryPredictions = [1, 0, 1, 0, 1, 0, 0, 1];

describe('accuracy', () => {
  it('counts matches', () => {
    expect(accuracy(binaryPredictions, binaryLabels)).toBe(0.75);
  });

  it('accepts typed arrays', () => {
    expect(accuracy(Int32Array.from([2, 1, 0]), Float32Array.from([2, 0, 0]))).toBeCloseTo(2 / 3, 12);
  });

  it('rejects mismatched, empty and non-finite input', () => {
    expect(() => accuracy([1, 0], [1])).toThrow('accuracy: 2 predictions but 1 labels');
    expect(() => accuracy([], [])).toThrow(/no predictions/);
    expect(() => accuracy([Number.NaN], [1])).toThrow(/index 0 is not a finite number/);
  });
});

describe('f1Score', () => {
  it('binary F1 of class 1', () => {
    // 2·3 / (2·3 + 1 + 1)
    expect(f1Score(binaryPredictions, binaryLabels)).toBe(0.75);
  });

  it('binary F1 scores class 1 only', () => {
    // Class 1: TP 1, FP 1, FN 0 → 2 / 3. Class 0 would score 2·2 / (2·2 + 0 + 1) = 0.8.
    expect(f1Score([1, 1, 0, 0], [1, 0, 0, 0])).toBeCloseTo(2 / 3, 12);
  });

  it('is 0 without any positive label or prediction', () => {
    expect(f1Score([0, 0, 0], [0, 0, 0])).toBe(0);
  });

  it('is 0 for constant negative predictions', () => {
    expect(f1Score([0, 0, 0, 0], [1, 0, 1, 0])).toBe(0);
  });

  it('is 1 when only the positive class occurs and is predicted', () => {
    expect(f1Score([1, 1], [1, 1])).toBe(1);
  });

  it('macro F1 over the classes present', () => {
    // Class 0: TP 2, FP 0, FN 1 → 0.8. Class 1: TP 1, FP 2, FN 0 → 0.5. Class 2: TP 0, FN 1 → 0.
    expect(f1Score([0, 0, 1, 1, 1], [0, 0, 0, 1, 2])).toBeCloseTo((0.8 + 0.5 + 0) / 3, 12);
  });

  it('macro F1 skips classes that never occur', () => {
    // numClasses 4, but class 3 occurs nowhere, so the mean is still over classes 0, 1 and 2.
    expect(f1Score([0, 0, 1, 1, 1], [0, 0, 0, 1, 2], { numClasses: 4 })).toBeCloseTo((0.8 + 0.5 + 0) / 3, 12);
  });

  it('numClasses 3 uses macro F1 even for 0/1 values', () => {
    // Binary F1 would be 0.75. Macro over classes 0 and 1: class 0 → 2·3/(6+1+1) = 0.75, class 1 → 0.75.
    expect(f1Score(binaryPredictions, binaryLabels, { numClasses: 3 })).toBe(0.75);
    // Unbalanced case: binary 2/3, macro (2/3 + 0.8) / 2.
    expect(f1Score([1, 1, 0, 0], [1, 0, 0, 0], { numClasses: 3 })).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  });

  it('rejects values that are not class indices', () => {
    expect(() => f1Score([0.5], [1])).toThrow('f1: prediction 0.5 at index 0 is not a class index; expected an integer from 0.');
    expect(() => f1Score([2], [1], { numClasses: 2 })).toThrow('expected an integer in [0, 1]');
    expect(() => f1Score([0], [1], { numClasses: 1 })).toThrow(/numClasses 1 is invalid/);
  });
});

describe('matthewsCorrelation', () => {
  it('binary case', () => {
    // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (9 − 1) / √(4·4·4·4) = 0.5
    expect(matthewsCorrelation(binaryPredictions, binaryLabels)).toBeCloseTo(0.5, 12);
  });

  it('perfect and inverted predictions', () => {
    expect(matthewsCorrelation([0, 1, 0, 1], [0, 1, 0, 1])).toBeCloseTo(1, 12);
    expect(matthewsCorrelation([1, 0, 1, 0], [0, 1, 0, 1])).toBeCloseTo(-1, 12);
  });

  it('multiclass generalisation', () => {
    // Confusion (rows true, columns predicted): [[2,1,0],[0,1,0],[0,1,0]], c = 3, s = 5,
    // t = [3,1,1], p = [2,3,0]: (3·5 − 9) / √((25 − 13)(25 − 11)) = 6 / √168.
    expect(matthewsCorrelation([0, 0, 1, 1, 1], [0, 0, 0, 1, 2])).toBeCloseTo(6 / Math.sqrt(168), 12);
  });

  it('symmetric three-class case', () => {
    // Each class: one right, one wrong. (3·6 − 12) / √((36 − 12)(36 − 12)) = 0.25
    expect(matthewsCorrelation([0, 1, 1, 2, 2, 0], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.25, 12);
  });

  it('is 0 for constant predictions', () => {
    expect(matthewsCorrelation([0, 0, 0, 0], [1, 0, 1, 0])).toBe(0);
  });

  it('is 0 when the labels are one class', () => {
    expect(matthewsCorrelation([1, 1, 1], [1, 1, 1])).toBe(0);
    expect(matthewsCorrelation([0, 1, 1], [1, 1, 1])).toBe(0);
  });
});

describe('pearsonCorrelation', () => {
  it('hand-computed case', () => {
    // dx = [−1.5, −0.5, 0.5, 1.5], dy = [−3, −1, 0, 4]: 11 / √(5·26)
    expect(pearsonCorrelation([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 12);
  });

  it('is invariant to affine maps and flips with the sign', () => {
    expect(pearsonCorrelation([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(pearsonCorrelation([1, 2, 3, 4], [-1, -3, -5, -7])).toBeCloseTo(-1, 12);
  });

  it('is 0 for a constant input or a single example', () => {
    expect(pearsonCorrelation([0.5, 0.5, 0.5], [1, 2, 3])).toBe(0);
    expect(pearsonCorrelation([1, 2, 3], [4, 4, 4])).toBe(0);
    expect(pearsonCorrelation([1], [2])).toBe(0);
  });
});

describe('spearmanCorrelation', () => {
  it('gives ties their average rank', () => {
    // Ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]: 4.5 / √(4.5·5) = √0.9
    expect(spearmanCorrelation([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(Math.sqrt(0.9), 12);
  });

  it('ties in both inputs', () => {
    // Ranks x = [1.5, 1.5, 3, 4], y = [1, 2.5, 2.5, 4], so dx = [−1, −1, 0.5, 1.5], dy = [−1.5, 0, 0, 1.5]:
    // Σdxdy = 1.5 + 2.25 = 3.75, Σdx² = 4.5, Σdy² = 4.5 → 3.75 / 4.5
    expect(spearmanCorrelation([5, 5, 7, 9], [0.1, 0.3, 0.3, 0.9])).toBeCloseTo(3.75 / 4.5, 12);
  });

  it('is 1 for any increasing map', () => {
    expect(spearmanCorrelation([1, 2, 3, 4, 5], [1, 8, 27, 64, 125])).toBeCloseTo(1, 12);
  });

  it('is 0 for a constant input', () => {
    expect(spearmanCorrelation([3, 3, 3], [1, 2, 3])).toBe(0);
  });
});

describe('computeMetrics', () => {
  it('returns exactly the requested metrics', () => {
    const metrics = computeMetrics(['accuracy', 'f1', 'mcc'], binaryPredictions, binaryLabels);
    expect(Object.keys(metrics).sort()).toEqual(['accuracy', 'f1', 'mcc']);
    expect(metrics.accuracy).toBe(0.75);
    expect(metrics.f1).toBe(0.75);
    expect(metrics.mcc).toBeCloseTo(0.5, 12);
  });

  it('computes regression metrics', () => {
    const metrics = computeMetrics(['pearson', 'spearman'], [1, 2, 3, 4], [2, 4, 5, 9]);
    expect(metrics.pearson).toBeCloseTo(11 / Math.sqrt(130), 12);
    expect(metrics.spearman).toBeCloseTo(1, 12);
  });

  it('passes numClasses on', () => {
    expect(computeMetrics(['f1'], [1, 1, 0, 0], [1, 0, 0, 0], { numClasses: 3 }).f1).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  });

  it('rejects an unknown metric', () => {
    expect(() => computeMetrics(['auc' as never], [1], [1])).toThrow('Metric "auc" is not known');
  });
});
