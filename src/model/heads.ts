// The modules on top of the encoder: the pooler (dense + tanh on the [CLS] row), the task head of
// BertForSequenceClassification (dropout + classifier, with cross-entropy or MSE), and the masked-language-model
// head of BertForMaskedLM for fill-mask.
import { crossEntropyBackward, crossEntropyForward, type CrossEntropyForwardResult } from '../gpu/ops/cross-entropy';
import { geluForward } from '../gpu/ops/gelu';
import { layerNormForward } from '../gpu/ops/layernorm';
import { linearForward } from '../gpu/ops/linear';
import { mseBackward, mseForward } from '../gpu/ops/mse';
import { gatherRows, scatterRows } from '../gpu/ops/rows';
import { tanhBackward, tanhForward } from '../gpu/ops/tanh';
import type { Tensor } from '../gpu/tensor';
import type { BatchGeometry } from './attention-block';
import type { Dense, DenseCache } from './dense';
import { applyDropout, dropoutGrad, dropoutMask, retain, type ActivationTape, type DropoutMask, type ForwardStep } from './step';
import type { ModelParameter } from './trainable';

/** The task of the head: classification into numLabels classes (cross-entropy), or one regression output (MSE). */
export type TaskSpec = { kind: 'classification'; numLabels: number } | { kind: 'regression' };

/** Outputs of the head: numLabels for classification, 1 for regression. */
export function headOutputs(task: TaskSpec): number {
  if (task.kind === 'regression') return 1;
  if (task.kind !== 'classification') throw new RangeError(`Task kind "${(task as { kind: string }).kind}" is unknown; use "classification" or "regression".`);
  if (!Number.isInteger(task.numLabels) || task.numLabels < 2) {
    throw new RangeError(`Classification numLabels is ${task.numLabels}; expected an integer ≥ 2 (use the regression task for one output).`);
  }
  return task.numLabels;
}

export interface PoolerCache {
  /** The [CLS] rows [batch, hidden], the dense layer's input. */
  cls: Tensor;
  dense: DenseCache;
  /** tanh output [batch, hidden], which tanhBackward needs. */
  pooled: Tensor;
}

export class Pooler {
  constructor(readonly dense: Dense) {}

  /**
   * Returns pooled = tanh(dense(hidden[CLS])) [batch, hidden] for hidden [batch·tokens, hidden]. The caller owns
   * `pooled` and keeps it alive until backward(); with a tape, the cache for backward().
   */
  forward(hidden: Tensor, geometry: BatchGeometry, tape: ActivationTape | null): { pooled: Tensor; cache: PoolerCache | null } {
    const cls = gatherRows(hidden, { stride: geometry.tokens });
    const projected = this.dense.forward(cls, tape);
    const pooled = tanhForward(projected.y);
    projected.y.destroy();
    retain(tape, 'pooler.cls', cls);
    return { pooled, cache: tape ? { cls, dense: projected.cache!, pooled } : null };
  }

  /** Returns dHidden [batch·tokens, hidden]: dPooled [batch, hidden] brought back to the [CLS] rows, zero elsewhere. */
  backward(cache: PoolerCache, dPooled: Tensor, geometry: BatchGeometry, accumulate: boolean): Tensor {
    const dProjected = tanhBackward(cache.pooled, dPooled);
    const dCls = this.dense.backward(cache.dense, dProjected, 'new', accumulate)!;
    dProjected.destroy();
    const hidden = dCls.shape[1];
    const dHidden = dCls.engine.zeros([geometry.batch * geometry.tokens, hidden], 'f32', 'pooler.dHidden');
    scatterRows(dCls, dHidden, { stride: geometry.tokens });
    dCls.destroy();
    return dHidden;
  }
}

export interface TaskHeadCache {
  classifier: DenseCache;
  dropout: DropoutMask | null;
  logits: Tensor;
  /** Class ids [batch] (i32) or regression targets [batch] (f32). */
  labels: Tensor;
  crossEntropy: Pick<CrossEntropyForwardResult, 'logSumExp' | 'validRows'> | null;
}

export class TaskHead {
  constructor(
    readonly task: TaskSpec,
    /** "classifier" [outputs, hidden], as in BertForSequenceClassification. */
    readonly classifier: Dense,
    private readonly dropoutProb: number,
  ) {}

  /**
   * Returns logits [batch, outputs] for pooled [batch, hidden] and, when labels are given, the mean loss [1].
   * The caller owns logits, loss and labels and keeps them alive until backward().
   */
  forward(pooled: Tensor, labels: Tensor | null, step: ForwardStep, tape: ActivationTape | null): { logits: Tensor; loss: Tensor | null; cache: TaskHeadCache | null } {
    const dropout = dropoutMask(step, 'classifier.dropout', this.dropoutProb);
    const x = applyDropout(pooled, dropout);
    const { y: logits, cache: classifier } = this.classifier.forward(x, tape);
    if (x !== pooled) retain(tape, 'classifier.input', x);

    let loss: Tensor | null = null;
    let crossEntropy: TaskHeadCache['crossEntropy'] = null;
    if (labels && this.task.kind === 'classification') {
      const result = crossEntropyForward(logits, labels);
      loss = result.loss;
      crossEntropy = { logSumExp: result.logSumExp, validRows: result.validRows };
      retain(tape, 'loss.logSumExp', result.logSumExp);
      retain(tape, 'loss.validRows', result.validRows);
    } else if (labels) {
      loss = mseForward(logits, labels);
    }

    const cache = tape && labels ? { classifier: classifier!, dropout, logits, labels, crossEntropy } : null;
    return { logits, loss, cache };
  }

  /** Backpropagates the mean loss into the classifier's gradients and returns dPooled [batch, hidden] when `inputGrad` is 'new'. */
  backward(cache: TaskHeadCache, inputGrad: 'new' | 'none', accumulate: boolean): Tensor | null {
    const dLogits = cache.crossEntropy ? crossEntropyBackward(cache.logits, cache.labels, cache.crossEntropy) : mseBackward(cache.logits, cache.labels);
    const dx = this.classifier.backward(cache.classifier, dLogits, inputGrad, accumulate);
    dLogits.destroy();
    if (!dx) return null;
    const dPooled = dropoutGrad(dx, cache.dropout);
    if (dPooled !== dx) dx.destroy();
    return dPooled;
  }
}

export interface MlmHeadParameters {
  transform: Dense;
  normWeight: ModelParameter;
  normBias: ModelParameter;
  /** The word embeddings [vocab, hidden], to which the decoder is tied. */
  decoderWeight: ModelParameter;
  /** cls.predictions.bias [vocab] */
  decoderBias: ModelParameter;
}

export class MlmHead {
  constructor(
    readonly parameters: MlmHeadParameters,
    private readonly layerNormEps: number,
  ) {}

  /** Returns logits [rows, vocab] = decoder(LayerNorm(GELU(dense(hidden)))) for hidden [rows, hidden]; inference only. */
  logits(hidden: Tensor): Tensor {
    const { transform, normWeight, normBias, decoderWeight, decoderBias } = this.parameters;
    const projected = transform.forward(hidden, null).y;
    const activation = geluForward(projected);
    projected.destroy();
    const norm = layerNormForward(activation, normWeight.param, normBias.param, this.layerNormEps);
    activation.destroy();
    norm.mean.destroy();
    norm.rstd.destroy();
    const logits = linearForward(norm.y, decoderWeight.param, decoderBias.param);
    norm.y.destroy();
    return logits;
  }
}
