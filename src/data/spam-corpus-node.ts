// Node-only: reads the raw SpamAssassin messages from the npm package and writes the extracted corpus
// file. Regenerate src/data/spam-assassin.json after changing the extraction:
//   npx tsx src/data/spam-corpus-node.ts

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSpamCorpus, SPAM_CORPUS_PACKAGE, type RawSpamMessage, type SpamCorpusFile } from './spam-corpus';

export const SPAM_CORPUS_PATH = fileURLToPath(new URL('./spam-assassin.json', import.meta.url));

/**
 * Reads all raw messages of the installed package, in the order of its data/file_list.json, and its
 * version. The original .txt files are read as bytes: the package's JSON copies were decoded as
 * UTF-8, which turned the ISO-8859-1 bytes of about 400 messages into U+FFFD.
 */
export function readRawSpamMessages(): { messages: RawSpamMessage[]; version: string } {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve(`${SPAM_CORPUS_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string };
  const dataDirectory = join(dirname(packageJsonPath), 'data');
  const fileList = JSON.parse(readFileSync(join(dataDirectory, 'file_list.json'), 'utf8')) as string[];

  const messages = fileList.map((path) => {
    const match = /^([a-z0-9-]+)\/(\d+)\.[0-9a-f]+\.txt$/.exec(path);
    if (match === null) {
      throw new Error(`${SPAM_CORPUS_PACKAGE} ${version} lists "${path}" in data/file_list.json, which is not of the form "group/number.md5.txt".`);
    }
    return { group: match[1], id: match[2], raw: readFileSync(join(dataDirectory, path)) };
  });
  return { messages, version };
}

/** Serialises the corpus with one message per line, so that a regenerated file diffs line by line. */
export function serializeSpamCorpus(corpus: SpamCorpusFile): string {
  const head = `{"package":${JSON.stringify(corpus.package)},"version":${JSON.stringify(corpus.version)},"maxChars":${corpus.maxChars},"messages":[\n`;
  return head + corpus.messages.map((message) => JSON.stringify(message)).join(',\n') + '\n]}\n';
}

function main(): void {
  const { messages, version } = readRawSpamMessages();
  const corpus = buildSpamCorpus(messages, version);
  const text = serializeSpamCorpus(corpus);
  writeFileSync(SPAM_CORPUS_PATH, text);
  const empty = corpus.messages.filter((message) => message[2] === '').length;
  console.log(`Wrote ${corpus.messages.length} messages (${empty} without readable text), ${text.length} characters, to ${SPAM_CORPUS_PATH}.`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main();
}
