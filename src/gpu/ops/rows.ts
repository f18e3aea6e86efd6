// Strided row gather and its scatter-add backward, e.g. the [CLS] row (token 0) of each sequence of
// [batch·tokens, hidden] for the pooler; shaders/rows.wgsl.
import code from '../../../shaders/rows.wgsl?raw';
import { ShapeError, expectShape, formatShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/** Rows r · stride + offset of a matrix, for r = 0 … count − 1. */
export interface RowSelection {
  /** Source rows between two selected rows, ≥ 1 (the sequence length to pick one token per sequence). */
  stride: number;
  /** Source row of the first selected row, in [0, stride) (0 for the [CLS] token). */
  offset?: number;
}

/**
 * Returns out [count, cols] with out[r] = x[r · stride + offset] for x [rows, cols], where count is the
 * number of selected rows that exist: with stride = tokens and offset 0 on [batch·tokens, hidden] it is batch.
 */
export function gatherRows(x: Tensor, selection: RowSelection): Tensor {
  const [rows, cols] = matrixShape('gatherRows x', x);
  const { count, stride, offset } = checkSelection(rows, selection);
  const engine = x.engine;
  const out = engine.empty([count, cols], 'f32', 'rows.gathered');
  const params = packParams([['u32', count], ['u32', cols], ['u32', stride], ['u32', offset]]);
  const pipeline = engine.pipeline(code, 'gather_rows', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'rows');
  engine.dispatch(pipeline, { params, buffers: [x, out] }, elementwiseGrid(count * cols));
  return out;
}

/**
 * Backward of gatherRows: adds dy [count, cols] into rows r · stride + offset of dx [rows, cols] and leaves
 * every other row of dx unchanged, so dx must be zeroed (engine.zeros) or hold a gradient to add to.
 */
export function scatterRows(dy: Tensor, dx: Tensor, selection: RowSelection): void {
  const [rows, cols] = matrixShape('scatterRows dx', dx);
  const { count, stride, offset } = checkSelection(rows, selection);
  matrixShape('scatterRows dy', dy);
  expectShape(`scatterRows dy "${dy.label}"`, dy.shape, [count, cols]);
  const engine = dx.engine;
  const params = packParams([['u32', count], ['u32', cols], ['u32', stride], ['u32', offset]]);
  const pipeline = engine.pipeline(code, 'scatter_rows', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'rows');
  engine.dispatch(pipeline, { params, buffers: [null, null, dy, dx] }, elementwiseGrid(count * cols));
}

function checkSelection(rows: number, selection: RowSelection): { count: number; stride: number; offset: number } {
  const { stride } = selection;
  const offset = selection.offset ?? 0;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new RangeError(`Row selection stride is ${stride}; it must be a positive integer (the number of tokens per sequence).`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= stride || offset >= rows) {
    throw new RangeError(`Row selection offset is ${offset}; it must be an integer in [0, ${Math.min(stride, rows)}) for stride ${stride} over ${rows} rows.`);
  }
  return { count: Math.floor((rows - offset - 1) / stride) + 1, stride, offset };
}

function matrixShape(name: string, tensor: Tensor): [number, number] {
  if (tensor.shape.length !== 2) {
    throw new ShapeError(`${name} "${tensor.label}" has shape ${formatShape(tensor.shape)}; it must be 2-D [rows, cols]. Reshape [batch, tokens, hidden] to [batch·tokens, hidden] first.`);
  }
  if (tensor.dtype !== 'f32') throw new TypeError(`${name} "${tensor.label}" is ${tensor.dtype}; it must be f32.`);
  return [tensor.shape[0], tensor.shape[1]];
}
