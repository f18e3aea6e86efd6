// One BERT encoder layer (transformers' BertLayer): the attention block, then the feed-forward block
// intermediate dense → GELU → output dense → dropout → residual add → LayerNorm.
import { addInPlace } from '../gpu/ops/add';
import { geluBackward, geluForward } from '../gpu/ops/gelu';
import { layerNormBackward, layerNormForward } from '../gpu/ops/layernorm';
import type { Tensor } from '../gpu/tensor';
import type { AttentionBlock, AttentionBlockCache, BatchGeometry } from './attention-block';
import type { Dense, DenseCache } from './dense';
import { applyDropout, dropoutGrad, dropoutMask, retain, type ActivationTape, type DropoutMask, type ForwardStep } from './step';
import type { ModelParameter } from './trainable';

export interface FeedForwardCache {
  intermediate: DenseCache;
  /** intermediate.dense output before GELU [rows, intermediate]. */
  preActivation: Tensor;
  output: DenseCache;
  dropout: DropoutMask | null;
  /** dropout(output) + attention output [rows, hidden], the LayerNorm input. */
  residual: Tensor;
  mean: Tensor;
  rstd: Tensor;
}

export interface EncoderLayerCache {
  attention: AttentionBlockCache;
  /** The attention block's output [rows, hidden]: the feed-forward input and its residual. */
  attentionOutput: Tensor;
  feedForward: FeedForwardCache;
}

export interface FeedForwardModules {
  /** intermediate.dense [intermediate, hidden] */
  intermediate: Dense;
  /** output.dense [hidden, intermediate] */
  output: Dense;
  normWeight: ModelParameter;
  normBias: ModelParameter;
}

export class EncoderLayer {
  constructor(
    /** Module path, e.g. "encoder.layer.0". */
    readonly name: string,
    readonly attention: AttentionBlock,
    readonly feedForward: FeedForwardModules,
    private readonly layerNormEps: number,
    private readonly dropoutProb: number,
  ) {}

  /** Returns the layer output [rows, hidden] for x [rows, hidden] (owned by the caller); with a tape, the cache for backward(). */
  forward(x: Tensor, mask: Tensor, geometry: BatchGeometry, step: ForwardStep, tape: ActivationTape | null): { y: Tensor; cache: EncoderLayerCache | null } {
    const { intermediate, output, normWeight, normBias } = this.feedForward;
    const attention = this.attention.forward(x, mask, geometry, step, tape);
    const a = attention.y;

    // GELU(intermediate(a)) [rows, intermediate] → output dense [rows, hidden].
    const preActivation = intermediate.forward(a, tape);
    const activation = geluForward(preActivation.y);
    retain(tape, `${this.name}.intermediate.preActivation`, preActivation.y);
    const projected = output.forward(activation, tape);
    retain(tape, `${this.name}.intermediate.activation`, activation);

    // residual = dropout(projected) + a, then LayerNorm.
    const dropout = dropoutMask(step, `${this.name}.output.dropout`, this.dropoutProb);
    const residual = applyDropout(projected.y, dropout);
    if (residual !== projected.y) projected.y.destroy();
    addInPlace(residual, a);
    const norm = layerNormForward(residual, normWeight.param, normBias.param, this.layerNormEps);
    retain(tape, `${this.name}.attention.result`, a);
    retain(tape, `${this.name}.output.residual`, residual);
    retain(tape, `${this.name}.output.LayerNorm.mean`, norm.mean);
    retain(tape, `${this.name}.output.LayerNorm.rstd`, norm.rstd);

    if (!tape) return { y: norm.y, cache: null };
    const feedForward: FeedForwardCache = {
      intermediate: preActivation.cache!,
      preActivation: preActivation.y,
      output: projected.cache!,
      dropout,
      residual,
      mean: norm.mean,
      rstd: norm.rstd,
    };
    return { y: norm.y, cache: { attention: attention.cache!, attentionOutput: a, feedForward } };
  }

  /**
   * Backpropagates dy [rows, hidden], the gradient of the layer output (not modified or destroyed here), and
   * returns the gradient of the layer input when `inputGrad` is 'new'.
   */
  backward(cache: EncoderLayerCache, dy: Tensor, geometry: BatchGeometry, inputGrad: 'new' | 'none', accumulate: boolean): Tensor | null {
    const { intermediate, output, normWeight, normBias } = this.feedForward;
    const ff = cache.feedForward;

    // LayerNorm: dResidual [rows, hidden] reaches the attention output directly and the output dense through dropout.
    const dResidual = layerNormBackward(ff.residual, normWeight.param, ff.mean, ff.rstd, dy, {
      gammaGrad: normWeight.grad ?? undefined,
      betaGrad: normBias.grad ?? undefined,
      accumulate: accumulate && (normWeight.grad !== null || normBias.grad !== null),
    });
    const dProjected = dropoutGrad(dResidual, ff.dropout);
    const dActivation = output.backward(ff.output, dProjected, 'new', accumulate)!;
    if (dProjected !== dResidual) dProjected.destroy();

    // GELU, then the intermediate dense adds its input gradient to the residual branch's: dA = dResidual + dPre·W.
    const dPreActivation = geluBackward(ff.preActivation, dActivation);
    dActivation.destroy();
    intermediate.backward(ff.intermediate, dPreActivation, dResidual, accumulate);
    dPreActivation.destroy();

    const dx = this.attention.backward(cache.attention, dResidual, geometry, inputGrad, accumulate);
    dResidual.destroy();
    return dx;
  }
}
