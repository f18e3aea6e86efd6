// The experiment loop shared by the browser Worker and the compare CLI: tokenizes the task once, then
// trains every method × seed pair in order (methods outer, seeds inner) and streams WorkerEvent messages.
// The caller loads the model and the task, because the browser and Node read files differently.
import type { TaskDefinition, TaskExample, TaskSplits } from '../data/task';
import type { Engine } from '../gpu/engine';
import type { BertModel } from '../model/bert';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import type { BertTokenizer } from '../model/tokenizer';
import { loadInitialAdapters } from './continuation';
import { ExperimentControl } from './control';
import { encodeSplit, taskSpecOf, type EncodedSplit, type SplitName } from './encoded-data';
import { EtaEstimator } from './eta';
import type { RunId, WorkerEvent } from './protocol';
import { validateSpec } from './spec';
import { trainRun, type RunContext } from './trainer';
import type { ExperimentSpec, Hyperparameters, MethodId, RunRecord } from './types';

export interface ExperimentInputs {
  engine: Engine;
  spec: ExperimentSpec;
  config: BertArchitecture;
  weights: NamedBertWeights;
  tokenizer: BertTokenizer;
  task: TaskDefinition;
  /** The task's loaded splits (task.load()). */
  splits: TaskSplits;
  /** Runs of this experiment finished earlier (status 'done' or 'failed'); their method × seed pairs are skipped. */
  completed?: readonly RunRecord[];
  /**
   * Peak learning rate per method where it differs from spec.hyperparameters.learningRate, e.g. a lower
   * rate for full fine-tuning.
   */
  learningRates?: Partial<Record<MethodId, number>>;
  control?: ExperimentControl;
  onEvent?: (event: WorkerEvent) => void;
  /** Called with each successfully trained model before it is destroyed (the compare CLI saves adapters here). */
  onRunFinished?: (model: BertModel, record: RunRecord) => Promise<void> | void;
}

export interface ExperimentResult {
  status: 'done' | 'cancelled';
  /** Every run in plan order: the completed ones passed in, then those of this call up to a cancel. */
  runs: RunRecord[];
}

/** Statuses of a run that ended for good, so resuming an experiment does not repeat it. */
const FINAL_STATUSES: ReadonlySet<RunRecord['status']> = new Set(['done', 'failed']);

/**
 * Returns the examples of a split that the runner tokenizes: all training examples, and the first
 * `evalExamples` of dev and test when that cap is set. The adapter import evaluates the same ones.
 */
export function splitExamples(splits: TaskSplits, split: SplitName, hp: Pick<Hyperparameters, 'evalExamples'>): TaskExample[] {
  return split !== 'train' && hp.evalExamples ? splits[split].slice(0, hp.evalExamples) : splits[split];
}

/** Returns the peak learning rate of `method`: its entry in `overrides`, else the spec's rate for that method. */
export function learningRateFor(method: MethodId, spec: ExperimentSpec, overrides: Partial<Record<MethodId, number>> = {}): number {
  const override = overrides[method];
  if (override !== undefined) return override;
  const hp = spec.hyperparameters;
  return method === 'full' && hp.fullLearningRate !== undefined ? hp.fullLearningRate : hp.learningRate;
}

