// Test-only, Node-only: builds GLUE Parquet files in the Hub's layout and column types from the labelled
// TSV copies of GLUE in the shared test data folder. The files are never committed. They are served at
// their Hub URLs to a stubbed fetch (vitest) or a Playwright route, so tests run the real loader offline.
//
// Column types follow the Hub's Parquet conversion: texts are STRING, class labels INT64 (the `datasets`
// ClassLabel storage type), STS-B scores FLOAT (float32) and idx INT32. Unlabelled test files have label −1.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { GLUE_HUB_REPOSITORY } from './glue';

/** The shared data folder, next to the repository: <repository>/../shared/data/glue. */
export const SHARED_GLUE_DIR = fileURLToPath(new URL('../../../shared/data/glue', import.meta.url));

/** URL prefix of every file of the repository on the Hub, at any revision. */
export const GLUE_HUB_URL_PREFIX = `https://huggingface.co/datasets/${GLUE_HUB_REPOSITORY}/resolve/`;

/**
 * Class indices of the shared files' label strings, as the Hub's ClassLabel features number them
 * (datasets/glue/glue.py: RTE label_classes ["entailment", "not_entailment"]).
 */
const RTE_LABEL_INDEX: Readonly<Record<string, number>> = { entailment: 0, not_entailment: 1 };

/** The MRPC fixture's own validation carve: every 10th pair of the shared train file. */
const MRPC_VALIDATION_EVERY = 10;

type ColumnType = 'STRING' | 'INT32' | 'INT64' | 'FLOAT';

interface FixtureColumn {
  name: string;
  type: ColumnType;
  data: (string | number | bigint)[];
}

/** One file of the layout, before writing: path (e.g. "rte/train-00000-of-00001.parquet") and columns. */
export interface GlueFixtureTable {
  path: string;
  rows: number;
  columns: FixtureColumn[];
}

/** Returns null when the shared GLUE folder exists, or the reason to skip tests that need it. */
export function sharedGlueMissingReason(directory = SHARED_GLUE_DIR): string | null {
  return existsSync(directory) ? null : `the shared GLUE data folder ${directory} is absent (it lives next to the repository, outside git)`;
}

/** Reads a TSV file written without quoting (GLUE's csv.QUOTE_NONE): one row per line, fields split on tabs. */
function readTsv(path: string, header: boolean): string[][] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n').filter((line) => line !== '');
  const rows = lines.map((line) => line.replace(/\r$/, '').split('\t'));
  return header ? rows.slice(1) : rows;
}

function parseInteger(text: string, path: string, row: number): number {
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new Error(`${path} row ${row}: label "${text}" is not an integer.`);
  }
  return value;
}

function singleTable(path: string, sentences: string[], labels: number[]): GlueFixtureTable {
  return {
    path,
    rows: sentences.length,
    columns: [
      { name: 'sentence', type: 'STRING', data: sentences },
      { name: 'label', type: 'INT64', data: labels.map(BigInt) },
      { name: 'idx', type: 'INT32', data: sentences.map((_, index) => index) },
    ],
  };
}

function pairTable(path: string, firstName: string, secondName: string, pairs: [string, string][], labels: number[], labelType: 'INT64' | 'FLOAT'): GlueFixtureTable {
  return {
    path,
    rows: pairs.length,
    columns: [
      { name: firstName, type: 'STRING', data: pairs.map((pair) => pair[0]) },
      { name: secondName, type: 'STRING', data: pairs.map((pair) => pair[1]) },
      { name: 'label', type: labelType, data: labelType === 'INT64' ? labels.map(BigInt) : labels },
      { name: 'idx', type: 'INT32', data: pairs.map((_, index) => index) },
    ],
  };
}

/**
 * Converts the shared TSV files into tables of the Hub layout. SST-2 train is the shared train and dev
 * files (a carve of GLUE's train), and its validation is the shared test file (GLUE's dev). CoLA validation
 * is the in-domain and out-of-domain dev files. MRPC validation is every 10th pair of the shared train file.
 * RTE and MRPC also get an unlabelled test file.
 */
