// Softmax cross-entropy with an ignore index, forward and backward (shaders/cross_entropy.wgsl).
import code from '../../../shaders/cross_entropy.wgsl?raw';
import type { Engine } from '../engine';
import { ShapeError, expectShape, formatShape } from '../errors';
import { gridFor, packParams } from '../params';
import type { Tensor } from '../tensor';

/** Label of a row that takes no part in the loss, as in PyTorch (masked-language-model positions that are not predicted). */
export const IGNORE_INDEX = -100;

/** Threads per workgroup of every cross-entropy kernel, passed as the shader's WORKGROUP_SIZE. */
const WORKGROUP = 128;

export interface CrossEntropyForwardResult {
  /** Mean loss over the counted rows [1]; 0 when every label is IGNORE_INDEX (PyTorch returns NaN there). */
  loss: Tensor;
  /** log Σ exp(logits) per row [rows], cached for crossEntropyBackward. */
  logSumExp: Tensor;
  /** Number of rows whose label is not IGNORE_INDEX [1] (u32), cached for crossEntropyBackward. */
  validRows: Tensor;
}

/** Throws a RangeError naming the first label that is neither IGNORE_INDEX nor an integer in [0, classes). */
export function checkLabels(labels: ArrayLike<number>, classes: number, name = 'labels'): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === IGNORE_INDEX) continue;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`${name}[${i}] is ${label}. A label must be in [0, ${classes}) or ${IGNORE_INDEX} to ignore the row.`);
    }
  }
}

/** Checks host labels against the class count and uploads them as an i32 tensor of the given shape. */
export function uploadLabels(engine: Engine, labels: Int32Array | readonly number[], shape: readonly number[], classes: number, label = 'labels'): Tensor {
  checkLabels(labels, classes, label);
  return engine.tensor(Int32Array.from(labels), shape, 'i32', label);
}

/**
 * Returns the mean softmax cross-entropy of logits [..., classes] against labels [...] (i32) over the
 * rows whose label is not IGNORE_INDEX. Host labels go through uploadLabels, which rejects labels outside
 * [0, classes). The kernels skip such a label like IGNORE_INDEX when it was produced on the GPU.
 */
export function crossEntropyForward(logits: Tensor, labels: Tensor): CrossEntropyForwardResult {
  const { rows, classes } = checkInputs(logits, labels);
  const engine = logits.engine;
  const logSumExp = engine.empty([rows], 'f32', 'crossEntropy.logSumExp');
  const rowLoss = engine.empty([rows], 'f32', 'crossEntropy.rowLoss');
  const loss = engine.empty([1], 'f32', 'crossEntropy.loss');
  const validRows = engine.empty([1], 'u32', 'crossEntropy.validRows');
  const params = packParams([['u32', rows], ['u32', classes], ['f32', 1]]);
  const constants = { WORKGROUP_SIZE: WORKGROUP };

  const rowPipeline = engine.pipeline(code, 'cross_entropy_rows', constants, 'cross_entropy');
  engine.dispatch(rowPipeline, { params, buffers: [logits, labels, logSumExp, rowLoss] }, gridFor(rows));

  const meanPipeline = engine.pipeline(code, 'cross_entropy_mean', constants, 'cross_entropy');
  engine.dispatch(meanPipeline, { params, buffers: [null, labels, null, rowLoss, loss, validRows] }, [1]);

  rowLoss.destroy();
  return { loss, logSumExp, validRows };
}

/**
 * Returns dlogits = (softmax(logits) − onehot(label)) · lossGrad / validRows, zero in ignored rows,
 * where `cache` is the result of crossEntropyForward on the same logits and labels and lossGrad is the
 * upstream gradient of the loss (a task weight, or 1).
 */
export function crossEntropyBackward(
  logits: Tensor,
  labels: Tensor,
  cache: Pick<CrossEntropyForwardResult, 'logSumExp' | 'validRows'>,
  lossGrad = 1,
): Tensor {
  const { rows, classes } = checkInputs(logits, labels);
  expectShape('crossEntropy logSumExp', cache.logSumExp.shape, [rows]);
  expectShape('crossEntropy validRows', cache.validRows.shape, [1]);
  if (cache.logSumExp.dtype !== 'f32' || cache.validRows.dtype !== 'u32') {
    throw new TypeError('crossEntropyBackward expects the logSumExp (f32) and validRows (u32) returned by crossEntropyForward.');
  }
  if (!Number.isFinite(lossGrad)) {
    throw new RangeError(`crossEntropy lossGrad is ${lossGrad}. It must be a finite number (1 for an unweighted loss).`);
  }

  const engine = logits.engine;
  const dlogits = engine.empty(logits.shape, 'f32', 'crossEntropy.dlogits');
  const params = packParams([['u32', rows], ['u32', classes], ['f32', lossGrad]]);
  const pipeline = engine.pipeline(code, 'cross_entropy_backward', { WORKGROUP_SIZE: WORKGROUP }, 'cross_entropy');
  const buffers = [logits, labels, cache.logSumExp, null, null, cache.validRows, dlogits];
  engine.dispatch(pipeline, { params, buffers }, gridFor(Math.ceil(logits.size / WORKGROUP)));
  return dlogits;
}

function checkInputs(logits: Tensor, labels: Tensor): { rows: number; classes: number } {
  if (logits.dtype !== 'f32') throw new TypeError(`crossEntropy logits ("${logits.label}") are ${logits.dtype}, expected f32.`);
  if (labels.dtype !== 'i32') {
    throw new TypeError(`crossEntropy labels ("${labels.label}") are ${labels.dtype}, expected i32. Upload them with uploadLabels().`);
  }
  if (logits.shape.length < 2) {
    throw new ShapeError(`crossEntropy logits have shape ${formatShape(logits.shape)}, expected [rows, classes] or [..., classes].`);
  }
  const classes = logits.shape[logits.shape.length - 1];
  expectShape('crossEntropy labels', labels.shape, logits.shape.slice(0, -1));
  return { rows: labels.size, classes };
}
