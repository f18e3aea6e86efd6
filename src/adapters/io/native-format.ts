// The playground's own adapter file: one safetensors file (suffix .mtlora.safetensors) that contains A, B, C, D
// of every adapted module and the task head as F32 tensors, and describes the run as JSON in the header's
// __metadata__. Unlike the PEFT export it keeps the factors of T, so a model re-imported onto the same base
// computes exactly what the trained one did, and can train on. The AdamW moments are not saved: training that
// continues from the file starts with fresh optimizer state.
//
// Tensor names: "<module path>.A" [rank, in], ".B" [out, rank], ".C" and ".D" [rank, rank] where the method
// has them, with module paths as in BertModel ("encoder.layer.0.attention.self.query"), and
// "classifier.weight" [outputs, hidden], "classifier.bias" [outputs]. The pooler is not stored: a checkpoint
// without one gets it drawn from the stored seed again, and the fingerprint records which case applies.
import { BertModel, type TaskSpec } from '../../model/bert';
import type { BertArchitecture, NamedBertWeights } from '../../model/bert-weights';
import { headOutputs } from '../../model/heads';
import { SafetensorsFile, serializeSafetensors, type SafetensorsSource, type SafetensorsWriteTensor } from '../../model/safetensors';
import { adapterModulePath, ADAPTER_TARGETS, type AdapterTarget } from '../../model/trainable';
import type { Engine } from '../../gpu/engine';
import type { EvalPoint, Hyperparameters, ModelRef } from '../../train/types';
import type { AdapterValues } from '../init';
import { METHOD_SPECS, parseMethod, type AdapterMethod } from '../methods';
import { fingerprintBaseModel, fingerprintDifferences, parseFingerprint, type BaseModelFingerprint } from './fingerprint';
import type { RunInfo, StoredTaskOptions } from './run-info';
import { targetFeatures, type AdapterSnapshot } from './snapshot';

export const NATIVE_FORMAT = 'mtlora-adapters';
export const NATIVE_FORMAT_VERSION = 1;
export const NATIVE_FILE_SUFFIX = '.mtlora.safetensors';

/** The JSON description stored under the metadata key "description". */
export interface NativeAdapterDescription {
  method: AdapterMethod;
  rank: number;
  alpha: number;
  /** Adapted targets of every layer, in ADAPTER_TARGETS order. */
  targets: AdapterTarget[];
  /** Module paths that have adapter tensors, layer by layer. */
  modules: string[];
  seed: number;
  task: TaskSpec;
  modelId: string;
  /** The source the page loaded the base model from; absent in files written before it was recorded. */
  modelSource?: ModelRef['source'];
  /** The Hub branch, tag or commit of a Hub model; absent for the default branch, other sources and older files. */
  modelRevision?: string;
  taskId: string;
  taskOptions?: StoredTaskOptions;
  baseModel: BaseModelFingerprint;
  experimentId?: string;
  hyperparameters?: Hyperparameters;
  /**
   * Optimizer steps the adapters were trained for in total: hyperparameters.steps plus the steps of the file
   * that the run continued, if any. Absent in files written before it was recorded.
   */
  trainedSteps?: number;
  /** The evaluations after the last step, one per split, as the run recorded them. */
  metrics?: EvalPoint[];
  exportedAt?: string;
  /** Always "not saved": the AdamW moments are not part of the file. */
  optimizerState: 'not saved';
}

/** A parsed and validated native adapter file. */
export interface NativeAdapters {
  description: NativeAdapterDescription;
  /** Adapter values by module path, ready for BertModel's `trainable.values`. */
  values: Record<string, AdapterValues>;
  head: { weight: Float32Array; bias: Float32Array };
}

/** Settings the caller expects, e.g. the current experiment's; a difference stops the import. */
export interface ExpectedAdapters {
  method?: AdapterMethod;
  rank?: number;
  targets?: readonly AdapterTarget[];
}

/** Returns the native file name of a run, e.g. "icfm-seed3.mtlora.safetensors". */
export function nativeFileName(method: string, seed: number): string {
  return `${method}-seed${seed}${NATIVE_FILE_SUFFIX}`;
}

