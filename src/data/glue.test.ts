import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { computeMetrics } from '../train/metrics';
import { GLUE_CONFIGS, type GlueTaskId } from './glue-configs';
import {
  buildGlueFixtureFiles,
  fixtureFetch,
  readSharedGlueTables,
  sharedGlueMissingReason,
  SHARED_GLUE_DIR,
  writeGlueFixtureFolder,
  writeParquetTable,
  type FixtureRequest,
  type GlueFixtureTable,
} from './glue-fixtures';
import { folderFileReader } from './glue-node';
import {
  createGlueTask,
  datasetDownloadReason,
  examplesFromGlueRows,
  glueHoldOutSize,
  glueHubUrl,
  loadGluePreparation,
  prepareGlueSplits,
  type GluePreparation,
} from './glue';
import { DatasetFileError, readParquetColumns } from './parquet';
import { countLabels, duplicateKey } from './split';
import type { TaskExample } from './task';

const missingShared = sharedGlueMissingReason();
if (missingShared !== null) {
  console.log(`Skipping the GLUE tests that read shared data: ${missingShared}.`);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Duplicate keys (text and pair, lower-cased) of a split's examples. */
function keysOf(examples: readonly TaskExample[]): Set<string> {
  return new Set(examples.map(duplicateKey));
}

/** Number of examples per class of a split, as an object for readable failures. */
function classCounts(examples: readonly TaskExample[]): Record<number, number> {
  return Object.fromEntries(countLabels(examples));
}

describe.skipIf(missingShared !== null)('GLUE from shared data', () => {
  let files: Map<string, Uint8Array>;
  let folder: string;
  const requests: FixtureRequest[] = [];
  const loaded = new Map<GlueTaskId, GluePreparation>();

  beforeAll(async () => {
    files = buildGlueFixtureFiles();
    folder = mkdtempSync(join(tmpdir(), 'glue-fixtures-'));
    writeGlueFixtureFolder(files, folder);
    vi.stubGlobal('fetch', fixtureFetch(files, requests));
    for (const id of ['sst2', 'cola', 'mrpc', 'stsb', 'rte'] as const) {
      loaded.set(id, await loadGluePreparation(id, { trainSize: 'all' }));
    }
    const counts = [...loaded].map(([id, prepared]) => `${id} ${prepared.trainRows} train / ${prepared.evaluationRows} validation → ${prepared.splits.train.length}/${prepared.splits.dev.length}/${prepared.splits.test.length}`);
    console.log(`GLUE fixtures from ${SHARED_GLUE_DIR}: ${counts.join('; ')}.`);
  });

  afterAll(() => {
    vi.unstubAllGlobals();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('reads every row of the shared files', () => {
    const expected: Record<string, [number, number]> = {
      // SST-2: shared train 60,614 + dev 6,735 (GLUE train), shared test 872 (GLUE dev).
      sst2: [67_349, 872],
      // CoLA: GLUE train 8,551; dev in-domain 527 + out-of-domain 516.
      cola: [8_551, 1_043],
      // MRPC: 4,076 shared train pairs, every 10th (407) as validation.
      mrpc: [3_669, 407],
      stsb: [5_749, 1_500],
      rte: [1_244, 139],
    };
    for (const [id, [train, evaluation]] of Object.entries(expected)) {
      const prepared = loaded.get(id as GlueTaskId)!;
      expect(prepared.trainRows, id).toBe(train);
      expect(prepared.evaluationRows, id).toBe(evaluation);
      expect(prepared.skipped, id).toEqual([]);
    }
  });

  it('fetches each file once from its Hub URL', () => {
    for (const id of loaded.keys()) {
      const config = GLUE_CONFIGS[id];
      for (const split of ['train', config.evaluationSplit]) {
        const url = glueHubUrl(`${config.hubConfig}/${split}-00000-of-00001.parquet`);
        expect(requests.filter((request) => request.url === url)).toEqual([{ url, status: 200 }]);
      }
    }
  });

  it('keeps the validation split as the dev split', () => {
    const tables = readSharedGlueTables();
    for (const [id, prepared] of loaded) {
      const table = tables.find((candidate) => candidate.path === `${id}/validation-00000-of-00001.parquet`)!;
      const first = table.columns[0].data;
      expect(prepared.splits.dev.map((example) => example.text)).toEqual(first);
    }
  });

  it('carves a disjoint test split of the hold-out size', () => {
    for (const [id, prepared] of loaded) {
      const { train, dev, test } = prepared.splits;
      expect(test.length, id).toBe(glueHoldOutSize(prepared.trainRows, prepared.evaluationRows));
      expect(dev.length, id).toBe(prepared.evaluationRows);
      expect(train.length + test.length + prepared.heldOutCopies, id).toBe(prepared.trainRows);
      const trainKeys = keysOf(train);
      expect(test.filter((example) => trainKeys.has(duplicateKey(example))), id).toEqual([]);
      expect(keysOf(test).size, id).toBe(test.length);
    }
  });

  it('stratifies the test split by label', () => {
    for (const id of ['sst2', 'cola', 'mrpc', 'rte'] as const) {
      const prepared = loaded.get(id)!;
      const all = [...prepared.splits.train, ...prepared.splits.test];
      const totals = classCounts(all);
      const test = classCounts(prepared.splits.test);
      for (const [label, total] of Object.entries(totals)) {
        const expected = (prepared.splits.test.length * total) / all.length;
        // Within 2 examples of the proportional count; duplicates removed from train shift it slightly.
        expect(Math.abs((test[Number(label)] ?? 0) - expected), `${id} label ${label}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('stratifies the STS-B test split by score', () => {
    const { train, test } = loaded.get('stsb')!.splits;
    const mean = (examples: TaskExample[]): number => examples.reduce((sum, example) => sum + example.label, 0) / examples.length;
    expect(Math.abs(mean(test) - mean(train))).toBeLessThan(0.05);
    expect(Math.min(...test.map((example) => example.label))).toBeLessThan(0.5);
    expect(Math.max(...test.map((example) => example.label))).toBeGreaterThan(4.5);
  });

  it('reproduces the same split from the same seed', async () => {
    const again = await loadGluePreparation('rte', { trainSize: 'all' });
    expect(again.splits).toEqual(loaded.get('rte')!.splits);
  });

  it('carves another test split from another seed', () => {
    const config = GLUE_CONFIGS.rte;
    const { splits } = loaded.get('rte')!;
    const train = [...splits.train, ...splits.test];
    const one = prepareGlueSplits(config, train, splits.dev, 'all', 1);
    const two = prepareGlueSplits(config, train, splits.dev, 'all', 2);
    expect(one.splits.test.length).toBe(two.splits.test.length);
    expect(keysOf(one.splits.test)).not.toEqual(keysOf(two.splits.test));
  });

  it('maps RTE class indices to the shared label names', () => {
    const { dev } = loaded.get('rte')!.splits;
    const labels = GLUE_CONFIGS.rte.labels!;
    const shared = new Map(readTsvRows(join(SHARED_GLUE_DIR, 'rte', 'dev.tsv')).map((row) => [`${row[1]}\u0000${row[2]}`, row[3]]));
    expect(labels).toEqual(['entailment', 'not_entailment']);
    for (const example of dev) {
      expect(labels[example.label]).toBe(shared.get(`${example.text}\u0000${example.textPair}`));
    }
    const sister = dev.find((example) => example.textPair === "Hillary Clinton is Bill's sister.")!;
    expect(labels[sister.label]).toBe('not_entailment');
  });

  it('maps SST-2 label 1 to positive', () => {
    const { dev } = loaded.get('sst2')!.splits;
    const journey = dev.find((example) => example.text.startsWith("it 's a charming and often affecting journey"))!;
    expect(GLUE_CONFIGS.sst2.labels![journey.label]).toBe('positive');
  });

  it('reads the second sentence of pair tasks', () => {
    const { dev } = loaded.get('mrpc')!.splits;
    expect(dev.every((example) => typeof example.textPair === 'string' && example.textPair.length > 0)).toBe(true);
    const { dev: sst2Dev } = loaded.get('sst2')!.splits;
    expect(sst2Dev.some((example) => example.textPair !== undefined)).toBe(false);
  });

  it('reads STS-B scores as in the shared file', () => {
    const { dev } = loaded.get('stsb')!.splits;
    const shared = readTsvRows(join(SHARED_GLUE_DIR, 'stsb', 'dev.tsv')).map((row) => Number(row[9]));
    expect(dev).toHaveLength(shared.length);
    // float32 keeps about 7 significant digits, so a score such as 2.333333 matches to 1e-6.
    const far = dev.filter((example, index) => Math.abs(example.label - shared[index]) > 1e-6);
    expect(far).toEqual([]);
    expect(dev[1].label).toBe(4.75);
  });

  it('subsamples train with the seed and keeps the test split', async () => {
    const small = await loadGluePreparation('sst2', { trainSize: 1000 });
    const full = loaded.get('sst2')!;
    expect(small.splits.train).toHaveLength(1000);
    expect(small.splits.test).toEqual(full.splits.test);
    const fullKeys = keysOf(full.splits.train);
    expect(small.splits.train.every((example) => fullKeys.has(duplicateKey(example)))).toBe(true);
    const share = (examples: TaskExample[]): number => examples.filter((example) => example.label === 1).length / examples.length;
    expect(Math.abs(share(small.splits.train) - share(full.splits.train))).toBeLessThan(0.002);
    const again = await loadGluePreparation('sst2', { trainSize: 1000 });
    expect(again.splits.train).toEqual(small.splits.train);
  });

  it('reports summed byte progress', async () => {
    const reports: [number, number | null][] = [];
    await loadGluePreparation('cola', { onProgress: (bytes, total) => reports.push([bytes, total]) });
    const size = files.get('cola/train-00000-of-00001.parquet')!.length + files.get('cola/validation-00000-of-00001.parquet')!.length;
    expect(reports.at(-1)).toEqual([size, size]);
    expect(reports.every(([bytes, total]) => total === null || bytes <= total)).toBe(true);
  });

  it('reads the same splits from a local folder', async () => {
    const before = requests.length;
    const fromFolder = await loadGluePreparation('mrpc', { trainSize: 'all', reader: folderFileReader(folder) });
    expect(fromFolder.splits).toEqual(loaded.get('mrpc')!.splits);
    expect(requests.length).toBe(before);
  });

  it('names the missing file of a local folder', async () => {
    await expect(loadGluePreparation('qnli', { reader: folderFileReader(folder) })).rejects.toThrow(/qnli\/train-00000-of-00001\.parquet: not found\. The data folder must have the Hub layout/);
  });

  it('rejects an unlabelled test file', async () => {
    const path = 'rte/test-00000-of-00001.parquet';
    const { rows } = await readParquetColumns(toArrayBuffer(files.get(path)!), path, ['sentence1', 'sentence2', 'label']);
    expect(() => examplesFromGlueRows(GLUE_CONFIGS.rte, rows, path)).toThrow(/row 1 has label -1, which marks an unlabelled split/);
  });

  it('loads through the task definition', async () => {
    const task = createGlueTask('rte', { trainSize: 500 });
    const splits = await task.load();
    expect(splits.train).toHaveLength(500);
    expect(task.splitDescription).toContain('a seeded stratified sample of 500 examples');
    expect(task.labels).toEqual(['entailment', 'not_entailment']);
  });
});

/** Reads a shared TSV file with a header into rows of fields. */
function readTsvRows(path: string): string[][] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  return lines.slice(1).map((line) => line.split('\t'));
}

/** Returns a small table in the Hub layout, for the tasks without shared data. */
function pairFixture(path: string, first: string, second: string, rows: [string, string, number][]): GlueFixtureTable {
  return {
    path,
    rows: rows.length,
    columns: [
      { name: first, type: 'STRING', data: rows.map((row) => row[0]) },
      { name: second, type: 'STRING', data: rows.map((row) => row[1]) },
      { name: 'label', type: 'INT64', data: rows.map((row) => BigInt(row[2])) },
      { name: 'idx', type: 'INT32', data: rows.map((_, index) => index) },
    ],
  };
}

/** `count` rows whose texts are unique and whose labels cycle through `classes`. */
function syntheticRows(prefix: string, count: number, classes: number): [string, string, number][] {
  return Array.from({ length: count }, (_, index) => [`${prefix} question ${index}?`, `${prefix} answer ${index}.`, index % classes]);
}

describe('sharedGlueMissingReason', () => {
  it('names an absent folder', () => {
    expect(sharedGlueMissingReason('/nonexistent/glue')).toBe('the shared GLUE data folder /nonexistent/glue is absent (it lives next to the repository, outside git)');
  });
});

describe('GLUE pair tasks without shared data', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function serve(tables: GlueFixtureTable[], requests: FixtureRequest[] = []): void {
    vi.stubGlobal('fetch', fixtureFetch(new Map(tables.map((table) => [table.path, writeParquetTable(table)])), requests));
  }

  it('reads QNLI question and sentence columns', async () => {
    serve([
      pairFixture('qnli/train-00000-of-00001.parquet', 'question', 'sentence', syntheticRows('train', 200, 2)),
      pairFixture('qnli/validation-00000-of-00001.parquet', 'question', 'sentence', syntheticRows('dev', 30, 2)),
    ]);
    const prepared = await loadGluePreparation('qnli', { trainSize: 'all' });
    expect(prepared.splits.dev[0]).toEqual({ text: 'dev question 0?', textPair: 'dev answer 0.', label: 0 });
    expect(prepared.splits.test).toHaveLength(20);
    expect(prepared.splits.train).toHaveLength(180);
    expect(classCounts(prepared.splits.test)).toEqual({ 0: 10, 1: 10 });
  });

  it('reads QQP question pairs', async () => {
    serve([
      pairFixture('qqp/train-00000-of-00001.parquet', 'question1', 'question2', syntheticRows('train', 100, 2)),
      pairFixture('qqp/validation-00000-of-00001.parquet', 'question1', 'question2', syntheticRows('dev', 8, 2)),
    ]);
    const prepared = await loadGluePreparation('qqp');
    expect(prepared.splits.dev[1]).toEqual({ text: 'dev question 1?', textPair: 'dev answer 1.', label: 1 });
    expect(prepared.splits.test).toHaveLength(8);
  });

  it('reads the matched MNLI validation file', async () => {
    const requests: FixtureRequest[] = [];
    serve(
      [
        pairFixture('mnli/train-00000-of-00001.parquet', 'premise', 'hypothesis', syntheticRows('train', 300, 3)),
        pairFixture('mnli/validation_matched-00000-of-00001.parquet', 'premise', 'hypothesis', syntheticRows('matched', 30, 3)),
        pairFixture('mnli/validation_mismatched-00000-of-00001.parquet', 'premise', 'hypothesis', syntheticRows('mismatched', 30, 3)),
      ],
      requests,
    );
    const prepared = await loadGluePreparation('mnli', { trainSize: 60 });
    expect(prepared.splits.dev.every((example) => example.text.startsWith('matched'))).toBe(true);
    expect(classCounts(prepared.splits.test)).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect(classCounts(prepared.splits.train)).toEqual({ 0: 20, 1: 20, 2: 20 });
    expect(requests.map((request) => request.url.split('/').at(-1))).toEqual(['train-00000-of-00001.parquet', 'validation_matched-00000-of-00001.parquet']);
  });

  it('holds out one copy of a duplicated text and drops the others', async () => {
    const rows = syntheticRows('train', 40, 2);
    const duplicated: [string, string, number][] = [...rows, ...rows.slice(0, 40).map((row) => [row[0].toUpperCase(), row[1], row[2]] as [string, string, number])];
    serve([
      pairFixture('qnli/train-00000-of-00001.parquet', 'question', 'sentence', duplicated),
      pairFixture('qnli/validation-00000-of-00001.parquet', 'question', 'sentence', syntheticRows('dev', 30, 2)),
    ]);
    const prepared = await loadGluePreparation('qnli', { trainSize: 'all' });
    expect(prepared.splits.test).toHaveLength(8);
    expect(prepared.heldOutCopies).toBe(8);
    expect(prepared.splits.train).toHaveLength(64);
  });

  it('never holds out a text with two labels', () => {
    const config = GLUE_CONFIGS.qnli;
    const conflicting: TaskExample[] = Array.from({ length: 10 }, (_, index) => ({ text: `t${index}`, textPair: 'p', label: 0 }));
    conflicting.push(...conflicting.map((example) => ({ ...example, label: 1 })));
    const clean: TaskExample[] = Array.from({ length: 10 }, (_, index) => ({ text: `c${index}`, textPair: 'p', label: index % 2 }));
    const prepared = prepareGlueSplits(config, [...conflicting, ...clean], clean, 'all');
    expect(prepared.splits.test).toHaveLength(3);
    expect(prepared.splits.test.every((example) => example.text.startsWith('c'))).toBe(true);
  });

  it('names the file and the HTTP status of a failed download', async () => {
    serve([]);
    const error = await loadGluePreparation('rte').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetFileError);
    expect((error as Error).message).toMatch(/^https:\/\/huggingface\.co\/datasets\/nyu-mll\/glue\/resolve\/main\/rte\/(train|validation)-00000-of-00001\.parquet: download failed: HTTP 404/);
    expect((error as Error).message).toMatch(/HTTP 404 Not Found\. The file is not in nyu-mll\/glue at revision "main"; check the revision, and whether the Hub still serves its Parquet files at this path\.$/);
  });

  it('words download failures for datasets', () => {
    expect(datasetDownloadReason('HTTP 403 Forbidden for required file sst2/train-00000-of-00001.parquet. The repository may not exist.', 'v1')).toBe(
      'HTTP 403 Forbidden. The Hub rejected the request although nyu-mll/glue is public; check for a proxy or firewall between this machine and huggingface.co.',
    );
    expect(datasetDownloadReason('HTTP 500 for required file sst2/train-00000-of-00001.parquet. Try again later, or check the server.', 'main')).toBe('HTTP 500. The Hub or the network failed; try again later.');
    const network = 'the request failed (fetch failed); check the network connection and the address.';
    expect(datasetDownloadReason(network, 'main')).toBe(network);
  });

  it('lists the columns when one is missing', async () => {
    serve([
      pairFixture('rte/train-00000-of-00001.parquet', 'premise', 'hypothesis', syntheticRows('train', 20, 2)),
      pairFixture('rte/validation-00000-of-00001.parquet', 'sentence1', 'sentence2', syntheticRows('dev', 5, 2)),
    ]);
    await expect(loadGluePreparation('rte')).rejects.toThrow('rte/train-00000-of-00001.parquet: column "sentence1", "sentence2" is missing; the file has columns "premise", "hypothesis", "label", "idx".');
  });

  it('rejects a label outside the classes', async () => {
    serve([
      pairFixture('rte/train-00000-of-00001.parquet', 'sentence1', 'sentence2', [...syntheticRows('train', 20, 2), ['a', 'b', 2]]),
      pairFixture('rte/validation-00000-of-00001.parquet', 'sentence1', 'sentence2', syntheticRows('dev', 5, 2)),
    ]);
    await expect(loadGluePreparation('rte')).rejects.toThrow('row 21 has label 2 in column "label"; expected a class index from 0 to 1 (entailment, not_entailment).');
  });

  it('skips a row with an empty text and reports it', () => {
    const rows: unknown[][] = [...syntheticRows('train', 200, 2), ['   ', 'answer', 1n]];
    const { examples, skipped } = examplesFromGlueRows(GLUE_CONFIGS.qqp, rows, 'qqp/train');
    expect(examples).toHaveLength(200);
    expect(skipped).toEqual([{ file: 'qqp/train', row: 201, reason: 'empty or missing text in column "question1"' }]);
  });

  it('rejects a file where many texts are empty', () => {
    const rows: unknown[][] = [...syntheticRows('train', 20, 2), [null, 'answer', 1n]];
    expect(() => examplesFromGlueRows(GLUE_CONFIGS.qqp, rows, 'qqp/train')).toThrow('1 of 21 rows have an empty text (first: row 21, empty or missing text in column "question1"); the file does not have the expected GLUE layout.');
  });

  it('rejects an STS-B score outside 0 to 5', () => {
    expect(() => examplesFromGlueRows(GLUE_CONFIGS.stsb, [['a', 'b', 5.5]], 'stsb/train')).toThrow('row 1 has score 5.5 in column "label"; expected a number from 0 to 5.');
  });

  it('rejects an invalid train size', async () => {
    await expect(loadGluePreparation('rte', { trainSize: 0 })).rejects.toThrow('Train size 0 is invalid: use a positive integer or "all".');
  });

  it('serves a second load from Cache Storage', async () => {
    const store = new Map<string, Response>();
    const cache = {
      match: async (url: string) => store.get(url)?.clone(),
      put: async (url: string, response: Response) => void store.set(url, response),
    };
    vi.stubGlobal('caches', { open: async () => cache, delete: async () => true });
    const requests: FixtureRequest[] = [];
    serve(
      [
        pairFixture('rte/train-00000-of-00001.parquet', 'sentence1', 'sentence2', syntheticRows('train', 50, 2)),
        pairFixture('rte/validation-00000-of-00001.parquet', 'sentence1', 'sentence2', syntheticRows('dev', 10, 2)),
      ],
      requests,
    );
    const first = await loadGluePreparation('rte');
    expect(requests).toHaveLength(2);
    const second = await loadGluePreparation('rte');
    expect(requests).toHaveLength(2);
    expect(second.splits).toEqual(first.splits);
  });
});

describe('GLUE task metrics', () => {
  it('scores CoLA by the Matthews correlation', () => {
    // TP 3, FN 1, FP 1, TN 3: (3·3 − 1·1) / √(4·4·4·4) = 8 / 16.
    const metrics = computeMetrics(GLUE_CONFIGS.cola.metrics, [1, 0, 1, 0, 1, 0, 1, 0], [1, 1, 1, 0, 0, 0, 1, 0], { numClasses: 2 });
    expect(metrics.mcc).toBeCloseTo(0.5, 12);
    expect(metrics.accuracy).toBeCloseTo(0.75, 12);
    expect(GLUE_CONFIGS.cola.primaryMetric).toBe('mcc');
  });

  it('scores MRPC and QQP by F1 and accuracy', () => {
    // TP 2, FN 2, FP 1, TN 1: F1 = 2·2 / (2·2 + 1 + 2) = 4/7; accuracy 3/6.
    for (const id of ['mrpc', 'qqp'] as const) {
      const metrics = computeMetrics(GLUE_CONFIGS[id].metrics, [1, 1, 0, 0, 1, 0], [1, 1, 1, 1, 0, 0], { numClasses: 2 });
      expect(metrics).toEqual({ f1: expect.closeTo(4 / 7, 12) as number, accuracy: 0.5 });
    }
  });

  it('scores STS-B by Pearson and Spearman with ties', () => {
    // Ranks: predictions [1, 2.5, 2.5, 4] (a tie), labels [1, 2, 3, 4]: Spearman = 4.5 / √(4.5·5) = √0.9.
    // Pearson on the raw values: deviations [−1.75, −0.75, −0.75, 3.25] and [−1.5, −0.5, 0.5, 1.5] give 7.5 / √(14.75·5).
    const metrics = computeMetrics(GLUE_CONFIGS.stsb.metrics, [0, 1, 1, 5], [1, 2, 3, 4]);
    expect(metrics.spearman).toBeCloseTo(Math.sqrt(0.9), 12);
    expect(metrics.pearson).toBeCloseTo(7.5 / Math.sqrt(73.75), 12);
  });

  it('averages tied ranks on both sides', () => {
    // Ranks: predictions [1.5, 1.5, 3, 4], labels [1, 3, 3, 3]; deviations from 2.5 give 2 / √(4.5·3).
    const metrics = computeMetrics(['spearman'], [1, 1, 2, 3], [1, 2, 2, 2]);
    expect(metrics.spearman).toBeCloseTo(2 / Math.sqrt(13.5), 12);
  });

  it('scores MNLI by three-class accuracy', () => {
    const metrics = computeMetrics(GLUE_CONFIGS.mnli.metrics, [0, 1, 2, 2, 1, 0], [0, 1, 2, 1, 1, 2], { numClasses: 3 });
    expect(metrics).toEqual({ accuracy: 4 / 6 });
  });
});
