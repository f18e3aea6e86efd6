// A low-rank adapter on a frozen linear layer y = x·Wᵀ + b:  y += s·x·Aᵀ·Tᵀ·Bᵀ  (ΔW = s·B·T·A).
// Training never forms ΔW [out, in]: the forward goes through the rank-r bottleneck, x [M, in] →
// u = x·Aᵀ [M, r] → v = u·Tᵀ [M, r] → s·v·Bᵀ [M, out], and T [r, r] is built once per step.
import type { Engine } from '../gpu/engine';
import { expectShape } from '../gpu/errors';
import { matmul } from '../gpu/ops/matmul';
import type { Tensor } from '../gpu/tensor';
import { buildCore, coreBackward } from './core';
import { initialAdapterValues, type AdapterValues } from './init';
import { METHOD_SPECS, scaling, trainableParameters, validateRank, type AdapterMethod } from './methods';

export interface AdapterConfig {
  method: AdapterMethod;
  rank: number;
  alpha: number;
  inFeatures: number;
  outFeatures: number;
  /** Module path, e.g. "encoder.layer.0.attention.self.query"; names tensors and errors. */
  name?: string;
}

/** The intermediates the backward needs, cached by forward(): u = x·Aᵀ and v = u·Tᵀ, both [M, rank]. */
export interface AdapterActivations {
  u: Tensor;
  /** Same buffer as u for LoRA (T = I). */
  v: Tensor;
}

export interface NamedParameter {
  name: string;
  param: Tensor;
  grad: Tensor;
}

export class LowRankAdapter {
  readonly scaling: number;
  /**
   * True while ΔW is added into the frozen weight (mergeAdapters in src/adapters/io/merge.ts). The layer then
   * skips the adapter in the forward and rejects training; unmergeAdapters clears it.
   */
  merged = false;
  /** The core of the current step (null for LoRA); rebuilt by beginStep(). */
  private core: Tensor | null = null;

  private constructor(
    readonly engine: Engine,
    readonly config: Required<AdapterConfig>,
    readonly a: Tensor,
    readonly b: Tensor,
    readonly c: Tensor | null,
    readonly d: Tensor | null,
    readonly gradA: Tensor,
    readonly gradB: Tensor,
    readonly gradC: Tensor | null,
    readonly gradD: Tensor | null,
  ) {
    this.scaling = scaling(config.alpha, config.rank);
  }

  /** Creates an adapter with the standard init: A, C, D kaiming-uniform from `seed`, B = 0, so ΔW = 0. */
  static create(engine: Engine, config: AdapterConfig, seed: number): LowRankAdapter {
    const full = completeConfig(config);
    return LowRankAdapter.fromValues(engine, full, initialAdapterValues(full.method, full.rank, full.inFeatures, full.outFeatures, seed));
  }

  /** Creates an adapter from given values (a re-imported adapter, a fixture, or a test's special init). */
  static fromValues(engine: Engine, config: AdapterConfig, values: AdapterValues): LowRankAdapter {
    const full = completeConfig(config);
    const { method, rank, inFeatures, outFeatures, name } = full;
    const factors = METHOD_SPECS[method].factors;
    const upload = (label: string, data: Float32Array | undefined, shape: number[]): Tensor => {
      if (!data) throw new Error(`${name}: ${METHOD_SPECS[method].name} needs initial values for ${label}.`);
      return engine.tensor(data, shape, 'f32', `${name}.${label}`);
    };

    const a = upload('A', values.a, [rank, inFeatures]);
    const b = upload('B', values.b, [outFeatures, rank]);
    const c = factors.includes('C') ? upload('C', values.c, [rank, rank]) : null;
    const d = factors.includes('D') ? upload('D', values.d, [rank, rank]) : null;
    const zerosLike = (tensor: Tensor | null, label: string): Tensor | null => (tensor ? engine.zeros(tensor.shape, 'f32', `${name}.${label}`) : null);
    return new LowRankAdapter(engine, full, a, b, c, d, zerosLike(a, 'gradA')!, zerosLike(b, 'gradB')!, zerosLike(c, 'gradC'), zerosLike(d, 'gradD'));
  }

  get method(): AdapterMethod {
    return this.config.method;
  }

  get trainableParameterCount(): number {
    return trainableParameters(this.config.method, this.config.rank, this.config.inFeatures, this.config.outFeatures);
  }

