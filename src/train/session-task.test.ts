// The task options of a start command through TrainingSession with the Worker's resolveTask. Covers an
// uploaded file carried in the spec, and a GLUE task with its train size, read with byte progress from a
// stubbed Hub. Also covers the error when an uploaded task comes without its file.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureFetch, writeParquetTable, type FixtureRequest, type GlueFixtureTable } from '../data/glue-fixtures';
import { resolveTask } from '../data/registry';
import { parseTaskDataProgress } from '../data/task-progress';
import { taskFromUpload, type UploadedTaskSpec } from '../data/upload';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import type { WorkerEvent } from './protocol';
import { TrainingSession } from './session';
import { tinyModel, tinySpec } from './test-fixtures';
import type { ExperimentSpec } from './types';

let engine: Engine;

beforeAll(async () => {
  engine = await testEngine();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Runs one start command with the Worker's resolveTask and returns every event until the experiment ends or fails. */
async function run(spec: ExperimentSpec, getTask = resolveTask): Promise<WorkerEvent[]> {
  const events: WorkerEvent[] = [];
  await new Promise<void>((resolve) => {
    const session = new TrainingSession({
      post: (event) => {
        events.push(event);
        if (event.type === 'experiment-finished' || event.type === 'error') resolve();
      },
      acquireEngine: () => Promise.resolve(engine),
      loadModel: () => Promise.resolve({ ...tinyModel(), notes: [] }),
      getTask,
    });
    session.handle({ type: 'start', spec, completed: [] });
  });
  return events;
}

const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'hello', 'world', 'play'];

/** Distinct sentences of the tiny vocabulary; label "yes" when "cat" occurs. */
function sentences(count: number): Array<{ text: string; cat: boolean }> {
  return Array.from({ length: count }, (_, index) => {
    const words = [WORDS[index % 10], WORDS[Math.floor(index / 10) % 10], WORDS[(index * 7) % 10], String(index)];
    return { text: words.join(' '), cat: words.includes('cat') };
  });
}

describe('start command task options', () => {
  it('trains on an uploaded file carried in the spec', async () => {
    const rows = sentences(60).map((row) => `${row.text},${row.cat ? 'yes' : 'no'}`);
    const upload: UploadedTaskSpec = { fileName: 'cats.csv', bytes: new TextEncoder().encode(['text,label', ...rows].join('\n')), mapping: { text: 'text', label: 'label' } };
    const { task } = taskFromUpload(upload);
    // A structured clone, as postMessage and IndexedDB deliver the spec.
    const spec = structuredClone({ ...tinySpec(['head'], [1], { steps: 2, evalInterval: 2 }, task.id), taskOptions: { upload } });

    const events = await run(spec);
    expect(events.at(-1)).toEqual({ type: 'experiment-finished', status: 'done' });
    const messages = events.flatMap((event) => (event.type === 'status' ? [event.message] : []));
    expect(messages).toContain(`Loading task "cats.csv".`);
    const statuses = events.flatMap((event) => (event.type === 'run-finished' ? [event.record.status] : []));
    expect(statuses).toEqual(['done']);
  });

  it('reads a GLUE task with its train size and reports byte progress', async () => {
    const pairs = (path: string, count: number): GlueFixtureTable => {
      const rows = sentences(count);
      return {
        path,
        rows: count,
        columns: [
          { name: 'sentence1', type: 'STRING', data: rows.map((row) => row.text) },
          { name: 'sentence2', type: 'STRING', data: rows.map((row) => `the ${row.text}`) },
          { name: 'label', type: 'INT64', data: rows.map((row) => BigInt(row.cat ? 0 : 1)) },
          { name: 'idx', type: 'INT32', data: rows.map((_, index) => index) },
        ],
      };
    };
    const files = new Map(
      [pairs('rte/train-00000-of-00001.parquet', 80), pairs('rte/validation-00000-of-00001.parquet', 10)].map((table) => [table.path, writeParquetTable(table)]),
    );
    const requests: FixtureRequest[] = [];
    vi.stubGlobal('fetch', fixtureFetch(files, requests));
    const resolved: Array<Parameters<typeof resolveTask>> = [];
    const getTask = (...args: Parameters<typeof resolveTask>) => {
      resolved.push(args);
      return resolveTask(...args);
    };

    const events = await run({ ...tinySpec(['head'], [1], { steps: 2, evalInterval: 2 }, 'rte'), taskOptions: { trainSize: 30 } }, getTask);
    expect(events.at(-1)).toEqual({ type: 'experiment-finished', status: 'done' });
    expect(resolved).toEqual([['rte', { trainSize: 30 }]]);
    expect(requests.map((request) => request.status)).toEqual([200, 200]);

    const total = [...files.values()].reduce((sum, bytes) => sum + bytes.length, 0);
    const progress = events.flatMap((event) => (event.type === 'status' ? [parseTaskDataProgress(event.message)] : [])).filter((parsed) => parsed !== null);
    expect(progress.length).toBeGreaterThan(0);
    // The files take a few KiB, and the status line rounds to 0.1 KiB.
    expect(Math.abs(progress.at(-1)!.total! - total)).toBeLessThanOrEqual(0.05 * 1024);
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
  });

  it('posts an error for an uploaded task without its file', async () => {
    const events = await run(tinySpec(['head'], [1], { steps: 2 }, 'upload:0123abcd'));
    expect(events.at(-1)).toEqual({
      type: 'error',
      message: 'Task "upload:0123abcd" is an uploaded file, but the experiment carries no file; upload the file again and start a new experiment.',
    });
  });
});