export function readSharedGlueTables(directory = SHARED_GLUE_DIR): GlueFixtureTable[] {
  const file = (...parts: string[]): string => join(directory, ...parts);
  const tables: GlueFixtureTable[] = [];

  // SST-2: header "sentence<TAB>label".
  const sst2 = (names: string[]): [string[], number[]] => {
    const rows = names.flatMap((name) => readTsv(file('sst2', name), true));
    return [rows.map((row) => row[0]), rows.map((row, index) => parseInteger(row[1], `sst2/${names.join('+')}`, index + 1))];
  };
  tables.push(singleTable('sst2/train-00000-of-00001.parquet', ...sst2(['train.tsv', 'dev.tsv'])));
  tables.push(singleTable('sst2/validation-00000-of-00001.parquet', ...sst2(['test.tsv'])));

  // CoLA: train without a header, dev files with the header "x<TAB>y".
  const colaTrain = readTsv(file('cola', 'train.tsv'), false);
  tables.push(
    singleTable(
      'cola/train-00000-of-00001.parquet',
      colaTrain.map((row) => row[0]),
      colaTrain.map((row, index) => parseInteger(row[1], 'cola/train.tsv', index + 1)),
    ),
  );
  const colaDev = [...readTsv(file('cola', 'dev_in_domain.tsv'), true), ...readTsv(file('cola', 'dev_out_of_domain.tsv'), true)];
  tables.push(
    singleTable(
      'cola/validation-00000-of-00001.parquet',
      colaDev.map((row) => row[0]),
      colaDev.map((row, index) => parseInteger(row[1], 'cola/dev', index + 1)),
    ),
  );

  // STS-B: GLUE header with sentence1, sentence2 and score in columns 8 to 10.
  for (const [name, split] of [
    ['train.tsv', 'train'],
    ['dev.tsv', 'validation'],
  ] as const) {
    const rows = readTsv(file('stsb', name), true);
    tables.push(
      pairTable(
        `stsb/${split}-00000-of-00001.parquet`,
        'sentence1',
        'sentence2',
        rows.map((row) => [row[7], row[8]]),
        rows.map((row) => Number(row[9])),
        'FLOAT',
      ),
    );
  }

  // MRPC: header "Quality, #1 ID, #2 ID, #1 String, #2 String" after a UTF-8 BOM.
  const mrpcTrain = readTsv(file('mrpc', 'train.txt'), true);
  const isValidation = (index: number): boolean => index % MRPC_VALIDATION_EVERY === MRPC_VALIDATION_EVERY - 1;
  for (const [split, keep] of [
    ['train', (index: number) => !isValidation(index)],
    ['validation', isValidation],
  ] as const) {
    const rows = mrpcTrain.filter((_, index) => keep(index));
    tables.push(
      pairTable(
        `mrpc/${split}-00000-of-00001.parquet`,
        'sentence1',
        'sentence2',
        rows.map((row) => [row[3], row[4]]),
        rows.map((row, index) => parseInteger(row[0], `mrpc/train.txt (${split})`, index + 1)),
        'INT64',
      ),
    );
  }
  const mrpcTest = readTsv(file('mrpc', 'test.txt'), true);
  tables.push(
    pairTable(
      'mrpc/test-00000-of-00001.parquet',
      'sentence1',
      'sentence2',
      mrpcTest.map((row) => [row[3], row[4]]),
      mrpcTest.map(() => -1),
      'INT64',
    ),
  );

  // RTE: header "index, sentence1, sentence2, label" with label names.
  for (const [name, split, labelled] of [
    ['train.tsv', 'train', true],
    ['dev.tsv', 'validation', true],
    ['test.tsv', 'test', false],
  ] as const) {
    const rows = readTsv(file('rte', name), true);
    const labels = rows.map((row, index) => {
      const label = RTE_LABEL_INDEX[row[3]];
      if (label === undefined) {
        throw new Error(`rte/${name} row ${index + 1}: label "${row[3]}" is not one of ${Object.keys(RTE_LABEL_INDEX).join(', ')}.`);
      }
      return labelled ? label : -1;
    });
    tables.push(
      pairTable(
        `rte/${split}-00000-of-00001.parquet`,
        'sentence1',
        'sentence2',
        rows.map((row) => [row[1], row[2]]),
        labels,
        'INT64',
      ),
    );
  }
  return tables;
}

