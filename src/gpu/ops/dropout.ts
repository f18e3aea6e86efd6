// Inverted dropout with a seeded counter-based mask (shaders/dropout.wgsl).
import code from '../../../shaders/dropout.wgsl?raw';
import { expectDType } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/**
 * Returns y = x · mask / (1 − p) for x of any shape. Element i is dropped with probability p, decided by a hash of
 * (i, seed), so the same seed gives the same mask and dropoutBackward needs no stored mask. Each dropout
 * site and each training step needs its own seed, or their masks coincide. p = 0 returns a copy of x.
 */
export function dropoutForward(x: Tensor, p: number, seed: number): Tensor {
  expectDType('dropout x', x, 'f32');
  const engine = x.engine;
  const y = engine.empty(x.shape, 'f32', 'dropout.y');
  const params = dropoutParams(x.size, p, seed);
  const pipeline = engine.pipeline(code, 'dropout_forward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'dropout');
  engine.dispatch(pipeline, { params, buffers: [x, y] }, elementwiseGrid(x.size));
  return y;
}

/** Returns dx = dy · mask / (1 − p), with the mask that dropoutForward drew for the same p and seed. */
export function dropoutBackward(dy: Tensor, p: number, seed: number): Tensor {
  expectDType('dropout dy', dy, 'f32');
  const engine = dy.engine;
  const dx = engine.empty(dy.shape, 'f32', 'dropout.dx');
  const params = dropoutParams(dy.size, p, seed);
  const pipeline = engine.pipeline(code, 'dropout_backward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'dropout');
  engine.dispatch(pipeline, { params, buffers: [null, null, dy, dx] }, elementwiseGrid(dy.size));
  return dx;
}

/** Packs the shader's Params after checking p and seed. */
function dropoutParams(count: number, p: number, seed: number): ArrayBuffer {
  if (!Number.isFinite(p) || p < 0 || p >= 1) {
    throw new RangeError(`Dropout probability p is ${p}. It must be in [0, 1). Use p = 0 to disable dropout.`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Dropout seed is ${seed}. It must be an integer in [0, 2^32 − 1].`);
  }
  // floor(p · 2³²) < 2³² because p < 1, so it fits the u32 field.
  const threshold = Math.floor(p * 2 ** 32);
  return packParams([['u32', count], ['u32', seed], ['u32', threshold], ['f32', 1 / (1 - p)]]);
}

