// The adapter store against fake-indexeddb and scripted Worker clients. A finished run's adapter file is kept
// in IndexedDB through the experiment store, and both downloads are built from it. An import sends the file to
// a Worker and compares the metrics it reproduces with the stored ones.
import 'fake-indexeddb/auto';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreApi } from 'zustand';
import { fingerprintBaseModel } from '../adapters/io/fingerprint';
import { serializeNativeAdapters } from '../adapters/io/native-format';
import { targetFeatures, type AdapterSnapshot } from '../adapters/io/snapshot';
import type { AdapterMethod } from '../adapters/methods';
import { adapterModulePath } from '../model/trainable';
import type { AdapterEvaluation, WorkerCommand, WorkerEvent } from '../train/protocol';
import { openExperimentDb, type ExperimentDb } from '../train/store-db';
import { tinyModel } from '../train/test-fixtures';
import type { EvalPoint, ExperimentRecord, RunRecord } from '../train/types';
import { createAdapterStore, type AdapterState } from './adapters';
import { createExperimentStore, type ExperimentState } from './experiment';

class ScriptedClient {
  readonly commands: WorkerCommand[] = [];
  terminated = false;

  constructor(readonly emit: (event: WorkerEvent) => void) {}

  send(command: WorkerCommand): void {
    this.commands.push(command);
  }

  terminate(): void {
    this.terminated = true;
  }
}

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

let databaseCount = 0;

const FINAL: EvalPoint[] = [
  { step: 4, split: 'dev', loss: 0.4, metrics: { accuracy: 0.8 } },
  { step: 4, split: 'test', loss: 0.45, metrics: { accuracy: 0.78, f1: 0.7 } },
];

/** Builds a native file on the host from fixed values for the tiny test model, without a GPU. */
function nativeFile(method: AdapterMethod, seed: number, experimentId: string): { fileName: string; bytes: Uint8Array } {
  const { config, weights } = tinyModel();
  const rank = 2;
  const values = (count: number, offset: number) => Float32Array.from({ length: count }, (_, i) => Math.sin(i + offset) / 4);
  const snapshot: AdapterSnapshot = {
    method,
    rank,
    alpha: 4,
    targets: ['query', 'value'],
    modules: [0, 1].flatMap((layer) =>
      (['query', 'value'] as const).map((target) => {
        const [inFeatures, outFeatures] = targetFeatures(config, target);
        return {
          path: adapterModulePath(layer, target),
          target,
          inFeatures,
          outFeatures,
          values: { a: values(rank * inFeatures, layer), b: values(outFeatures * rank, 7 + layer), c: method === 'lora' ? undefined : values(rank * rank, 3), d: method === 'dtsm' ? values(rank * rank, 5) : undefined },
        };
      }),
    ),
    head: { weight: values(2 * config.hiddenSize, 11), bias: new Float32Array(2) },
    pooler: null,
    task: { kind: 'classification', numLabels: 2 },
    seed,
    config,
  };
  const info = { modelId: 'embedded', modelSource: 'embedded' as const, taskId: 'spam', base: fingerprintBaseModel(config, weights), experimentId, metrics: FINAL, exportedAt: '2025-04-01T09:30:00.000Z' };
  return { fileName: `${method}-seed${seed}.mtlora.safetensors`, bytes: serializeNativeAdapters(snapshot, info) };
}

interface Harness {
  adapters: StoreApi<AdapterState>;
  experiments: StoreApi<ExperimentState>;
  clients: ScriptedClient[];
  downloads: Array<{ fileName: string; bytes: Uint8Array; mimeType: string }>;
  dbName: string;
}

