// Tokenized splits and batches: pairs get token type 1, labels are checked, batches are cut to their
// longest row.
import { describe, expect, it } from 'vitest';
import { TINY_VOCAB } from '../model/test-checkpoint';
import { BertTokenizer } from '../model/tokenizer';
import { encodeSplit, gatherBatch, taskSpecOf } from './encoded-data';

const tokenizer = BertTokenizer.fromVocab(`${TINY_VOCAB.join('\n')}\n`);
const CLASSES = { kind: 'classification', numLabels: 2 } as const;
const id = (token: string): number => TINY_VOCAB.indexOf(token);

describe('encodeSplit', () => {
  it('tokenizes texts with padding and lengths', async () => {
    const split = await encodeSplit(tokenizer, [{ text: 'the cat', label: 1 }, { text: 'hello', label: 0 }], 'train', CLASSES, 6);
    expect(split.size).toBe(2);
    expect(Array.from(split.inputIds)).toEqual([id('[CLS]'), id('the'), id('cat'), id('[SEP]'), 0, 0, id('[CLS]'), id('hello'), id('[SEP]'), 0, 0, 0]);
    expect(Array.from(split.lengths)).toEqual([4, 3]);
    expect(split.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(split.labels)).toEqual([1, 0]);
  });

  it('tokenizes pairs with token type 1', async () => {
    const split = await encodeSplit(tokenizer, [{ text: 'the cat', textPair: 'a dog', label: 2.5 }], 'dev', { kind: 'regression' }, 8);
    expect(Array.from(split.tokenTypeIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 0]);
    expect(Array.from(split.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(split.labels).toBeInstanceOf(Float32Array);
    expect(Array.from(split.labels)).toEqual([2.5]);
  });

  it('truncates at max length', async () => {
    const split = await encodeSplit(tokenizer, [{ text: 'the cat sat on the mat', label: 0 }], 'train', CLASSES, 4);
    expect(Array.from(split.inputIds)).toEqual([id('[CLS]'), id('the'), id('cat'), id('[SEP]')]);
    expect(split.lengths[0]).toBe(4);
  });

  it('rejects invalid examples', async () => {
    await expect(encodeSplit(tokenizer, [], 'dev', CLASSES, 8)).rejects.toThrow('The dev split has no examples; every split needs at least one.');
    await expect(encodeSplit(tokenizer, [{ text: 'cat', label: 2 }], 'train', CLASSES, 8)).rejects.toThrow(
      'Example 0 of the train split has label 2; expected a class index from 0 to 1.',
    );
    await expect(encodeSplit(tokenizer, [{ text: 'cat', label: 0.5 }], 'train', CLASSES, 8)).rejects.toThrow('has label 0.5');
    await expect(encodeSplit(tokenizer, [{ text: 'cat', label: Number.NaN }], 'test', { kind: 'regression' }, 8)).rejects.toThrow(
      'Example 0 of the test split has label NaN; a regression target must be a finite number.',
    );
    await expect(encodeSplit(tokenizer, [{ text: 'cat', textPair: 'dog', label: 0 }, { text: 'cat', label: 1 }], 'train', CLASSES, 8)).rejects.toThrow(
      'Example 1 of the train split has no textPair, but example 0 has one; a split is all single texts or all pairs.',
    );
  });
});

describe('gatherBatch', () => {
  it('cuts the batch to its longest row', async () => {
    const split = await encodeSplit(
      tokenizer,
      [{ text: 'the cat sat on', label: 1 }, { text: 'hello', label: 0 }, { text: 'a dog', label: 0 }],
      'train',
      CLASSES,
      10,
    );
    const batch = gatherBatch(split, [2, 1]);
    expect(batch.batch).toBe(2);
    expect(batch.tokens).toBe(4);
    expect(Array.from(batch.inputIds)).toEqual([id('[CLS]'), id('a'), id('dog'), id('[SEP]'), id('[CLS]'), id('hello'), id('[SEP]'), 0]);
    expect(Array.from(batch.attentionMask!)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(batch.labels!)).toEqual([0, 0]);
    expect(gatherBatch(split, [0]).tokens).toBe(6);
  });

  it('rejects rows outside the split', async () => {
    const split = await encodeSplit(tokenizer, [{ text: 'cat', label: 1 }], 'dev', CLASSES, 8);
    expect(() => gatherBatch(split, [1])).toThrow('Row 1 is outside the dev split, which has rows 0 to 0.');
    expect(() => gatherBatch(split, [])).toThrow('A batch of the dev split needs at least one row.');
  });
});

describe('taskSpecOf', () => {
  it('needs two class names', () => {
    expect(taskSpecOf({ id: 'x', kind: 'classification', labels: ['a', 'b', 'c'] })).toEqual({ kind: 'classification', numLabels: 3 });
    expect(taskSpecOf({ id: 'y', kind: 'regression' })).toEqual({ kind: 'regression' });
    expect(() => taskSpecOf({ id: 'z', kind: 'classification', labels: ['a'] })).toThrow('Classification task "z" names 1 labels');
  });
});
