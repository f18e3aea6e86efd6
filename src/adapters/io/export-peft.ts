// Export of an adapter run in Hugging Face PEFT's LoRA format: adapter_config.json, adapter_model.safetensors
// and a README.md, loadable with PeftModel.from_pretrained onto BertForSequenceClassification.
//
// PEFT's LoRA has no core, so an MTLoRA core is folded into B: B' = B·T and A' = A give
// s·B'·A' = s·B·T·A = ΔW exactly, with the same s = lora_alpha / r. The folded file trains on in PEFT as
// plain LoRA on (A, B·T); the structure of T (e.g. ICFM's positive semi-definite core) is not kept.
//
// Key names follow PEFT's save format, get_peft_model_state_dict in huggingface/peft's
// src/peft/utils/save_and_load.py. A LoRA key is the module name in the wrapped model behind "base_model.model.",
// with the adapter name removed: "…query.lora_A.default.weight" is saved as "…query.lora_A.weight". A
// modules_to_save module is saved through ModulesToSaveWrapper.adapter_state_dict (src/peft/utils/other.py), which
// keeps the wrapped module's own keys. So the classifier is saved as "base_model.model.classifier.weight" and
// "…classifier.bias", not as "…classifier.modules_to_save.default.weight".
import { strToU8, zipSync } from 'fflate';
import { serializeSafetensors, type SafetensorsWriteTensor } from '../../model/safetensors';
import { ADAPTER_TARGET_MODULES, type AdapterTarget } from '../../model/trainable';
import { coreOnHost, METHOD_SPECS, scaling, type AdapterMethod } from '../methods';
import { fingerprintId } from './fingerprint';
import { peftBaseReference, type PeftExportOptions } from './peft-base-model';
import { formatMetrics, type RunInfo } from './run-info';
import type { AdaptedModule, AdapterSnapshot } from './snapshot';

/**
 * The transformers class the adapter is loaded onto: BertForSequenceClassification (task_type "SEQ_CLS", module
 * names under "bert.", the head saved as modules_to_save) or a bare BertModel (task_type null, no head).
 */
export type PeftBaseModel = 'sequence-classification' | 'encoder';

/** The prefix of every key in a PEFT adapter file. */
export const PEFT_KEY_PREFIX = 'base_model.model.';

export const PEFT_CONFIG_FILE = 'adapter_config.json';
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';
export const PEFT_README_FILE = 'README.md';

/** The fields of PEFT's LoraConfig that the export sets; PEFT fills every other field with its default. */
export interface PeftLoraConfig {
  peft_type: 'LORA';
  task_type: 'SEQ_CLS' | null;
  base_model_name_or_path: string;
  revision: string | null;
  inference_mode: boolean;
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  bias: 'none';
  fan_in_fan_out: boolean;
  target_modules: string[];
  modules_to_save: string[] | null;
  init_lora_weights: boolean;
  use_rslora: boolean;
  use_dora: boolean;
  layers_to_transform: null;
  layers_pattern: null;
  rank_pattern: Record<string, never>;
  alpha_pattern: Record<string, never>;
}

/** Module name prefix inside the transformers model: "bert." in BertForSequenceClassification, "" in BertModel. */
export function peftModulePrefix(baseModel: PeftBaseModel): string {
  return baseModel === 'sequence-classification' ? 'bert.' : '';
}

/**
 * Returns target_modules for the adapted targets. PEFT matches a list entry against every module name of the
 * model by equality or by the suffix ".<entry>" (check_target_module_exists in peft/tuners/tuners_utils.py).
 * Older releases' LoraModel matched the suffix without the dot, and the names below select the same layers
 * under both rules. The leaf names query, key and value and the two-part names attention.output.dense and
 * intermediate.dense each match only the intended Linear layers. The feed-forward output layer has no such
 * name: "output.dense" also matches "attention.output.dense", and "output" matches the BertOutput and
 * BertSelfOutput containers, which PEFT rejects as unsupported modules. So it is listed by its full module name
 * in every layer, which matches by equality. A regex string would also work, but tools that read
 * target_modules as a list of names would not understand it.
 */
export function peftTargetModules(targets: readonly AdapterTarget[], numLayers: number, baseModel: PeftBaseModel): string[] {
  const names: string[] = [];
  for (const target of targets) {
    if (target === 'output') {
      for (let layer = 0; layer < numLayers; layer++) names.push(`${peftModulePrefix(baseModel)}encoder.layer.${layer}.${ADAPTER_TARGET_MODULES.output}`);
    } else if (target === 'query' || target === 'key' || target === 'value') {
      names.push(target);
    } else {
      names.push(ADAPTER_TARGET_MODULES[target]);
    }
  }
  return names;
}

