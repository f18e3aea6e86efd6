// "Continue training" through the page's stores, with the training Worker's logic (TrainingSession) in this
// process on Dawn and IndexedDB from fake-indexeddb. Commands and events are structured-cloned as postMessage
// does. An imported native file is re-evaluated, then continued as a normal experiment: one run, charts and
// records in IndexedDB, its own adapter file, and a resume after a reload.
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBaseModel } from '../adapters/io/fingerprint';
import { parseNativeAdapters } from '../adapters/io/native-format';
import { nativeAdapterFile, type NativeAdapterFile } from '../adapters/io/run-files';
import { finalEvaluations, runInfoFromRecord } from '../adapters/io/run-info';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import { continuationSpec } from '../train/continuation';
import type { WorkerCommand, WorkerEvent } from '../train/protocol';
import { runExperiment } from '../train/runner';
import { TrainingSession } from '../train/session';
import { openExperimentDb, type ExperimentDb } from '../train/store-db';
import { tinyClassificationTask, tinyModel, tinySpec, tinySplits } from '../train/test-fixtures';
import type { EvalPoint } from '../train/types';
import { createAdapterStore } from './adapters';
import { createExperimentStore, type WorkerClient } from './experiment';

let engine: Engine;
/** The native file of a DTSM run of 2 steps with seed 1 on the tiny model, and that run's final evaluations. */
let trained: { file: NativeAdapterFile; final: EvalPoint[] };

beforeAll(async () => {
  engine = await testEngine();
  const model = tinyModel();
  const splits = tinySplits();
  const spec = tinySpec(['dtsm'], [1], { steps: 2, warmupSteps: 0, evalInterval: 5, evalExamples: 3 });
  let file: NativeAdapterFile | null = null;
  const result = await runExperiment({
    engine,
    spec,
    ...model,
    task: tinyClassificationTask(splits),
    splits,
    onRunFinished: async (finished, record) => {
      file = await nativeAdapterFile(finished, runInfoFromRecord(spec, record, fingerprintBaseModel(model.config, model.weights)));
    },
  });
  trained = { file: file!, final: finalEvaluations(result.runs[0]) };
});

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A Worker stand-in: a fresh TrainingSession per client, with messages cloned and delivered asynchronously. */
class SessionClient implements WorkerClient {
  readonly commands: WorkerCommand[] = [];
  terminated = false;
  private readonly session: TrainingSession;

  constructor(onEvent: (event: WorkerEvent) => void) {
    this.session = new TrainingSession({
      post: (event) => {
        const copy = structuredClone(event);
        setTimeout(() => {
          if (!this.terminated) onEvent(copy);
        }, 0);
      },
      acquireEngine: () => Promise.resolve(engine),
      loadModel: () => Promise.resolve({ ...tinyModel(), notes: [] }),
      getTask: (id) => {
        if (id !== 'tiny-cat') throw new Error(`Task "${id}" is not found.`);
        return tinyClassificationTask();
      },
    });
  }

  send(command: WorkerCommand): void {
    const copy = structuredClone(command);
    this.commands.push(copy);
    this.session.handle(copy);
  }

  terminate(): void {
    this.terminated = true;
  }
}

let databaseCount = 0;

function harness() {
  databaseCount += 1;
  const dbName = `adapter-continue-test-${databaseCount}`;
  const clients: SessionClient[] = [];
  const openDb = async (): Promise<ExperimentDb> => {
    const db = await openExperimentDb(dbName);
    cleanups.push(() => db.close());
    return db;
  };
  const createClient = (onEvent: (event: WorkerEvent) => void) => {
    const client = new SessionClient(onEvent);
    clients.push(client);
    return client;
  };
  let ids = 0;
  const experiments = createExperimentStore({ openDb, createClient, viewCommitIntervalMs: 0, curveFlushIntervalMs: 5, newId: () => `experiment-${++ids}` });
  const adapters = createAdapterStore({
    openDb,
    createClient,
    download: () => {},
    startExperiment: (spec) => experiments.getState().startSpec(spec),
    newId: () => `id-${++ids}`,
    now: () => new Date('2025-05-01T12:00:00.000Z'),
  });
  return { experiments, adapters, clients, openDb, dbName };
}

