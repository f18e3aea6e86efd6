// Turns the runs of an experiment into the rows the charts and the summary table draw: per method the
// mean over seeds with a ±1 std band (statistics from src/train/statistics.ts), and the final test metric.
import type { MetricId } from '../data/task';
import { finalEvalMetric, meanStdBand, stepTimeMs, summarizeByMethod, type Summary } from '../train/statistics';
import type { EvalPoint, MethodId, RunRecord } from '../train/types';

/** Curve rows drawn per chart at most; longer curves keep every k-th step and the last, so the SVG stays light. */
export const MAX_CHART_ROWS = 400;

/**
 * One x position of a curve chart. For each method m with data at this step, row[m] is the mean over
 * seeds and row[bandKey(m)] the [mean − std, mean + std] range.
 */
export type CurveRow = { step: number } & Record<string, number | [number, number]>;

export interface CurveChartData {
  rows: CurveRow[];
  /** Methods with at least one point, in the order given. */
  methods: MethodId[];
}

export function bandKey(method: MethodId): string {
  return `${method}Band`;
}

/** Builds curve rows from one series of points per run, e.g. the training loss or a dev metric. */
export function curveChartData<P extends { step: number }>(
  runs: readonly RunRecord[],
  methods: readonly MethodId[],
  points: (run: RunRecord) => readonly P[],
  value: (point: P) => number,
  maxRows = MAX_CHART_ROWS,
): CurveChartData {
  const rowsByStep = new Map<number, CurveRow>();
  const drawn: MethodId[] = [];

  for (const method of methods) {
    const curves = runs.filter((run) => run.method === method).map(points).filter((curve) => curve.length > 0);
    if (curves.length === 0) continue;
    const band = meanStdBand(curves, value);
    if (band.length === 0) continue;
    drawn.push(method);
    for (const point of band) {
      let row = rowsByStep.get(point.step);
      if (!row) {
        row = { step: point.step } as CurveRow;
        rowsByStep.set(point.step, row);
      }
      row[method] = point.mean;
      row[bandKey(method)] = [point.mean - point.std, point.mean + point.std];
    }
  }

  const rows = [...rowsByStep.values()].sort((a, b) => a.step - b.step);
  const stride = Math.ceil(rows.length / maxRows);
  const thinned = stride <= 1 ? rows : rows.filter((_, i) => i % stride === 0 || i === rows.length - 1);
  return { rows: thinned, methods: drawn };
}

/** Loss curves: one point per optimizer step. */
export function lossChartData(runs: readonly RunRecord[], methods: readonly MethodId[]): CurveChartData {
  return curveChartData(
    runs,
    methods,
    (run) => run.curve,
    (point) => point.loss,
  );
}

/** Dev-metric curves: one point per evaluation on the dev split that reports `metric`. */
export function devChartData(runs: readonly RunRecord[], methods: readonly MethodId[], metric: MetricId): CurveChartData {
  return curveChartData(
    runs,
    methods,
    (run) => run.evals.filter((point) => point.split === 'dev' && point.metrics[metric] !== undefined),
    (point: EvalPoint) => point.metrics[metric] as number,
  );
}

/** Order of the metric columns after the primary metric's. */
export const METRIC_ORDER: readonly MetricId[] = ['accuracy', 'f1', 'mcc', 'pearson', 'spearman'];

/** The range every value of a metric lies in: accuracy and F1 in [0, 1], MCC and the correlations in [−1, 1]. */
export const METRIC_RANGES: Readonly<Record<MetricId, readonly [number, number]>> = {
  accuracy: [0, 1],
  f1: [0, 1],
  mcc: [-1, 1],
  pearson: [-1, 1],
  spearman: [-1, 1],
};

/** A fixed y axis: its domain and tick values. */
export interface MetricAxis {
  domain: [number, number];
  ticks: number[];
}

/**
 * Returns the y axis of a bar chart of `metric`, fixed to the metric's range so that bars of 0 do not get an
 * axis of 0 to 4 and bars of two experiments compare by height. A metric that can be negative starts at 0 while
 * every bar's lower end (mean − std) is at least 0, so positive scores keep the whole height.
 */
export function metricAxis(metric: MetricId, lowerEnds: readonly number[]): MetricAxis {
  const [low, high] = METRIC_RANGES[metric];
  const bottom = low < 0 && lowerEnds.every((value) => !(value < 0)) ? 0 : low;
  const step = (high - bottom) / 4;
  return { domain: [bottom, high], ticks: Array.from({ length: 5 }, (_, index) => bottom + index * step) };
}

export interface MethodResult {
  method: MethodId;
  /** Final test metric over the finished runs, or null when none has one yet. */
  test: Summary | null;
  /**
   * The other test metrics that any run of the experiment reports (e.g. Pearson next to Spearman), in the
   * order of METRIC_ORDER, each with its summary for this method or null.
   */
  otherTests: Array<{ metric: MetricId; summary: Summary | null }>;
  stepTimeMs: Summary | null;
  trainableParameters: number | null;
  totalParameters: number | null;
  /** Seeds of the method in the spec, and those whose run finished. */
  seeds: number;
  finished: number;
  failures: Array<{ seed: number; error: string }>;
}

/** One row per method of the spec, including methods whose runs have not started. */
export function methodResults(runs: readonly RunRecord[], methods: readonly MethodId[], seedCount: number, metric: MetricId): MethodResult[] {
  const test = new Map(summarizeByMethod(runs, finalEvalMetric('test', metric)).map((entry) => [entry.method, entry.summary]));
  const reported = new Set(runs.flatMap((run) => run.evals.filter((point) => point.split === 'test').flatMap((point) => Object.keys(point.metrics))));
  const others = METRIC_ORDER.filter((other) => other !== metric && reported.has(other)).map((other) => ({
    metric: other,
    byMethod: new Map(summarizeByMethod(runs, finalEvalMetric('test', other)).map((entry) => [entry.method, entry.summary])),
  }));
  const stepTimes = new Map(summarizeByMethod(runs, stepTimeMs).map((entry) => [entry.method, entry.summary]));

  return methods.map((method) => {
    const methodRuns = runs.filter((run) => run.method === method);
    // Every seed trains the same parameters, so the first run that reported its counts stands for all.
    const counted = methodRuns.find((run) => run.totalParameters > 0);
    return {
      method,
      test: test.get(method) ?? null,
      otherTests: others.map((other) => ({ metric: other.metric, summary: other.byMethod.get(method) ?? null })),
      stepTimeMs: stepTimes.get(method) ?? null,
      trainableParameters: counted ? counted.trainableParameters : null,
      totalParameters: counted ? counted.totalParameters : null,
      seeds: seedCount,
      finished: methodRuns.filter((run) => run.status === 'done').length,
      failures: methodRuns.filter((run) => run.status === 'failed').map((run) => ({ seed: run.seed, error: run.error ?? 'no reason recorded' })),
    };
  });
}

/**
 * Returns the metric the results show: the task's primary metric when the task is known, else the first metric
 * found in the runs' evaluations (a stored experiment of a task this page no longer offers).
 */
export function resultMetric(primaryMetric: MetricId | undefined, runs: readonly RunRecord[]): MetricId | null {
  if (primaryMetric) return primaryMetric;
  for (const run of runs) {
    for (const point of run.evals) {
      const first = Object.keys(point.metrics)[0] as MetricId | undefined;
      if (first) return first;
    }
  }
  return null;
}
