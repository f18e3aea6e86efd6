// Checks of an experiment spec before anything is tokenized or uploaded, with messages that name the
// value and the allowed values. The CLI, the Worker and the runner share them.
import { isAdapterMethod } from '../adapters/methods';
import type { BertArchitecture } from '../model/bert-weights';
import { ADAPTER_MODULES, ALL_METHODS, type ExperimentSpec, type Hyperparameters, type MethodId } from './types';

/** Throws a RangeError naming the first invalid hyperparameter. `config` adds the checks against the model's sizes. */
export function validateHyperparameters(hp: Hyperparameters, config?: BertArchitecture): void {
  const integer = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
      throw new RangeError(`${name} ${value} is invalid; use ${range}.`);
    }
  };
  const positive = (name: string, value: number): void => {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} ${value} is invalid; use a positive number.`);
  };

  integer('Rank', hp.rank, 1, config ? Math.min(config.hiddenSize, config.intermediateSize) : undefined);
  positive('Alpha', hp.alpha);
  positive('Learning rate', hp.learningRate);
  if (hp.fullLearningRate !== undefined) positive('Full fine-tuning learning rate', hp.fullLearningRate);
  integer('Batch size', hp.batchSize, 1);
  // [CLS] and [SEP] (three specials for a pair) leave no room for text below 4 tokens.
  integer('Max length', hp.maxLength, 4, config?.maxPositionEmbeddings);
  integer('Steps', hp.steps, 1);
  integer('Warm-up steps', hp.warmupSteps, 0, hp.steps - 1);
  if (!(Number.isFinite(hp.weightDecay) && hp.weightDecay >= 0)) {
    throw new RangeError(`Weight decay ${hp.weightDecay} is invalid; use a number of at least 0, such as 0.01.`);
  }
  if (!(hp.dropout >= 0 && hp.dropout < 1)) throw new RangeError(`Dropout ${hp.dropout} is invalid; use a probability in [0, 1).`);
  positive('Max grad norm', hp.maxGradNorm);
  integer('Eval interval', hp.evalInterval, 1);
  if (hp.evalExamples !== undefined) integer('Eval examples', hp.evalExamples, 0);

  // An empty list is valid here because the baselines need no adapters; validateSpec rejects it for adapter methods.
  if (!Array.isArray(hp.modules)) {
    throw new RangeError(`Adapter modules are not a list; choose any of ${ADAPTER_MODULES.join(', ')}.`);
  }
  const seen = new Set<string>();
  for (const module of hp.modules) {
    if (!ADAPTER_MODULES.includes(module)) throw new RangeError(`Adapter module "${module}" is unknown; use any of ${ADAPTER_MODULES.join(', ')}.`);
    if (seen.has(module)) throw new RangeError(`Adapter module "${module}" is listed twice.`);
    seen.add(module);
  }
}

/** Throws naming the first invalid method or seed list. */
export function validateMethodsAndSeeds(methods: readonly MethodId[], seeds: readonly number[]): void {
  if (methods.length === 0) throw new RangeError(`No methods are chosen; use one or more of ${ALL_METHODS.join(', ')}.`);
  const seenMethods = new Set<string>();
  for (const method of methods) {
    if (!ALL_METHODS.includes(method)) throw new RangeError(`Method "${method}" is unknown; use one or more of ${ALL_METHODS.join(', ')}.`);
    if (seenMethods.has(method)) throw new RangeError(`Method "${method}" is listed twice.`);
    seenMethods.add(method);
  }

  if (seeds.length === 0) throw new RangeError('No seeds are given; use at least one seed.');
  const seenSeeds = new Set<number>();
  for (const seed of seeds) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`Seed ${seed} is invalid; use an integer in [0, 4294967295].`);
    if (seenSeeds.has(seed)) throw new RangeError(`Seed ${seed} is listed twice.`);
    seenSeeds.add(seed);
  }
}

/** Throws naming the first invalid field of a spec. */
export function validateSpec(spec: ExperimentSpec, config?: BertArchitecture): void {
  if (typeof spec.id !== 'string' || spec.id.length === 0) throw new RangeError('The experiment id is empty; give the experiment a unique id.');
  if (typeof spec.taskId !== 'string' || spec.taskId.length === 0) throw new RangeError('The task id is empty; choose a task such as "spam".');
  validateMethodsAndSeeds(spec.methods, spec.seeds);
  validateHyperparameters(spec.hyperparameters, config);
  const adapterMethod = spec.methods.find(isAdapterMethod);
  if (adapterMethod !== undefined && spec.hyperparameters.modules.length === 0) {
    throw new RangeError(`Adapter modules are empty, and ${adapterMethod} needs at least one; choose any of ${ADAPTER_MODULES.join(', ')}.`);
  }
}
