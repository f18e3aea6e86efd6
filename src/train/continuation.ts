// Continued training from a native adapter file. The page builds the experiment spec of a continuation from the
// file (continuationSpec), and the runner checks that spec against the file, the task and the base model before
// anything is tokenized (loadInitialAdapters). The contract of such a spec is documented at InitialAdapters in
// types.ts: one run with the file's method and seed, starting from the stored A, B, C, D and head, with fresh
// AdamW moments, and the batch order and dropout masks continuing after the file's steps.
import { checkNativeAdapters, parseNativeAdapters, trainedStepsOf, type NativeAdapterDescription } from '../adapters/io/native-format';
import type { NativeAdapterFile } from '../adapters/io/run-files';
import { isAdapterMethod } from '../adapters/methods';
import type { TaskDefinition } from '../data/task';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import { checkAdapterTask, modelRefForAdapters, storedHyperparameters } from './adapter-file-settings';
import { validateSpec } from './spec';
import type { InitialRunState } from './trainer';
import type { ExperimentSpec, Hyperparameters, TaskOptions } from './types';

export interface ContinuationRequest {
  file: NativeAdapterFile;
  /** The file's parsed description. */
  description: NativeAdapterDescription;
  /** Optimizer steps of the continued run. */
  steps: number;
  /** Peak learning rate of the continued run; default the file's. */
  learningRate?: number;
  /**
   * Options of the task from the stored experiment that trained the file. Only they can hold an uploaded data set.
   * Default: the options stored in the file.
   */
  taskOptions?: TaskOptions;
  /** Id and ISO 8601 creation time of the new experiment. */
  id: string;
  createdAt: string;
}

/**
 * Returns the warm-up of a continued run: the file's warm-up steps, capped at steps − 1 because the schedule
 * needs one step after the warm-up. A warm-up is kept because the AdamW moments start at zero again.
 */
export function continuationWarmupSteps(fileWarmupSteps: number, steps: number): number {
  return Math.max(0, Math.min(fileWarmupSteps, steps - 1));
}

/**
 * Builds the spec of an experiment that continues training the file's adapters: its method and seed, its
 * hyperparameters with the new steps (and learning rate), and the file itself as initialAdapters. Throws when the
 * file records no hyperparameters or no trained steps, or when the result is not a valid spec.
 */
export function continuationSpec(request: ContinuationRequest): ExperimentSpec {
  const { file, description, steps } = request;
  const stored = storedHyperparameters(description, file.fileName);
  const stepsBefore = trainedStepsOf(description);
  if (stepsBefore === undefined) throw new Error(`${file.fileName} records neither trainedSteps nor hyperparameters.steps, so the batch order cannot continue.`);

  const hyperparameters: Hyperparameters = {
    ...stored,
    // The tensors decide these three, so they come from the description even if the stored hyperparameters disagree.
    rank: description.rank,
    alpha: description.alpha,
    modules: [...description.targets],
    steps,
    learningRate: request.learningRate ?? stored.learningRate,
    warmupSteps: continuationWarmupSteps(stored.warmupSteps, steps),
  };
  const taskOptions = request.taskOptions ?? description.taskOptions;
  const spec: ExperimentSpec = {
    id: request.id,
    createdAt: request.createdAt,
    model: modelRefForAdapters(description).ref,
    taskId: description.taskId,
    ...(taskOptions === undefined ? {} : { taskOptions }),
    methods: [description.method],
    seeds: [description.seed],
    hyperparameters,
    initialAdapters: { fileName: file.fileName, bytes: file.bytes, stepsBefore },
  };
  validateSpec(spec);
  return spec;
}

/**
 * Parses the spec's initial adapter file and checks that the spec continues it. The spec must have one method and
 * one seed, both the file's, and the file's rank, alpha, modules and trained steps. The task and its head must
 * match, and so must the base model (checkNativeAdapters names every difference). Throws with the first failure.
 */
export async function loadInitialAdapters(spec: ExperimentSpec, task: TaskDefinition, config: BertArchitecture, weights: NamedBertWeights): Promise<InitialRunState> {
  const initial = spec.initialAdapters;
  if (typeof initial !== 'object' || initial === null || typeof initial.fileName !== 'string' || !(initial.bytes instanceof Uint8Array)) {
    throw new RangeError('The spec\'s initialAdapters must be { fileName: string, bytes: Uint8Array, stepsBefore: number } with the bytes of a .mtlora.safetensors file.');
  }
  const { fileName } = initial;
  if (spec.methods.length !== 1 || spec.seeds.length !== 1) {
    throw new RangeError(
      `An experiment that continues ${fileName} has one method and one seed, the file's; this one has methods ${spec.methods.join(', ')} and seeds ${spec.seeds.join(', ')}.`,
    );
  }
  const [method] = spec.methods;
  const [seed] = spec.seeds;
  const native = await parseNativeAdapters(initial.bytes, fileName);
  const { description } = native;
  const hp = spec.hyperparameters;

  if (!isAdapterMethod(method)) {
    throw new RangeError(`Method "${method}" trains no adapters, so it cannot continue ${fileName}; use the file's method "${description.method}".`);
  }
  checkAdapterTask(description, task, fileName);
  checkNativeAdapters(native, config, weights, { method, rank: hp.rank, targets: hp.modules });
  if (seed !== description.seed) throw new RangeError(`${fileName} was trained with seed ${description.seed}, but the experiment runs seed ${seed}; a continued run keeps the file's seed.`);
  if (hp.alpha !== description.alpha) throw new RangeError(`${fileName} has alpha ${description.alpha}, but the experiment sets alpha ${hp.alpha}; a continued run keeps the file's alpha.`);

  const stepsBefore = trainedStepsOf(description);
  if (stepsBefore === undefined) throw new RangeError(`${fileName} records neither trainedSteps nor hyperparameters.steps, so the batch order cannot continue.`);
  if (initial.stepsBefore !== stepsBefore) {
    throw new RangeError(`initialAdapters.stepsBefore is ${JSON.stringify(initial.stepsBefore)}, but ${fileName} was trained for ${stepsBefore} steps; build the spec with continuationSpec().`);
  }
  return { native, stepsBefore };
}