/** Runs the experiment and resolves when it is done or cancelled. Throws only for invalid inputs. */
export async function runExperiment(inputs: ExperimentInputs): Promise<ExperimentResult> {
  const { engine, spec, config } = inputs;
  const control = inputs.control ?? new ExperimentControl();
  const emit = inputs.onEvent ?? (() => {});
  validateSpec(spec, config);
  const learningRates = inputs.learningRates ?? {};
  for (const [method, rate] of Object.entries(learningRates)) {
    if (!(Number.isFinite(rate) && rate > 0)) throw new RangeError(`Learning rate ${rate} for method "${method}" is invalid; use a positive number.`);
  }
  const completed = finishedRuns(spec, inputs.completed ?? []);
  const hp = spec.hyperparameters;
  const task = taskSpecOf(inputs.task);
  if (inputs.task.id !== spec.taskId) throw new RangeError(`The spec names task "${spec.taskId}", but task "${inputs.task.id}" was passed.`);
  // Checked before tokenizing, so adapters that do not fit the base model, rank or modules stop at once.
  const initial = spec.initialAdapters ? await loadInitialAdapters(spec, inputs.task, config, inputs.weights) : undefined;
  if (initial) {
    emit({ type: 'status', message: `Continuing ${spec.initialAdapters!.fileName} after its ${initial.stepsBefore} steps, with fresh AdamW moments.` });
  }

  // Tokenized once and shared by every run.
  const data = {} as Record<SplitName, EncodedSplit>;
  for (const split of ['train', 'dev', 'test'] as const) {
    const examples = splitExamples(inputs.splits, split, hp);
    emit({ type: 'status', message: `Tokenizing the ${split} split: ${examples.length} examples at max length ${hp.maxLength}.` });
    data[split] = await encodeSplit(inputs.tokenizer, examples, split, task, hp.maxLength);
    if (control.cancelled) {
      emit({ type: 'experiment-finished', status: 'cancelled' });
      return { status: 'cancelled', runs: [...completed.values()] };
    }
  }

  const context: RunContext = {
    engine,
    experimentId: spec.id,
    config,
    weights: inputs.weights,
    task,
    metrics: inputs.task.metrics,
    data,
    hyperparameters: hp,
    control,
  };

  const plan = spec.methods.flatMap((method) => spec.seeds.map((seed) => ({ method, seed })));
  const total = plan.length * hp.steps;
  let done = completed.size * hp.steps;
  let runsLeft = plan.length - completed.size;
  const eta = new EtaEstimator({
    steps: hp.steps,
    evalInterval: hp.evalInterval,
    devBatches: Math.ceil(data.dev.size / hp.batchSize),
    testBatches: Math.ceil(data.test.size / hp.batchSize),
  });
  if (completed.size > 0) emit({ type: 'status', message: `Resuming: ${completed.size} of ${plan.length} runs finished earlier are kept.` });

  const runs: RunRecord[] = [];
  let cancelled = false;
  const pauseHooks = { onPaused: () => emit({ type: 'paused' }), onResumed: () => emit({ type: 'resumed' }) };
  for (const { method, seed } of plan) {
    const earlier = completed.get(runKey(method, seed));
    if (earlier) {
      runs.push(earlier);
      continue;
    }
    try {
      await control.checkpoint(pauseHooks);
    } catch {
      // Cancelled between runs: no run was in progress.
      cancelled = true;
      break;
    }

    const run: RunId = { method, seed };
    const stepsBefore = done;
    runsLeft -= 1;
    const record = await trainRun(context, { method, seed, learningRate: learningRateFor(method, spec, learningRates), initial }, {
      onStarted: (counts) => emit({ type: 'run-started', run, trainableParameters: counts.trainable, totalParameters: counts.total }),
      onStep: (point, durationMs) => {
        eta.recordStep(durationMs);
        done = stepsBefore + point.step;
        emit({ type: 'step', run, point, progress: { done, total }, etaMs: eta.estimate(point.step, runsLeft) ?? 0 });
      },
      onEval: (point, timing) => {
        eta.recordEval(timing.durationMs, timing.batches);
        emit({ type: 'eval', run, point });
      },
      ...pauseHooks,
      onFinished: inputs.onRunFinished,
    });
    // A failed or cancelled run counts as finished, so progress and the ETA cover only the runs still to come.
    done = stepsBefore + hp.steps;
    runs.push(record);
    emit({ type: 'run-finished', record });
    if (record.status === 'cancelled') {
      cancelled = true;
      break;
    }
  }

  const status = cancelled ? 'cancelled' : 'done';
  emit({ type: 'experiment-finished', status });
  return { status, runs };
}

function runKey(method: MethodId, seed: number): string {
  return `${method}#${seed}`;
}

/** Returns the finished runs of the spec by method × seed; other records are trained again. */
function finishedRuns(spec: ExperimentSpec, completed: readonly RunRecord[]): Map<string, RunRecord> {
  const finished = new Map<string, RunRecord>();
  for (const record of completed) {
    if (record.experimentId !== spec.id) {
      throw new RangeError(`A completed run belongs to experiment "${record.experimentId}", not "${spec.id}"; pass only runs of this experiment.`);
    }
    if (!spec.methods.includes(record.method) || !spec.seeds.includes(record.seed)) {
      throw new RangeError(`The completed run ${record.method} with seed ${record.seed} is not part of the spec (methods ${spec.methods.join(', ')}; seeds ${spec.seeds.join(', ')}).`);
    }
    if (FINAL_STATUSES.has(record.status)) finished.set(runKey(record.method, record.seed), record);
  }
  return finished;
}
