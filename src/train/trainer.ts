// One run of an experiment: one method trained with one seed. Builds the model from the shared base
// weights, trains it with AdamW under the linear schedule, evaluates on dev and test, and frees every
// GPU buffer it allocated before it returns.
import { createModelFromNative, type NativeAdapters } from '../adapters/io/native-format';
import { trainingBatches } from '../data/batching';
import type { MetricId } from '../data/task';
import type { Engine } from '../gpu/engine';
import { AdamW } from '../gpu/ops/adamw';
import { BertModel, type TaskSpec, type TrainableSpec } from '../model/bert';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import { ExperimentCancelledError, type ExperimentControl } from './control';
import { gatherBatch, type EncodedSplit } from './encoded-data';
import { evaluate } from './evaluate';
import { learningRateAt } from './schedule';
import type { EvalPoint, Hyperparameters, MethodId, RunRecord, StepPoint } from './types';

/** Inputs that every run of an experiment shares. */
export interface RunContext {
  engine: Engine;
  experimentId: string;
  config: BertArchitecture;
  /** Host copies of the base weights; each run uploads its own model from them. */
  weights: NamedBertWeights;
  task: TaskSpec;
  metrics: readonly MetricId[];
  data: { train: EncodedSplit; dev: EncodedSplit; test: EncodedSplit };
  hyperparameters: Hyperparameters;
  control: ExperimentControl;
}

export interface RunPlan {
  method: MethodId;
  seed: number;
  /** Peak learning rate of this run (the spec's, or a per-method rate). */
  learningRate: number;
  /** Adapters and head to start from instead of the seeded init; absent for a fresh run. */
  initial?: InitialRunState;
}

/** The starting point of a continued run: a parsed native adapter file (see InitialAdapters in types.ts). */
export interface InitialRunState {
  native: NativeAdapters;
  /** Optimizer steps the file's adapters were trained for; the batch order and dropout masks continue after them. */
  stepsBefore: number;
}

export interface RunCallbacks {
  onStarted?: (counts: { trainable: number; total: number }) => void;
  /** `durationMs`: wall time of the step, pauses and evaluations excluded. */
  onStep?: (point: StepPoint, durationMs: number) => void;
  /** `durationMs`: wall time of the evaluation pass over `batches` batches. */
  onEval?: (point: EvalPoint, timing: { durationMs: number; batches: number }) => void;
  onPaused?: () => void;
  onResumed?: () => void;
  /** Called with the trained model after a successful run, before the model is destroyed (e.g. to save its adapters). */
  onFinished?: (model: BertModel, record: RunRecord) => Promise<void> | void;
}

/** Thrown when the training loss is NaN or ±Infinity; its message becomes the failed run's error. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    lastFinite: { step: number; loss: number } | null,
  ) {
    const before = lastFinite ? `last finite loss ${formatLoss(lastFinite.loss)} at step ${lastFinite.step}` : 'no finite loss before it';
    super(`loss became ${loss} at step ${step}; ${before}`);
    this.name = 'NonFiniteLossError';
  }
}

/** Returns the trainability spec of a method: the head alone, all weights, or adapters from the hyperparameters. */
export function trainableFor(method: MethodId, hyperparameters: Hyperparameters): TrainableSpec {
  if (method === 'head') return { kind: 'head' };
  if (method === 'full') return { kind: 'full' };
  return { kind: 'adapters', method, rank: hyperparameters.rank, alpha: hyperparameters.alpha, modules: hyperparameters.modules };
}

/**
 * Returns the config with the dropout of the hyperparameters in place of the checkpoint's: hidden dropout
 * (embeddings, attention output, feed-forward output) and the classifier dropout, which follows it.
 */
export function withDropout(config: BertArchitecture, dropout: number): BertArchitecture {
  // NOTE: attention-probability dropout is not implemented by the model, so attentionProbsDropoutProb has no effect.
  return { ...config, hiddenDropoutProb: dropout, classifierDropout: null };
}

