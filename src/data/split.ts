// Deduplication and seeded, stratified train/dev/test splits for classification tasks.

import { createRandom, deriveSeed, type Random } from '../util/random';
import type { TaskExample, TaskSplits } from './task';

/** Shares of the examples of each class that go to the dev and the test split; the rest is train. */
export interface SplitFractions {
  dev: number;
  test: number;
}

export interface DeduplicationResult {
  examples: TaskExample[];
  /** Examples removed because an earlier one had the same key and the same label. */
  duplicates: number;
  /** Examples removed because their key occurred with more than one label (all copies go). */
  conflicts: number;
}

/** Shuffles in place with the Fisher–Yates algorithm and returns the same array. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}

/**
 * Key under which two examples count as the same input: text and pair, lower-cased, because an
 * uncased tokenizer turns texts that differ only in case into the same tokens.
 */
export function duplicateKey(example: TaskExample): string {
  return `${example.text}\u0000${example.textPair ?? ''}`.toLowerCase();
}

/**
 * Keeps the first example of every key, so that no input can end up in two splits. A key that occurs
 * with different labels is dropped entirely, because either label would be wrong for one copy.
 */
export function deduplicateExamples(examples: readonly TaskExample[], key: (example: TaskExample) => string = duplicateKey): DeduplicationResult {
  const labelsByKey = new Map<string, Set<number>>();
  for (const example of examples) {
    const exampleKey = key(example);
    let labels = labelsByKey.get(exampleKey);
    if (labels === undefined) {
      labels = new Set();
      labelsByKey.set(exampleKey, labels);
    }
    labels.add(example.label);
  }

  const kept: TaskExample[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  let conflicts = 0;
  for (const example of examples) {
    const exampleKey = key(example);
    if (labelsByKey.get(exampleKey)!.size > 1) {
      conflicts++;
    } else if (seen.has(exampleKey)) {
      duplicates++;
    } else {
      seen.add(exampleKey);
      kept.push(example);
    }
  }
  return { examples: kept, duplicates, conflicts };
}

/**
 * Splits classification examples into train, dev and test with the same class proportions in each.
 * Per class, a seeded shuffle is cut into Math.round(n·test) test examples, Math.round(n·dev) dev
 * examples and the rest for train. Each split is then shuffled with its own seed, so the classes are
 * interleaved and evaluation order is fixed. The result depends only on the seed and the input order.
 */
export function stratifiedSplit(examples: readonly TaskExample[], fractions: SplitFractions, seed: number): TaskSplits {
  const { dev, test } = fractions;
  if (!(dev >= 0 && test >= 0 && dev + test < 1)) {
    throw new RangeError(`Split fractions dev ${dev} and test ${test} are invalid: each must be at least 0 and their sum below 1.`);
  }
  if (examples.length === 0) {
    throw new RangeError('stratifiedSplit needs at least one example; got none.');
  }

  const byClass = new Map<number, TaskExample[]>();
  examples.forEach((example, index) => {
    if (!Number.isInteger(example.label) || example.label < 0) {
      throw new RangeError(`Example ${index} has label ${example.label}; stratifiedSplit needs class indices (integers from 0).`);
    }
    const members = byClass.get(example.label) ?? [];
    members.push(example);
    byClass.set(example.label, members);
  });

  const splits: TaskSplits = { train: [], dev: [], test: [] };
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  for (const label of classes) {
    const members = shuffleInPlace([...byClass.get(label)!], createRandom(deriveSeed(seed, `split.class.${label}`)));
    const testCount = Math.round(members.length * test);
    const devCount = Math.round(members.length * dev);
    splits.test.push(...members.slice(0, testCount));
    splits.dev.push(...members.slice(testCount, testCount + devCount));
    splits.train.push(...members.slice(testCount + devCount));
  }

  for (const name of ['train', 'dev', 'test'] as const) {
    shuffleInPlace(splits[name], createRandom(deriveSeed(seed, `split.order.${name}`)));
  }
  return splits;
}

/** Number of examples per label, in ascending label order. */
export function countLabels(examples: readonly TaskExample[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const example of examples) {
    counts.set(example.label, (counts.get(example.label) ?? 0) + 1);
  }
  return new Map([...counts.entries()].sort((a, b) => a[0] - b[0]));
}

/** Accuracy of always predicting the label most frequent in `reference` (ties go to the lower label), measured on `examples`. */
export function majorityBaselineAccuracy(reference: readonly TaskExample[], examples: readonly TaskExample[]): number {
  if (reference.length === 0 || examples.length === 0) {
    throw new RangeError(`majorityBaselineAccuracy needs examples in both sets; got ${reference.length} reference and ${examples.length} evaluated.`);
  }
  let majority = -1;
  let majorityCount = -1;
  for (const [label, count] of countLabels(reference)) {
    if (count > majorityCount) {
      majority = label;
      majorityCount = count;
    }
  }
  return examples.filter((example) => example.label === majority).length / examples.length;
}
