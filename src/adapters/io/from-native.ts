// The exports of a run rebuilt from its native adapter file alone, on the host and without a GPU. The page
// keeps only the native file of each finished run, and builds the PEFT zip from it on request.
import type { BertArchitecture } from '../../model/bert-weights';
import { normalValues } from '../../model/init';
import { deriveSeed } from '../../util/random';
import { runDownloadName } from './download-names';
import { buildPeftFiles, zipFiles } from './export-peft';
import { NATIVE_FILE_SUFFIX, parseNativeAdapters, type NativeAdapterDescription, type NativeAdapters } from './native-format';
import { pageEmbeddedModelUrl, type PeftExportOptions } from './peft-base-model';
import type { RunInfo } from './run-info';
import { compareModulePaths, parseModulePath, targetFeatures, type AdaptedModule, type AdapterSnapshot, type HostLinear } from './snapshot';

/** Returns the run info that a native file records, as runInfoFromRecord built it for the export. */
export function runInfoFromNative(description: NativeAdapterDescription): RunInfo {
  return {
    modelId: description.modelId,
    modelSource: description.modelSource,
    modelRevision: description.modelRevision,
    taskId: description.taskId,
    taskOptions: description.taskOptions,
    base: description.baseModel,
    experimentId: description.experimentId,
    hyperparameters: description.hyperparameters,
    trainedSteps: description.trainedSteps,
    metrics: description.metrics,
    exportedAt: description.exportedAt,
  };
}

/**
 * Draws the pooler that BertModel gives a base checkpoint without one: weight N(0, initializerRange²) from
 * deriveSeed(seed, "pooler.dense"), bias 0. It must stay the same draw as in src/model/bert.ts, and the
 * zip equality test in from-native.test.ts fails when the two differ.
 */
function seedDrawnPooler(architecture: NativeAdapterDescription['baseModel']['architecture'], seed: number): HostLinear {
  const hidden = architecture.hiddenSize;
  return {
    weight: normalValues(deriveSeed(seed, 'pooler.dense'), hidden * hidden, architecture.initializerRange),
    bias: new Float32Array(hidden),
  };
}

/** Rebuilds the adapter snapshot of a parsed native file: the same factors, head, seed and sizes as the trained model's. */
export function snapshotFromNative(native: NativeAdapters): AdapterSnapshot {
  const { description } = native;
  const { architecture } = description.baseModel;
  // The file stores no dropout settings. The exports read only the sizes, and an evaluation forward has no dropout.
  const config: BertArchitecture = { ...architecture, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };

  const modules: AdaptedModule[] = [...description.modules].sort(compareModulePaths).map((path) => {
    const { target } = parseModulePath(path);
    const [inFeatures, outFeatures] = targetFeatures(config, target);
    return { path, target, inFeatures, outFeatures, values: native.values[path] };
  });

  return {
    method: description.method,
    rank: description.rank,
    alpha: description.alpha,
    targets: description.targets,
    modules,
    head: native.head,
    pooler: description.baseModel.hasPooler ? null : seedDrawnPooler(architecture, description.seed),
    task: description.task,
    seed: description.seed,
    config,
  };
}

/**
 * Builds the PEFT zip of a run: adapter_config.json, adapter_model.safetensors and README.md at the top level.
 * Every entry gets the export time of the run info, so the same snapshot, info and options always give the same bytes.
 */
export function buildPeftZip(snapshot: AdapterSnapshot, info: RunInfo, options: PeftExportOptions = {}): Uint8Array {
  // A zip entry stores a DOS time, which covers the years 1980 to 2099; a time outside them falls back to now.
  const exportedAt = info.exportedAt === undefined ? null : new Date(info.exportedAt);
  const year = exportedAt?.getFullYear() ?? Number.NaN;
  const modified = exportedAt && year >= 1980 && year <= 2099 ? exportedAt : undefined;
  return zipFiles(buildPeftFiles(snapshot, info, 'sequence-classification', options), undefined, modified);
}

/**
 * Parses a native adapter file and builds the PEFT zip of its run, named "<task>-<experiment>-<method>-seed<seed>-peft.zip"
 * (runDownloadName). Throws what parseNativeAdapters throws for an invalid file. On a page, the README gives the
 * embedded model's URL under this page's address unless `options` sets another.
 */
export async function peftZipFromNative(
  bytes: Uint8Array,
  fileName?: string,
  options: PeftExportOptions = { embeddedModelUrl: pageEmbeddedModelUrl() },
): Promise<{ fileName: string; bytes: Uint8Array }> {
  const native = await parseNativeAdapters(bytes, fileName);
  return { fileName: runDownloadName(native.description, '-peft.zip'), bytes: buildPeftZip(snapshotFromNative(native), runInfoFromNative(native.description), options) };
}

/**
 * Returns a stored native file under its download name "<task>-<experiment>-<method>-seed<seed>.mtlora.safetensors",
 * with the bytes unchanged. Throws what parseNativeAdapters throws for an invalid file.
 */
export async function nativeDownload(bytes: Uint8Array, fileName?: string): Promise<{ fileName: string; bytes: Uint8Array }> {
  const native = await parseNativeAdapters(bytes, fileName);
  return { fileName: runDownloadName(native.description, NATIVE_FILE_SUFFIX), bytes };
}
