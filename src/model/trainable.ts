// The choice of what a fine-tuning run trains, and the GPU parameters of the model with their gradient buffers.
// A frozen weight has no gradient buffer at all, so it costs no memory beyond its values.
import type { AdapterValues } from '../adapters/init';
import { ADAPTER_METHODS, type AdapterMethod } from '../adapters/methods';
import type { Engine } from '../gpu/engine';
import type { Tensor } from '../gpu/tensor';
import type { HostTensor } from './bert-weights';

/** The linear layers of an encoder layer that can carry an adapter, in the words of PEFT's target_modules. */
export const ADAPTER_TARGETS = ['query', 'key', 'value', 'attention.output', 'intermediate', 'output'] as const;

export type AdapterTarget = (typeof ADAPTER_TARGETS)[number];

/** Hugging Face module path of each target inside "encoder.layer.{i}". */
export const ADAPTER_TARGET_MODULES: Readonly<Record<AdapterTarget, string>> = {
  query: 'attention.self.query',
  key: 'attention.self.key',
  value: 'attention.self.value',
  'attention.output': 'attention.output.dense',
  intermediate: 'intermediate.dense',
  output: 'output.dense',
};

/** Module path of an adapter target in layer `layer`, e.g. "encoder.layer.0.attention.self.query". */
export function adapterModulePath(layer: number, target: AdapterTarget): string {
  return `encoder.layer.${layer}.${ADAPTER_TARGET_MODULES[target]}`;
}

export interface AdapterTraining {
  kind: 'adapters';
  method: AdapterMethod;
  rank: number;
  alpha: number;
  /** Targets that get an adapter in every encoder layer; at least one, each once. */
  modules: readonly AdapterTarget[];
  /**
   * Starting values by module path (e.g. "encoder.layer.0.attention.self.query"), for re-imported adapters
   * and the PyTorch check. Modules without an entry start from the standard init drawn from the model seed.
   */
  values?: Readonly<Record<string, AdapterValues>>;
}

/**
 * The trained part of the model. "head": only the task head, the encoder and pooler are frozen. "adapters": the task head and
 * low-rank adapters on the chosen modules of every layer, the base weights frozen. "full": every weight of the
 * encoder (embeddings included), the pooler and the head. The masked-language-model head never trains.
 */
export type TrainableSpec = { kind: 'head' } | AdapterTraining | { kind: 'full' };

/** Throws a RangeError naming what is invalid in a trainability spec. */
export function validateTrainable(spec: TrainableSpec): void {
  if (spec.kind === 'head' || spec.kind === 'full') return;
  if (spec.kind !== 'adapters') {
    throw new RangeError(`Trainable kind "${(spec as { kind: string }).kind}" is unknown; use "head", "adapters" or "full".`);
  }
  if (!(ADAPTER_METHODS as readonly string[]).includes(spec.method)) {
    throw new RangeError(`Adapter method "${spec.method}" is unknown; use one of ${ADAPTER_METHODS.join(', ')}.`);
  }
  if (spec.modules.length === 0) {
    throw new RangeError(`Adapter modules are empty; choose at least one of ${ADAPTER_TARGETS.join(', ')}.`);
  }
  const seen = new Set<string>();
  for (const module of spec.modules) {
    if (!(ADAPTER_TARGETS as readonly string[]).includes(module)) {
      throw new RangeError(`Adapter module "${module}" is unknown; use any of ${ADAPTER_TARGETS.join(', ')}.`);
    }
    if (seen.has(module)) throw new RangeError(`Adapter module "${module}" is listed twice.`);
    seen.add(module);
  }
}

/** One GPU parameter of the model under its Hugging Face name; `grad` is null when it is frozen. */
export interface ModelParameter {
  name: string;
  param: Tensor;
  grad: Tensor | null;
}

/** The base weights and the head of one model, uploaded once and destroyed together. */
export class ParameterSet {
  private readonly parameters = new Map<string, ModelParameter>();

  constructor(private readonly engine: Engine) {}

  /** Uploads `host` as parameter `name`, with a zero-filled gradient buffer when `trainable`. */
  add(name: string, host: HostTensor, trainable: boolean): ModelParameter {
    if (this.parameters.has(name)) throw new Error(`Parameter "${name}" is uploaded twice.`);
    const param = this.engine.tensor(host.data, host.shape, 'f32', name);
    const grad = trainable ? this.engine.zeros(host.shape, 'f32', `${name}.grad`) : null;
    const parameter: ModelParameter = { name, param, grad };
    this.parameters.set(name, parameter);
    return parameter;
  }

  get(name: string): ModelParameter {
    const parameter = this.parameters.get(name);
    if (!parameter) throw new Error(`Parameter "${name}" was not uploaded.`);
    return parameter;
  }

  all(): ModelParameter[] {
    return [...this.parameters.values()];
  }

  destroy(): void {
    for (const { param, grad } of this.parameters.values()) {
      param.destroy();
      grad?.destroy();
    }
    this.parameters.clear();
  }
}
