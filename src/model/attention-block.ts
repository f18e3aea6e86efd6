// The attention half of a BERT layer (transformers' BertAttention): Q/K/V projections → multi-head attention
// with the key padding mask → output dense → dropout → residual add → LayerNorm.
import { addInPlace } from '../gpu/ops/add';
import { attentionBackward, attentionForward } from '../gpu/ops/attention';
import { layerNormBackward, layerNormForward } from '../gpu/ops/layernorm';
import type { Tensor } from '../gpu/tensor';
import type { Dense, DenseCache, InputGradTarget } from './dense';
import { applyDropout, dropoutGrad, dropoutMask, retain, type ActivationTape, type DropoutMask, type ForwardStep } from './step';
import type { ModelParameter } from './trainable';

/** Sizes of one batch: rows = batch · tokens. */
export interface BatchGeometry {
  batch: number;
  tokens: number;
}

export interface AttentionBlockCache {
  query: DenseCache;
  key: DenseCache;
  value: DenseCache;
  /** Projections [rows, hidden]. */
  q: Tensor;
  k: Tensor;
  v: Tensor;
  /** Softmax of the masked scores [batch, heads, tokens, tokens], before dropout. */
  probs: Tensor;
  probsDropout: DropoutMask | null;
  output: DenseCache;
  dropout: DropoutMask | null;
  /** dropout(output) + input [rows, hidden], the LayerNorm input. */
  residual: Tensor;
  mean: Tensor;
  rstd: Tensor;
}

export interface AttentionBlockModules {
  query: Dense;
  key: Dense;
  value: Dense;
  /** attention.output.dense */
  output: Dense;
  normWeight: ModelParameter;
  normBias: ModelParameter;
}

export class AttentionBlock {
  constructor(
    /** Module path, e.g. "encoder.layer.0.attention". */
    readonly name: string,
    readonly modules: AttentionBlockModules,
    private readonly heads: number,
    private readonly layerNormEps: number,
    private readonly dropoutProb: number,
    /** attention_probs_dropout_prob: dropout on the attention probabilities in training. */
    private readonly attentionDropoutProb: number,
  ) {}

  /**
   * Returns the block output [rows, hidden] for x [rows, hidden] (owned by the caller) and the attention mask
   * [batch, tokens] i32; with a tape, the cache for backward().
   */
  forward(x: Tensor, mask: Tensor, geometry: BatchGeometry, step: ForwardStep, tape: ActivationTape | null): { y: Tensor; cache: AttentionBlockCache | null } {
    const { query, key, value, output, normWeight, normBias } = this.modules;
    const { batch, tokens } = geometry;
    const hidden = x.shape[1];
    const asSequences = (t: Tensor): Tensor => t.reshape([batch, tokens, hidden]);

    // Q, K, V [rows, hidden], viewed as [batch, tokens, hidden] for the attention op.
    const q = query.forward(x, tape);
    const k = key.forward(x, tape);
    const v = value.forward(x, tape);
    // The attention op applies dropout to the probabilities itself and regenerates the mask in the backward.
    const probsDropout = dropoutMask(step, `${this.name}.self.dropout`, this.attentionDropoutProb);
    const attention = attentionForward(asSequences(q.y), asSequences(k.y), asSequences(v.y), mask, { heads: this.heads, dropout: probsDropout ?? undefined });
    retain(tape, `${this.name}.self.q`, q.y);
    retain(tape, `${this.name}.self.k`, k.y);
    retain(tape, `${this.name}.self.v`, v.y);
    retain(tape, `${this.name}.self.probs`, attention.probs);

    // The context is the output dense's input, so its backward needs it for the weight gradient.
    const context = attention.context.reshape([batch * tokens, hidden]);
    const projected = output.forward(context, tape);
    retain(tape, `${this.name}.self.context`, attention.context);

    // residual = dropout(projected) + x, then LayerNorm.
    const outputDropout = dropoutMask(step, `${this.name}.output.dropout`, this.dropoutProb);
    const residual = applyDropout(projected.y, outputDropout);
    if (residual !== projected.y) projected.y.destroy();
    addInPlace(residual, x);
    const norm = layerNormForward(residual, normWeight.param, normBias.param, this.layerNormEps);
    retain(tape, `${this.name}.output.residual`, residual);
    retain(tape, `${this.name}.output.LayerNorm.mean`, norm.mean);
    retain(tape, `${this.name}.output.LayerNorm.rstd`, norm.rstd);

    if (!tape) return { y: norm.y, cache: null };
    const cache: AttentionBlockCache = {
      query: q.cache!,
      key: k.cache!,
      value: v.cache!,
      q: q.y,
      k: k.y,
      v: v.y,
      probs: attention.probs,
      probsDropout,
      output: projected.cache!,
      dropout: outputDropout,
      residual,
      mean: norm.mean,
      rstd: norm.rstd,
    };
    return { y: norm.y, cache };
  }

  /**
   * Backpropagates dy [rows, hidden] (the gradient of the block output, which this call does not modify or
   * destroy). Returns the gradient of the block input per `inputGrad`: 'new' or 'none' (the residual branch
   * and Q, K, V are summed into one new tensor only when the caller needs it).
   */
  backward(cache: AttentionBlockCache, dy: Tensor, geometry: BatchGeometry, inputGrad: 'new' | 'none', accumulate: boolean): Tensor | null {
    const { query, key, value, output, normWeight, normBias } = this.modules;
    const { batch, tokens } = geometry;
    const hidden = dy.shape[1];
    const asSequences = (t: Tensor): Tensor => t.reshape([batch, tokens, hidden]);
    const asRows = (t: Tensor): Tensor => t.reshape([batch * tokens, hidden]);

    // LayerNorm: dResidual [rows, hidden] is the gradient of both x (residual branch) and dropout(projected).
    const dResidual = layerNormBackward(cache.residual, normWeight.param, cache.mean, cache.rstd, dy, {
      gammaGrad: normWeight.grad ?? undefined,
      betaGrad: normBias.grad ?? undefined,
      accumulate: accumulate && (normWeight.grad !== null || normBias.grad !== null),
    });

    // Output dense: dContext [rows, hidden].
    const dProjected = dropoutGrad(dResidual, cache.dropout);
    const dContext = output.backward(cache.output, dProjected, 'new', accumulate)!;
    if (dProjected !== dResidual) dProjected.destroy();

    // Attention: dq, dk, dv [batch, tokens, hidden].
    const grads = attentionBackward(asSequences(cache.q), asSequences(cache.k), asSequences(cache.v), cache.probs, asSequences(dContext), {
      heads: this.heads,
      dropout: cache.probsDropout ?? undefined,
    });
    dContext.destroy();

    // The input gradient is the residual branch plus what Q, K and V pass down, summed into dResidual.
    const target: InputGradTarget = inputGrad === 'new' ? dResidual : 'none';
    query.backward(cache.query, asRows(grads.dq), target, accumulate);
    key.backward(cache.key, asRows(grads.dk), target, accumulate);
    value.backward(cache.value, asRows(grads.dv), target, accumulate);
    grads.dq.destroy();
    grads.dk.destroy();
    grads.dv.destroy();

    if (inputGrad === 'new') return dResidual;
    dResidual.destroy();
    return null;
  }
}
