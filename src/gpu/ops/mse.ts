// Mean squared error, forward and backward (shaders/mse.wgsl).
import code from '../../../shaders/mse.wgsl?raw';
import { ShapeError, formatShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/** Returns the loss [1] = mean over rows of (pred − target)², for pred and target [rows] or [rows, 1]. */
export function mseForward(pred: Tensor, target: Tensor): Tensor {
  const rows = checkInputs(pred, target);
  const engine = pred.engine;
  const loss = engine.empty([1], 'f32', 'mse.loss');
  const params = packParams([['u32', rows], ['f32', 1]]);
  const pipeline = engine.pipeline(code, 'mse_forward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'mse');
  engine.dispatch(pipeline, { params, buffers: [pred, target, loss] }, [1]);
  return loss;
}

/** Returns dpred = 2 (pred − target) / rows · lossGrad, shaped like pred, where lossGrad is the upstream gradient of the loss. */
export function mseBackward(pred: Tensor, target: Tensor, lossGrad = 1): Tensor {
  const rows = checkInputs(pred, target);
  if (!Number.isFinite(lossGrad)) {
    throw new RangeError(`mse lossGrad is ${lossGrad}. It must be a finite number (1 for an unweighted loss).`);
  }
  const engine = pred.engine;
  const dpred = engine.empty(pred.shape, 'f32', 'mse.dpred');
  const params = packParams([['u32', rows], ['f32', lossGrad]]);
  const pipeline = engine.pipeline(code, 'mse_backward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'mse');
  engine.dispatch(pipeline, { params, buffers: [pred, target, null, dpred] }, elementwiseGrid(rows));
  return dpred;
}

/** Returns rows after checking that pred and target are f32 [rows] or [rows, 1] with the same row count. */
function checkInputs(pred: Tensor, target: Tensor): number {
  for (const [name, tensor] of [['pred', pred], ['target', target]] as const) {
    if (tensor.dtype !== 'f32') throw new TypeError(`mse ${name} ("${tensor.label}") is ${tensor.dtype}, expected f32.`);
    const isColumn = tensor.shape.length === 1 || (tensor.shape.length === 2 && tensor.shape[1] === 1);
    if (!isColumn) {
      throw new ShapeError(`mse ${name} has shape ${formatShape(tensor.shape)}, expected [rows] or [rows, 1] (one regression output per row).`);
    }
  }
  if (pred.size !== target.size) {
    throw new ShapeError(`mse pred ${formatShape(pred.shape)} and target ${formatShape(target.shape)} have different row counts.`);
  }
  return pred.size;
}