function harness(): Harness {
  databaseCount += 1;
  const dbName = `adapter-store-test-${databaseCount}`;
  const clients: ScriptedClient[] = [];
  const downloads: Harness['downloads'] = [];
  const openDb = async (): Promise<ExperimentDb> => {
    const db = await openExperimentDb(dbName);
    cleanups.push(() => db.close());
    return db;
  };
  const createClient = (onEvent: (event: WorkerEvent) => void) => {
    const client = new ScriptedClient(onEvent);
    clients.push(client);
    return client;
  };
  let ids = 0;
  const adapters = createAdapterStore({ openDb, createClient, download: (fileName, bytes, mimeType) => downloads.push({ fileName, bytes, mimeType }), newId: () => `request-${++ids}` });
  const experiments = createExperimentStore({
    openDb,
    createClient,
    newId: () => 'exp-1',
    viewCommitIntervalMs: 0,
    curveFlushIntervalMs: 5,
    onRunAdapters: (key, outcome) => adapters.getState().runAdaptersStored(key, outcome),
  });
  experiments.getState().setTasks([
    { id: 'spam', name: 'Spam', description: '', source: '', license: 'CC0-1.0', kind: 'classification', labels: ['ham', 'spam'], splitDescription: '', metrics: ['accuracy', 'f1'], primaryMetric: 'accuracy' },
  ]);
  return { adapters, experiments, clients, downloads, dbName };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Starts a one-method experiment and finishes its run with the given run-finished extras. */
async function finishRun(h: Harness, extras: Partial<Extract<WorkerEvent, { type: 'run-finished' }>>): Promise<RunRecord> {
  const state = h.experiments.getState();
  for (const method of state.form.methods) state.toggleMethod(method, false);
  state.toggleMethod('dtsm', true);
  state.setValue('seedCount', '1');
  await state.start();
  const experimentId = h.experiments.getState().view!.record.spec.id;
  await h.adapters.getState().showExperiment(experimentId);

  const client = h.clients.at(-1)!;
  client.emit({ type: 'run-started', run: { method: 'dtsm', seed: 1 }, trainableParameters: 10, totalParameters: 100 });
  const record: RunRecord = { experimentId, method: 'dtsm', seed: 1, status: 'done', curve: [], evals: FINAL, trainableParameters: 10, totalParameters: 100, stepTimeMs: 5 };
  client.emit({ type: 'run-finished', record, ...extras });
  await settle();
  return record;
}

describe('adapter files of finished runs', () => {
  it('are kept and survive a reload', async () => {
    const h = harness();
    const file = nativeFile('dtsm', 1, 'exp-1');
    const record = await finishRun(h, { adapters: file });
    expect(h.adapters.getState().storedRuns).toEqual({ 'dtsm:1': true });

    // A new page: a fresh store lists the file from IndexedDB.
    const reloaded = createAdapterStore({ openDb: () => openExperimentDb(h.dbName), createClient: () => new ScriptedClient(() => {}), download: () => {} });
    await reloaded.getState().showExperiment(record.experimentId);
    expect(reloaded.getState().storedRuns).toEqual({ 'dtsm:1': true });
  });

  it('download as the native file and as a PEFT zip', async () => {
    const h = harness();
    const file = nativeFile('dtsm', 1, 'exp-1');
    const record = await finishRun(h, { adapters: file });
    const key = { experimentId: record.experimentId, method: record.method, seed: record.seed };

    await h.adapters.getState().downloadNative(key);
    await h.adapters.getState().downloadPeft(key);
    expect(h.adapters.getState().downloadError).toBeNull();
    expect(h.downloads.map(({ fileName, mimeType }) => [fileName, mimeType])).toEqual([
      ['spam-exp-1-dtsm-seed1.mtlora.safetensors', 'application/octet-stream'],
      ['spam-exp-1-dtsm-seed1-peft.zip', 'application/zip'],
    ]);
    expect(h.downloads[0].bytes).toEqual(file.bytes);
    const zip = unzipSync(h.downloads[1].bytes);
    expect(Object.keys(zip).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
    expect(strFromU8(zip['README.md'])).toContain('- Method: DTSM (T = C + D)');
  });

  it('report a run whose adapters were not kept', async () => {
    const h = harness();
    await finishRun(h, { adapterError: 'Saving the adapters of dtsm seed 1 failed: the device was lost' });
    expect(h.adapters.getState().storedRuns).toEqual({});
    expect(h.adapters.getState().errors).toEqual({ 'dtsm:1': 'Saving the adapters of dtsm seed 1 failed: the device was lost' });
  });

  it('report a download of a missing file', async () => {
    const h = harness();
    await h.adapters.getState().downloadNative({ experimentId: 'none', method: 'lora', seed: 3 });
    expect(h.adapters.getState().downloadError).toBe('Downloading the adapters of lora seed 3 failed: No adapter file of lora seed 3 is stored in this browser.');
    expect(h.downloads).toEqual([]);
  });
});

describe('adapter import', () => {
  function evaluation(reproduced: EvalPoint[]): AdapterEvaluation {
    return { fileName: 'dtsm-seed1.mtlora.safetensors', method: 'dtsm', seed: 1, taskId: 'spam', modelId: 'embedded', reproduced, stored: FINAL, examples: { dev: 8, test: 8 } };
  }

  it('sends the file with the stored experiment and shows the verdict', async () => {
    const h = harness();
    const file = nativeFile('dtsm', 1, 'exp-1');
    await finishRun(h, { adapters: file });
    const workersBefore = h.clients.length;

    const importing = h.adapters.getState().importAdapter({ name: file.fileName, bytes: file.bytes });
    await importing;
    const client = h.clients.at(-1)!;
    expect(h.clients).toHaveLength(workersBefore + 1);
    const spec = (h.experiments.getState().view?.record as ExperimentRecord).spec;
    expect(client.commands).toEqual([
      { type: 'evaluate-adapter', requestId: 'request-1', file: { fileName: file.fileName, bytes: file.bytes }, expected: { rank: spec.hyperparameters.rank, targets: spec.hyperparameters.modules } },
    ]);

    client.emit({ type: 'status', message: 'Evaluating on the dev split.' });
    expect(h.adapters.getState().importState).toEqual({ status: 'evaluating', fileName: file.fileName, message: 'Evaluating on the dev split.' });

    // A result of another request does not end this import.
    client.emit({ type: 'adapter-evaluated', requestId: 'request-0', result: evaluation([]) });
    expect(h.adapters.getState().importState.status).toBe('evaluating');

    client.emit({ type: 'adapter-evaluated', requestId: 'request-1', result: evaluation(FINAL) });
    const state = h.adapters.getState().importState;
    expect(state.status).toBe('done');
    expect(state.status === 'done' ? state.comparison.verdict : null).toBe('matches');
    expect(client.terminated).toBe(true);
  });

  it('reports differing metrics', async () => {
    const h = harness();
    const file = nativeFile('lora', 2, 'not-stored');
    await h.adapters.getState().importAdapter({ name: file.fileName, bytes: file.bytes });
    const client = h.clients.at(-1)!;
    // Without a stored experiment only the file itself is sent.
    expect(client.commands).toEqual([{ type: 'evaluate-adapter', requestId: 'request-1', file: { fileName: file.fileName, bytes: file.bytes } }]);
    client.emit({ type: 'adapter-evaluated', requestId: 'request-1', result: evaluation([FINAL[0], { ...FINAL[1], metrics: { accuracy: 0.75, f1: 0.7 } }]) });
    const state = h.adapters.getState().importState;
    expect(state.status === 'done' ? state.comparison.verdict : null).toBe('differs');
  });

  it('shows the error of a corrupt file without a Worker', async () => {
    const h = harness();
    await h.adapters.getState().importAdapter({ name: 'broken.mtlora.safetensors', bytes: new Uint8Array([1, 2, 3, 4]) });
    const state = h.adapters.getState().importState;
    expect(state.status).toBe('failed');
    expect(state.status === 'failed' ? state.message : '').toContain('broken.mtlora.safetensors');
    expect(h.clients).toEqual([]);
  });

  it('shows the Worker failure', async () => {
    const h = harness();
    const file = nativeFile('shim', 1, 'not-stored');
    await h.adapters.getState().importAdapter({ name: file.fileName, bytes: file.bytes });
    const client = h.clients.at(-1)!;
    client.emit({ type: 'adapter-evaluation-failed', requestId: 'request-1', message: 'The adapters in this file (trained on "embedded") do not fit: rank: the file has rank 2, expected 8.' });
    expect(h.adapters.getState().importState).toEqual({
      status: 'failed',
      fileName: file.fileName,
      message: 'The adapters in this file (trained on "embedded") do not fit: rank: the file has rank 2, expected 8.',
    });
    expect(client.terminated).toBe(true);
  });
});