/**
 * Builds the model of one run: the seeded init, or for a continued run the file's A, B, C, D and head exactly as
 * stored. createModelFromNative checks again that the file fits the base model and the run's method, rank and
 * modules, so a plan that bypassed the runner's checks still stops with the reason.
 */
export function createRunModel(context: RunContext, plan: RunPlan): BertModel {
  const hp = context.hyperparameters;
  const config = withDropout(context.config, hp.dropout);
  if (!plan.initial) {
    return BertModel.create(context.engine, config, context.weights, { task: context.task, trainable: trainableFor(plan.method, hp), seed: plan.seed });
  }

  const { description } = plan.initial.native;
  if (plan.method !== description.method || plan.seed !== description.seed) {
    throw new RangeError(`The run ${plan.method} seed ${plan.seed} cannot start from adapters of ${description.method} seed ${description.seed}; a continued run keeps the file's method and seed.`);
  }
  return createModelFromNative(context.engine, config, context.weights, plan.initial.native, { method: description.method, rank: hp.rank, targets: hp.modules });
}

/** A training step whose loss is still being read back. */
interface StepInFlight {
  step: number;
  learningRate: number;
  tokens: number;
  loss: Promise<Float32Array>;
}

/**
 * Trains and evaluates one run. A run that fails (non-finite loss, an error of the model or the GPU) or is
 * cancelled does not throw: the returned record reports it in `status` and `error`.
 */
export async function trainRun(context: RunContext, plan: RunPlan, callbacks: RunCallbacks = {}): Promise<RunRecord> {
  const { engine, hyperparameters: hp } = context;
  const record: RunRecord = {
    experimentId: context.experimentId,
    method: plan.method,
    seed: plan.seed,
    status: 'running',
    curve: [],
    evals: [],
    trainableParameters: 0,
    totalParameters: 0,
    stepTimeMs: 0,
  };

  let model: BertModel | null = null;
  let optimizer: AdamW | null = null;
  try {
    model = createRunModel(context, plan);
    // The AdamW moments start at zero for a continued run too, because a native adapter file does not store them.
    // One parameter group: weight decay applies to every trained tensor, biases and LayerNorm included.
    optimizer = new AdamW(engine, model.trainableParameters(), { lr: plan.learningRate, weightDecay: hp.weightDecay, maxGradNorm: hp.maxGradNorm });
    const counts = model.parameterCounts();
    record.trainableParameters = counts.trainable;
    record.totalParameters = counts.total;
    callbacks.onStarted?.(counts);

    await trainSteps(context, plan, model, optimizer, record, callbacks);
    record.status = 'done';
    await callbacks.onFinished?.(model, record);
  } catch (error) {
    if (error instanceof ExperimentCancelledError) {
      record.status = 'cancelled';
    } else {
      record.status = 'failed';
      record.error = error instanceof Error ? error.message : String(error);
    }
  } finally {
    optimizer?.destroy();
    model?.destroy();
    // Submits the pending destruction of buffers that the last recorded commands used.
    engine.flush();
  }
  return record;
}

