// The import verdict: identical metrics match, a changed metric or a missing split differs, and a file
// without stored metrics has nothing to compare with.
import { describe, expect, it } from 'vitest';
import type { EvalPoint } from '../train/types';
import { compareEvaluations, MATCH_TOLERANCE } from './adapter-comparison';

const STORED: EvalPoint[] = [
  { step: 2, split: 'dev', loss: 0.6931, metrics: { accuracy: 0.625, f1: 0.5 } },
  { step: 2, split: 'test', loss: 0.7012, metrics: { accuracy: 0.5, f1: 0.4 } },
];

describe('compareEvaluations', () => {
  it('matches identical values', () => {
    const comparison = compareEvaluations(STORED, STORED);
    expect(comparison.verdict).toBe('matches');
    expect(comparison.maxDifference).toBe(0);
    expect(comparison.rows.map((row) => `${row.split} ${row.name}`)).toEqual(['dev loss', 'dev accuracy', 'dev f1', 'test loss', 'test accuracy', 'test f1']);
  });

  it('matches within the tolerance', () => {
    const reproduced = [{ ...STORED[0], loss: STORED[0].loss + MATCH_TOLERANCE / 2 }, STORED[1]];
    expect(compareEvaluations(STORED, reproduced).verdict).toBe('matches');
  });

  it('differs on a changed metric', () => {
    const reproduced = [STORED[0], { ...STORED[1], metrics: { accuracy: 0.625, f1: 0.4 } }];
    const comparison = compareEvaluations(STORED, reproduced);
    expect(comparison.verdict).toBe('differs');
    expect(comparison.maxDifference).toBeCloseTo(0.125, 12);
    expect(comparison.rows.find((row) => row.split === 'test' && row.name === 'accuracy')).toMatchObject({ stored: 0.5, reproduced: 0.625, matches: false });
  });

  it('differs when a split or a metric is missing', () => {
    expect(compareEvaluations([STORED[0]], STORED).verdict).toBe('differs');
    const withoutF1 = [{ ...STORED[0], metrics: { accuracy: 0.625 } }, STORED[1]];
    const comparison = compareEvaluations(withoutF1, STORED);
    expect(comparison.verdict).toBe('differs');
    expect(comparison.rows.find((row) => row.split === 'dev' && row.name === 'f1')).toMatchObject({ stored: null, reproduced: 0.5, difference: null, matches: false });
  });

  it('differs on NaN', () => {
    expect(compareEvaluations(STORED, [{ ...STORED[0], loss: Number.NaN }, STORED[1]]).verdict).toBe('differs');
  });

  it('has no verdict without stored metrics', () => {
    expect(compareEvaluations([], STORED).verdict).toBe('no stored metrics');
  });
});
