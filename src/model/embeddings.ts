// BERT's embeddings: word + position + token type, LayerNorm, dropout; and the backward into the three
// tables (scatter-add) and the LayerNorm for full fine-tuning.
import { addInPlace } from '../gpu/ops/add';
import { embeddingBackward, embeddingForward } from '../gpu/ops/embedding';
import { layerNormBackward, layerNormForward } from '../gpu/ops/layernorm';
import type { Tensor } from '../gpu/tensor';
import { applyDropout, dropoutGrad, dropoutMask, retain, type ActivationTape, type DropoutMask, type ForwardStep } from './step';
import type { ModelParameter } from './trainable';

/** The id tensors of one batch, each [batch·tokens] i32. */
export interface EmbeddingIds {
  word: Tensor;
  position: Tensor;
  tokenType: Tensor;
  /**
   * The word ids with pad_token_id replaced by −1, which the scatter-add skips, so that the padding row gets
   * no gradient as with nn.Embedding(padding_idx). Null when the word embeddings are frozen.
   */
  wordForGrad: Tensor | null;
}

export interface EmbeddingsCache {
  ids: EmbeddingIds;
  /** word + position + token type [rows, hidden], the LayerNorm input. */
  sum: Tensor;
  mean: Tensor;
  rstd: Tensor;
  dropout: DropoutMask | null;
}

export interface EmbeddingParameters {
  word: ModelParameter;
  position: ModelParameter;
  tokenType: ModelParameter;
  normWeight: ModelParameter;
  normBias: ModelParameter;
}

export class BertEmbeddings {
  constructor(
    readonly parameters: EmbeddingParameters,
    private readonly layerNormEps: number,
    private readonly dropoutProb: number,
  ) {}

  /** Returns the embeddings [rows, hidden]; with a tape, the cache for backward(). */
  forward(ids: EmbeddingIds, step: ForwardStep, tape: ActivationTape | null): { y: Tensor; cache: EmbeddingsCache | null } {
    const { word, position, tokenType, normWeight, normBias } = this.parameters;

    // sum [rows, hidden] = word[ids] + position[positions] + tokenType[types]
    const sum = embeddingForward(ids.word, word.param);
    const positions = embeddingForward(ids.position, position.param);
    addInPlace(sum, positions);
    positions.destroy();
    const types = embeddingForward(ids.tokenType, tokenType.param);
    addInPlace(sum, types);
    types.destroy();

    const norm = layerNormForward(sum, normWeight.param, normBias.param, this.layerNormEps);
    retain(tape, 'embeddings.sum', sum);
    retain(tape, 'embeddings.LayerNorm.mean', norm.mean);
    retain(tape, 'embeddings.LayerNorm.rstd', norm.rstd);

    const mask = dropoutMask(step, 'embeddings.dropout', this.dropoutProb);
    const y = applyDropout(norm.y, mask);
    if (y !== norm.y) norm.y.destroy();
    return { y, cache: tape ? { ids, sum, mean: norm.mean, rstd: norm.rstd, dropout: mask } : null };
  }

  /**
   * Backpropagates dy [rows, hidden] into the gradients of the tables and the LayerNorm. The tables' gradients
   * are scatter-adds, so without `accumulate` they are cleared first.
   */
  backward(cache: EmbeddingsCache, dy: Tensor, accumulate: boolean): void {
    const { word, position, tokenType, normWeight, normBias } = this.parameters;
    const dNorm = dropoutGrad(dy, cache.dropout);
    const dSum = layerNormBackward(cache.sum, normWeight.param, cache.mean, cache.rstd, dNorm, {
      gammaGrad: normWeight.grad ?? undefined,
      betaGrad: normBias.grad ?? undefined,
      accumulate: accumulate && (normWeight.grad !== null || normBias.grad !== null),
    });
    if (dNorm !== dy) dNorm.destroy();

    // The sum's gradient reaches each table unchanged, row by row.
    const tables: Array<[ModelParameter, Tensor | null]> = [
      [word, cache.ids.wordForGrad],
      [position, cache.ids.position],
      [tokenType, cache.ids.tokenType],
    ];
    for (const [table, ids] of tables) {
      if (!table.grad) continue;
      if (!ids) throw new Error(`${table.name} trains, but the forward kept no ids for its gradient.`);
      if (!accumulate) table.param.engine.clear(table.grad);
      embeddingBackward(ids, dSum, table.grad);
    }
    dSum.destroy();
  }
}
