// GELU (erf form) forward and backward; shaders/gelu.wgsl.
import code from '../../../shaders/gelu.wgsl?raw';
import { expectShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { elementwiseGrid } from './elementwise';

/** y = gelu(x), any shape. */
export function geluForward(x: Tensor): Tensor {
  const engine = x.engine;
  const y = engine.empty(x.shape, 'f32', 'gelu.y');
  const params = packParams([['u32', x.size]]);
  engine.dispatch(engine.pipeline(code, 'gelu_forward', {}, 'gelu'), { params, buffers: [x, y] }, elementwiseGrid(x.size));
  return y;
}

/** dx = dy · gelu'(x); `x` is the forward input. */
export function geluBackward(x: Tensor, dy: Tensor): Tensor {
  expectShape('gelu dy', dy.shape, x.shape);
  const engine = x.engine;
  const dx = engine.empty(x.shape, 'f32', 'gelu.dx');
  const params = packParams([['u32', x.size]]);
  engine.dispatch(engine.pipeline(code, 'gelu_backward', {}, 'gelu'), { params, buffers: [x, null, dy, dx] }, elementwiseGrid(x.size));
  return dx;
}
