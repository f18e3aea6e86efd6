// LayerNorm over the last dimension, forward and backward (shaders/layernorm.wgsl).
import code from '../../../shaders/layernorm.wgsl?raw';
import { ShapeError, expectShape, formatShape, expectDType } from '../errors';
import { gridFor, packParams } from '../params';
import type { Tensor } from '../tensor';

/** Threads per row in the row kernels, passed as the shader's WORKGROUP_SIZE. */
const ROW_WORKGROUP = 128;

/** Columns per workgroup in the dgamma/dbeta kernel, passed as the shader's PARAM_COLUMNS. */
const PARAM_COLUMNS = 32;

export interface LayerNormForwardResult {
  /** Normalized, scaled and shifted output, same shape as x. */
  y: Tensor;
  /** Per-row mean [rows], cached for layerNormBackward. */
  mean: Tensor;
  /** Per-row reciprocal standard deviation 1 / sqrt(var + eps) [rows], cached for layerNormBackward. */
  rstd: Tensor;
}

export interface LayerNormBackwardOptions {
  /** Receives dgamma [hidden] when given. */
  gammaGrad?: Tensor;
  /** Receives dbeta [hidden] when given. */
  betaGrad?: Tensor;
  /** Adds dgamma and dbeta to the current contents of gammaGrad and betaGrad instead of overwriting them (default false). */
  accumulate?: boolean;
}

/**
 * Normalizes x [..., hidden] over its last dimension: y = (x − mean) / sqrt(var + eps) · gamma + beta,
 * with the biased variance. gamma and beta are [hidden], and BERT uses eps = 1e-12.
 */
export function layerNormForward(x: Tensor, gamma: Tensor, beta: Tensor, eps: number): LayerNormForwardResult {
  const { rows, hidden } = rowsAndHidden(x);
  expectDType('layerNorm x', x, 'f32');
  expectDType('layerNorm gamma', gamma, 'f32');
  expectDType('layerNorm beta', beta, 'f32');
  expectShape('layerNorm gamma', gamma.shape, [hidden]);
  expectShape('layerNorm beta', beta.shape, [hidden]);
  if (!Number.isFinite(eps) || eps <= 0) {
    throw new RangeError(`layerNorm eps is ${eps}. It must be a positive finite number such as 1e-12 (BERT) or 1e-5.`);
  }

  const engine = x.engine;
  const y = engine.empty(x.shape, 'f32', 'layerNorm.y');
  const mean = engine.empty([rows], 'f32', 'layerNorm.mean');
  const rstd = engine.empty([rows], 'f32', 'layerNorm.rstd');
  const params = packParams([['u32', rows], ['u32', hidden], ['f32', eps]]);
  const pipeline = engine.pipeline(code, 'layernorm_forward', { WORKGROUP_SIZE: ROW_WORKGROUP }, 'layernorm');
  engine.dispatch(pipeline, { params, buffers: [x, gamma, beta, y, mean, rstd] }, gridFor(rows));
  return { y, mean, rstd };
}

/**
 * Returns dx for dy, the gradient of the output of layerNormForward(x, gamma, …), using the cached mean
 * and rstd [rows]. dgamma and dbeta [hidden] are written into options.gammaGrad and options.betaGrad when
 * those are given, or added to them with options.accumulate.
 */
export function layerNormBackward(x: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, dy: Tensor, options: LayerNormBackwardOptions = {}): Tensor {
  const { rows, hidden } = rowsAndHidden(x);
  for (const [name, tensor] of [['x', x], ['gamma', gamma], ['mean', mean], ['rstd', rstd], ['dy', dy]] as const) {
    expectDType(`layerNorm backward ${name}`, tensor, 'f32');
  }
  expectShape('layerNorm backward gamma', gamma.shape, [hidden]);
  expectShape('layerNorm backward mean', mean.shape, [rows]);
  expectShape('layerNorm backward rstd', rstd.shape, [rows]);
  expectShape('layerNorm backward dy', dy.shape, x.shape);
  const { gammaGrad, betaGrad, accumulate = false } = options;
  for (const [name, tensor] of [['gammaGrad', gammaGrad], ['betaGrad', betaGrad]] as const) {
    if (!tensor) continue;
    expectDType(`layerNorm backward ${name}`, tensor, 'f32');
    expectShape(`layerNorm backward ${name}`, tensor.shape, [hidden]);
  }
  if (accumulate && !gammaGrad && !betaGrad) {
    throw new Error('layerNormBackward was asked to accumulate but got neither gammaGrad nor betaGrad. Pass the gradient tensors to add into.');
  }

  const engine = x.engine;
  const params = packParams([['u32', rows], ['u32', hidden], ['f32', 0]]);
  const dx = engine.empty(x.shape, 'f32', 'layerNorm.dx');
  const rowPipeline = engine.pipeline(code, 'layernorm_backward', { WORKGROUP_SIZE: ROW_WORKGROUP }, 'layernorm');
  engine.dispatch(rowPipeline, { params, buffers: [x, gamma, null, null, mean, rstd, dy, dx] }, gridFor(rows));

  if (gammaGrad || betaGrad) {
    // The kernel writes both reductions, so a missing one goes to a scratch tensor freed after submission.
    const gammaTarget = gammaGrad ?? engine.empty([hidden], 'f32', 'layerNorm.dgamma scratch');
    const betaTarget = betaGrad ?? engine.empty([hidden], 'f32', 'layerNorm.dbeta scratch');
    const constants = { PARAM_COLUMNS, ACCUMULATE: accumulate ? 1 : 0 };
    const paramPipeline = engine.pipeline(code, 'layernorm_backward_params', constants, 'layernorm');
    const buffers = [x, null, null, null, mean, rstd, dy, null, gammaTarget, betaTarget];
    engine.dispatch(paramPipeline, { params, buffers }, gridFor(Math.ceil(hidden / PARAM_COLUMNS)));
    if (!gammaGrad) gammaTarget.destroy();
    if (!betaGrad) betaTarget.destroy();
  }
  return dx;
}

/** Splits x [..., hidden] into rows · hidden. */
function rowsAndHidden(x: Tensor): { rows: number; hidden: number } {
  if (x.shape.length < 2) {
    throw new ShapeError(`layerNorm x has shape ${formatShape(x.shape)}, expected at least two dimensions [rows, hidden]. Reshape a single vector to [1, hidden].`);
  }
  const hidden = x.shape[x.shape.length - 1];
  return { rows: x.size / hidden, hidden };
}

