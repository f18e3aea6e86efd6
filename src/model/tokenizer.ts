// BERT tokenization through @huggingface/tokenizers, plus the batching the model needs:
// longest-first truncation of pairs, [PAD] padding, and flat Int32Array inputs.
//
// A checkpoint brings either tokenizer.json (the fast-tokenizer format) or only vocab.txt, as the
// original Google BERT checkpoints do. For vocab.txt the standard BERT WordPiece pipeline is
// written as tokenizer.json in code, the way transformers' BertConverter builds it, and handed to
// the same library, so both paths tokenize with one implementation.

import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFileError } from './errors';

/** Token ids for a batch, row-major [batch, maxLength], ready to upload. */
export interface EncodedBatch {
  inputIds: Int32Array;
  /** 0 for the first sequence (and padding), 1 for the second sequence of a pair. */
  tokenTypeIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  batch: number;
  maxLength: number;
}

export interface EncodeBatchOptions {
  /** Length of every row, special tokens included; longer inputs are truncated, shorter ones padded. */
  maxLength: number;
}

/** Options that tokenizer_config.json sets, with transformers' BertTokenizer defaults. */
interface BertTokenizerSettings {
  lowercase: boolean;
  /** null: strip accents exactly when lowercasing, as BertTokenizer does. */
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  unkToken: string;
  clsToken: string;
  sepToken: string;
  padToken: string;
  maskToken: string;
}

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** Reads a special token from tokenizer_config.json, where it is a string or an AddedToken object { content }. */
function readTokenName(config: Json, key: string, fallback: string, file: string): string {
  const value = config[key];
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object' && typeof (value as Json).content === 'string') {
    return (value as Json).content as string;
  }
  throw new ModelFileError(file, `"${key}" is ${describe(value)}; expected a token string such as "${fallback}".`);
}

function readOptionalBoolean(config: Json, key: string, fallback: boolean | null, file: string): boolean | null {
  const value = config[key];
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    throw new ModelFileError(file, `"${key}" is ${describe(value)}; expected true or false.`);
  }
  return value;
}

function readSettings(tokenizerConfig: unknown, file: string): BertTokenizerSettings {
  if (tokenizerConfig !== undefined && (tokenizerConfig === null || typeof tokenizerConfig !== 'object' || Array.isArray(tokenizerConfig))) {
    throw new ModelFileError(file, `expected a JSON object, found ${describe(tokenizerConfig)}.`);
  }
  const config = (tokenizerConfig ?? {}) as Json;
  return {
    lowercase: readOptionalBoolean(config, 'do_lower_case', true, file) as boolean,
    stripAccents: readOptionalBoolean(config, 'strip_accents', null, file),
    tokenizeChineseChars: readOptionalBoolean(config, 'tokenize_chinese_chars', true, file) as boolean,
    unkToken: readTokenName(config, 'unk_token', '[UNK]', file),
    clsToken: readTokenName(config, 'cls_token', '[CLS]', file),
    sepToken: readTokenName(config, 'sep_token', '[SEP]', file),
    padToken: readTokenName(config, 'pad_token', '[PAD]', file),
    maskToken: readTokenName(config, 'mask_token', '[MASK]', file),
  };
}

/**
 * Splits vocab.txt into tokens: one per line, the line number (from 0) being the id. A final
 * newline ends the last line, and a trailing "\r" is removed from each line.
 */
export function parseVocab(text: string, file = 'vocab.txt'): string[] {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  if (lines.length === 0) {
    throw new ModelFileError(file, 'the vocabulary is empty; expected one token per line.');
  }

  const firstLine = new Map<string, number>();
  lines.forEach((token, id) => {
    const previous = firstLine.get(token);
    if (previous !== undefined) {
      // NOTE: transformers accepts duplicates (the last line wins). They are rejected here because the
      // earlier line's id would map to no token, so idToToken and decode could not handle it.
      throw new ModelFileError(file, `token ${JSON.stringify(token)} appears on lines ${previous + 1} and ${id + 1}; expected each token once.`);
    }
    firstLine.set(token, id);
  });
  return lines;
}

/**
 * Builds the tokenizer.json of the standard BERT WordPiece tokenizer for a vocabulary: BertNormalizer,
 * BertPreTokenizer, WordPiece with "##" continuations, "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1"
 * templates and the WordPiece decoder.
 */
