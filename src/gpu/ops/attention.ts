// Multi-head scaled dot-product attention with a key padding mask, forward and backward (shaders/attention.wgsl).
// q, k and v are the outputs of the Q/K/V projections, [batch, tokens, heads·headDim].
import code from '../../../shaders/attention.wgsl?raw';
import type { Engine } from '../engine';
import { ShapeError, formatShape, expectDType } from '../errors';
import { gridFor, packParams } from '../params';
import type { Tensor } from '../tensor';
import { dropoutBackward, dropoutForward } from './dropout';
import { elementwiseGrid } from './elementwise';

export interface AttentionOptions {
  /** Number of attention heads, which must divide the hidden size of q, k and v. */
  heads: number;
  /**
   * Dropout on the attention probabilities (BERT's attention_probs_dropout_prob) in training. The backward
   * must get the same p and seed: it recomputes the mask from them instead of storing it.
   */
  dropout?: { p: number; seed: number };
}

export interface AttentionForwardResult {
  /** probs·v per head, [batch, tokens, heads·headDim]. */
  context: Tensor;
  /** Softmax over keys of the masked, scaled scores, [batch, heads, tokens, tokens], cached for attentionBackward. */
  probs: Tensor;
}

export interface AttentionGradients {
  dq: Tensor;
  dk: Tensor;
  dv: Tensor;
}

/** Sizes shared by every attention dispatch. */
interface AttentionGeometry {
  batch: number;
  tokens: number;
  heads: number;
  headDim: number;
  hidden: number;
}

/**
 * Runs attention forward: scores = q·kᵀ/√headDim plus torch.finfo(float32).min on padded keys, probs = softmax
 * over keys, context = probs·v, per (batch, head).
 * `mask` is [batch, tokens] i32 with 1 for a real token and 0 for padding. It masks keys only, so the rows of
 * padded queries are still computed, and a sequence whose keys are all padded gets uniform probabilities.
 */
export function attentionForward(q: Tensor, k: Tensor, v: Tensor, mask: Tensor, options: AttentionOptions): AttentionForwardResult {
  const geometry = attentionGeometry(q, options.heads);
  expectLikeQuery('attention k', k, q);
  expectLikeQuery('attention v', v, q);
  expectMask(mask, geometry);

  const engine = q.engine;
  const params = attentionParams(geometry);
  const { batch, tokens, heads, hidden } = geometry;
  const scoreCount = batch * heads * tokens * tokens;
  const rows = batch * heads * tokens;

  // probs receives the scores first, and the softmax then overwrites them in place.
  const probs = engine.empty([batch, heads, tokens, tokens], 'f32', 'attention.probs');
  dispatch(engine, 'attention_scores', params, [q, k, null, mask, probs], elementwiseGrid(scoreCount));
  dispatch(engine, 'attention_softmax_forward', params, [null, null, null, null, probs], gridFor(rows));

  // The context reads dropout(probs), while `probs` itself stays cached for the softmax backward.
  const dropped = droppedProbs(probs, options);
  const context = engine.empty([batch, tokens, hidden], 'f32', 'attention.context');
  dispatch(engine, 'attention_context_forward', params, [null, null, v, null, dropped, context], elementwiseGrid(batch * tokens * hidden));
  if (dropped !== probs) dropped.destroy();

  return { context, probs };
}

/**
 * Computes the gradients of attentionForward's context with respect to q, k and v, given `probs` from the
 * forward and dContext [batch, tokens, heads·headDim]. The mask is not needed again, because padded keys
 * already have probability 0 in `probs`.
 */
