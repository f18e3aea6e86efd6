// tanh forward and backward (shaders/tanh.wgsl).
import code from '../../../shaders/tanh.wgsl?raw';
import { expectShape, expectDType } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/** Returns y = tanh(x) for x of any shape, finite for every finite x (±1 for large |x|). */
export function tanhForward(x: Tensor): Tensor {
  expectDType('tanh x', x, 'f32');
  const engine = x.engine;
  const y = engine.empty(x.shape, 'f32', 'tanh.y');
  const params = packParams([['u32', x.size]]);
  const pipeline = engine.pipeline(code, 'tanh_forward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'tanh');
  engine.dispatch(pipeline, { params, buffers: [x, y] }, elementwiseGrid(x.size));
  return y;
}

/** Returns dx = dy · (1 − y²), where `y` is the output of tanhForward (the input is not needed). */
export function tanhBackward(y: Tensor, dy: Tensor): Tensor {
  expectDType('tanh backward y', y, 'f32');
  expectDType('tanh backward dy', dy, 'f32');
  expectShape('tanh backward dy', dy.shape, y.shape);
  const engine = y.engine;
  const dx = engine.empty(y.shape, 'f32', 'tanh.dx');
  const params = packParams([['u32', y.size]]);
  const pipeline = engine.pipeline(code, 'tanh_backward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'tanh');
  engine.dispatch(pipeline, { params, buffers: [null, y, dy, dx] }, elementwiseGrid(y.size));
  return dx;
}