export function buildWordPieceTokenizerJson(vocab: readonly string[], tokenizerConfig?: unknown, file = 'tokenizer_config.json'): Json {
  const settings = readSettings(tokenizerConfig, file);
  const ids = new Map(vocab.map((token, id) => [token, id]));
  const idOf = (token: string, key: string): number => {
    const id = ids.get(token);
    if (id === undefined) {
      throw new ModelFileError('vocab.txt', `the vocabulary has no ${key} "${token}"; expected a BERT WordPiece vocabulary with [CLS], [SEP], [PAD], [UNK] and [MASK].`);
    }
    return id;
  };

  const specials: [string, string][] = [
    [settings.padToken, 'pad_token'],
    [settings.unkToken, 'unk_token'],
    [settings.clsToken, 'cls_token'],
    [settings.sepToken, 'sep_token'],
    [settings.maskToken, 'mask_token'],
  ];
  const addedTokens = specials
    .map(([token, key]) => ({ id: idOf(token, key), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);

  const cls = settings.clsToken;
  const sep = settings.sepToken;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: settings.tokenizeChineseChars,
      strip_accents: settings.stripAccents,
      lowercase: settings.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: sep, type_id: 1 } },
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [idOf(cls, 'cls_token')], tokens: [cls] },
        [sep]: { id: sep, ids: [idOf(sep, 'sep_token')], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: settings.unkToken,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      // Object.fromEntries defines own properties, so a token such as "__proto__" stays a key.
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

/**
 * Computes the lengths of a truncated pair the way the Rust tokenizers crate does for
 * "longest_first": when both must shrink, the shorter gets floor(budget / 2) and the longer the rest.
 * Returns [length of a, length of b].
 */
export function longestFirstLengths(lengthA: number, lengthB: number, budget: number): [number, number] {
  if (lengthA + lengthB <= budget) {
    return [lengthA, lengthB];
  }
  const swapped = lengthA > lengthB;
  const shorter = swapped ? lengthB : lengthA;
  let longer = shorter > budget ? shorter : Math.max(shorter, budget - shorter);
  let shorterKept = shorter;
  if (shorterKept + longer > budget) {
    shorterKept = Math.floor(budget / 2);
    longer = shorterKept + (budget % 2);
  }
  return swapped ? [longer, shorterKept] : [shorterKept, longer];
}

/** A BERT tokenizer: @huggingface/tokenizers for the tokens, plus batching for the model. */
export class BertTokenizer {
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly maskTokenId: number;
  /** The file the tokenizer was built from: "tokenizer.json" or "vocab.txt". */
  readonly origin: 'tokenizer.json' | 'vocab.txt';

  private readonly tokenizer: Tokenizer;
  private readonly singleSpecialCount: number;
  private readonly pairSpecialCount: number;

  private constructor(tokenizer: Tokenizer, settings: BertTokenizerSettings, origin: 'tokenizer.json' | 'vocab.txt', file: string) {
    this.tokenizer = tokenizer;
    this.origin = origin;

    const idOf = (token: string, key: string): number => {
      const id = tokenizer.token_to_id(token);
      if (id === undefined) {
        throw new ModelFileError(file, `the vocabulary has no ${key} "${token}"; expected a BERT vocabulary with [CLS], [SEP], [PAD], [UNK] and [MASK].`);
      }
      return id;
    };
    this.padTokenId = idOf(settings.padToken, 'pad_token');
    this.unkTokenId = idOf(settings.unkToken, 'unk_token');
    this.clsTokenId = idOf(settings.clsToken, 'cls_token');
    this.sepTokenId = idOf(settings.sepToken, 'sep_token');
    this.maskTokenId = idOf(settings.maskToken, 'mask_token');

    let maxId = -1;
    for (const id of tokenizer.get_vocab(true).values()) {
      maxId = Math.max(maxId, id);
    }
    this.vocabSize = maxId + 1;

    this.singleSpecialCount = this.postProcess([], null).tokens.length;
    this.pairSpecialCount = this.postProcess([], []).tokens.length;
  }

  /** Builds the tokenizer from parsed tokenizer.json and (optional) tokenizer_config.json. */
  static fromTokenizerJson(tokenizerJson: unknown, tokenizerConfig?: unknown, file = 'tokenizer.json'): BertTokenizer {
    if (tokenizerJson === null || typeof tokenizerJson !== 'object' || Array.isArray(tokenizerJson)) {
      throw new ModelFileError(file, `expected a JSON object, found ${describe(tokenizerJson)}.`);
    }
    const json = tokenizerJson as Json;
    if (json.model === null || typeof json.model !== 'object') {
      throw new ModelFileError(file, `"model" is ${describe(json.model)}; expected the tokenizer model object, e.g. { "type": "WordPiece", … }.`);
    }
    if (json.added_tokens !== undefined && !Array.isArray(json.added_tokens)) {
      throw new ModelFileError(file, `"added_tokens" is ${describe(json.added_tokens)}; expected an array.`);
    }

    // The library requires these keys to be present; a JSON null means "no such step".
    const complete = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json };
    const settings = readSettings(tokenizerConfig, 'tokenizer_config.json');
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(complete, tokenizerConfig ?? {});
    } catch (error) {
      throw new ModelFileError(file, `@huggingface/tokenizers cannot build a tokenizer from it: ${(error as Error).message}`);
    }
    return new BertTokenizer(tokenizer, settings, 'tokenizer.json', file);
  }

  /** Builds the standard BERT WordPiece tokenizer for vocab.txt content, configured by tokenizer_config.json. */
  static fromVocab(vocabText: string, tokenizerConfig?: unknown, file = 'vocab.txt'): BertTokenizer {
    const vocab = parseVocab(vocabText, file);
    const json = buildWordPieceTokenizerJson(vocab, tokenizerConfig);
    const settings = readSettings(tokenizerConfig, 'tokenizer_config.json');
    return new BertTokenizer(new Tokenizer(json, tokenizerConfig ?? {}), settings, 'vocab.txt', file);
  }

  /** Splits text into WordPiece tokens, without special tokens. */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** Encodes one text or pair with special tokens and without truncation or padding. */
  encode(text: string, pair?: string): { ids: number[]; tokens: string[]; tokenTypeIds: number[] } {
    const { tokens, tokenTypeIds } = this.postProcess(this.tokenize(text), pair === undefined ? null : this.tokenize(pair));
    return { ids: tokens.map((token) => this.idOf(token)), tokens, tokenTypeIds };
  }

  /**
   * Encodes a batch of texts or of [first, second] pairs into rows of exactly `maxLength` tokens.
   * Longer inputs are truncated (pairs longest-first, as the Rust tokenizers crate does, with the
   * special tokens kept), shorter ones padded with [PAD], token type 0 and attention mask 0.
   */
  encodeBatch(texts: readonly string[] | readonly (readonly [string, string])[], options: EncodeBatchOptions): EncodedBatch {
    const { maxLength } = options;
    if (!Array.isArray(texts) || texts.length === 0) {
      throw new RangeError('encodeBatch needs at least one text or pair; got an empty batch.');
    }
    const isPair = Array.isArray(texts[0]);
    texts.forEach((item: unknown, row) => {
      const valid = isPair
        ? Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string'
        : typeof item === 'string';
      if (!valid) {
        throw new TypeError(`encodeBatch item ${row} is ${describe(item)}; expected ${isPair ? 'a [string, string] pair, like item 0' : 'a string, like item 0'}.`);
      }
    });

    const specialCount = isPair ? this.pairSpecialCount : this.singleSpecialCount;
    if (!Number.isSafeInteger(maxLength) || maxLength <= specialCount) {
      throw new RangeError(
        `maxLength ${maxLength} is invalid: ${isPair ? 'a pair' : 'a text'} needs ${specialCount} special tokens, so use an integer greater than ${specialCount}.`,
      );
    }

    const batch = texts.length;
    const inputIds = new Int32Array(batch * maxLength).fill(this.padTokenId);
    const tokenTypeIds = new Int32Array(batch * maxLength);
    const attentionMask = new Int32Array(batch * maxLength);
    const budget = maxLength - specialCount;

    for (let row = 0; row < batch; row++) {
      const item = texts[row];
      let first = this.tokenize(isPair ? (item as readonly [string, string])[0] : (item as string));
      let second = isPair ? this.tokenize((item as readonly [string, string])[1]) : null;

      const [lengthA, lengthB] = longestFirstLengths(first.length, second?.length ?? 0, budget);
      first = first.slice(0, lengthA);
      second = second?.slice(0, lengthB) ?? null;

      const { tokens, tokenTypeIds: types } = this.postProcess(first, second);
      const offset = row * maxLength;
      for (let i = 0; i < tokens.length; i++) {
        inputIds[offset + i] = this.idOf(tokens[i]);
        tokenTypeIds[offset + i] = types[i];
        attentionMask[offset + i] = 1;
      }
    }
    return { inputIds, tokenTypeIds, attentionMask, batch, maxLength };
  }

  /** Converts ids back to text; `skipSpecialTokens` drops [CLS], [SEP], [PAD] and the like. */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const list = Array.from(ids);
    list.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`decode: id ${id} at position ${i} is not in the vocabulary [0, ${this.vocabSize}).`);
      }
    });
    if (list.length === 0) {
      return '';
    }
    return this.tokenizer.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  private idOf(token: string): number {
    return this.tokenizer.token_to_id(token) ?? this.unkTokenId;
  }

  /** Adds the special tokens of the tokenizer's post-processor and returns the token type of each token. */
  private postProcess(first: string[], second: string[] | null): { tokens: string[]; tokenTypeIds: number[] } {
    const processor = this.tokenizer.post_processor;
    if (processor === null) {
      const tokens = second === null ? [...first] : [...first, ...second];
      return { tokens, tokenTypeIds: tokens.map((_, i) => (i < first.length ? 0 : 1)) };
    }
    const output = processor.post_process(first, second, true);
    const tokens = output.tokens;
    const tokenTypeIds = output.token_type_ids ?? new Array<number>(tokens.length).fill(0);
    return { tokens, tokenTypeIds };
  }
}