/** Returns B' = B·T [out, rank] (row-major), computed in float64 and rounded once to float32. LoRA returns a copy of B. */
export function foldCore(method: AdapterMethod, rank: number, module: AdaptedModule): Float32Array {
  const { b, c, d } = module.values;
  const out = module.outFeatures;
  if (b.length !== out * rank) throw new Error(`${module.path}: B has ${b.length} values; expected ${out * rank} ([${out}, ${rank}]).`);
  if (method === 'lora') return Float32Array.from(b);

  const t = coreOnHost(method, rank, c, d);
  const folded = new Float32Array(out * rank);
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < rank; j++) {
      let sum = 0;
      for (let k = 0; k < rank; k++) sum += b[i * rank + k] * t[k * rank + j];
      folded[i * rank + j] = sum;
    }
  }
  return folded;
}

/** Returns the modules_to_save names: the head for a classification model, and the pooler when the model drew it from its seed. */
function modulesToSave(info: RunInfo, baseModel: PeftBaseModel): string[] {
  const names = baseModel === 'sequence-classification' ? ['classifier'] : [];
  // transformers would draw a missing pooler at random, unlike the one the adapters were trained with. PEFT's
  // _set_trainable (peft/utils/other.py) matches modules_to_save by a plain suffix, so "pooler" selects
  // "bert.pooler" (and "pooler" in a bare BertModel).
  if (!info.base.hasPooler) names.push('pooler');
  return names;
}

