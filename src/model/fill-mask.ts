// Fill-mask with a BertForMaskedLM checkpoint: tokenize texts that contain [MASK], run the masked-language-model
// head on the GPU, and return the top-k tokens with their softmax probabilities at every mask position, as
// transformers' FillMaskPipeline does.
import type { Engine } from '../gpu/engine';
import { gatherRows } from '../gpu/ops/rows';
import { BertModel } from './bert';
import { weightsFromCheckpoint } from './bert-weights';
import type { BertBatch } from './batch';
import type { BertCheckpoint } from './checkpoint';
import type { BertTokenizer } from './tokenizer';

/** Tokens listed per mask unless the caller asks for another number, as in transformers' FillMaskPipeline. */
export const DEFAULT_TOP_K = 5;

/** One vocabulary entry and its softmax probability over the whole vocabulary. */
export interface TokenProbability {
  id: number;
  probability: number;
}

export interface TokenPrediction extends TokenProbability {
  /** The vocabulary entry, e.g. "mat" or "##ing"; "<id N>" for an id past the tokenizer's vocabulary. */
  token: string;
  /** The text with this mask replaced by the token, decoded without [CLS] and [SEP]; other masks stay [MASK]. */
  sequence: string;
}

export interface MaskPrediction {
  /** Index of the mask in the encoded sequence, where [CLS] is 0. */
  position: number;
  /** The top-k tokens, most probable first. */
  predictions: TokenPrediction[];
}

export interface FillMaskResult {
  text: string;
  /** The encoded sequence, special tokens included. */
  tokens: string[];
  /** One entry per mask, in text order. */
  masks: MaskPrediction[];
}

export interface FillMaskOptions {
  /** Tokens to return per mask, an integer in [1, vocab size]. Default DEFAULT_TOP_K. */
  topK?: number;
}

/** Texts encoded for one forward: a padded batch and, per text, its tokens and mask positions. */
export interface MaskedTexts {
  batch: BertBatch;
  rows: Array<{ text: string; ids: number[]; tokens: string[]; maskPositions: number[] }>;
}

/**
 * Returns the k largest softmax probabilities of `logits[start … start + length)`, most probable first; a tie
 * lists the lower id first. The softmax runs in float64 with the maximum subtracted, so large logits cannot
 * overflow. Ids count from `start`.
 */
export function topKSoftmax(logits: ArrayLike<number>, k: number, start = 0, length = logits.length - start): TokenProbability[] {
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 1 || start + length > logits.length) {
    throw new RangeError(`topKSoftmax: the range [${start}, ${start + length}) is not a non-empty part of ${logits.length} logits.`);
  }
  if (!Number.isInteger(k) || k < 1 || k > length) {
    throw new RangeError(`Top-k is ${k}; expected an integer in [1, ${length}], the vocabulary size.`);
  }

  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const value = logits[start + i];
    if (!Number.isFinite(value)) {
      throw new RangeError(`Logit ${i} is ${value}; the model produced a non-finite value, so its weights or inputs are broken.`);
    }
    max = Math.max(max, value);
  }

  // Keep the k largest logits in a list sorted by logit, descending, and by id, ascending, for ties.
  let sum = 0;
  const best: Array<{ id: number; logit: number }> = [];
  for (let id = 0; id < length; id++) {
    const logit = logits[start + id];
    sum += Math.exp(logit - max);
    if (best.length === k && logit <= best[k - 1].logit) {
      continue;
    }
    let at = best.length;
    while (at > 0 && best[at - 1].logit < logit) {
      at--;
    }
    best.splice(at, 0, { id, logit });
    if (best.length > k) {
      best.pop();
    }
  }
  return best.map(({ id, logit }) => ({ id, probability: Math.exp(logit - max) / sum }));
}

/**
 * Encodes texts with [CLS] and [SEP] into one batch padded to the longest, and finds the mask tokens. Rejects a
 * text without the tokenizer's mask token, and one longer than `maxPositions` tokens (the position embeddings),
 * because truncating it could cut off a mask.
 */
export function encodeMaskedTexts(tokenizer: BertTokenizer, texts: readonly string[], maxPositions: number): MaskedTexts {
  if (!Array.isArray(texts) || texts.length === 0) {
    throw new RangeError('Fill-mask needs at least one text containing [MASK]; got none.');
  }
  const maskToken = tokenizer.idToToken(tokenizer.maskTokenId) ?? '[MASK]';

  const rows = texts.map((text: unknown, index) => {
    const textLabel = texts.length === 1 ? 'The text' : `Text ${index + 1}`;
    if (typeof text !== 'string') {
      throw new TypeError(`${textLabel} is ${JSON.stringify(text)}; expected a string containing ${maskToken}.`);
    }
    const { ids, tokens } = tokenizer.encode(text);
    const maskPositions = ids.flatMap((id, position) => (id === tokenizer.maskTokenId ? [position] : []));
    if (maskPositions.length === 0) {
      const lowercase = text.toLowerCase().includes(maskToken.toLowerCase())
        ? ` The mask token is case-sensitive: write ${maskToken}.`
        : '';
      throw new RangeError(`${textLabel} ${JSON.stringify(text)} has no ${maskToken} token. Put ${maskToken} where the model should predict a word, e.g. "The cat sat on the ${maskToken}."${lowercase}`);
    }
    if (ids.length > maxPositions) {
      throw new RangeError(`${textLabel} is ${ids.length} tokens long with [CLS] and [SEP], but the model reads at most ${maxPositions} (max_position_embeddings). Shorten it.`);
    }
    return { text, ids, tokens, maskPositions };
  });

  const tokens = Math.max(...rows.map((row) => row.ids.length));
  const inputIds = new Int32Array(rows.length * tokens).fill(tokenizer.padTokenId);
  const attentionMask = new Int32Array(rows.length * tokens);
  rows.forEach((row, index) => {
    inputIds.set(row.ids, index * tokens);
    attentionMask.fill(1, index * tokens, index * tokens + row.ids.length);
  });
  // Every token of a single text has token type 0, so the default all-zero token type ids fit.
  return { batch: { batch: rows.length, tokens, inputIds, attentionMask }, rows };
}

