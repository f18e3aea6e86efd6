// Bias add (forward) and bias gradient (backward) of a linear layer; shaders/bias.wgsl.
import code from '../../../shaders/bias.wgsl?raw';
import { ShapeError, expectShape, formatShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { elementwiseGrid } from './elementwise';

/** Adds bias [N] to every row of y [M, N] in place and returns y. */
export function biasAddForward(y: Tensor, bias: Tensor): Tensor {
  const [rows, cols] = matrixShape('bias_add_forward y', y);
  expectShape('bias_add_forward bias', bias.shape, [cols]);
  const engine = y.engine;
  const params = packParams([['u32', rows], ['u32', cols], ['f32', 0]]);
  engine.dispatch(engine.pipeline(code, 'bias_add_forward', {}, 'bias'), { params, buffers: [bias, y] }, elementwiseGrid(rows * cols));
  return y;
}

export interface BiasBackwardOptions {
  /** Output [N]; a new tensor is allocated when omitted. */
  out?: Tensor;
  /** Scale of the existing `out` (default 0, which leaves it unread); 1 accumulates. Any other value needs `out`. */
  beta?: number;
}

/** Computes dbias[n] = Σ_m dy[m, n] (+ beta · dbias[n]) for dy [M, N] and returns dbias [N]. */
export function biasBackward(dy: Tensor, options: BiasBackwardOptions = {}): Tensor {
  const [rows, cols] = matrixShape('bias_backward dy', dy);
  const beta = options.beta ?? 0;
  if (!Number.isFinite(beta)) throw new RangeError(`bias_backward beta must be a finite number, got ${beta}.`);
  if (beta !== 0 && !options.out) {
    throw new ShapeError(`bias_backward with beta=${beta} reads the existing gradient, but no \`out\` tensor of shape ${formatShape([cols])} was passed. Pass \`out\`, or use beta=0.`);
  }
  if (options.out) expectShape(`bias_backward out "${options.out.label}"`, options.out.shape, [cols]);

  const engine = dy.engine;
  const dbias = options.out ?? engine.empty([cols], 'f32', 'bias.dbias');
  const params = packParams([['u32', rows], ['u32', cols], ['f32', beta]]);
  engine.dispatch(engine.pipeline(code, 'bias_backward', {}, 'bias'), { params, buffers: [null, null, dy, dbias] }, elementwiseGrid(cols));
  return dbias;
}

function matrixShape(name: string, tensor: Tensor): [number, number] {
  if (tensor.shape.length !== 2) {
    throw new ShapeError(`${name} "${tensor.label}" has shape ${formatShape(tensor.shape)}; it must be 2-D [rows, features]. Reshape it first.`);
  }
  if (tensor.dtype !== 'f32') throw new TypeError(`${name} "${tensor.label}" is ${tensor.dtype}; it must be f32.`);
  return [tensor.shape[0], tensor.shape[1]];
}
