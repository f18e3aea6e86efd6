// Node-only: reads the State of the Union addresses from the npm package and writes the passage file.
// Regenerate src/data/sotu-passages.json after changing the extraction:
//   npx tsx src/data/sotu-corpus-node.ts

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSotuCorpus, SOTU_CORPUS_PACKAGE, type RawSotuAddress, type SotuCorpusFile } from './sotu-corpus';

export const SOTU_CORPUS_PATH = fileURLToPath(new URL('./sotu-passages.json', import.meta.url));

/** Reads every address of the installed package (data/<year>_<name>_<party>.json) and the package version. */
export function readRawSotuAddresses(): { addresses: RawSotuAddress[]; version: string } {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve(`${SOTU_CORPUS_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string };
  const dataDirectory = join(dirname(packageJsonPath), 'data');

  const names = readdirSync(dataDirectory).filter((name) => name.endsWith('.json')).sort();
  const addresses = names.map((name) => {
    const address = JSON.parse(readFileSync(join(dataDirectory, name), 'utf8')) as Partial<RawSotuAddress>;
    if (typeof address.year !== 'number' || typeof address.name !== 'string' || typeof address.party !== 'string' || typeof address.text !== 'string') {
      throw new Error(`${SOTU_CORPUS_PACKAGE} ${version}: data/${name} is not an object with year (number), name, party and text (strings).`);
    }
    return { year: address.year, name: address.name, party: address.party, text: address.text };
  });
  return { addresses, version };
}

/** Serialises the file with one address per line, so that a regenerated file diffs line by line. */
export function serializeSotuCorpus(corpus: SotuCorpusFile): string {
  const { addresses, ...header } = corpus;
  const head = JSON.stringify(header).slice(0, -1);
  return `${head},"addresses":[\n${addresses.map((address) => JSON.stringify(address)).join(',\n')}\n]}\n`;
}

function main(): void {
  const { addresses, version } = readRawSotuAddresses();
  const corpus = buildSotuCorpus(addresses, version);
  const text = serializeSotuCorpus(corpus);
  writeFileSync(SOTU_CORPUS_PATH, text);
  const passages = corpus.addresses.reduce((sum, address) => sum + address[3].length, 0);
  console.log(`Wrote ${corpus.addresses.length} of ${addresses.length} addresses, ${passages} passages, ${text.length} characters, to ${SOTU_CORPUS_PATH}.`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main();
}
