import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sotuTask, loadSotuPreparation, prepareSotuSplits, SOTU_LABELS } from './sotu';
import { buildPassages, buildSotuCorpus, samplePassages, splitSentences, type SotuCorpusFile } from './sotu-corpus';
import { readRawSotuAddresses, serializeSotuCorpus, SOTU_CORPUS_PATH } from './sotu-corpus-node';
import { countLabels, duplicateKey } from './split';

describe('splitSentences', () => {
  it('splits at sentence ends followed by a capital', () => {
    expect(splitSentences('We met.  The state is strong! Is it? "Yes," they said. 1945 came.')).toEqual(['We met.', 'The state is strong!', 'Is it?', '"Yes," they said.', '1945 came.']);
  });

  it('keeps titles, initials and abbreviations inside a sentence', () => {
    expect(splitSentences('Mr. Speaker, the U.S. Navy and Gen. Grant met John Q. Adams. Then we left.')).toEqual([
      'Mr. Speaker, the U.S. Navy and Gen. Grant met John Q. Adams.',
      'Then we left.',
    ]);
  });

  it('keeps a period before a lower-case word', () => {
    expect(splitSentences('It cost 3.5 percent, i.e. more. Next.')).toEqual(['It cost 3.5 percent, i.e. more.', 'Next.']);
  });

  it('returns nothing for blank text', () => {
    expect(splitSentences(' \n\t ')).toEqual([]);
  });
});

describe('buildPassages', () => {
  const sentence = (word: string, count: number): string => `${Array.from({ length: count }, () => word).join(' ')}.`;

  it('groups sentences up to the character bound', () => {
    const text = [sentence('Aaaa', 10), sentence('Bbbb', 10), sentence('Cccc', 10)].join(' ');
    // Each sentence has 50 characters; two with a space make 101.
    expect(buildPassages(text, 110, 40)).toEqual([`${sentence('Aaaa', 10)} ${sentence('Bbbb', 10)}`, sentence('Cccc', 10)]);
  });

  it('cuts a long sentence at a word boundary', () => {
    const passages = buildPassages(sentence('word', 30), 52, 10);
    expect(passages).toEqual([Array.from({ length: 10 }, () => 'word').join(' ')]);
  });

  it('drops passages under the lower bound', () => {
    expect(buildPassages(`${sentence('Long', 20)} Thank you.`, 100, 20)).toEqual([sentence('Long', 20)]);
  });

  it('rejects bounds in the wrong order', () => {
    expect(() => buildPassages('a', 10, 20)).toThrow('Passage bounds minChars 20 and maxChars 10 are invalid');
  });
});

describe('samplePassages', () => {
  it('keeps the order of the address and depends on the seed', () => {
    const passages = Array.from({ length: 50 }, (_, index) => `p${index}`);
    const one = samplePassages(passages, 10, 1, 'a');
    expect(one).toHaveLength(10);
    expect([...one].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(one);
    expect(samplePassages(passages, 10, 1, 'a')).toEqual(one);
    expect(samplePassages(passages, 10, 2, 'a')).not.toEqual(one);
  });

  it('keeps all passages of a short address', () => {
    expect(samplePassages(['a', 'b'], 5, 1, 'x')).toEqual(['a', 'b']);
  });
});

describe('State of the Union passage file', () => {
  it('matches a rebuild from the npm package', () => {
    const { addresses, version } = readRawSotuAddresses();
    expect(addresses).toHaveLength(233);
    const rebuilt = serializeSotuCorpus(buildSotuCorpus(addresses, version));
    expect(rebuilt === readFileSync(SOTU_CORPUS_PATH, 'utf8'), 'src/data/sotu-passages.json is stale: run `npx tsx src/data/sotu-corpus-node.ts`').toBe(true);
  });
});

describe('prepareSotuSplits', () => {
  it('gives each address one split, stratified by party', async () => {
    const prepared = await loadSotuPreparation();
    const { train, dev, test } = prepared.addresses;
    expect(train.length + dev.length + test.length).toBe(182);
    expect(new Set([...train, ...dev, ...test]).size).toBe(182);
    // 90 Democratic and 92 Republican addresses: Math.round(9.0) and Math.round(9.2) per class.
    expect(dev).toHaveLength(18);
    expect(test).toHaveLength(18);
    console.log(
      `State of the Union: ${prepared.passages} passages (${prepared.duplicates} duplicates, ${prepared.conflicts} conflicts removed), ` +
        `${prepared.splits.train.length}/${prepared.splits.dev.length}/${prepared.splits.test.length} train/dev/test; test addresses ${test.join(', ')}.`,
    );
  });

  it('labels each passage with the party of its address', async () => {
    const corpus = JSON.parse(readFileSync(SOTU_CORPUS_PATH, 'utf8')) as SotuCorpusFile;
    const party = new Map(corpus.addresses.flatMap(([, , name, passages]) => passages.map((passage) => [passage, name])));
    const { splits } = prepareSotuSplits(corpus);
    for (const example of [...splits.train, ...splits.dev, ...splits.test]) {
      expect(SOTU_LABELS[example.label]).toBe(party.get(example.text));
    }
    const obama = corpus.addresses.find(([year]) => year === 2010)!;
    expect(obama[1]).toBe('Barack Obama');
    expect(obama[2]).toBe('Democratic');
  });

  it('never puts one passage in two splits', async () => {
    const { splits } = await loadSotuPreparation();
    const trainKeys = new Set(splits.train.map(duplicateKey));
    const devKeys = new Set(splits.dev.map(duplicateKey));
    expect(splits.dev.filter((example) => trainKeys.has(duplicateKey(example)))).toEqual([]);
    expect(splits.test.filter((example) => trainKeys.has(duplicateKey(example)) || devKeys.has(duplicateKey(example)))).toEqual([]);
  });

  it('has both parties in every split', async () => {
    const { splits } = await loadSotuPreparation();
    for (const name of ['train', 'dev', 'test'] as const) {
      const counts = countLabels(splits[name]);
      expect([...counts.keys()], name).toEqual([0, 1]);
      const share = counts.get(1)! / splits[name].length;
      expect(share, name).toBeGreaterThan(0.4);
      expect(share, name).toBeLessThan(0.6);
    }
  });

  it('rejects an entry with an unknown party', () => {
    const corpus = { addresses: [[1841, 'John Tyler', 'Whig', ['text']]] } as unknown as SotuCorpusFile;
    expect(() => prepareSotuSplits(corpus)).toThrow('State of the Union address 0 is invalid');
  });

  it('loads through the task definition', async () => {
    const splits = await sotuTask.load();
    expect(splits.train.length).toBeGreaterThan(2800);
    expect(sotuTask.labels).toEqual(['Democratic', 'Republican']);
  });
});
