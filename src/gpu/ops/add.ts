// Element-wise sum in place (residual connections, the embedding sum); shaders/add.wgsl.
import code from '../../../shaders/add.wgsl?raw';
import { ShapeError, formatShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/**
 * Adds x into y element by element (y += x) and returns y. Both are f32 with the same shape. The
 * gradient of the sum reaches both operands unchanged, so there is no backward op.
 */
export function addInPlace(y: Tensor, x: Tensor): Tensor {
  for (const [name, tensor] of [['y', y], ['x', x]] as const) {
    if (tensor.dtype !== 'f32') throw new TypeError(`add ${name} ("${tensor.label}") is ${tensor.dtype}; expected f32.`);
  }
  const same = x.shape.length === y.shape.length && x.shape.every((size, i) => size === y.shape[i]);
  if (!same) {
    throw new ShapeError(`add x "${x.label}" has shape ${formatShape(x.shape)} but y "${y.label}" has ${formatShape(y.shape)}; both operands need the same shape.`);
  }
  if (x.buffer === y.buffer) {
    throw new Error(`add x and y share the buffer of "${y.label}"; an in-place sum needs two separate tensors.`);
  }
  const engine = y.engine;
  const params = packParams([['u32', y.size]]);
  const pipeline = engine.pipeline(code, 'add_in_place', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'add');
  engine.dispatch(pipeline, { params, buffers: [x, y] }, elementwiseGrid(y.size));
  return y;
}
