// The task options of `npm run compare`: --task file:<path> with its columns, GLUE tasks with --data and
// --train-size, and the messages for options that do not fit the task.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeGlueFixtureFolder, writeParquetTable, type GlueFixtureTable } from '../data/glue-fixtures';
import { parseCompareOptions, UsageError } from './compare-options';
import { compareSpecTaskOptions, resolveCompareTask } from './compare-task';

function pairTable(path: string, count: number): GlueFixtureTable {
  return {
    path,
    rows: count,
    columns: [
      { name: 'sentence1', type: 'STRING', data: Array.from({ length: count }, (_, index) => `premise ${index}`) },
      { name: 'sentence2', type: 'STRING', data: Array.from({ length: count }, (_, index) => `hypothesis ${index}`) },
      { name: 'label', type: 'INT64', data: Array.from({ length: count }, (_, index) => BigInt(index % 2)) },
      { name: 'idx', type: 'INT32', data: Array.from({ length: count }, (_, index) => index) },
    ],
  };
}

describe('compare task options', () => {
  it('reads a file task with its columns', () => {
    const options = parseCompareOptions(['--task', 'file:data/r.csv', '--text', 'review', '--text-pair', 'reply', '--label', 'stars', '--task-type', 'regression'])!;
    expect(options.task).toBe('file:data/r.csv');
    expect(options.taskOptions).toEqual({ file: 'data/r.csv', text: 'review', textPair: 'reply', label: 'stars', taskType: 'regression' });
  });

  it('reads the GLUE data folder and train size', () => {
    expect(parseCompareOptions(['--task', 'sst2', '--data', 'glue/', '--train-size', '4000'])!.taskOptions).toEqual({ data: 'glue/', trainSize: 4000 });
    expect(parseCompareOptions(['--task', 'mnli', '--train-size=all'])!.taskOptions).toEqual({ trainSize: 'all' });
    expect(parseCompareOptions([])!.taskOptions).toEqual({});
  });

  it('requires the text and label columns of a file task', () => {
    expect(() => parseCompareOptions(['--task', 'file:r.csv', '--text', 'review'])).toThrow('--task file:r.csv needs --label <column>: the column with the class or score.');
    expect(() => parseCompareOptions(['--task', 'file:', '--text', 'a', '--label', 'b'])).toThrow('--task file: needs a path, e.g. --task file:reviews.csv.');
  });

  it('rejects options that do not fit the task', () => {
    expect(() => parseCompareOptions(['--task', 'spam', '--data', 'glue/'])).toThrow('--data applies to GLUE tasks (sst2, cola, mrpc, stsb, rte, qnli, qqp, mnli), not to --task spam.');
    expect(() => parseCompareOptions(['--task', 'rte', '--label', 'y'])).toThrow('--label applies to file tasks (--task file:<path>), not to --task rte.');
    expect(() => parseCompareOptions(['--task', 'rte', '--train-size', '0'])).toThrow('--train-size 0 is invalid; use a positive integer or "all".');
    expect(() => parseCompareOptions(['--task', 'file:r.csv', '--text', 'a', '--label', 'b', '--task-type', 'ranking'])).toThrow('--task-type ranking is invalid; use classification or regression.');
  });
});

describe('resolveCompareTask', () => {
  let folder: string;
  const lines: string[] = [];
  const log = (line: string): void => void lines.push(line);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'compare-task-'));
    writeGlueFixtureFolder(
      new Map([
        ['rte/train-00000-of-00001.parquet', writeParquetTable(pairTable('rte/train-00000-of-00001.parquet', 100))],
        ['rte/validation-00000-of-00001.parquet', writeParquetTable(pairTable('rte/validation-00000-of-00001.parquet', 10))],
      ]),
      folder,
    );
    const rows = Array.from({ length: 40 }, (_, index) => `"review ${index}, fine",${index % 2 === 0 ? 'good' : 'bad'}`);
    writeFileSync(join(folder, 'reviews.csv'), ['review,verdict', ...rows, ',good'].join('\n'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('builds a file task and logs the skipped rows', async () => {
    lines.length = 0;
    const path = join(folder, 'reviews.csv');
    const task = await resolveCompareTask(`file:${path}`, { file: path, text: 'review', label: 'verdict' }, log);
    const splits = await task.load();
    expect(task.labels).toEqual(['bad', 'good']);
    expect(splits.train.length + splits.dev.length + splits.test.length).toBe(40);
    expect(lines).toContain(`${path}: skipped 1 row:`);
    expect(lines).toContain('  line 42 has an empty or missing text in column "review" ("")');
  });

  it('reports a file problem as a usage error', async () => {
    const path = join(folder, 'reviews.csv');
    const error = await resolveCompareTask(`file:${path}`, { file: path, text: 'text', label: 'verdict' }, log).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${path}: the text column "text" is missing; the file has columns "review", "verdict".`);
  });

  it('names a file that cannot be read', async () => {
    await expect(resolveCompareTask('file:missing.csv', { file: 'missing.csv', text: 'a', label: 'b' }, log)).rejects.toThrow('--task file:missing.csv: the file cannot be read (ENOENT); check the path.');
  });

  it('reads a GLUE task from a local folder', async () => {
    lines.length = 0;
    const task = await resolveCompareTask('rte', { data: folder, trainSize: 50 }, log);
    const splits = await task.load();
    expect([splits.train.length, splits.dev.length, splits.test.length]).toEqual([50, 10, 10]);
    expect(lines.at(-1)).toBe('GLUE rte: 100 train and 10 validation rows; test holds out 10 (0 duplicate copies left train), train keeps 50 of 90.');
  });

  it('lists the known ids for an unknown task', async () => {
    await expect(resolveCompareTask('wnli', {}, log)).rejects.toThrow(/^--task: Task "wnli" is not found\. Known task ids: .*\. Or use --task file:<path> for a CSV, TSV or JSON Lines file\.$/);
  });
});

describe('compareSpecTaskOptions', () => {
  it('records the effective GLUE train size', () => {
    expect(compareSpecTaskOptions('rte', { trainSize: 50 }, { kind: 'classification' })).toEqual({ trainSize: 50 });
    expect(compareSpecTaskOptions('sst2', {}, { kind: 'classification' })).toEqual({ trainSize: 'all' });
    expect(compareSpecTaskOptions('qnli', { data: 'glue/' }, { kind: 'classification' })).toEqual({ trainSize: 20_000 });
  });

  it('records a file task without its content', () => {
    const options = { file: 'data/r.csv', text: 'review', textPair: 'reply', label: 'stars' };
    expect(compareSpecTaskOptions('file:data/r.csv', options, { kind: 'regression' })).toEqual({
      upload: { fileName: 'data/r.csv', mapping: { text: 'review', textPair: 'reply', label: 'stars' }, taskType: 'regression' },
    });
  });

  it('records nothing for a built-in task', () => {
    expect(compareSpecTaskOptions('spam', {}, { kind: 'classification' })).toBeUndefined();
  });
});
