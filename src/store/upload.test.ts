// The "Your own data" store and the uploaded tasks of the experiment store, against a scripted Worker client
// and fake-indexeddb. Covers previews, every whole-file message and "Use this task". Also covers the spec that
// carries the file, and the uploaded task that a reload rebuilds from the stored experiment.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreApi } from 'zustand';
import { DEFAULT_UPLOAD_LIMITS, MIN_UPLOAD_ROWS } from '../data/upload';
import type { WorkerCommand } from '../train/protocol';
import type { ExperimentSpec } from '../train/types';
import { openExperimentDb } from '../train/store-db';
import { createExperimentStore, type ExperimentState, type TaskChoice } from './experiment';
import { createUploadStore, uploadTaskName, type UploadFile, type UploadState } from './upload';
import { clearUploadedTasks, restoreStoredUploads, uploadedTaskSpec, watchStoredUploads } from './uploaded-tasks';

const SPAM: TaskChoice = {
  id: 'spam',
  name: 'Spam or ham',
  description: 'Predicts whether an email is spam.',
  source: 'SpamAssassin public corpus',
  license: 'Apache-2.0',
  kind: 'classification',
  labels: ['ham', 'spam'],
  splitDescription: '80/10/10 by message',
  metrics: ['accuracy', 'f1'],
  primaryMetric: 'accuracy',
};

const encoder = new TextEncoder();

/** Returns a file whose arrayBuffer() counts its calls, so a test can check that a large file is never read. */
function file(name: string, text: string | Uint8Array, size?: number): UploadFile & { reads: number } {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const result = {
    name,
    size: size ?? bytes.length,
    reads: 0,
    arrayBuffer: async () => {
      result.reads++;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  return result;
}

/** CSV with `count` rows whose labels cycle through `labels`. */
function csv(count: number, labels: readonly string[], header = 'sentence,label'): string {
  return [header, ...Array.from({ length: count }, (_, index) => `sentence number ${index},${labels[index % labels.length]}`)].join('\n');
}

/** Returns the spec of the one start command sent to the Worker. */
function startSpec(commands: readonly WorkerCommand[]): ExperimentSpec {
  const starts = commands.flatMap((command) => (command.type === 'start' ? [command.spec] : []));
  expect(starts).toHaveLength(1);
  return starts[0];
}

let databases = 0;
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  clearUploadedTasks();
});

interface Setup {
  experiments: StoreApi<ExperimentState>;
  uploads: StoreApi<UploadState>;
  commands: WorkerCommand[];
  dbName: string;
}

function setup(dbName = `upload-store-test-${++databases}`): Setup {
  const commands: WorkerCommand[] = [];
  let ids = 0;
  const experiments = createExperimentStore({
    openDb: async () => {
      const db = await openExperimentDb(dbName);
      cleanups.push(() => db.close());
      return db;
    },
    createClient: () => ({ send: (command) => void commands.push(command), terminate: () => undefined }),
    newId: () => `${dbName}-exp-${++ids}`,
    viewCommitIntervalMs: 0,
    curveFlushIntervalMs: 5,
  });
  experiments.getState().setTasks([SPAM]);
  return { experiments, uploads: createUploadStore(experiments), commands, dbName };
}

