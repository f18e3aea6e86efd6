// Provenance of an exported adapter: the base model, the task, the hyperparameters and the final metrics of
// its run. Both export formats record it; the native format also reads it back.
import type { EvalPoint, ExperimentSpec, Hyperparameters, ModelRef, RunRecord, TaskOptions } from '../../train/types';
import type { BaseModelFingerprint } from './fingerprint';

/**
 * The task options that an adapter file can store as JSON. An uploaded file (TaskOptions.upload) is left out,
 * because its bytes would make every adapter file as large as the data set.
 */
export type StoredTaskOptions = Pick<TaskOptions, 'trainSize'>;

export interface RunInfo {
  /** The base checkpoint as PEFT's base_model_name_or_path: a Hub id, a URL or a folder. */
  modelId: string;
  /** The source the page loaded the base model from; the import loads it from there again. */
  modelSource?: ModelRef['source'];
  /** The Hub branch, tag or commit of a Hub model; absent for the default branch and for other sources. */
  modelRevision?: string;
  taskId: string;
  taskOptions?: StoredTaskOptions;
  base: BaseModelFingerprint;
  experimentId?: string;
  hyperparameters?: Hyperparameters;
  /** Optimizer steps the adapters were trained for, counting those of a continued adapter file. */
  trainedSteps?: number;
  /** The evaluations after the last step, one per split. */
  metrics?: EvalPoint[];
  /** ISO 8601 time of the export. */
  exportedAt?: string;
}

/** Returns the evaluations at the last evaluated step of each split (dev and test after the final step). */
export function finalEvaluations(record: RunRecord): EvalPoint[] {
  const last = new Map<string, EvalPoint>();
  for (const point of record.evals) {
    const previous = last.get(point.split);
    if (!previous || point.step >= previous.step) last.set(point.split, point);
  }
  return [...last.values()];
}

/** Returns the options that an adapter file stores, or undefined when none of them is set. */
export function storedTaskOptions(options: TaskOptions | undefined): StoredTaskOptions | undefined {
  if (options?.trainSize === undefined) return undefined;
  return { trainSize: options.trainSize };
}

/** Builds the run info of one finished run of an experiment. */
export function runInfoFromRecord(spec: ExperimentSpec, record: RunRecord, base: BaseModelFingerprint): RunInfo {
  return {
    modelId: spec.model.id,
    modelSource: spec.model.source,
    ...(spec.model.revision === undefined ? {} : { modelRevision: spec.model.revision }),
    taskId: spec.taskId,
    taskOptions: storedTaskOptions(spec.taskOptions),
    base,
    experimentId: spec.id,
    hyperparameters: spec.hyperparameters,
    trainedSteps: (spec.initialAdapters?.stepsBefore ?? 0) + spec.hyperparameters.steps,
    metrics: finalEvaluations(record),
    exportedAt: new Date().toISOString(),
  };
}

/** Formats metrics as "dev: accuracy 0.9123, f1 0.8876 (loss 0.2345)" lines, or a note that none were recorded. */
export function formatMetrics(metrics: readonly EvalPoint[] | undefined): string[] {
  if (!metrics || metrics.length === 0) return ['no evaluation was recorded'];
  return metrics.map((point) => {
    const values = Object.entries(point.metrics).map(([name, value]) => `${name} ${Number(value).toFixed(4)}`);
    return `${point.split} at step ${point.step}: ${[...values, `loss ${point.loss.toFixed(4)}`].join(', ')}`;
  });
}