/**
 * Returns the optimizer steps that a file's adapters were trained for: its trainedSteps, or for a file written
 * before that field existed, the steps of its run. Undefined when the file records neither.
 */
export function trainedStepsOf(description: NativeAdapterDescription): number | undefined {
  return description.trainedSteps ?? description.hyperparameters?.steps;
}

/** Writes the native file of a snapshot: the adapter factors, the head and the run's description. */
export function serializeNativeAdapters(snapshot: AdapterSnapshot, info: RunInfo): Uint8Array {
  const { rank } = snapshot;
  const tensors: Record<string, SafetensorsWriteTensor> = {};
  for (const { path, inFeatures, outFeatures, values } of snapshot.modules) {
    tensors[`${path}.A`] = { dtype: 'F32', shape: [rank, inFeatures], data: values.a };
    tensors[`${path}.B`] = { dtype: 'F32', shape: [outFeatures, rank], data: values.b };
    if (values.c) tensors[`${path}.C`] = { dtype: 'F32', shape: [rank, rank], data: values.c };
    if (values.d) tensors[`${path}.D`] = { dtype: 'F32', shape: [rank, rank], data: values.d };
  }
  const outputs = snapshot.head.bias.length;
  tensors['classifier.weight'] = { dtype: 'F32', shape: [outputs, snapshot.config.hiddenSize], data: snapshot.head.weight };
  tensors['classifier.bias'] = { dtype: 'F32', shape: [outputs], data: snapshot.head.bias };

  const description: NativeAdapterDescription = {
    method: snapshot.method,
    rank,
    alpha: snapshot.alpha,
    targets: snapshot.targets,
    modules: snapshot.modules.map((module) => module.path),
    seed: snapshot.seed,
    task: snapshot.task,
    modelId: info.modelId,
    modelSource: info.modelSource,
    modelRevision: info.modelRevision,
    taskId: info.taskId,
    taskOptions: info.taskOptions,
    baseModel: info.base,
    experimentId: info.experimentId,
    hyperparameters: info.hyperparameters,
    trainedSteps: info.trainedSteps,
    metrics: info.metrics,
    exportedAt: info.exportedAt,
    optimizerState: 'not saved',
  };
  return serializeSafetensors(tensors, { format: NATIVE_FORMAT, format_version: String(NATIVE_FORMAT_VERSION), description: JSON.stringify(description) });
}

const MODEL_SOURCES: readonly ModelRef['source'][] = ['embedded', 'hub', 'url', 'files'];

/** Checks the stored task options: absent, or an object whose trainSize is absent, a positive integer or "all". */
function parseTaskOptions(value: unknown, fileName: string): StoredTaskOptions | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object') throw new Error(`${fileName}: taskOptions is ${JSON.stringify(value)}; expected an object.`);
  const { trainSize } = value as { trainSize?: unknown };
  if (trainSize === undefined) return {};
  if (trainSize !== 'all' && !(typeof trainSize === 'number' && Number.isInteger(trainSize) && trainSize > 0)) {
    throw new Error(`${fileName}: taskOptions.trainSize is ${JSON.stringify(trainSize)}; expected a positive integer or "all".`);
  }
  return { trainSize };
}

