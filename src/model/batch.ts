// A tokenized batch on the host, its checks, and its upload as the i32 tensors the model reads.
import type { Engine } from '../gpu/engine';
import { checkLabels } from '../gpu/ops/cross-entropy';
import { checkTokenIds } from '../gpu/ops/embedding';
import type { Tensor } from '../gpu/tensor';
import type { BertArchitecture } from './bert-weights';
import type { EmbeddingIds } from './embeddings';
import type { TaskSpec } from './heads';

/** One batch of `batch` sequences padded to `tokens`, every array row-major [batch, tokens] or [batch]. */
export interface BertBatch {
  batch: number;
  tokens: number;
  /** Token ids [batch·tokens] in [0, vocabSize). */
  inputIds: Int32Array;
  /** Segment ids [batch·tokens] in [0, typeVocabSize); all 0 when omitted. */
  tokenTypeIds?: Int32Array;
  /** 1 for a real token and 0 for padding [batch·tokens]; all 1 when omitted. */
  attentionMask?: Int32Array;
  /**
   * Labels [batch]: class ids (Int32Array, IGNORE_INDEX = −100 skips a sequence) for classification, targets
   * (Float32Array) for regression. Needed for the loss and backward().
   */
  labels?: Int32Array | Float32Array;
}

/** Throws naming the first invalid field of `batch`. */
export function validateBatch(config: BertArchitecture, task: TaskSpec | null, batch: BertBatch): void {
  const { batch: sequences, tokens } = batch;
  if (!Number.isInteger(sequences) || sequences < 1 || !Number.isInteger(tokens) || tokens < 1) {
    throw new RangeError(`Batch size ${sequences} and sequence length ${tokens} must both be positive integers.`);
  }
  if (tokens > config.maxPositionEmbeddings) {
    throw new RangeError(`Sequence length ${tokens} exceeds the model's ${config.maxPositionEmbeddings} position embeddings; truncate the input to at most that many tokens.`);
  }
  const rows = sequences * tokens;
  const expectLength = (name: string, values: ArrayLike<number>, length: number): void => {
    if (values.length !== length) throw new RangeError(`${name} has ${values.length} values; expected ${length} for batch ${sequences} × tokens ${tokens}.`);
  };

  if (!(batch.inputIds instanceof Int32Array)) throw new TypeError('inputIds must be an Int32Array.');
  expectLength('inputIds', batch.inputIds, rows);
  checkTokenIds(batch.inputIds, config.vocabSize, 'inputIds');
  if (batch.tokenTypeIds) {
    expectLength('tokenTypeIds', batch.tokenTypeIds, rows);
    checkTokenIds(batch.tokenTypeIds, config.typeVocabSize, 'tokenTypeIds');
  }
  if (batch.attentionMask) {
    expectLength('attentionMask', batch.attentionMask, rows);
    const bad = batch.attentionMask.findIndex((value) => value !== 0 && value !== 1);
    if (bad >= 0) throw new RangeError(`attentionMask[${bad}] is ${batch.attentionMask[bad]}; expected 1 for a real token or 0 for padding.`);
  }

  if (!batch.labels || !task) return;
  expectLength('labels', batch.labels, sequences);
  if (task.kind === 'classification') {
    if (!(batch.labels instanceof Int32Array)) throw new TypeError('Classification labels must be an Int32Array of class ids.');
    checkLabels(batch.labels, task.numLabels, 'labels');
  } else {
    if (!(batch.labels instanceof Float32Array)) throw new TypeError('Regression labels must be a Float32Array of targets.');
    const bad = batch.labels.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new RangeError(`labels[${bad}] is ${batch.labels[bad]}; regression targets must be finite.`);
  }
}

/** The GPU tensors of one batch. */
export interface BatchTensors {
  ids: EmbeddingIds;
  /** [batch, tokens] i32 */
  mask: Tensor;
  labels: Tensor | null;
  /** Every tensor above, to destroy together. */
  all: Tensor[];
}

/**
 * Uploads a validated batch. `wordIdsForGrad` also uploads the word ids with padTokenId replaced by −1 for
 * the word-embedding gradient.
 */
export function uploadBatch(engine: Engine, config: BertArchitecture, batch: BertBatch, wordIdsForGrad: boolean): BatchTensors {
  const rows = batch.batch * batch.tokens;
  const positions = new Int32Array(rows);
  for (let i = 0; i < rows; i++) positions[i] = i % batch.tokens;

  const word = engine.tensor(batch.inputIds, [rows], 'i32', 'batch.inputIds');
  const position = engine.tensor(positions, [rows], 'i32', 'batch.positionIds');
  const tokenType = engine.tensor(batch.tokenTypeIds ?? new Int32Array(rows), [rows], 'i32', 'batch.tokenTypeIds');
  const mask = engine.tensor(batch.attentionMask ?? new Int32Array(rows).fill(1), [batch.batch, batch.tokens], 'i32', 'batch.attentionMask');
  const all = [word, position, tokenType, mask];

  let wordForGrad: Tensor | null = null;
  if (wordIdsForGrad) {
    const pad = config.padTokenId ?? 0;
    wordForGrad = engine.tensor(batch.inputIds.map((id) => (id === pad ? -1 : id)), [rows], 'i32', 'batch.inputIds.forGrad');
    all.push(wordForGrad);
  }

  let labels: Tensor | null = null;
  if (batch.labels) {
    labels = batch.labels instanceof Int32Array ? engine.tensor(batch.labels, [batch.batch], 'i32', 'batch.labels') : engine.tensor(batch.labels, [batch.batch], 'f32', 'batch.targets');
    all.push(labels);
  }
  return { ids: { word, position, tokenType, wordForGrad }, mask, labels, all };
}
