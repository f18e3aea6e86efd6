import { describe, expect, it } from 'vitest';
import { bestEvalMetric, finalEvalMetric, meanStdBand, stepTimeMs, summarize, summarizeByMethod, trainableParameters } from './statistics';
import type { EvalPoint, MethodId, RunRecord, RunStatus, StepPoint } from './types';

function run(method: MethodId, seed: number, options: { status?: RunStatus; evals?: EvalPoint[]; stepTimeMs?: number; trainable?: number } = {}): RunRecord {
  return {
    experimentId: 'e1',
    method,
    seed,
    status: options.status ?? 'done',
    curve: [],
    evals: options.evals ?? [],
    trainableParameters: options.trainable ?? 1000,
    totalParameters: 100_000,
    stepTimeMs: options.stepTimeMs ?? 10,
  };
}

function evalPoint(step: number, split: 'dev' | 'test', accuracy: number): EvalPoint {
  return { step, split, loss: 0.5, metrics: { accuracy } };
}

function stepPoint(step: number, loss: number): StepPoint {
  return { step, loss, learningRate: 1e-3, tokensPerSecond: 100, elapsedMs: step * 10 };
}

describe('summarize', () => {
  it('uses the sample standard deviation', () => {
    // Mean 5, squared deviations sum to 32: sample std √(32/7), population std would be 2.
    const summary = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(summary.mean).toBe(5);
    expect(summary.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(summary.min).toBe(2);
    expect(summary.max).toBe(9);
    expect(summary.count).toBe(8);
  });

  it('gives std 0 for one value', () => {
    expect(summarize([0.9])).toEqual({ mean: 0.9, std: 0, min: 0.9, max: 0.9, count: 1 });
  });

  it('rejects empty and non-finite input', () => {
    expect(() => summarize([])).toThrow(/at least one value/);
    expect(() => summarize([1, Number.NaN])).toThrow(/value NaN at index 1/);
  });
});

describe('run values', () => {
  const record = run('lora', 1, {
    evals: [evalPoint(100, 'dev', 0.8), evalPoint(300, 'dev', 0.85), evalPoint(200, 'dev', 0.9), evalPoint(300, 'test', 0.88)],
  });

  it('finalEvalMetric takes the highest step of the split', () => {
    expect(finalEvalMetric('dev', 'accuracy')(record)).toBe(0.85);
    expect(finalEvalMetric('test', 'accuracy')(record)).toBe(0.88);
  });

  it('bestEvalMetric takes the maximum', () => {
    expect(bestEvalMetric('dev', 'accuracy')(record)).toBe(0.9);
  });

  it('returns undefined without a matching evaluation', () => {
    expect(finalEvalMetric('test', 'f1')(record)).toBeUndefined();
    expect(bestEvalMetric('test', 'f1')(run('lora', 2))).toBeUndefined();
  });
});

describe('summarizeByMethod', () => {
  it('groups by method in the standard order', () => {
    const runs = [
      run('dtsm', 1, { stepTimeMs: 12 }),
      run('lora', 1, { stepTimeMs: 10 }),
      run('lora', 2, { stepTimeMs: 14 }),
      run('dtsm', 2, { stepTimeMs: 16 }),
      run('lora', 3, { stepTimeMs: 12 }),
    ];
    const result = summarizeByMethod(runs, stepTimeMs);
    expect(result.map((entry) => entry.method)).toEqual(['lora', 'dtsm']);
    expect(result[0].summary).toEqual({ mean: 12, std: 2, min: 10, max: 14, count: 3 });
    expect(result[0].seeds).toEqual([1, 2, 3]);
    expect(result[1].summary?.mean).toBe(14);
    expect(result[1].summary?.std).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('leaves out unfinished runs and missing values', () => {
    const runs = [
      run('shim', 1, { evals: [evalPoint(10, 'test', 0.7)] }),
      run('shim', 2, { status: 'failed', evals: [evalPoint(10, 'test', 0.1)] }),
      run('shim', 3),
      run('shim', 4, { evals: [evalPoint(10, 'test', Number.NaN)] }),
    ];
    const [shim] = summarizeByMethod(runs, finalEvalMetric('test', 'accuracy'));
    expect(shim.summary).toEqual({ mean: 0.7, std: 0, min: 0.7, max: 0.7, count: 1 });
    expect(shim.seeds).toEqual([1]);
    expect(shim.missingSeeds).toEqual([2, 3, 4]);
  });

  it('includes other statuses on request', () => {
    const runs = [run('full', 1, { trainable: 10 }), run('full', 2, { status: 'cancelled', trainable: 30 })];
    expect(summarizeByMethod(runs, trainableParameters, { statuses: ['done', 'cancelled'] })[0].summary?.mean).toBe(20);
  });

  it('reports null for a method without values', () => {
    const [head] = summarizeByMethod([run('head', 1, { status: 'failed' })], stepTimeMs);
    expect(head.summary).toBeNull();
    expect(head.missingSeeds).toEqual([1]);
  });

  it('rejects an unknown method', () => {
    expect(() => summarizeByMethod([run('bogus' as MethodId, 4)], stepTimeMs)).toThrow(/method "bogus", which is not one of lora/);
  });
});

describe('meanStdBand', () => {
  const loss = (point: StepPoint) => point.loss;

  it('averages curves step by step', () => {
    const band = meanStdBand([[stepPoint(1, 1), stepPoint(2, 0.5)], [stepPoint(1, 3), stepPoint(2, 0.7)]], loss);
    expect(band.map((point) => point.step)).toEqual([1, 2]);
    expect(band[0]).toMatchObject({ mean: 2, min: 1, max: 3, count: 2 });
    expect(band[0].std).toBeCloseTo(Math.SQRT2, 12);
    expect(band[1].mean).toBeCloseTo(0.6, 12);
  });

  it('exact alignment leaves out curves without the step', () => {
    const band = meanStdBand([[stepPoint(0, 1), stepPoint(10, 2)], [stepPoint(0, 3), stepPoint(5, 4), stepPoint(10, 6)]], loss);
    expect(band.map((point) => [point.step, point.mean, point.count])).toEqual([
      [0, 2, 2],
      [5, 4, 1],
      [10, 4, 2],
    ]);
    expect(band[1].std).toBe(0);
  });

  it('interpolation fills steps inside a curve only', () => {
    const curves = [[stepPoint(0, 1), stepPoint(10, 2)], [stepPoint(0, 3), stepPoint(5, 4), stepPoint(10, 6), stepPoint(20, 8)]];
    const band = meanStdBand(curves, loss, { align: 'interpolate' });
    expect(band.map((point) => [point.step, point.mean, point.count])).toEqual([
      [0, 2, 2],
      [5, 2.75, 2], // first curve interpolated to 1.5
      [10, 4, 2],
      [20, 8, 1], // past the first curve's last step
    ]);
  });

  it('skips non-finite values and keeps the later duplicate', () => {
    const band = meanStdBand([[stepPoint(1, 2), stepPoint(1, 4), stepPoint(2, Number.NaN)], [stepPoint(2, 1)]], loss);
    expect(band.map((point) => [point.step, point.mean, point.count])).toEqual([
      [1, 4, 1],
      [2, 1, 1],
    ]);
  });

  it('works on evaluation curves', () => {
    const band = meanStdBand([[evalPoint(50, 'dev', 0.8)], [evalPoint(50, 'dev', 0.9)]], (point) => point.metrics.accuracy ?? Number.NaN);
    expect(band[0].mean).toBeCloseTo(0.85, 12);
  });

  it('returns no points for no curves', () => {
    expect(meanStdBand([], loss)).toEqual([]);
  });

  it('rejects an invalid step or alignment', () => {
    expect(() => meanStdBand([[stepPoint(Number.NaN, 1)]], loss)).toThrow(/Curve 0, point 0: step NaN/);
    expect(() => meanStdBand([[stepPoint(1, 1)]], loss, { align: 'nearest' as 'exact' })).toThrow(/alignment "nearest" is invalid/);
  });
});