/** Builds adapter_config.json's content. */
export function peftAdapterConfig(snapshot: AdapterSnapshot, info: RunInfo, baseModel: PeftBaseModel = 'sequence-classification'): PeftLoraConfig {
  const saved = modulesToSave(info, baseModel);
  const reference = peftBaseReference(info);
  return {
    peft_type: 'LORA',
    task_type: baseModel === 'sequence-classification' ? 'SEQ_CLS' : null,
    base_model_name_or_path: reference.nameOrPath,
    revision: reference.revision,
    inference_mode: true,
    r: snapshot.rank,
    lora_alpha: snapshot.alpha,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: false,
    target_modules: peftTargetModules(snapshot.targets, snapshot.config.numHiddenLayers, baseModel),
    modules_to_save: saved.length > 0 ? saved : null,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/** Builds the tensors of adapter_model.safetensors under PEFT's key names, with B·T in place of B. */
export function peftTensors(snapshot: AdapterSnapshot, info: RunInfo, baseModel: PeftBaseModel = 'sequence-classification'): Record<string, SafetensorsWriteTensor> {
  const { rank, method } = snapshot;
  const prefix = `${PEFT_KEY_PREFIX}${peftModulePrefix(baseModel)}`;
  const tensors: Record<string, SafetensorsWriteTensor> = {};
  for (const module of snapshot.modules) {
    tensors[`${prefix}${module.path}.lora_A.weight`] = { dtype: 'F32', shape: [rank, module.inFeatures], data: module.values.a };
    tensors[`${prefix}${module.path}.lora_B.weight`] = { dtype: 'F32', shape: [module.outFeatures, rank], data: foldCore(method, rank, module) };
  }

  const hidden = snapshot.config.hiddenSize;
  if (baseModel === 'sequence-classification') {
    const outputs = snapshot.head.bias.length;
    tensors[`${PEFT_KEY_PREFIX}classifier.weight`] = { dtype: 'F32', shape: [outputs, hidden], data: snapshot.head.weight };
    tensors[`${PEFT_KEY_PREFIX}classifier.bias`] = { dtype: 'F32', shape: [outputs], data: snapshot.head.bias };
  }
  if (!info.base.hasPooler) {
    if (!snapshot.pooler) throw new Error('The base model has no pooler, so the PEFT export needs the pooler used in training, but the adapter snapshot has none.');
    tensors[`${prefix}pooler.dense.weight`] = { dtype: 'F32', shape: [hidden, hidden], data: snapshot.pooler.weight };
    tensors[`${prefix}pooler.dense.bias`] = { dtype: 'F32', shape: [hidden], data: snapshot.pooler.bias };
  }
  return tensors;
}

/** E.g. "200 steps", or "50 steps continued from an adapter file trained for 200 (250 in total)". */
function trainingSteps(steps: number, trainedSteps: number | undefined): string {
  if (trainedSteps === undefined || trainedSteps === steps) return `${steps} steps`;
  return `${steps} steps continued from an adapter file trained for ${trainedSteps - steps} (${trainedSteps} in total)`;
}

function formatNumber(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** Describes the folded cores: T itself for ranks up to 8, else its Frobenius norm, per module. */
function coreSection(snapshot: AdapterSnapshot): string[] {
  const { method, rank } = snapshot;
  const spec = METHOD_SPECS[method];
  if (method === 'lora') return [`${spec.name} has T = I, so nothing was folded: lora_B is B as trained.`];

  const lines = [`${spec.name} has ${spec.formula}. Each lora_B in this folder is B·T, with T built from the trained factors:`, ''];
  for (const module of snapshot.modules) {
    const t = coreOnHost(method, rank, module.values.c, module.values.d);
    if (rank <= 8) {
      const rows = Array.from({ length: rank }, (_, i) => `[${Array.from(t.subarray(i * rank, (i + 1) * rank), formatNumber).join(', ')}]`);
      lines.push(`- \`${module.path}\`: T = [${rows.join(', ')}]`);
    } else {
      const norm = Math.sqrt(t.reduce((sum, value) => sum + value * value, 0));
      lines.push(`- \`${module.path}\`: ‖T‖_F = ${formatNumber(norm)}`);
    }
  }
  return lines;
}

/** Builds README.md: what was trained, the folded core, the metrics, and how to load the folder with PEFT. */
export function peftReadme(snapshot: AdapterSnapshot, info: RunInfo, baseModel: PeftBaseModel = 'sequence-classification', options: PeftExportOptions = {}): string {
  const spec = METHOD_SPECS[snapshot.method];
  const s = scaling(snapshot.alpha, snapshot.rank);
  const outputs = snapshot.head.bias.length;
  const taskLine = snapshot.task.kind === 'classification' ? `classification into ${snapshot.task.numLabels} labels` : 'regression (one output)';
  const loadClass = baseModel === 'sequence-classification' ? 'AutoModelForSequenceClassification' : 'AutoModel';
  const loadArguments = baseModel === 'sequence-classification' ? `, num_labels=${outputs}` : '';
  const hp = info.hyperparameters;
  const reference = peftBaseReference(info, options);

  return [
    `# ${spec.name} adapter for ${reference.title}`,
    '',
    `Trained in the MTLoRA Playground and exported in Hugging Face PEFT's LoRA format.`,
    '',
    `- Method: ${spec.name} (${spec.formula}), ΔW = s·B·T·A`,
    `- Rank r = ${snapshot.rank}, lora_alpha = ${snapshot.alpha}, scaling s = lora_alpha / r = ${formatNumber(s)}`,
    `- Adapted modules: ${snapshot.targets.join(', ')} in each of ${snapshot.config.numHiddenLayers} layers`,
    `- Task: ${info.taskId}, ${taskLine}`,
    `- Seed: ${snapshot.seed}`,
    `- Base model: ${reference.title} (fingerprint ${fingerprintId(info.base)})`,
    ...(hp ? [`- Training: ${trainingSteps(hp.steps, info.trainedSteps)}, batch ${hp.batchSize}, learning rate ${hp.learningRate}, max length ${hp.maxLength} tokens, dropout ${hp.dropout}`] : []),
    ...(info.experimentId ? [`- Experiment: ${info.experimentId}`] : []),
    '',
    '## Metrics',
    '',
    ...formatMetrics(info.metrics).map((line) => `- ${line}`),
    '',
    '## The folded core',
    '',
    'PEFT\'s LoRA computes s·B·A and has no core T, so the export stores B·T as lora_B and A as lora_A:',
    's·(B·T)·A equals the trained update exactly, up to float32 rounding of B·T. Training on with PEFT continues',
    'as plain LoRA; the structure of T is not kept.',
    '',
    ...coreSection(snapshot),
    '',
    '## Loading',
    '',
    ...(reference.preparation.length > 0 ? [...reference.preparation, ''] : []),
    '```python',
    `from transformers import ${loadClass}`,
    'from peft import PeftModel',
    '',
    `base = ${loadClass}.from_pretrained(${reference.loadArgument}${loadArguments})`,
    'model = PeftModel.from_pretrained(base, "path/to/this/folder")  # the folder with adapter_config.json, e.g. the unpacked zip',
    'model = model.merge_and_unload()  # optional: W + s·B·A in place, no added latency',
    '```',
    '',
    baseModel === 'sequence-classification'
      ? 'The classifier head trained with the adapters is in modules_to_save and replaces the randomly initialised one.'
      : 'This export is for a bare encoder: the task head trained with the adapters is not included.',
    ...(info.base.hasPooler ? [] : ['The base checkpoint has no pooler; the pooler used in training is saved in modules_to_save as "pooler".']),
    '',
  ].join('\n');
}

/** Builds the three files of a PEFT adapter folder, by file name. */
export function buildPeftFiles(
  snapshot: AdapterSnapshot,
  info: RunInfo,
  baseModel: PeftBaseModel = 'sequence-classification',
  options: PeftExportOptions = {},
): Record<string, Uint8Array> {
  return {
    [PEFT_CONFIG_FILE]: strToU8(`${JSON.stringify(peftAdapterConfig(snapshot, info, baseModel), null, 2)}\n`),
    // PEFT writes its adapter files with the metadata {"format": "pt"}, which safetensors' PyTorch loader expects.
    [PEFT_WEIGHTS_FILE]: serializeSafetensors(peftTensors(snapshot, info, baseModel), { format: 'pt' }),
    [PEFT_README_FILE]: strToU8(peftReadme(snapshot, info, baseModel, options)),
  };
}

/**
 * Packs files into a zip archive, under `folder/` when given, so that unpacking creates the adapter folder.
 * `modified` is the time stored with every entry (default: now); a fixed time makes the archive reproducible.
 */
export function zipFiles(files: Readonly<Record<string, Uint8Array>>, folder?: string, modified?: Date): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(files)) entries[folder ? `${folder}/${name}` : name] = bytes;
  return zipSync(entries, { level: 6, ...(modified ? { mtime: modified } : {}) });
}