/**
 * Runs the masked-language-model head on `batch` and returns the top-k probabilities of each requested row of
 * the flattened [batch·tokens] sequence. Only those rows are copied back from the GPU.
 */
export async function predictMaskedRows(model: BertModel, batch: BertBatch, rows: readonly number[], topK = DEFAULT_TOP_K): Promise<TokenProbability[][]> {
  const total = batch.batch * batch.tokens;
  const bad = rows.find((row) => !Number.isInteger(row) || row < 0 || row >= total);
  if (bad !== undefined) {
    throw new RangeError(`Mask row ${bad} is not in [0, ${total}), the rows of a batch of ${batch.batch} × ${batch.tokens} tokens.`);
  }
  const vocab = model.config.vocabSize;
  if (!Number.isInteger(topK) || topK < 1 || topK > vocab) {
    throw new RangeError(`Top-k is ${topK}; expected an integer in [1, ${vocab}], the vocabulary size.`);
  }

  // logits: [batch·tokens, vocab]
  const logits = model.mlmLogits(batch);
  try {
    const results: TokenProbability[][] = [];
    for (const row of rows) {
      // A stride of all rows selects exactly one row, the one at `offset`.
      const selected = gatherRows(logits, { stride: total, offset: row });
      try {
        results.push(topKSoftmax(await selected.readFloat(), topK));
      } finally {
        selected.destroy();
      }
    }
    return results;
  } finally {
    logits.destroy();
  }
}

/** Throws when the checkpoint has no masked-language-model head (cls.predictions.*), which fill-mask needs. */
export function requireMlmHead(checkpoint: BertCheckpoint): void {
  if (checkpoint.mlmHead === undefined) {
    throw new Error(
      `${checkpoint.fileName} has no masked-language-model head (cls.predictions.*), so it cannot fill in [MASK]. ` +
        'Load a BertForMaskedLM checkpoint, such as google/bert_uncased_L-2_H-128_A-2 or the embedded default model.',
    );
  }
}

/**
 * Uploads a checkpoint's weights into a BertModel that can run fill-mask. Rejects a checkpoint without the
 * masked-language-model head before anything is uploaded. The caller owns the model and destroys it.
 */
export function createFillMaskModel(engine: Engine, checkpoint: BertCheckpoint): BertModel {
  requireMlmHead(checkpoint);
  // BertModel always builds a task head. Fill-mask never runs it, so a two-class head with seed 0 is enough.
  return BertModel.create(engine, checkpoint.config, weightsFromCheckpoint(checkpoint), {
    task: { kind: 'classification', numLabels: 2 },
    trainable: { kind: 'head' },
    seed: 0,
  });
}

/** Predicts the top-k tokens for every [MASK] of every text, running all texts as one padded batch. */
export async function fillMask(model: BertModel, tokenizer: BertTokenizer, texts: readonly string[], options: FillMaskOptions = {}): Promise<FillMaskResult[]> {
  if (!model.hasMlmHead) {
    throw new Error('This model has no masked-language-model head (cls.predictions.*), so it cannot fill in [MASK]. Load a BertForMaskedLM checkpoint.');
  }
  const { batch, rows } = encodeMaskedTexts(tokenizer, texts, model.config.maxPositionEmbeddings);
  const flatRows = rows.flatMap((row, index) => row.maskPositions.map((position) => index * batch.tokens + position));
  const probabilities = await predictMaskedRows(model, batch, flatRows, options.topK ?? DEFAULT_TOP_K);

  let next = 0;
  return rows.map((row) => ({
    text: row.text,
    tokens: row.tokens,
    masks: row.maskPositions.map((position) => ({
      position,
      predictions: probabilities[next++].map(({ id, probability }) => ({
        id,
        probability,
        token: tokenizer.idToToken(id) ?? `<id ${id}>`,
        sequence: filledSequence(tokenizer, row.ids, position, id),
      })),
    })),
  }));
}

/** Decodes `ids` with `position` replaced by `id`, leaving out [CLS], [SEP] and [PAD] but keeping other masks. */
function filledSequence(tokenizer: BertTokenizer, ids: readonly number[], position: number, id: number): string {
  const skipped = new Set([tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.padTokenId]);
  const filled = ids.map((original, index) => (index === position ? id : original)).filter((value, index) => index === position || !skipped.has(value));
  // An id past the tokenizer's vocabulary (a padded embedding table) cannot be decoded, so it shows as [UNK].
  return tokenizer.decode(filled.map((value) => (value < tokenizer.vocabSize ? value : tokenizer.unkTokenId)));
}
