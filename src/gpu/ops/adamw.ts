// AdamW (torch.optim.AdamW) with optional global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), run
// entirely on the GPU. shaders/grad_norm.wgsl computes the clip factor and shaders/adamw.wgsl applies the step.
import adamwCode from '../../../shaders/adamw.wgsl?raw';
import gradNormCode from '../../../shaders/grad_norm.wgsl?raw';
import type { Engine } from '../engine';
import { expectShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { elementwiseGrid } from './elementwise';

export interface AdamWParameter {
  /** Trainable f32 tensor, updated in place by step(). */
  param: Tensor;
  /** Gradient of the same shape, read by step() and never modified (clipping scales it only inside the kernel). */
  grad: Tensor;
}

export interface AdamWOptions {
  /** Learning rate, which step(lr) overrides for one step, e.g. for a schedule. */
  lr: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the bias-corrected √v in the denominator. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay: each step multiplies parameters by 1 − lr·weightDecay. Default 0.01, as torch. */
  weightDecay?: number;
  /** Maximum global L2 norm of all gradients together, above which they are scaled down. Omit to disable clipping. */
  maxGradNorm?: number;
}

/** Index of the total norm in the [total norm, clip factor] buffer that grad_clip_factor writes. */
const TOTAL_NORM_SLOT = 0;

/** Invocations of the one grad_sum_of_squares workgroup, a power of two for its tree reduction. */
const SUM_OF_SQUARES_WORKGROUP = 256;

/**
 * AdamW over a fixed list of parameters. Each step() computes the global gradient norm, the clip factor and the
 * update on the GPU, in stream order and without reading anything back, so it can be recorded in the same
 * submission as the backward pass.
 */
export class AdamW {
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number | undefined;

  private readonly parameters: readonly AdamWParameter[];
  /** First moment estimate (exp_avg) per parameter, zero before step 1. */
  private readonly expAvg: Tensor[];
  /** Second moment estimate (exp_avg_sq) per parameter, zero before step 1. */
  private readonly expAvgSq: Tensor[];
  /** Sum of squared gradient elements per parameter, [parameters.length]. */
  private readonly sumsOfSquares: Tensor;
  /** [total gradient norm, clip factor] of the last step. */
  private readonly clipState: Tensor;
  private stepCount = 0;
  private destroyed = false;

  constructor(
    private readonly engine: Engine,
    parameters: readonly AdamWParameter[],
    options: AdamWOptions,
  ) {
    validateParameters(parameters);
    this.lr = validateLearningRate(options.lr);
    this.betas = validateBetas(options.betas ?? [0.9, 0.999]);
    this.eps = validatePositive('AdamW eps', options.eps ?? 1e-8);
    this.weightDecay = validateWeightDecay(options.weightDecay ?? 0.01);
    this.maxGradNorm = options.maxGradNorm === undefined ? undefined : validatePositive('AdamW maxGradNorm', options.maxGradNorm);

    this.parameters = [...parameters];
    this.expAvg = parameters.map(({ param }) => engine.zeros(param.shape, 'f32', `${param.label}.exp_avg`));
    this.expAvgSq = parameters.map(({ param }) => engine.zeros(param.shape, 'f32', `${param.label}.exp_avg_sq`));
    this.sumsOfSquares = engine.zeros([parameters.length], 'f32', 'adamw.sums_of_squares');
    this.clipState = engine.zeros([2], 'f32', 'adamw.clip_state');
  }

  /** Number of steps taken, which is t in the bias corrections of the last step. */
  get steps(): number {
    return this.stepCount;
  }

  /** Records one optimizer step with learning rate `lr` (default: the constructor's lr). */
  step(lr: number = this.lr): void {
    this.assertAlive('step()');
    validateLearningRate(lr);
    this.stepCount += 1;
    this.recordClipFactor();

    // 1 − β and the bias corrections are computed on the host in float64, from the host step count, as torch
    // does with Python floats. In f32, 1 − 0.999 is off by 1.3e-5 relative, which would scale every update by
    // about 1 + 6e-6.
    const [beta1, beta2] = this.betas;
    const params = (count: number) =>
      packParams([
        ['u32', count],
        ['f32', 1 - lr * this.weightDecay],
        ['f32', beta1],
        ['f32', beta2],
        ['f32', 1 - beta1],
        ['f32', 1 - beta2],
        ['f32', lr / (1 - beta1 ** this.stepCount)],
        ['f32', Math.sqrt(1 - beta2 ** this.stepCount)],
        ['f32', this.eps],
      ]);

    const pipeline = this.engine.pipeline(adamwCode, 'adamw_step', {}, 'adamw');
    this.parameters.forEach(({ param, grad }, i) => {
      const buffers = [param, grad, this.expAvg[i], this.expAvgSq[i], this.clipState];
      this.engine.dispatch(pipeline, { params: params(param.size), buffers }, elementwiseGrid(param.size));
    });
  }

  /** Reads the global L2 norm of all gradients at the last step, before clipping (what clip_grad_norm_ returns). */
  async gradNorm(): Promise<number> {
    this.assertAlive('gradNorm()');
    if (this.stepCount === 0) {
      throw new Error('AdamW.gradNorm() was called before the first step(). Call step() first, which computes the norm.');
    }
    const state = await this.clipState.readFloat();
    return state[TOTAL_NORM_SLOT];
  }

  /** Destroys the moment estimates and the norm buffers, but not the parameters and gradients, which belong to the caller. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const tensor of [...this.expAvg, ...this.expAvgSq, this.sumsOfSquares, this.clipState]) tensor.destroy();
  }

  /** Records the sum of squares of every gradient into its slot, then the total norm and the clip factor. */
  private recordClipFactor(): void {
    const sumPipeline = this.engine.pipeline(gradNormCode, 'grad_sum_of_squares', { WORKGROUP_SIZE: SUM_OF_SQUARES_WORKGROUP }, 'grad_norm');
    this.parameters.forEach(({ grad }, slot) => {
      const params = packParams([
        ['u32', grad.size],
        ['u32', slot],
        ['f32', 0],
      ]);
      this.engine.dispatch(sumPipeline, { params, buffers: [grad, this.sumsOfSquares] }, [1, 1, 1]);
    });

    const clipGradients = this.maxGradNorm !== undefined;
    const factorPipeline = this.engine.pipeline(gradNormCode, 'grad_clip_factor', { CLIP_GRADIENTS: clipGradients ? 1 : 0 }, 'grad_norm');
    const params = packParams([
      ['u32', this.parameters.length],
      ['u32', 0],
      ['f32', this.maxGradNorm ?? 0],
    ]);
    this.engine.dispatch(factorPipeline, { params, buffers: [null, this.sumsOfSquares, this.clipState] }, [1, 1, 1]);
  }

  private assertAlive(method: string): void {
    if (this.destroyed) throw new Error(`AdamW.${method} was called after destroy().`);
  }
}

function validateParameters(parameters: readonly AdamWParameter[]): void {
  if (parameters.length === 0) {
    throw new RangeError('AdamW needs at least one parameter. Pass the trainable {param, grad} pairs.');
  }
  const seen = new Set<GPUBuffer>();
  parameters.forEach(({ param, grad }, i) => {
    const name = `AdamW parameter ${i} ("${param.label}")`;
    if (param.dtype !== 'f32' || grad.dtype !== 'f32') {
      throw new TypeError(`${name} has dtype ${param.dtype} and gradient dtype ${grad.dtype}, but both must be f32.`);
    }
    expectShape(`${name} gradient "${grad.label}"`, grad.shape, param.shape);
    if (param.buffer === grad.buffer) {
      throw new Error(`${name} uses the same buffer as its gradient. Allocate a separate gradient tensor.`);
    }
    if (seen.has(param.buffer)) {
      throw new Error(`${name} is listed twice or shares its buffer with another parameter. Pass each parameter once.`);
    }
    seen.add(param.buffer);
  });
}

function validateLearningRate(lr: number): number {
  if (!Number.isFinite(lr) || lr <= 0) {
    throw new RangeError(`AdamW lr must be a positive finite number, got ${lr}.`);
  }
  return lr;
}

function validateBetas(betas: readonly [number, number]): readonly [number, number] {
  if (betas.length !== 2) {
    throw new RangeError(`AdamW betas must be two numbers [beta1, beta2], got ${betas.length} values.`);
  }
  betas.forEach((beta, i) => {
    if (!(beta >= 0 && beta < 1)) {
      throw new RangeError(`AdamW betas[${i}] must be in [0, 1), got ${beta}.`);
    }
  });
  return [betas[0], betas[1]];
}

function validatePositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}.`);
  }
  return value;
}

function validateWeightDecay(weightDecay: number): number {
  if (!Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new RangeError(`AdamW weightDecay must be a finite number >= 0, got ${weightDecay}.`);
  }
  return weightDecay;
}