/** Waits until `condition` holds, polling every 10 ms. */
async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('continue training', () => {
  it('runs and stores a new experiment', { timeout: 120_000 }, async () => {
    const h = harness();
    await h.experiments.getState().init();
    await h.adapters.getState().importAdapter({ name: trained.file.fileName, bytes: trained.file.bytes });
    await until(() => h.adapters.getState().importState.status === 'done', 'the import');
    const imported = h.adapters.getState().importState;
    expect(imported.status === 'done' ? imported.comparison.verdict : null).toBe('matches');

    // The form starts with the file's steps and learning rate.
    expect(h.adapters.getState().continueForm).toEqual({ steps: '2', learningRate: '0.01' });
    expect(h.adapters.getState().continueSource).toMatchObject({ fileName: 'dtsm-seed1.mtlora.safetensors', method: 'dtsm', seed: 1, stepsBefore: 2 });

    // Invalid values are named and nothing starts.
    const { setContinueValue } = h.adapters.getState();
    setContinueValue('steps', '0');
    expect(h.adapters.getState().continueErrors.steps).toBe('Additional steps 0 is out of range: enter an integer from 1 to 100000.');
    setContinueValue('steps', '2.5');
    expect(h.adapters.getState().continueErrors.steps).toBe('Additional steps 2.5 is not an integer: enter an integer from 1 to 100000.');
    setContinueValue('learningRate', 'fast');
    expect(h.adapters.getState().continueErrors.learningRate).toBe('Learning rate "fast" is not a number: enter a number greater than 0 and at most 1.');
    const clientsBefore = h.clients.length;
    await h.adapters.getState().continueTraining();
    expect(h.clients).toHaveLength(clientsBefore);
    expect(h.adapters.getState().continueState).toEqual({ status: 'idle' });

    setContinueValue('steps', '2');
    setContinueValue('learningRate', '0.005');
    expect(h.adapters.getState().continueErrors).toEqual({});
    await h.adapters.getState().continueTraining();
    const state = h.adapters.getState().continueState;
    expect(state).toEqual({ status: 'started', experimentId: 'id-2', fileName: 'dtsm-seed1.mtlora.safetensors', steps: 2, learningRate: 0.005, warmupSteps: 0 });

    // The experiment runs in the experiment store's own Worker, with the file in its start command.
    const start = h.clients.at(-1)!.commands[0];
    expect(start.type).toBe('start');
    const spec = start.type === 'start' ? start.spec : null;
    expect(spec).toMatchObject({ id: 'id-2', methods: ['dtsm'], seeds: [1], hyperparameters: { steps: 2, learningRate: 0.005, rank: 2, alpha: 4 } });
    expect(spec?.initialAdapters).toEqual({ fileName: 'dtsm-seed1.mtlora.safetensors', bytes: trained.file.bytes, stepsBefore: 2 });
    expect(h.experiments.getState().live).toBe(true);

    // A second continuation waits for this one.
    await h.adapters.getState().continueTraining();
    expect(h.adapters.getState().continueState).toEqual({
      status: 'failed',
      message: 'Continuing dtsm-seed1.mtlora.safetensors failed: An experiment is training; wait until it ends or cancel it, then start again.',
    });

    await until(() => h.experiments.getState().history.find((record) => record.spec.id === 'id-2')?.status === 'done', 'the continued experiment');
    const view = h.experiments.getState().view!;
    expect(view.record.spec.id).toBe('id-2');
    expect(view.runs).toHaveLength(1);
    const [run] = view.runs;
    expect(run).toMatchObject({ method: 'dtsm', seed: 1, status: 'done' });
    expect(run.curve.map((point) => point.step)).toEqual([1, 2]);
    const storedDev = trained.final.find((point) => point.split === 'dev')!;
    expect(run.evals[0]).toEqual({ ...storedDev, step: 0 });

    // IndexedDB has the experiment with its file, the run, and the run's own adapter file.
    const db = await h.openDb();
    const stored = await db.loadExperiment('id-2');
    expect(stored?.record.status).toBe('done');
    expect(stored?.record.spec.initialAdapters?.bytes).toEqual(trained.file.bytes);
    expect(stored?.runs.map((record) => [record.method, record.seed, record.status])).toEqual([['dtsm', 1, 'done']]);
    const file = await db.loadAdapterFile({ experimentId: 'id-2', method: 'dtsm', seed: 1 });
    expect(file?.fileName).toBe('dtsm-seed1.mtlora.safetensors');
    const continued = await parseNativeAdapters(file!.bytes, file!.fileName);
    expect(continued.description).toMatchObject({ experimentId: 'id-2', trainedSteps: 4, hyperparameters: { steps: 2, learningRate: 0.005 } });
  });

  it('resumes an interrupted continuation', { timeout: 120_000 }, async () => {
    const h = harness();
    const native = await parseNativeAdapters(trained.file.bytes, trained.file.fileName);
    const spec = continuationSpec({ file: trained.file, description: native.description, steps: 2, id: 'continued', createdAt: '2025-05-01T12:00:00.000Z' });
    // A page that closed while the continuation trained left it 'running'.
    const db = await h.openDb();
    await db.saveExperiment({ spec, status: 'running', updatedAt: spec.createdAt });

    await h.experiments.getState().init();
    expect(h.experiments.getState().interrupted.map((record) => record.spec.id)).toEqual(['continued']);
    await h.experiments.getState().resumeInterrupted('continued');
    const start = h.clients.at(-1)!.commands[0];
    expect(start.type === 'start' ? start.spec.initialAdapters : null).toEqual(spec.initialAdapters);

    await until(() => h.experiments.getState().history.find((record) => record.spec.id === 'continued')?.status === 'done', 'the resumed experiment');
    const [run] = h.experiments.getState().view!.runs;
    expect(run.status).toBe('done');
    expect(run.evals[0]).toEqual({ ...trained.final.find((point) => point.split === 'dev')!, step: 0 });
  });

  it('is not offered after a failed import', async () => {
    const h = harness();
    await h.adapters.getState().importAdapter({ name: 'broken.mtlora.safetensors', bytes: new Uint8Array([1, 2, 3, 4]) });
    expect(h.adapters.getState().importState.status).toBe('failed');
    expect(h.adapters.getState().continueSource).toBeNull();
    expect(h.adapters.getState().continueForm).toBeNull();

    await h.adapters.getState().continueTraining();
    expect(h.adapters.getState().continueState).toEqual({ status: 'failed', message: 'No imported adapter file to continue: import a native adapter file first.' });
  });
});
