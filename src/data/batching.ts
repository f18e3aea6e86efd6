// Mini-batches of examples: shuffled anew each epoch for training, in fixed order for evaluation.
// Tokenization happens later, on each batch (Tokenizer.encodeBatch).

import { createRandom, deriveSeed } from '../util/random';
import { shuffleInPlace } from './split';

/** One training batch and where it sits in the run. */
export interface TrainingBatch<T> {
  /** Zero-based epoch (pass over the training set) the batch belongs to. */
  epoch: number;
  /** Zero-based position of the batch within its epoch. */
  indexInEpoch: number;
  examples: T[];
}

function validateSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Seed ${seed} is invalid: use an integer in [0, 4294967295].`);
  }
}

function validateBatching(count: number, batchSize: number): void {
  if (count === 0) {
    throw new RangeError('Batching needs at least one example; the split is empty.');
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Batch size ${batchSize} is invalid: use a positive integer.`);
  }
}

/**
 * Returns the batches of one training epoch: the examples shuffled with a seed derived from the run's
 * seed and the epoch number, cut into batches of batchSize. The last batch keeps the remainder, so it
 * is smaller when batchSize does not divide the number of examples. The same seed and epoch give the
 * same batches.
 */
export function batches<T>(examples: readonly T[], batchSize: number, seed: number, epoch: number): T[][] {
  validateBatching(examples.length, batchSize);
  validateSeed(seed);
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`Epoch ${epoch} is invalid: use an integer from 0.`);
  }
  const order = shuffleInPlace([...examples], createRandom(deriveSeed(seed, `data.shuffle.epoch.${epoch}`)));
  return cut(order, batchSize);
}

/**
 * Returns an endless iterator of training batches, epoch after epoch, each epoch as `batches` returns
 * it. The caller stops after its number of optimizer steps. Arguments are checked at the call, not at
 * the first next().
 */
export function trainingBatches<T>(examples: readonly T[], batchSize: number, seed: number): Generator<TrainingBatch<T>, never, undefined> {
  validateBatching(examples.length, batchSize);
  validateSeed(seed);
  const snapshot = [...examples];
  return (function* () {
    for (let epoch = 0; ; epoch++) {
      const epochBatches = batches(snapshot, batchSize, seed, epoch);
      for (let indexInEpoch = 0; indexInEpoch < epochBatches.length; indexInEpoch++) {
        yield { epoch, indexInEpoch, examples: epochBatches[indexInEpoch] };
      }
    }
  })();
}

/** Returns evaluation batches in the split's own order, the last one smaller when needed. */
export function evalBatches<T>(examples: readonly T[], batchSize: number): T[][] {
  validateBatching(examples.length, batchSize);
  return cut([...examples], batchSize);
}

function cut<T>(items: T[], batchSize: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    result.push(items.slice(start, start + batchSize));
  }
  return result;
}
