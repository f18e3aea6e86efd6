// The trained part of an adapter run read back to the host: A, B, C, D of every adapted module, the task head
// and the pooler, with the settings that produced them. Both export formats are built from a snapshot.
import type { BertModel, TaskSpec } from '../../model/bert';
import type { BertArchitecture } from '../../model/bert-weights';
import { ADAPTER_TARGET_MODULES, ADAPTER_TARGETS, type AdapterTarget } from '../../model/trainable';
import type { AdapterValues } from '../init';
import type { AdapterMethod } from '../methods';

export interface AdaptedModule {
  /** Module path without "bert.", e.g. "encoder.layer.0.attention.self.query". */
  path: string;
  target: AdapterTarget;
  inFeatures: number;
  outFeatures: number;
  /** A [rank, in], B [out, rank], C and D [rank, rank] where the method has them; row-major. */
  values: AdapterValues;
}

export interface HostLinear {
  /** [out, in] row-major. */
  weight: Float32Array;
  bias: Float32Array;
}

export interface AdapterSnapshot {
  method: AdapterMethod;
  rank: number;
  alpha: number;
  /** The adapted targets of every layer, in the order ADAPTER_TARGETS lists them. */
  targets: AdapterTarget[];
  /** Layer by layer, targets in ADAPTER_TARGETS order within a layer. */
  modules: AdaptedModule[];
  /** The task head "classifier": weight [outputs, hidden], bias [outputs]. */
  head: HostLinear;
  /**
   * "pooler.dense" [hidden, hidden], which the model drew from its seed when the checkpoint had none. Null in a
   * snapshot rebuilt from a native file on a base with a pooler, because the file stores only a drawn pooler's seed.
   */
  pooler: HostLinear | null;
  task: TaskSpec;
  seed: number;
  config: BertArchitecture;
}

/** Splits a module path "encoder.layer.{i}.<module>" into the layer index and the target; throws on any other path. */
export function parseModulePath(path: string): { layer: number; target: AdapterTarget } {
  const match = /^encoder\.layer\.(\d+)\.(.+)$/.exec(path);
  const target = match ? ADAPTER_TARGETS.find((candidate) => ADAPTER_TARGET_MODULES[candidate] === match[2]) : undefined;
  if (!match || !target) {
    const modules = ADAPTER_TARGETS.map((candidate) => ADAPTER_TARGET_MODULES[candidate]).join(', ');
    throw new Error(`Module path "${path}" is not an adaptable layer; expected "encoder.layer.<index>.<module>" with module one of ${modules}.`);
  }
  return { layer: Number(match[1]), target };
}

/** Returns [inFeatures, outFeatures] of a target's linear layer. */
export function targetFeatures(config: BertArchitecture, target: AdapterTarget): [number, number] {
  const inFeatures = target === 'output' ? config.intermediateSize : config.hiddenSize;
  const outFeatures = target === 'intermediate' ? config.intermediateSize : config.hiddenSize;
  return [inFeatures, outFeatures];
}

/** Orders module paths by layer, then by target as ADAPTER_TARGETS lists them. */
export function compareModulePaths(a: string, b: string): number {
  const left = parseModulePath(a);
  const right = parseModulePath(b);
  return left.layer - right.layer || ADAPTER_TARGETS.indexOf(left.target) - ADAPTER_TARGETS.indexOf(right.target);
}

/** Reads the adapters, the head and the pooler of an adapter model back from the GPU. Throws for a head-only or full model. */
export async function readAdapterSnapshot(model: BertModel): Promise<AdapterSnapshot> {
  const spec = model.trainable;
  if (spec.kind !== 'adapters') {
    throw new Error(`Only an adapter run can be exported as adapters; this model trains "${spec.kind}" (a head-only or full fine-tuning run has no low-rank adapters).`);
  }

  const modules: AdaptedModule[] = [];
  for (const [path, adapter] of model.adapters) {
    const { target } = parseModulePath(path);
    const { inFeatures, outFeatures } = adapter.config;
    modules.push({ path, target, inFeatures, outFeatures, values: await adapter.readValues() });
  }
  modules.sort((a, b) => compareModulePaths(a.path, b.path));

  const read = async (name: string): Promise<HostLinear> => ({
    weight: await model.parameter(`${name}.weight`).param.readFloat(),
    bias: await model.parameter(`${name}.bias`).param.readFloat(),
  });
  return {
    method: spec.method,
    rank: spec.rank,
    alpha: spec.alpha,
    targets: ADAPTER_TARGETS.filter((target) => spec.modules.includes(target)),
    modules,
    head: await read('classifier'),
    pooler: await read('pooler.dense'),
    task: model.task,
    seed: model.seed,
    config: model.config,
  };
}
