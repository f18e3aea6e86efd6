// Summaries over seeds: per method (mean, standard deviation, range of a final number) and per step
// (the mean ± std band the charts draw around each method's curve).
//
// The standard deviation is the sample standard deviation (Bessel's correction, divisor n − 1), because
// the seeds are a sample of the possible runs. It is 0 for a single seed.

import { max, mean, min, sampleStandardDeviation } from 'simple-statistics';
import type { MetricId } from '../data/task';
import { ALL_METHODS, type EvalPoint, type MethodId, type RunRecord, type RunStatus } from './types';

export interface Summary {
  mean: number;
  /** Sample standard deviation (divisor n − 1); 0 when count is 1. */
  std: number;
  min: number;
  max: number;
  count: number;
}

/** Summarises values; every value must be a finite number and there must be at least one. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    throw new RangeError('summarize needs at least one value; got none.');
  }
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new RangeError(`summarize: value ${values[bad]} at index ${bad} is not a finite number.`);
  }
  const list = [...values];
  return {
    mean: mean(list),
    std: list.length > 1 ? sampleStandardDeviation(list) : 0,
    min: min(list),
    max: max(list),
    count: list.length,
  };
}

/** Reads one number from a run, or undefined when the run has none (e.g. it failed before evaluating). */
export type RunValue = (run: RunRecord) => number | undefined;

function evalsWithMetric(run: RunRecord, split: EvalPoint['split'], metric: MetricId): EvalPoint[] {
  return run.evals.filter((point) => point.split === split && point.metrics[metric] !== undefined);
}

/** Returns the metric of the evaluation on `split` with the highest step (the end of training). */
export function finalEvalMetric(split: EvalPoint['split'], metric: MetricId): RunValue {
  return (run) => {
    const points = evalsWithMetric(run, split, metric);
    if (points.length === 0) {
      return undefined;
    }
    return points.reduce((latest, point) => (point.step >= latest.step ? point : latest)).metrics[metric];
  };
}

/** Returns the highest value of the metric over all evaluations on `split`, because every metric here is better when higher. */
export function bestEvalMetric(split: EvalPoint['split'], metric: MetricId): RunValue {
  return (run) => {
    const values = evalsWithMetric(run, split, metric)
      .map((point) => point.metrics[metric]!)
      .filter((value) => Number.isFinite(value));
    return values.length === 0 ? undefined : Math.max(...values);
  };
}

export const stepTimeMs: RunValue = (run) => run.stepTimeMs;
export const trainableParameters: RunValue = (run) => run.trainableParameters;

export interface MethodSummary {
  method: MethodId;
  /** Null when no run of the method has a finite value. */
  summary: Summary | null;
  /** Seeds whose runs went into the summary, in the order of the runs. */
  seeds: number[];
  /** Seeds of runs left out: a status not included, or no finite value. */
  missingSeeds: number[];
}

export interface SummarizeOptions {
  /** Run statuses to include; by default only finished runs ("done"). */
  statuses?: readonly RunStatus[];
}

/**
 * Summarises one number per method over its runs (one run per seed). Methods come in ALL_METHODS
 * order, and only those with at least one run are listed.
 */
export function summarizeByMethod(runs: readonly RunRecord[], value: RunValue, options: SummarizeOptions = {}): MethodSummary[] {
  const statuses = options.statuses ?? ['done'];
  const result: MethodSummary[] = [];
  for (const method of ALL_METHODS) {
    const methodRuns = runs.filter((run) => run.method === method);
    if (methodRuns.length === 0) {
      continue;
    }
    const values: number[] = [];
    const seeds: number[] = [];
    const missingSeeds: number[] = [];
    for (const run of methodRuns) {
      const runValue = statuses.includes(run.status) ? value(run) : undefined;
      if (runValue !== undefined && Number.isFinite(runValue)) {
        values.push(runValue);
        seeds.push(run.seed);
      } else {
        missingSeeds.push(run.seed);
      }
    }
    result.push({ method, summary: values.length > 0 ? summarize(values) : null, seeds, missingSeeds });
  }

  const unknown = runs.find((run) => !ALL_METHODS.includes(run.method));
  if (unknown !== undefined) {
    throw new RangeError(`Run with seed ${unknown.seed} has method "${unknown.method}", which is not one of ${ALL_METHODS.join(', ')}.`);
  }
  return result;
}

/** Mean ± std of the curves at one step. */
export interface BandPoint extends Summary {
  step: number;
}

export interface BandOptions {
  /**
   * Treatment of a curve without a point at a step. "exact" (default): it is left out at that step.
   * "interpolate": between its first and last point it contributes the linear interpolation of its two
   * neighbouring points, and outside that range it is left out.
   */
  align?: 'exact' | 'interpolate';
}

/**
 * Returns, for every step that any curve records, the mean, sample std, min and max over the curves
 * that have a value there (count is their number). Non-finite values (a diverged run's NaN loss) are
 * left out. Each curve contains one seed's points, and a step recorded twice keeps the later point.
 */
export function meanStdBand<P extends { step: number }>(
  curves: readonly (readonly P[])[],
  value: (point: P) => number,
  options: BandOptions = {},
): BandPoint[] {
  const align = options.align ?? 'exact';
  if (align !== 'exact' && align !== 'interpolate') {
    throw new RangeError(`Band alignment "${String(align)}" is invalid; use "exact" or "interpolate".`);
  }

  // Per curve: finite points sorted by step, one per step.
  const series = curves.map((curve, curveIndex) => {
    const byStep = new Map<number, number>();
    curve.forEach((point, pointIndex) => {
      if (!Number.isFinite(point.step)) {
        throw new RangeError(`Curve ${curveIndex}, point ${pointIndex}: step ${point.step} is not a finite number.`);
      }
      const pointValue = value(point);
      if (Number.isFinite(pointValue)) {
        byStep.set(point.step, pointValue);
      } else {
        byStep.delete(point.step);
      }
    });
    return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
  });

  const steps = [...new Set(series.flatMap((points) => points.map(([step]) => step)))].sort((a, b) => a - b);
  return steps.map((step) => {
    const values: number[] = [];
    for (const points of series) {
      const valueAtStep = align === 'exact' ? exactValue(points, step) : interpolatedValue(points, step);
      if (valueAtStep !== undefined) {
        values.push(valueAtStep);
      }
    }
    return { step, ...summarize(values) };
  });
}

function exactValue(points: [number, number][], step: number): number | undefined {
  return points.find(([pointStep]) => pointStep === step)?.[1];
}

function interpolatedValue(points: [number, number][], step: number): number | undefined {
  if (points.length === 0 || step < points[0][0] || step > points[points.length - 1][0]) {
    return undefined;
  }
  const after = points.findIndex(([pointStep]) => pointStep >= step);
  const [stepAfter, valueAfter] = points[after];
  if (stepAfter === step || after === 0) {
    return valueAfter;
  }
  const [stepBefore, valueBefore] = points[after - 1];
  const weight = (step - stepBefore) / (stepAfter - stepBefore);
  return valueBefore + weight * (valueAfter - valueBefore);
}
