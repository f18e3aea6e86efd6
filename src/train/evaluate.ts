// Evaluation of a model on one tokenized split: mean loss over the examples, predictions (argmax of the
// logits for classification, the single output for regression) and the task's metrics.
import { evalBatches } from '../data/batching';
import type { MetricId } from '../data/task';
import type { BertModel, TaskSpec } from '../model/bert';
import { gatherBatch, type EncodedSplit } from './encoded-data';
import { computeMetrics } from './metrics';

export interface EvaluationResult {
  /** Mean loss over all examples of the split. */
  loss: number;
  metrics: Partial<Record<MetricId, number>>;
  /** Class index (classification) or score (regression) per example [size]. */
  predictions: Float32Array;
}

export interface EvaluateOptions {
  batchSize: number;
  metrics: readonly MetricId[];
  /**
   * Awaited between batches: it may wait (a pause) and evaluation stops with the error it throws (a cancel).
   * Batches already submitted finish while it waits.
   */
  checkpoint?: () => void | Promise<void>;
}

/** Host values of one evaluated batch. */
interface BatchResult {
  rows: number[];
  logits: Promise<Float32Array>;
  loss: Promise<Float32Array>;
}

/**
 * Runs evaluation forwards (no dropout) over the split in its own order. The read-back of each batch
 * is started before the next batch is recorded, so the GPU works while the host waits for a result.
 */
export async function evaluate(model: BertModel, split: EncodedSplit, options: EvaluateOptions): Promise<EvaluationResult> {
  const task = model.task;
  const outputs = task.kind === 'classification' ? task.numLabels : 1;
  const rows = Array.from({ length: split.size }, (_, i) => i);
  const predictions = new Float32Array(split.size);
  let lossSum = 0;

  const collect = async (pending: BatchResult): Promise<void> => {
    const [logits, loss] = await Promise.all([pending.logits, pending.loss]);
    lossSum += loss[0] * pending.rows.length;
    pending.rows.forEach((row, i) => {
      predictions[row] = predictionOf(task, logits, i * outputs, outputs);
    });
  };

  let inFlight: BatchResult | null = null;
  try {
    for (const batchRows of evalBatches(rows, options.batchSize)) {
      await options.checkpoint?.();
      const output = model.forward(gatherBatch(split, batchRows), { train: false });
      // Both reads are recorded now; the next forward() frees these outputs only after that submission.
      const current: BatchResult = { rows: batchRows, logits: output.logits.readFloat(), loss: output.loss!.readFloat() };
      const previous = inFlight;
      inFlight = current;
      if (previous) await collect(previous);
    }
    const last = inFlight;
    inFlight = null;
    if (last) await collect(last);
  } finally {
    // A read still in flight after an error is awaited, so that its rejection is not left unhandled.
    if (inFlight) await Promise.allSettled([inFlight.logits, inFlight.loss]);
  }

  const bad = predictions.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) {
    throw new Error(`Evaluation on the ${split.split} split produced a non-finite output (${predictions[bad]}) for example ${bad}; the weights have diverged.`);
  }
  const numClasses = task.kind === 'classification' ? task.numLabels : undefined;
  const metrics = computeMetrics(options.metrics, predictions, split.labels, numClasses === undefined ? {} : { numClasses });
  return { loss: lossSum / split.size, metrics, predictions };
}

/** Returns the argmax of one row of logits (the first index on ties) or the regression output. */
function predictionOf(task: TaskSpec, logits: Float32Array, offset: number, outputs: number): number {
  if (task.kind === 'regression') return logits[offset];
  let best = 0;
  for (let k = 1; k < outputs; k++) {
    const value = logits[offset + k];
    // A NaN logit makes the prediction NaN, so the check after the loop reports it.
    if (Number.isNaN(value)) return Number.NaN;
    if (value > logits[offset + best]) best = k;
  }
  return Number.isNaN(logits[offset]) ? Number.NaN : best;
}