/** Checks the description's fields and types; throws naming the first invalid one. */
function parseDescription(text: string | undefined, fileName: string): NativeAdapterDescription {
  if (text === undefined) throw new Error(`${fileName}: the metadata has no "description"; the file is not a complete MTLoRA adapter file.`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${fileName}: the metadata "description" is not valid JSON (${(error as Error).message}).`, { cause: error });
  }

  const method = parseMethod(String(json.method));
  const rank = json.rank;
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) throw new Error(`${fileName}: rank is ${JSON.stringify(rank)}; expected a positive integer.`);
  const alpha = json.alpha;
  if (typeof alpha !== 'number' || !(alpha > 0)) throw new Error(`${fileName}: alpha is ${JSON.stringify(alpha)}; expected a positive number.`);
  const seed = json.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`${fileName}: seed is ${JSON.stringify(seed)}; expected an integer in [0, 4294967295].`);
  }
  const targets = json.targets;
  if (!Array.isArray(targets) || targets.length === 0 || !targets.every((target) => (ADAPTER_TARGETS as readonly unknown[]).includes(target))) {
    throw new Error(`${fileName}: targets is ${JSON.stringify(targets)}; expected a non-empty list of ${ADAPTER_TARGETS.join(', ')}.`);
  }
  const modules = json.modules;
  if (!Array.isArray(modules) || !modules.every((path) => typeof path === 'string')) throw new Error(`${fileName}: modules must be a list of module paths.`);
  for (const key of ['modelId', 'taskId'] as const) {
    if (typeof json[key] !== 'string') throw new Error(`${fileName}: ${key} is ${JSON.stringify(json[key])}; expected a string.`);
  }
  const modelSource = json.modelSource;
  if (modelSource !== undefined && !(MODEL_SOURCES as readonly unknown[]).includes(modelSource)) {
    throw new Error(`${fileName}: modelSource is ${JSON.stringify(modelSource)}; expected one of ${MODEL_SOURCES.join(', ')}.`);
  }
  const modelRevision = json.modelRevision;
  if (modelRevision !== undefined && (typeof modelRevision !== 'string' || modelRevision.length === 0)) {
    throw new Error(`${fileName}: modelRevision is ${JSON.stringify(modelRevision)}; expected a non-empty string (a Hub branch, tag or commit).`);
  }
  const taskOptions = parseTaskOptions(json.taskOptions, fileName);
  const trainedSteps = json.trainedSteps;
  if (trainedSteps !== undefined && !(typeof trainedSteps === 'number' && Number.isSafeInteger(trainedSteps) && trainedSteps > 0)) {
    throw new Error(`${fileName}: trainedSteps is ${JSON.stringify(trainedSteps)}; expected a positive integer.`);
  }
  const task = json.task as TaskSpec;
  try {
    headOutputs(task);
  } catch (error) {
    throw new Error(`${fileName}: task is invalid: ${(error as Error).message}`, { cause: error });
  }

  return {
    ...(json as unknown as NativeAdapterDescription),
    method,
    rank,
    alpha,
    seed,
    targets: targets as AdapterTarget[],
    modules: modules as string[],
    modelSource: modelSource as ModelRef['source'] | undefined,
    modelRevision,
    taskOptions,
    trainedSteps,
    task,
    baseModel: parseFingerprint(json.baseModel, fileName),
    optimizerState: 'not saved',
  };
}

/**
 * Reads and validates a native adapter file: its format, its description, and that the tensors are exactly
 * those the description's method, rank, targets and base architecture imply, with those shapes.
 */
export async function parseNativeAdapters(source: SafetensorsSource, fileName = `adapters${NATIVE_FILE_SUFFIX}`): Promise<NativeAdapters> {
  const file = await SafetensorsFile.open(source, fileName);
  const { format, format_version: version } = file.metadata;
  if (format !== NATIVE_FORMAT) {
    throw new Error(`${fileName} is not an MTLoRA adapter file: its metadata format is ${JSON.stringify(format ?? null)}, expected "${NATIVE_FORMAT}". A PEFT adapter_model.safetensors cannot be re-imported, because it has no C and D.`);
  }
  if (version !== String(NATIVE_FORMAT_VERSION)) {
    throw new Error(`${fileName} has format version ${JSON.stringify(version ?? null)}; this version of the playground reads version ${NATIVE_FORMAT_VERSION}.`);
  }
  const description = parseDescription(file.metadata.description, fileName);
  const { method, rank, targets } = description;
  const architecture = description.baseModel.architecture;
  const config = architecture as unknown as BertArchitecture;

  // The tensors the description implies, with their shapes.
  const expected = new Map<string, number[]>();
  const paths: string[] = [];
  for (let layer = 0; layer < architecture.numHiddenLayers; layer++) {
    for (const target of targets) {
      const path = adapterModulePath(layer, target);
      const [inFeatures, outFeatures] = targetFeatures(config, target);
      paths.push(path);
      expected.set(`${path}.A`, [rank, inFeatures]);
      expected.set(`${path}.B`, [outFeatures, rank]);
      for (const factor of METHOD_SPECS[method].factors) expected.set(`${path}.${factor}`, [rank, rank]);
    }
  }
  const outputs = headOutputs(description.task);
  expected.set('classifier.weight', [outputs, architecture.hiddenSize]);
  expected.set('classifier.bias', [outputs]);

  const listed = new Set(description.modules);
  const unlisted = paths.filter((path) => !listed.has(path));
  const unknown = description.modules.filter((path) => !paths.includes(path));
  if (unlisted.length > 0 || unknown.length > 0) {
    throw new Error(
      `${fileName}: the module list does not match targets ${targets.join(', ')} in ${architecture.numHiddenLayers} layers` +
        `${unlisted.length > 0 ? `; missing ${unlisted.join(', ')}` : ''}${unknown.length > 0 ? `; unexpected ${unknown.join(', ')}` : ''}.`,
    );
  }
  const extra = file.names.filter((name) => !expected.has(name));
  if (extra.length > 0) throw new Error(`${fileName}: tensors ${extra.join(', ')} do not belong to ${METHOD_SPECS[method].name} on ${targets.join(', ')}.`);
  for (const [name, shape] of expected) {
    const info = file.info(name);
    if (!info) throw new Error(`${fileName}: tensor "${name}" is missing; ${METHOD_SPECS[method].name} at rank ${rank} needs it with shape [${shape.join(', ')}].`);
    if (info.shape.length !== shape.length || info.shape.some((size, i) => size !== shape[i])) {
      throw new Error(`${fileName}: tensor "${name}" has shape [${info.shape.join(', ')}]; rank ${rank} and the base architecture need [${shape.join(', ')}].`);
    }
  }

  const values: Record<string, AdapterValues> = {};
  for (const path of paths) {
    const factors = METHOD_SPECS[method].factors;
    values[path] = {
      a: await file.read(`${path}.A`),
      b: await file.read(`${path}.B`),
      c: factors.includes('C') ? await file.read(`${path}.C`) : undefined,
      d: factors.includes('D') ? await file.read(`${path}.D`) : undefined,
    };
  }
  const head = { weight: await file.read('classifier.weight'), bias: await file.read('classifier.bias') };
  return { description, values, head };
}

/**
 * Checks that native adapters fit a base model and the caller's expectations. Throws one error that lists every
 * difference: base architecture or weights, method, rank, adapted modules.
 */
export function checkNativeAdapters(native: NativeAdapters, config: BertArchitecture, weights: NamedBertWeights, expected: ExpectedAdapters = {}): void {
  const { description } = native;
  const differences = fingerprintDifferences(description.baseModel, fingerprintBaseModel(config, weights)).map((phrase) => `base model: ${phrase}`);

  if (expected.method !== undefined && expected.method !== description.method) {
    differences.push(`method: the file has ${METHOD_SPECS[description.method].name}, expected ${METHOD_SPECS[expected.method].name}`);
  }
  if (expected.rank !== undefined && expected.rank !== description.rank) {
    differences.push(`rank: the file has rank ${description.rank}, expected ${expected.rank}`);
  }
  if (expected.targets !== undefined) {
    const expectedTargets = ADAPTER_TARGETS.filter((target) => expected.targets!.includes(target));
    if (expectedTargets.join(',') !== description.targets.join(',')) {
      differences.push(`modules: the file adapts ${description.targets.join(', ')}, expected ${expectedTargets.join(', ')}`);
    }
  }
  if (differences.length > 0) {
    throw new Error(`The adapters in this file (trained on "${description.modelId}") do not fit: ${differences.join('; ')}.`);
  }
}

/**
 * Builds a model with re-imported adapters and head on `weights`, after checkNativeAdapters. The model has the
 * stored seed, so the pooler of a checkpoint without one and every dropout mask are the trained run's. `config`
 * may carry other dropout settings than the checkpoint, e.g. from withDropout() to train on.
 */
export function createModelFromNative(engine: Engine, config: BertArchitecture, weights: NamedBertWeights, native: NativeAdapters, expected: ExpectedAdapters = {}): BertModel {
  checkNativeAdapters(native, config, weights, expected);
  const { description } = native;
  return BertModel.create(engine, config, weights, {
    task: description.task,
    trainable: { kind: 'adapters', method: description.method, rank: description.rank, alpha: description.alpha, modules: description.targets, values: native.values },
    seed: description.seed,
    head: native.head,
  });
}
