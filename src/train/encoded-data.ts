// The task's splits tokenized once per experiment into host arrays [examples, maxLength], and the
// model batches cut from them. Every run of the experiment reuses the same arrays.
import type { TaskExample, TaskKind } from '../data/task';
import type { BertBatch } from '../model/batch';
import type { TaskSpec } from '../model/heads';
import type { BertTokenizer } from '../model/tokenizer';

export type SplitName = 'train' | 'dev' | 'test';

/** One tokenized split, row-major [size, maxLength] like EncodedBatch, with the labels and row lengths. */
export interface EncodedSplit {
  split: SplitName;
  size: number;
  maxLength: number;
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  /** Real tokens per row (special tokens included, padding excluded) [size]. */
  lengths: Int32Array;
  /** Class ids (Int32Array) for classification, targets (Float32Array) for regression [size]. */
  labels: Int32Array | Float32Array;
}

/** Texts tokenized per call of encodeBatch, so that a large split yields to the event loop between chunks. */
const TOKENIZE_CHUNK = 256;

/** Returns the model's head spec for a task, checking that a classification task names at least two classes. */
export function taskSpecOf(task: { id: string; kind: TaskKind; labels?: string[] }): TaskSpec {
  if (task.kind === 'regression') return { kind: 'regression' };
  if (task.kind !== 'classification') {
    throw new RangeError(`Task "${task.id}" has kind "${String(task.kind)}"; expected "classification" or "regression".`);
  }
  const numLabels = task.labels?.length ?? 0;
  if (numLabels < 2) {
    throw new RangeError(`Classification task "${task.id}" names ${numLabels} labels; it needs at least two class names in \`labels\`.`);
  }
  return { kind: 'classification', numLabels };
}

/**
 * Tokenizes one split at `maxLength` (pairs when the examples have textPair) and checks every label.
 * `onProgress` receives the examples done so far and the total after each chunk.
 */
export async function encodeSplit(
  tokenizer: BertTokenizer,
  examples: readonly TaskExample[],
  split: SplitName,
  labels: TaskSpec,
  maxLength: number,
  onProgress?: (done: number, total: number) => void,
): Promise<EncodedSplit> {
  const size = examples.length;
  if (size === 0) throw new RangeError(`The ${split} split has no examples; every split needs at least one.`);
  const isPair = examples[0].textPair !== undefined;
  const encodedLabels = checkExamples(examples, split, labels, isPair);

  const inputIds = new Int32Array(size * maxLength);
  const tokenTypeIds = new Int32Array(size * maxLength);
  const attentionMask = new Int32Array(size * maxLength);
  for (let start = 0; start < size; start += TOKENIZE_CHUNK) {
    const chunk = examples.slice(start, start + TOKENIZE_CHUNK);
    const texts = isPair ? chunk.map((example) => [example.text, example.textPair!] as const) : chunk.map((example) => example.text);
    const encoded = tokenizer.encodeBatch(texts, { maxLength });
    inputIds.set(encoded.inputIds, start * maxLength);
    tokenTypeIds.set(encoded.tokenTypeIds, start * maxLength);
    attentionMask.set(encoded.attentionMask, start * maxLength);
    onProgress?.(Math.min(start + TOKENIZE_CHUNK, size), size);
    // Lets the Worker receive a cancel command between chunks of a large split.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  const lengths = new Int32Array(size);
  for (let row = 0; row < size; row++) {
    let length = 0;
    for (let i = 0; i < maxLength; i++) length += attentionMask[row * maxLength + i];
    lengths[row] = length;
  }
  return { split, size, maxLength, inputIds, tokenTypeIds, attentionMask, lengths, labels: encodedLabels };
}

/** Checks texts and labels of every example, and returns the labels as the model's typed array. */
function checkExamples(examples: readonly TaskExample[], split: SplitName, labels: TaskSpec, isPair: boolean): Int32Array | Float32Array {
  const encoded = labels.kind === 'classification' ? new Int32Array(examples.length) : new Float32Array(examples.length);
  examples.forEach((example, i) => {
    const where = `Example ${i} of the ${split} split`;
    if (typeof example.text !== 'string') throw new TypeError(`${where} has text ${JSON.stringify(example.text)}; expected a string.`);
    if ((example.textPair !== undefined) !== isPair) {
      throw new TypeError(`${where} ${isPair ? 'has no textPair' : 'has a textPair'}, but example 0 ${isPair ? 'has one' : 'has none'}; a split is all single texts or all pairs.`);
    }
    if (isPair && typeof example.textPair !== 'string') throw new TypeError(`${where} has textPair ${JSON.stringify(example.textPair)}; expected a string.`);

    const label = example.label;
    if (labels.kind === 'classification') {
      if (!Number.isInteger(label) || label < 0 || label >= labels.numLabels) {
        throw new RangeError(`${where} has label ${label}; expected a class index from 0 to ${labels.numLabels - 1}.`);
      }
    } else if (typeof label !== 'number' || !Number.isFinite(label)) {
      throw new RangeError(`${where} has label ${label}; a regression target must be a finite number.`);
    }
    encoded[i] = label;
  });
  return encoded;
}

/**
 * Gathers rows `indices` of a split into one model batch. The batch is cut to its longest row, because
 * padding beyond it changes no output: the attention mask hides padded keys, and the head reads only
 * the [CLS] row.
 */
export function gatherBatch(split: EncodedSplit, indices: ArrayLike<number>): BertBatch {
  const batch = indices.length;
  if (batch === 0) throw new RangeError(`A batch of the ${split.split} split needs at least one row.`);
  let tokens = 1;
  for (let i = 0; i < batch; i++) {
    const row = indices[i];
    if (!Number.isInteger(row) || row < 0 || row >= split.size) {
      throw new RangeError(`Row ${row} is outside the ${split.split} split, which has rows 0 to ${split.size - 1}.`);
    }
    tokens = Math.max(tokens, split.lengths[row]);
  }

  const inputIds = new Int32Array(batch * tokens);
  const tokenTypeIds = new Int32Array(batch * tokens);
  const attentionMask = new Int32Array(batch * tokens);
  const labels = split.labels instanceof Int32Array ? new Int32Array(batch) : new Float32Array(batch);
  for (let i = 0; i < batch; i++) {
    const row = indices[i];
    const from = row * split.maxLength;
    inputIds.set(split.inputIds.subarray(from, from + tokens), i * tokens);
    tokenTypeIds.set(split.tokenTypeIds.subarray(from, from + tokens), i * tokens);
    attentionMask.set(split.attentionMask.subarray(from, from + tokens), i * tokens);
    labels[i] = split.labels[row];
  }
  return { batch, tokens, inputIds, tokenTypeIds, attentionMask, labels };
}