describe('upload store', () => {
  it('previews a file and adds its task', async () => {
    const { experiments, uploads } = setup();
    await uploads.getState().chooseFile(file('cola.csv', csv(100, ['1', '1', '1', '0'])));

    const state = uploads.getState();
    expect(state.error).toBeNull();
    expect(state.columns).toEqual(['sentence', 'label']);
    expect(state.preview?.mapping).toEqual({ text: 'sentence', label: 'label' });
    expect(state.preview?.rows).toHaveLength(10);
    expect(state.result?.task.primaryMetric).toBe('mcc');
    expect(state.result?.task.name).toBe(uploadTaskName('cola.csv', { text: 'sentence', label: 'label' }));

    state.useTask();
    const id = state.result!.task.id;
    expect(uploads.getState().addedTaskId).toBe(id);
    expect(experiments.getState().tasks.map((task) => task.id)).toEqual(['spam', id]);
    expect(experiments.getState().form.taskId).toBe(id);
    expect(experiments.getState().errors).toEqual({});
    expect(uploadedTaskSpec(id)?.fileName).toBe('cola.csv');
    expect(uploadedTaskSpec(id)?.taskType).toBe('classification');
  });

  it('rejects a file over the size limit without reading it', async () => {
    const { uploads } = setup();
    const large = file('big.csv', 'text,label\n', DEFAULT_UPLOAD_LIMITS.maxBytes + 1);
    await uploads.getState().chooseFile(large);
    expect(large.reads).toBe(0);
    expect(uploads.getState().error).toBe(
      `big.csv is ${(DEFAULT_UPLOAD_LIMITS.maxBytes + 1).toLocaleString('en-US')} bytes (20.0 MiB); the limit is ${DEFAULT_UPLOAD_LIMITS.maxBytes.toLocaleString('en-US')} bytes (20.0 MiB). Remove rows or split the file.`,
    );
    expect(uploads.getState().preview).toBeNull();
  });

  it('shows whole-file problems', async () => {
    const { uploads } = setup();
    const cases: Array<[string, string | Uint8Array, string | RegExp]> = [
      ['tabs.csv', csv(30, ['a', 'b']).replaceAll(',', '\t'), 'tabs.csv has only one column, "sentence\tlabel"; a task needs a text column and a label column.'],
      ['latin1.csv', new Uint8Array([...encoder.encode('sentence,label\ncaf'), 0xe9, ...encoder.encode(',a\n')]), 'latin1.csv: line 2 is not valid UTF-8 (byte 0xE9 at byte offset 18).'],
      ['few.csv', csv(MIN_UPLOAD_ROWS - 1, ['a', 'b']), `few.csv: only ${MIN_UPLOAD_ROWS - 1} usable rows of ${MIN_UPLOAD_ROWS - 1}; at least ${MIN_UPLOAD_ROWS} are needed.`],
      ['one.csv', csv(30, ['spam']), 'one.csv: every usable row has the label "spam" in column "label"; classification needs at least two classes.'],
      ['empty.csv', csv(30, ['a', 'b']).replace(/sentence number \d+/g, ''), /^empty\.csv: only 0 usable rows of 30; at least 20 are needed\. 30 rows were skipped, e\.g\. line 2 has an empty or missing text in column "sentence" \(""\)/],
      ['header_only.csv', 'sentence,label\n', 'header_only.csv has a header but no data rows; add at least 20 rows below the header.'],
      ['many.csv', csv(DEFAULT_UPLOAD_LIMITS.maxRows + 1, ['a', 'b']), 'many.csv has more than 50,000 data rows, the limit; remove rows or split the file.'],
    ];
    for (const [name, content, message] of cases) {
      await uploads.getState().chooseFile(file(name, content));
      const error = uploads.getState().error;
      if (typeof message === 'string') expect(error, name).toContain(message);
      else expect(error, name).toMatch(message);
      expect(uploads.getState().result, name).toBeNull();
    }
  });

  it('keeps the columns after a mapping error', async () => {
    const { uploads } = setup();
    const rows = Array.from({ length: 30 }, (_, index) => `sentence ${index},${index % 2 === 0 ? 'a' : 'b'},note ${index}`);
    await uploads.getState().chooseFile(file('r.csv', ['sentence,label,note', ...rows].join('\n')));
    uploads.getState().setMapping({ text: 'sentence', label: 'sentence' });
    expect(uploads.getState().error).toBe('r.csv: text, second text and label must be different columns; got text "sentence", second text "", label "sentence".');
    expect(uploads.getState().columns).toEqual(['sentence', 'label', 'note']);
    expect(uploads.getState().preview).toBeNull();

    uploads.getState().setMapping({ text: 'sentence', label: 'label' });
    expect(uploads.getState().error).toBeNull();
    expect(uploads.getState().result).not.toBeNull();
  });

  it('skips labels that do not parse as scores', async () => {
    const { uploads } = setup();
    const rows = Array.from({ length: 30 }, (_, index) => `s${index},${(index / 6).toFixed(2)}`);
    await uploads.getState().chooseFile(file('scores.csv', ['sentence,score', ...rows, 's98,"3,5"', 's99,high'].join('\n')));
    expect(uploads.getState().preview?.taskType).toBe('classification');

    uploads.getState().setTaskType('regression');
    const { result, preview } = uploads.getState();
    expect(preview?.distribution?.kind).toBe('regression');
    expect(result?.task.metrics).toEqual(['pearson', 'spearman']);
    expect(result?.skipped.map((row) => row.reason)).toEqual([
      'has the label "3,5" in column "score", which is not a number; write decimals with a period, e.g. 3.5',
      'has the label "high" in column "score", which is not a number',
    ]);
  });

  it('reads another format when chosen', async () => {
    const { uploads } = setup();
    await uploads.getState().chooseFile(file('data.txt', csv(30, ['a', 'b']).replaceAll(',', '\t')));
    expect(uploads.getState().error).toBe('data.txt: the extension is unknown, so the format is unknown; use a .csv, .tsv or .jsonl file, or choose the format.');
    uploads.getState().setFormat('tsv');
    expect(uploads.getState().error).toBeNull();
    uploads.getState().useTask();
    expect(uploadedTaskSpec(uploads.getState().addedTaskId!)?.format).toBe('tsv');
  });
});