  /** Returns the trainable tensors and their gradient buffers, in the order A, B, C, D. */
  parameters(): NamedParameter[] {
    const named: NamedParameter[] = [
      { name: `${this.config.name}.A`, param: this.a, grad: this.gradA },
      { name: `${this.config.name}.B`, param: this.b, grad: this.gradB },
    ];
    if (this.c && this.gradC) named.push({ name: `${this.config.name}.C`, param: this.c, grad: this.gradC });
    if (this.d && this.gradD) named.push({ name: `${this.config.name}.D`, param: this.d, grad: this.gradD });
    return named;
  }

  /** Rebuilds T from the current C and D; call once per optimizer step, before the forward. */
  beginStep(): void {
    this.core?.destroy();
    this.core = buildCore(this.config.method, this.c, this.d);
  }

  /** Adds s·x·Aᵀ·Tᵀ·Bᵀ to y. x is [M, in] and y is [M, out] (the frozen layer's output). */
  forward(x: Tensor, y: Tensor): AdapterActivations {
    const { inFeatures, outFeatures, name } = this.config;
    const rows = x.shape[0];
    expectShape(`${name} input`, x.shape, [rows, inFeatures]);
    expectShape(`${name} output`, y.shape, [rows, outFeatures]);
    this.ensureCore();

    const u = matmul(x, this.a, { transposeB: true });
    const v = this.core ? matmul(u, this.core, { transposeB: true }) : u.reshape(u.shape);
    matmul(v, this.b, { transposeB: true, alpha: this.scaling, beta: 1, out: y });
    return { u, v };
  }

  /**
   * Backpropagates dy [M, out] through the adapter: writes (or with `accumulate` adds) the gradients
   * of A, B, C, D, and adds the adapter's share of the input gradient to dx [M, in] when given.
   */
  backward(x: Tensor, activations: AdapterActivations, dy: Tensor, dx: Tensor | null, accumulate = false): void {
    const { inFeatures, outFeatures, name } = this.config;
    const rows = x.shape[0];
    expectShape(`${name} dy`, dy.shape, [rows, outFeatures]);
    if (dx) expectShape(`${name} dx`, dx.shape, [rows, inFeatures]);
    this.ensureCore();
    const beta = accumulate ? 1 : 0;

    // dv = s·dy·B [M, r] and dB = s·dyᵀ·v [out, r].
    const dv = matmul(dy, this.b, { alpha: this.scaling });
    matmul(dy, activations.v, { transposeA: true, alpha: this.scaling, beta, out: this.gradB });

    // Through the core: du = dv·T [M, r] and dT = dvᵀ·u [r, r], then dC and dD from dT.
    let du = dv;
    if (this.core) {
      du = matmul(dv, this.core);
      const dt = matmul(dv, activations.u, { transposeA: true });
      coreBackward(this.config.method, this.c, this.d, dt, this.gradC, this.gradD, accumulate);
      dt.destroy();
      dv.destroy();
    }

    // dA = duᵀ·x [r, in] and dx += du·A [M, in].
    matmul(du, x, { transposeA: true, beta, out: this.gradA });
    if (dx) matmul(du, this.a, { beta: 1, out: dx });
    du.destroy();
  }

  /** ΔW = s·B·T·A [out, in], formed only for merging, export and tests — never during training. */
  deltaWeight(): Tensor {
    this.ensureCore();
    const bt = this.core ? matmul(this.b, this.core) : this.b.reshape(this.b.shape);
    const delta = matmul(bt, this.a, { alpha: this.scaling });
    bt.destroy();
    return delta;
  }

  /** Reads the current A, B, C, D back to the host. */
  async readValues(): Promise<AdapterValues> {
    return {
      a: await this.a.readFloat(),
      b: await this.b.readFloat(),
      c: this.c ? await this.c.readFloat() : undefined,
      d: this.d ? await this.d.readFloat() : undefined,
    };
  }

  destroy(): void {
    this.core?.destroy();
    for (const tensor of [this.a, this.b, this.c, this.d, this.gradA, this.gradB, this.gradC, this.gradD]) tensor?.destroy();
  }

  private ensureCore(): void {
    if (!this.core && this.config.method !== 'lora') this.beginStep();
  }
}

/** Frees the tensors cached by forward() once the backward has used them. */
export function releaseActivations(activations: AdapterActivations): void {
  activations.v.destroy();
  activations.u.destroy();
}

function completeConfig(config: AdapterConfig): Required<AdapterConfig> {
  const name = config.name ?? 'adapter';
  validateRank(config.rank, config.inFeatures, config.outFeatures, name);
  if (!Number.isFinite(config.alpha) || config.alpha <= 0) {
    throw new RangeError(`Alpha ${config.alpha} of ${name} is invalid: use a positive number (the scaling is alpha / rank).`);
  }
  return { ...config, name };
}
