// Chart rows and per-method results built from runs: means and bands over seeds, thinning, the summary.
import { describe, expect, it } from 'vitest';
import type { MethodId, RunRecord, RunStatus } from '../train/types';
import { bandKey, devChartData, lossChartData, methodResults, metricAxis, resultMetric } from './chart-data';

function run(method: MethodId, seed: number, losses: number[], testF1?: number, status: RunStatus = 'done'): RunRecord {
  return {
    experimentId: 'exp',
    method,
    seed,
    status,
    curve: losses.map((loss, i) => ({ step: i + 1, loss, learningRate: 1e-3, tokensPerSecond: 100, elapsedMs: i })),
    evals: [
      { step: losses.length, split: 'dev', loss: 0.5, metrics: { f1: 0.5 + seed / 10 } },
      ...(testF1 === undefined ? [] : [{ step: losses.length, split: 'test' as const, loss: 0.5, metrics: { f1: testF1 } }]),
    ],
    trainableParameters: 100,
    totalParameters: 400,
    stepTimeMs: 10 * seed,
  };
}

describe('chart data', () => {
  it('averages loss over seeds per step', () => {
    const runs = [run('lora', 1, [1, 0.5]), run('lora', 2, [3, 0.5]), run('shim', 1, [2])];
    const data = lossChartData(runs, ['shim', 'lora', 'full']);

    expect(data.methods).toEqual(['shim', 'lora']);
    expect(data.rows.map((row) => row.step)).toEqual([1, 2]);
    expect(data.rows[0].lora).toBe(2);
    // Sample std of 1 and 3 is √2.
    expect(data.rows[0][bandKey('lora')]).toEqual([2 - Math.SQRT2, 2 + Math.SQRT2]);
    expect(data.rows[0].shim).toBe(2);
    expect(data.rows[0][bandKey('shim')]).toEqual([2, 2]);
    expect(data.rows[1].shim).toBeUndefined();
  });

  it('thins long curves and keeps the last step', () => {
    const losses = Array.from({ length: 1001 }, (_, i) => 1 / (i + 1));
    const data = lossChartData([run('dtsm', 1, losses)], ['dtsm']);
    expect(data.rows.length).toBeLessThanOrEqual(400);
    expect(data.rows[0].step).toBe(1);
    expect(data.rows[data.rows.length - 1].step).toBe(1001);
  });

  it('plots dev evaluations with the metric', () => {
    const data = devChartData([run('icfm', 1, [1]), run('icfm', 2, [1])], ['icfm'], 'f1');
    expect(data.rows).toHaveLength(1);
    expect(data.rows[0].icfm).toBeCloseTo(0.65);
    expect(devChartData([run('icfm', 1, [1])], ['icfm'], 'mcc').rows).toEqual([]);
  });

  it('summarizes finished runs per method', () => {
    const runs = [
      run('lora', 1, [1], 0.8),
      run('lora', 2, [1], 0.9),
      { ...run('head', 1, [1]), status: 'failed' as const, error: 'loss became NaN at step 3' },
      run('head', 2, [1], undefined, 'running'),
    ];
    const [lora, head, full] = methodResults(runs, ['lora', 'head', 'full'], 2, 'f1');

    expect(lora.test?.mean).toBeCloseTo(0.85);
    expect(lora.test?.std).toBeCloseTo(Math.SQRT1_2 / 10);
    expect(lora.stepTimeMs?.mean).toBe(15);
    expect(lora.finished).toBe(2);
    expect(lora.trainableParameters).toBe(100);
    expect(lora.totalParameters).toBe(400);

    expect(head.test).toBeNull();
    expect(head.finished).toBe(0);
    expect(head.failures).toEqual([{ seed: 1, error: 'loss became NaN at step 3' }]);

    expect(full).toEqual({ method: 'full', test: null, otherTests: [], stepTimeMs: null, trainableParameters: null, totalParameters: null, seeds: 2, finished: 0, failures: [] });
  });

  it('summarizes the other test metrics', () => {
    const withPearson = (seed: number, spearman: number, pearson: number): RunRecord => ({
      ...run('lora', seed, [1]),
      evals: [{ step: 1, split: 'test', loss: 0.5, metrics: { spearman, pearson } }],
    });
    const [lora, dtsm] = methodResults([withPearson(1, 0.4, 0.5), withPearson(2, 0.6, 0.7)], ['lora', 'dtsm'], 2, 'spearman');
    expect(lora.test?.mean).toBeCloseTo(0.5);
    expect(lora.otherTests.map((other) => other.metric)).toEqual(['pearson']);
    expect(lora.otherTests[0].summary?.mean).toBeCloseTo(0.6);
    expect(dtsm.otherTests).toEqual([{ metric: 'pearson', summary: null }]);
  });

  it('falls back to a metric found in the runs', () => {
    expect(resultMetric('accuracy', [])).toBe('accuracy');
    expect(resultMetric(undefined, [run('lora', 1, [1])])).toBe('f1');
    expect(resultMetric(undefined, [])).toBeNull();
  });
});

describe('metricAxis', () => {
  it('F1 of 0 everywhere keeps the axis 0 to 1', () => {
    expect(metricAxis('f1', [0, 0])).toEqual({ domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1] });
  });

  it('accuracy is fixed to 0 to 1', () => {
    expect(metricAxis('accuracy', [0.625]).domain).toEqual([0, 1]);
  });

  it('positive correlations start at 0', () => {
    expect(metricAxis('pearson', [0.4, 0.7])).toEqual({ domain: [0, 1], ticks: [0, 0.25, 0.5, 0.75, 1] });
  });

  it('a negative MCC or error bar spans -1 to 1', () => {
    expect(metricAxis('mcc', [0.2, -0.05])).toEqual({ domain: [-1, 1], ticks: [-1, -0.5, 0, 0.5, 1] });
    expect(metricAxis('spearman', [-0.3]).domain).toEqual([-1, 1]);
  });

  it('no bars yet', () => {
    expect(metricAxis('mcc', []).domain).toEqual([0, 1]);
  });
});