describe('uploaded tasks of stored experiments', () => {
  it('start carries the file, and a reload restores the task', async () => {
    const first = setup();
    await first.experiments.getState().init();
    await first.uploads.getState().chooseFile(file('cola.csv', csv(60, ['1', '0'])));
    first.uploads.getState().useTask();
    const id = first.uploads.getState().addedTaskId!;
    first.experiments.getState().setValue('steps', '4');
    first.experiments.getState().setValue('warmupSteps', '1');
    first.experiments.getState().setValue('evalInterval', '2');
    await first.experiments.getState().start();

    const started = startSpec(first.commands);
    expect(started.taskId).toBe(id);
    expect(started.taskOptions?.upload?.fileName).toBe('cola.csv');
    // The page closes with the experiment running, so the next page finds it interrupted.
    clearUploadedTasks();

    const second = setup(first.dbName);
    const stop = watchStoredUploads(second.experiments);
    cleanups.push(stop);
    await second.experiments.getState().init();
    await new Promise((resolve) => setTimeout(resolve, 0));

    const restored = second.experiments.getState().tasks.find((task) => task.id === id);
    expect(restored?.name).toBe(uploadTaskName('cola.csv', { text: 'sentence', label: 'label' }));
    expect(second.experiments.getState().form.taskId).toBe('spam');
    const stored = uploadedTaskSpec(id);
    expect(stored?.bytes).toBeInstanceOf(Uint8Array);

    expect(second.experiments.getState().interrupted.map((record) => record.spec.id)).toEqual([started.id]);
    await second.experiments.getState().resumeInterrupted(started.id);
    expect(startSpec(second.commands).taskOptions?.upload?.bytes).toEqual(stored?.bytes);
    expect(second.experiments.getState().form.taskId).toBe(id);
    expect(second.experiments.getState().errors).toEqual({});
  });

  it('reports a stored file that no longer builds its task', () => {
    const { experiments } = setup();
    const spec = {
      id: 'broken',
      createdAt: '2025-01-01T00:00:00.000Z',
      model: { id: 'embedded', source: 'embedded' as const },
      taskId: 'upload:0123abcd',
      taskOptions: { upload: { fileName: 'gone.csv', bytes: encoder.encode(csv(30, ['a', 'b'])), mapping: { text: 'sentence', label: 'label' } } },
      methods: ['lora' as const],
      seeds: [1],
      hyperparameters: { rank: 8, alpha: 16, learningRate: 1e-3, batchSize: 4, maxLength: 16, steps: 2, warmupSteps: 0, weightDecay: 0, dropout: 0, maxGradNorm: 1, modules: ['query' as const], evalInterval: 2 },
    };
    const failures = restoreStoredUploads(experiments, [{ spec, status: 'done', updatedAt: spec.createdAt }]);
    expect(failures.get('upload:0123abcd')).toMatch(/^The file "gone\.csv" stored with the experiment builds task "upload:[0-9a-f]{8}", not "upload:0123abcd"\.$/);
    expect(experiments.getState().tasks.map((task) => task.id)).toEqual(['spam']);
  });
});