/** Writes one table as a Snappy-compressed Parquet file (hyparquet-writer's default codec). */
export function writeParquetTable(table: GlueFixtureTable): Uint8Array {
  const buffer = parquetWriteBuffer({ columnData: table.columns.map((column) => ({ name: column.name, data: column.data, type: column.type })) });
  return new Uint8Array(buffer);
}

/** Builds every fixture file from the shared folder: path in the repository layout → Parquet bytes. */
export function buildGlueFixtureFiles(directory = SHARED_GLUE_DIR): Map<string, Uint8Array> {
  return new Map(readSharedGlueTables(directory).map((table) => [table.path, writeParquetTable(table)]));
}

/** Writes the files under `folder` in the repository layout, e.g. for the CLI's --data option. */
export function writeGlueFixtureFolder(files: ReadonlyMap<string, Uint8Array>, folder: string): void {
  for (const [path, bytes] of files) {
    const target = join(folder, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
}

/**
 * Returns the repository path of a Hub URL of nyu-mll/glue (any revision), or null for another URL.
 * "https://huggingface.co/datasets/nyu-mll/glue/resolve/main/rte/train-00000-of-00001.parquet" → "rte/train-00000-of-00001.parquet".
 */
export function glueFixturePath(url: string): string | null {
  if (!url.startsWith(GLUE_HUB_URL_PREFIX)) {
    return null;
  }
  const afterRevision = url.slice(GLUE_HUB_URL_PREFIX.length).split('?')[0];
  const slash = afterRevision.indexOf('/');
  return slash < 0 ? null : afterRevision.slice(slash + 1);
}

/** One request seen by fixtureFetch, for tests that count downloads. */
export interface FixtureRequest {
  url: string;
  status: number;
}

/**
 * Returns a fetch that serves `files` at their Hub URLs with Content-Length (for byte progress), returns
 * 404 for other files of the repository, and rejects any other URL. `requests` records every call.
 */
export function fixtureFetch(files: ReadonlyMap<string, Uint8Array>, requests: FixtureRequest[] = []): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    init?.signal?.throwIfAborted();
    let url: string;
    if (typeof input === 'string') url = input;
    else if (input instanceof URL) url = input.href;
    else url = input.url;
    const path = glueFixturePath(url);
    if (path === null) {
      throw new TypeError(`fixtureFetch serves only ${GLUE_HUB_URL_PREFIX}…; the request for ${url} was rejected.`);
    }
    const bytes = files.get(path);
    requests.push({ url, status: bytes === undefined ? 404 : 200 });
    if (bytes === undefined) {
      return new Response('Entry not found', { status: 404, statusText: 'Not Found' });
    }
    return new Response(bytes as BlobPart, { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) } });
  };
}

/** The parts of a Playwright Route that glueFixtureRouteHandler uses. */
export interface FixtureRoute {
  request(): { url(): string };
  fulfill(response: { status: number; body?: string | Buffer; headers?: Record<string, string> }): Promise<void>;
}

/**
 * Returns a handler for `page.route(GLUE_HUB_URL_PREFIX + '**', handler)` that serves `files` like
 * fixtureFetch does, including the Access-Control-Allow-Origin header a cross-origin fetch needs.
 */
export function glueFixtureRouteHandler(files: ReadonlyMap<string, Uint8Array>): (route: FixtureRoute) => Promise<void> {
  return async (route) => {
    const path = glueFixturePath(route.request().url());
    const bytes = path === null ? undefined : files.get(path);
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (bytes === undefined) {
      await route.fulfill({ status: 404, body: 'Entry not found', headers: cors });
      return;
    }
    await route.fulfill({
      status: 200,
      body: Buffer.from(bytes),
      headers: { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
    });
  };
}