export function attentionBackward(q: Tensor, k: Tensor, v: Tensor, probs: Tensor, dContext: Tensor, options: AttentionOptions): AttentionGradients {
  const geometry = attentionGeometry(q, options.heads);
  expectLikeQuery('attention k', k, q);
  expectLikeQuery('attention v', v, q);
  expectLikeQuery('attention dContext', dContext, q);
  expectProbs(probs, geometry);

  const engine = q.engine;
  const params = attentionParams(geometry);
  const { batch, tokens, heads, hidden } = geometry;
  const scoreCount = batch * heads * tokens * tokens;
  const hiddenCount = batch * tokens * hidden;

  // dV = dropout(probs)ᵀ·dContext, with the same mask as the forward.
  const dropped = droppedProbs(probs, options);
  const dv = engine.empty([batch, tokens, hidden], 'f32', 'attention.dv');
  dispatch(engine, 'attention_context_backward_values', params, [null, null, null, null, dropped, null, dContext, null, null, null, dv], elementwiseGrid(hiddenCount));
  if (dropped !== probs) dropped.destroy();

  // dScores receives dProbs first (through the dropout backward when there is dropout), and the softmax
  // backward then overwrites it in place.
  let dScores = engine.empty([batch, heads, tokens, tokens], 'f32', 'attention.dscores');
  dispatch(engine, 'attention_context_backward_probs', params, [null, null, v, null, null, null, dContext, dScores], elementwiseGrid(scoreCount));
  if (options.dropout && options.dropout.p > 0) {
    const undropped = dropoutBackward(dScores, options.dropout.p, options.dropout.seed);
    dScores.destroy();
    dScores = undropped;
  }
  dispatch(engine, 'attention_softmax_backward', params, [null, null, null, null, probs, null, null, dScores], gridFor(batch * heads * tokens));

  const dq = engine.empty([batch, tokens, hidden], 'f32', 'attention.dq');
  dispatch(engine, 'attention_scores_backward_query', params, [null, k, null, null, null, null, null, dScores, dq], elementwiseGrid(hiddenCount));
  const dk = engine.empty([batch, tokens, hidden], 'f32', 'attention.dk');
  dispatch(engine, 'attention_scores_backward_key', params, [q, null, null, null, null, null, null, dScores, null, dk], elementwiseGrid(hiddenCount));

  // Destroyed after the dispatches above are submitted, since the engine defers buffer destruction.
  dScores.destroy();
  return { dq, dk, dv };
}

/** Returns dropout(probs) as a new tensor, or probs itself when there is no dropout. */
function droppedProbs(probs: Tensor, options: AttentionOptions): Tensor {
  if (!options.dropout || options.dropout.p === 0) return probs;
  return dropoutForward(probs, options.dropout.p, options.dropout.seed);
}

function dispatch(engine: Engine, entryPoint: string, params: ArrayBuffer, buffers: ReadonlyArray<Tensor | null>, workgroups: [number, number, number]): void {
  engine.dispatch(engine.pipeline(code, entryPoint, {}, 'attention'), { params, buffers }, workgroups);
}

function attentionParams({ batch, tokens, heads, headDim }: AttentionGeometry): ArrayBuffer {
  return packParams([
    ['u32', batch],
    ['u32', tokens],
    ['u32', heads],
    ['u32', headDim],
    ['f32', 1 / Math.sqrt(headDim)],
  ]);
}

/** Reads batch, tokens and the head split from q, rejecting a q that is not [batch, tokens, heads·headDim] f32. */
function attentionGeometry(q: Tensor, heads: number): AttentionGeometry {
  if (q.shape.length !== 3) {
    throw new ShapeError(`attention q has shape ${formatShape(q.shape)}, expected [batch, tokens, hidden] with hidden = heads·headDim.`);
  }
  expectDType('attention q', q, 'f32');
  if (!Number.isInteger(heads) || heads <= 0) {
    throw new RangeError(`attention heads must be a positive integer, got ${heads}.`);
  }
  const [batch, tokens, hidden] = q.shape;
  if (hidden % heads !== 0) {
    throw new ShapeError(`attention hidden size ${hidden} is not divisible by heads ${heads}. Choose heads so that hidden = heads·headDim.`);
  }
  return { batch, tokens, heads, headDim: hidden / heads, hidden };
}

/** Rejects a k, v or dContext whose shape differs from q's, which would mean another batch, sequence length or hidden size. */
function expectLikeQuery(name: string, tensor: Tensor, q: Tensor): void {
  const same = tensor.shape.length === q.shape.length && tensor.shape.every((size, i) => size === q.shape[i]);
  if (!same) {
    throw new ShapeError(`${name} has shape ${formatShape(tensor.shape)}, expected ${formatShape(q.shape)} like q ([batch, tokens, hidden]).`);
  }
  expectDType(name, tensor, 'f32');
}

function expectMask(mask: Tensor, { batch, tokens }: AttentionGeometry): void {
  if (mask.dtype !== 'i32') {
    throw new TypeError(`attention mask has dtype ${mask.dtype}, expected i32 with 1 for a real token and 0 for padding.`);
  }
  const expected = [batch, tokens];
  if (mask.shape.length !== 2 || mask.shape[0] !== batch || mask.shape[1] !== tokens) {
    throw new ShapeError(`attention mask has shape ${formatShape(mask.shape)}, expected ${formatShape(expected)} ([batch, tokens] of q).`);
  }
}

function expectProbs(probs: Tensor, { batch, heads, tokens }: AttentionGeometry): void {
  const expected = [batch, heads, tokens, tokens];
  const same = probs.shape.length === 4 && probs.shape.every((size, i) => size === expected[i]);
  if (!same) {
    throw new ShapeError(
      `attention probs has shape ${formatShape(probs.shape)}, expected ${formatShape(expected)} ([batch, heads, tokens, tokens]). ` +
        'Pass the probs that attentionForward returned for the same q and heads.',
    );
  }
  expectDType('attention probs', probs, 'f32');
}

