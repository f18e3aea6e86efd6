// Embedding lookup and its scatter-add backward (shaders/embedding.wgsl).
import code from '../../../shaders/embedding.wgsl?raw';
import type { Engine } from '../engine';
import { ShapeError, expectShape, formatShape } from '../errors';
import type { Tensor } from '../tensor';
import { packParams } from '../params';
import { ELEMENTWISE_WORKGROUP, elementwiseGrid } from './elementwise';

/** Throws a RangeError naming the first id that is not an integer in [0, vocab). */
export function checkTokenIds(ids: ArrayLike<number>, vocab: number, name = 'token ids'): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new RangeError(`${name}[${i}] is ${id}, outside the vocabulary [0, ${vocab}). Check the tokenizer and the vocabulary size of the embedding table.`);
    }
  }
}

/** Checks host token ids against the vocabulary size and uploads them as an i32 tensor of the given shape. */
export function uploadTokenIds(engine: Engine, ids: Int32Array | readonly number[], shape: readonly number[], vocab: number, label = 'token ids'): Tensor {
  checkTokenIds(ids, vocab, label);
  return engine.tensor(Int32Array.from(ids), shape, 'i32', label);
}

/**
 * Looks up rows of table [vocab, hidden] for ids [...] (i32) and returns out [..., hidden]. Ids come
 * from uploadTokenIds, which rejects ids outside [0, vocab). For such an id produced on the GPU, the
 * kernel writes a zero row.
 */
export function embeddingForward(ids: Tensor, table: Tensor): Tensor {
  const { vocab, hidden } = checkTable('embedding table', table);
  expectIds(ids);
  const engine = table.engine;
  const out = engine.empty([...ids.shape, hidden], 'f32', 'embedding.out');
  const params = packParams([['u32', ids.size], ['u32', hidden], ['u32', vocab]]);
  const pipeline = engine.pipeline(code, 'embedding_forward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'embedding');
  engine.dispatch(pipeline, { params, buffers: [ids, table, out] }, elementwiseGrid(ids.size * hidden));
  return out;
}

/**
 * Adds dOut [..., hidden] into the rows of tableGrad [vocab, hidden] selected by ids [...], so a repeated
 * id receives the sum of its rows. tableGrad is accumulated and never cleared, so zero it before a step.
 * Ids outside [0, vocab) add nothing.
 */
export function embeddingBackward(ids: Tensor, dOut: Tensor, tableGrad: Tensor): void {
  const { vocab, hidden } = checkTable('embedding tableGrad', tableGrad);
  expectIds(ids);
  if (dOut.dtype !== 'f32') throw new TypeError(`embedding dOut ("${dOut.label}") is ${dOut.dtype}, expected f32.`);
  expectShape('embedding dOut', dOut.shape, [...ids.shape, hidden]);
  const engine = tableGrad.engine;
  const params = packParams([['u32', ids.size], ['u32', hidden], ['u32', vocab]]);
  const pipeline = engine.pipeline(code, 'embedding_backward', { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP }, 'embedding');
  // NOTE: only `hidden` invocations run, each looping over all tokens. That keeps the sum deterministic but
  // leaves most of a large GPU idle.
  engine.dispatch(pipeline, { params, buffers: [ids, null, null, dOut, tableGrad] }, elementwiseGrid(hidden));
}

function checkTable(name: string, table: Tensor): { vocab: number; hidden: number } {
  if (table.dtype !== 'f32') throw new TypeError(`${name} ("${table.label}") is ${table.dtype}, expected f32.`);
  if (table.shape.length !== 2) {
    throw new ShapeError(`${name} has shape ${formatShape(table.shape)}, expected [vocab, hidden].`);
  }
  const [vocab, hidden] = table.shape;
  return { vocab, hidden };
}

function expectIds(ids: Tensor): void {
  if (ids.dtype !== 'i32') {
    throw new TypeError(`embedding ids ("${ids.label}") are ${ids.dtype}, expected i32. Upload them with uploadTokenIds().`);
  }
}