/** Runs the optimizer steps of one run with evaluations on dev, then the final dev and test evaluations. */
async function trainSteps(context: RunContext, plan: RunPlan, model: BertModel, optimizer: AdamW, record: RunRecord, callbacks: RunCallbacks): Promise<void> {
  const { hyperparameters: hp, data, control } = context;
  const schedule = { peak: plan.learningRate, warmupSteps: hp.warmupSteps, totalSteps: hp.steps };
  const rows = Array.from({ length: data.train.size }, (_, i) => i);
  // The batch order depends only on the seed, so every method gets the same batches for the same seed.
  const order = trainingBatches(rows, hp.batchSize, plan.seed);
  // A continued run skips the batches its adapters were trained on, and its dropout masks use the step numbers
  // after them. So step k here uses the batch and masks of step stepsBefore + k of a run with the same seed.
  const stepsBefore = plan.initial?.stepsBefore ?? 0;
  for (let skipped = 0; skipped < stepsBefore; skipped++) order.next();

  const runStarted = performance.now();
  const pausedAtStart = control.pausedMs;
  const activeMs = (): number => performance.now() - runStarted - (control.pausedMs - pausedAtStart);
  let lastMark = performance.now();
  // Step 1 includes building the pipelines of this method, so the mean step time leaves it out once a later step exists.
  let firstStepMs = 0;
  let laterStepsMs = 0;
  let lastFinite: { step: number; loss: number } | null = null;

  // Waits for a step's loss, checks it and reports the step. The step's time runs from the previous mark
  // (the previous step's loss, or the end of an evaluation or pause) to the arrival of its loss.
  const finish = async (entry: StepInFlight): Promise<void> => {
    const loss = (await entry.loss)[0];
    const now = performance.now();
    const duration = now - lastMark;
    lastMark = now;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(entry.step, loss, lastFinite);
    lastFinite = { step: entry.step, loss };
    if (record.curve.length === 0) firstStepMs = duration;
    else laterStepsMs += duration;
    const point: StepPoint = {
      step: entry.step,
      loss,
      learningRate: entry.learningRate,
      tokensPerSecond: duration > 0 ? entry.tokens / (duration / 1000) : 0,
      elapsedMs: activeMs(),
    };
    record.curve.push(point);
    record.stepTimeMs = record.curve.length === 1 ? firstStepMs : laterStepsMs / (record.curve.length - 1);
    callbacks.onStep?.(point, duration);
  };

  const evaluateSplit = async (split: EncodedSplit, step: number): Promise<void> => {
    const started = performance.now();
    const pausedBefore = control.pausedMs;
    // A pause takes effect between evaluation batches too, because evaluating a whole split can take minutes on a slow adapter.
    const result = await evaluate(model, split, {
      batchSize: hp.batchSize,
      metrics: context.metrics,
      checkpoint: () => control.checkpoint({ onPaused: callbacks.onPaused, onResumed: callbacks.onResumed }),
    });
    const point: EvalPoint = { step, split: split.split as 'dev' | 'test', loss: result.loss, metrics: result.metrics };
    record.evals.push(point);
    lastMark = performance.now();
    const durationMs = lastMark - started - (control.pausedMs - pausedBefore);
    callbacks.onEval?.(point, { durationMs, batches: Math.ceil(split.size / hp.batchSize) });
  };

  let inFlight: StepInFlight | null = null;
  const drain = async (): Promise<void> => {
    const entry = inFlight;
    inFlight = null;
    if (entry) await finish(entry);
  };

  // The dev evaluation at step 0 shows where a continued run starts: it reproduces the file's final dev metrics.
  if (plan.initial) await evaluateSplit(data.dev, 0);

  try {
    for (let step = 1; step <= hp.steps; step++) {
      if (control.stopRequested) {
        await drain();
        await control.checkpoint({ onPaused: callbacks.onPaused, onResumed: callbacks.onResumed });
        lastMark = performance.now();
      }

      const learningRate = learningRateAt(step, schedule);
      const batch = gatherBatch(data.train, order.next().value.examples);
      const output = model.forward(batch, { train: true, step: stepsBefore + step });
      model.backward();
      optimizer.step(learningRate);
      // The read is recorded and submitted now, so the next step is recorded while this one runs.
      const current: StepInFlight = { step, learningRate, tokens: batch.batch * batch.tokens, loss: output.loss!.readFloat() };
      const previous = inFlight;
      inFlight = current;
      if (previous) await finish(previous);

      if (step % hp.evalInterval === 0 && step < hp.steps) {
        await drain();
        await evaluateSplit(data.dev, step);
      }
    }
    await drain();
  } finally {
    // After a failure the read of the next step may still be pending; it is awaited so that it cannot reject unhandled.
    const pending = inFlight as StepInFlight | null;
    if (pending) await Promise.allSettled([pending.loss]);
  }

  await evaluateSplit(data.dev, hp.steps);
  await evaluateSplit(data.test, hp.steps);
}

function formatLoss(loss: number): string {
  return Number(loss.toPrecision(4)).toString();
}
