// Tokenization through @huggingface/tokenizers: the real bert-base-uncased vocabulary, a tiny one,
// tokenizer.json and vocab.txt paths, truncation, padding and input errors.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TINY_VOCAB } from './test-checkpoint';
import { BertTokenizer, buildWordPieceTokenizerJson, longestFirstLengths, parseVocab } from './tokenizer';

const vocabPath = fileURLToPath(new URL('../../../shared/data/vocab/bert-base-uncased-vocab.txt', import.meta.url));
const hasRealVocab = existsSync(vocabPath);
if (!hasRealVocab) {
  console.log(`Skipping the bert-base-uncased tokenizer tests: the vocabulary is not at ${vocabPath}.`);
}

const tinyVocabText = `${TINY_VOCAB.join('\n')}\n`;
const tiny = BertTokenizer.fromVocab(tinyVocabText);
const id = (token: string): number => TINY_VOCAB.indexOf(token);

describe.skipIf(!hasRealVocab)('bert-base-uncased vocabulary', () => {
  const vocabText = hasRealVocab ? readFileSync(vocabPath, 'utf8') : '';
  const vocabLines = vocabText.split('\n');
  const tokenizer = hasRealVocab ? BertTokenizer.fromVocab(vocabText) : tiny;

  it('tokenizes with the known ids', () => {
    const encoded = tokenizer.encode('Hello, world! Unaffable');

    expect(encoded.tokens).toEqual(['[CLS]', 'hello', ',', 'world', '!', 'una', '##ffa', '##ble', '[SEP]']);
    expect(encoded.ids).toEqual(encoded.tokens.map((token) => vocabLines.indexOf(token)));
    expect(encoded.ids[0]).toBe(101);
    expect(encoded.ids[1]).toBe(7592);
    expect(encoded.ids[3]).toBe(2088);
    expect(encoded.ids[8]).toBe(102);
    expect(encoded.tokenTypeIds).toEqual(new Array(9).fill(0));
  });

  it('exposes special ids and vocabulary size', () => {
    expect(tokenizer.vocabSize).toBe(30522);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.unkTokenId).toBe(100);
    expect(tokenizer.clsTokenId).toBe(101);
    expect(tokenizer.sepTokenId).toBe(102);
    expect(tokenizer.maskTokenId).toBe(103);
    expect(tokenizer.tokenToId('world')).toBe(2088);
    expect(tokenizer.idToToken(7592)).toBe('hello');
    expect(tokenizer.tokenToId('no-such-token')).toBeUndefined();
  });

  it('gives pairs token types 0 then 1', () => {
    const encoded = tokenizer.encode('The cat sat.', 'A dog!');

    expect(encoded.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', '.', '[SEP]', 'a', 'dog', '!', '[SEP]']);
    expect(encoded.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('strips accents when lowercasing', () => {
    expect(tokenizer.tokenize('Crème Brûlée at the CAFÉ')).toEqual(tokenizer.tokenize('creme brulee at the cafe'));
    expect(tokenizer.tokenize('naïve')).toEqual(tokenizer.tokenize('naive'));
  });

  it('truncates and pads a batch', () => {
    const long = 'the quick brown fox jumps over the lazy dog again and again';
    const batch = tokenizer.encodeBatch(['Hello!', long], { maxLength: 8 });

    expect(batch.batch).toBe(2);
    expect(batch.maxLength).toBe(8);
    expect(batch.inputIds).toHaveLength(16);
    expect(Array.from(batch.inputIds.subarray(0, 8))).toEqual([101, 7592, 999, 102, 0, 0, 0, 0]);
    expect(Array.from(batch.attentionMask.subarray(0, 8))).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(batch.inputIds.subarray(8, 16))).toEqual(tokenizer.encode('the quick brown fox jumps over').ids);
    expect(Array.from(batch.attentionMask.subarray(8, 16))).toEqual(new Array(8).fill(1));
    expect(Array.from(batch.tokenTypeIds)).toEqual(new Array(16).fill(0));
  });

  it('truncates pairs longest first', () => {
    const batch = tokenizer.encodeBatch([['one two three four five six', 'seven eight']], { maxLength: 9 });

    expect(tokenizer.decode(batch.inputIds)).toBe('[CLS] one two three four [SEP] seven eight [SEP]');
    expect(Array.from(batch.tokenTypeIds)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('decodes with and without specials', () => {
    const { ids } = tokenizer.encode('Hello, world! Unaffable');

    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('hello, world! unaffable');
    expect(tokenizer.decode(Int32Array.from(ids))).toBe('[CLS] hello, world! unaffable [SEP]');
  });

  it('matches through tokenizer.json', () => {
    const json = JSON.parse(JSON.stringify(buildWordPieceTokenizerJson(parseVocab(vocabText))));
    const fromJson = BertTokenizer.fromTokenizerJson(json, { do_lower_case: true });
    const texts: [string, string][] = [['Hello, world! Unaffable', 'Crème brûlée'], ['[MASK] is here', 'x']];

    expect(fromJson.origin).toBe('tokenizer.json');
    expect(fromJson.encodeBatch(texts, { maxLength: 12 })).toEqual(tokenizer.encodeBatch(texts, { maxLength: 12 }));
    expect(fromJson.maskTokenId).toBe(103);
  });
});

describe('BertTokenizer', () => {
  it('splits words into word pieces', () => {
    expect(tiny.tokenize('The cats, playing!')).toEqual(['the', 'cat', '##s', ',', 'play', '##ing', '!']);
    expect(tiny.tokenize('zebra cat')).toEqual(['[UNK]', 'cat']);
    expect(tiny.tokenize('Café')).toEqual(['cafe']);
    expect(tiny.vocabSize).toBe(TINY_VOCAB.length);
    expect(tiny.origin).toBe('vocab.txt');
  });

  it('keeps case when do_lower_case is false', () => {
    const cased = BertTokenizer.fromVocab(tinyVocabText, { do_lower_case: false });

    expect(cased.tokenize('Hello hello')).toEqual(['[UNK]', 'hello']);
  });

  it('keeps [MASK] as one token', () => {
    expect(tiny.encode('the [MASK] sat').ids).toEqual([id('[CLS]'), id('the'), id('[MASK]'), id('sat'), id('[SEP]')]);
    expect(tiny.maskTokenId).toBe(4);
  });

  it('lays out a padded pair batch', () => {
    const batch = tiny.encodeBatch([['the cat', 'a dog'], ['hello', 'world world world world']], { maxLength: 8 });

    expect(Array.from(batch.inputIds)).toEqual([
      id('[CLS]'), id('the'), id('cat'), id('[SEP]'), id('a'), id('dog'), id('[SEP]'), id('[PAD]'),
      id('[CLS]'), id('hello'), id('[SEP]'), id('world'), id('world'), id('world'), id('world'), id('[SEP]'),
    ]);
    expect(Array.from(batch.tokenTypeIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('computes longest-first lengths', () => {
    const cases: [number, number, number, [number, number]][] = [
      [3, 3, 10, [3, 3]],
      [5, 5, 7, [3, 4]],
      [2, 10, 7, [2, 5]],
      [10, 2, 7, [5, 2]],
      [10, 9, 7, [4, 3]],
      [9, 10, 7, [3, 4]],
      [4, 4, 7, [3, 4]],
      [0, 12, 5, [0, 5]],
      [6, 6, 1, [0, 1]],
    ];
    for (const [lengthA, lengthB, budget, expected] of cases) {
      expect(longestFirstLengths(lengthA, lengthB, budget), `${lengthA}, ${lengthB}, budget ${budget}`).toEqual(expected);
    }
  });

  it('rejects invalid batches', () => {
    expect(() => tiny.encodeBatch([], { maxLength: 8 })).toThrow('encodeBatch needs at least one text or pair; got an empty batch.');
    expect(() => tiny.encodeBatch(['a'], { maxLength: 2 })).toThrow('maxLength 2 is invalid: a text needs 2 special tokens, so use an integer greater than 2.');
    expect(() => tiny.encodeBatch([['a', 'b']], { maxLength: 3 })).toThrow('maxLength 3 is invalid: a pair needs 3 special tokens');
    expect(() => tiny.encodeBatch(['a'], { maxLength: 7.5 })).toThrow('maxLength 7.5 is invalid');
    expect(() => tiny.encodeBatch(['a', ['b', 'c']] as unknown as string[], { maxLength: 8 })).toThrow(
      'encodeBatch item 1 is ["b","c"]; expected a string, like item 0.',
    );
    expect(() => tiny.encodeBatch([['a', 'b'], ['c']] as unknown as [string, string][], { maxLength: 8 })).toThrow('encodeBatch item 1 is ["c"]');
  });

  it('decodes and rejects unknown ids', () => {
    expect(tiny.decode([])).toBe('');
    expect(tiny.decode([id('hello'), id('world'), id('!')])).toBe('hello world!');
    expect(() => tiny.decode([3, 21])).toThrow('decode: id 21 at position 1 is not in the vocabulary [0, 21).');
  });

  it('reads special tokens from tokenizer_config.json', () => {
    const vocab = ['<pad>', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'x'];
    const tokenizer = BertTokenizer.fromVocab(vocab.join('\n'), { pad_token: '<pad>', mask_token: { content: '[MASK]', __type: 'AddedToken' } });

    expect(tokenizer.padTokenId).toBe(0);
    expect(Array.from(tokenizer.encodeBatch(['x'], { maxLength: 4 }).inputIds)).toEqual([2, 5, 3, 0]);
    expect(() => BertTokenizer.fromVocab(vocab.join('\n'))).toThrow('vocab.txt: the vocabulary has no pad_token "[PAD]"');
    expect(() => BertTokenizer.fromVocab(tinyVocabText, { do_lower_case: 'yes' })).toThrow(
      'tokenizer_config.json: "do_lower_case" is "yes"; expected true or false.',
    );
  });

  it('rejects invalid vocabularies', () => {
    expect(parseVocab('a\r\nb\r\n')).toEqual(['a', 'b']);
    expect(parseVocab('a\n\nb')).toEqual(['a', '', 'b']);
    expect(() => parseVocab('')).toThrow('vocab.txt: the vocabulary is empty; expected one token per line.');
    expect(() => parseVocab('a\nb\na\n')).toThrow('vocab.txt: token "a" appears on lines 1 and 3; expected each token once.');
  });

  it('rejects invalid tokenizer.json', () => {
    expect(() => BertTokenizer.fromTokenizerJson([], undefined)).toThrow('tokenizer.json: expected a JSON object, found [].');
    expect(() => BertTokenizer.fromTokenizerJson({ version: '1.0' })).toThrow('tokenizer.json: "model" is missing; expected the tokenizer model object');
    const json = buildWordPieceTokenizerJson(TINY_VOCAB);
    expect(() => BertTokenizer.fromTokenizerJson({ ...json, normalizer: { type: 'Shout' } }, undefined, 'm/tokenizer.json')).toThrow(
      'm/tokenizer.json: @huggingface/tokenizers cannot build a tokenizer from it: Unknown Normalizer type: Shout',
    );
  });
});
