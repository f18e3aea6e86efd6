// The experiment store against a scripted Worker client and fake-indexeddb: form validation, the
// command and event protocol, persistence, and resuming an interrupted experiment.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreApi } from 'zustand';
import type { WorkerCommand, WorkerEvent } from '../train/protocol';
import { openExperimentDb, type ExperimentDb } from '../train/store-db';
import type { ExperimentRecord, MethodId, RunRecord, StepPoint } from '../train/types';
import { createExperimentStore, type ExperimentLocks, type ExperimentState, type ExperimentStoreDeps, type TaskChoice } from './experiment';
import { EMBEDDED_MODEL, validateForm, type ModelOption } from './form';

const SPAM: TaskChoice = {
  id: 'spam',
  name: 'Spam or ham',
  description: 'Predicts whether an email is spam from its subject and body.',
  source: 'SpamAssassin public corpus',
  license: 'Apache-2.0',
  kind: 'classification',
  labels: ['ham', 'spam'],
  splitDescription: '80/10/10 by message',
  metrics: ['accuracy', 'f1'],
  primaryMetric: 'accuracy',
};

/** A Worker client that records commands and lets the test send events, as the Worker would. */
class ScriptedClient {
  readonly commands: WorkerCommand[] = [];
  terminated = false;

  constructor(readonly emit: (event: WorkerEvent) => void) {}

  send(command: WorkerCommand): void {
    if (this.terminated) throw new Error('terminated');
    this.commands.push(command);
  }

  terminate(): void {
    this.terminated = true;
  }
}

let databaseCount = 0;
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Harness {
  store: StoreApi<ExperimentState>;
  clients: ScriptedClient[];
  dbName: string;
  /** The client the store created last. */
  client(): ScriptedClient;
  state(): ExperimentState;
}

function harness(options: Partial<ExperimentStoreDeps> & { dbName?: string } = {}): Harness {
  databaseCount += 1;
  const dbName = options.dbName ?? `experiment-store-test-${databaseCount}`;
  const clients: ScriptedClient[] = [];
  let ids = 0;
  let clock = Date.parse('2025-04-01T09:00:00.000Z');
  const store = createExperimentStore({
    openDb: async () => {
      const db = await openExperimentDb(dbName);
      cleanups.push(() => db.close());
      return db;
    },
    createClient: (onEvent) => {
      const client = new ScriptedClient(onEvent);
      clients.push(client);
      return client;
    },
    now: () => new Date((clock += 1000)),
    newId: () => `exp-${databaseCount}-${++ids}`,
    viewCommitIntervalMs: 0,
    curveFlushIntervalMs: 5,
    ...options,
  });
  store.getState().setTasks([SPAM]);
  return {
    store,
    clients,
    dbName,
    client: () => {
      const last = clients[clients.length - 1];
      if (!last) throw new Error('the store created no Worker client');
      return last;
    },
    state: () => store.getState(),
  };
}

async function withDb<T>(name: string, read: (db: ExperimentDb) => Promise<T>): Promise<T> {
  const db = await openExperimentDb(name);
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

function point(step: number, loss = 1 / step): StepPoint {
  return { step, loss, learningRate: 1e-3, tokensPerSecond: 4000 + step, elapsedMs: step * 20 };
}

/** Sends the events of one complete run as the Worker would. */
function playRun(client: ScriptedClient, experimentId: string, method: MethodId, seed: number, steps: number): RunRecord {
  const run = { method, seed };
  client.emit({ type: 'run-started', run, trainableParameters: 2048, totalParameters: 600_000 });
  const curve: StepPoint[] = [];
  for (let step = 1; step <= steps; step++) {
    curve.push(point(step));
    client.emit({ type: 'step', run, point: point(step), progress: { done: step, total: steps }, etaMs: (steps - step) * 20 });
  }
  const evals = [
    { step: steps, split: 'dev' as const, loss: 0.4, metrics: { accuracy: 0.8 } },
    { step: steps, split: 'test' as const, loss: 0.45, metrics: { accuracy: 0.78 } },
  ];
  for (const evalPoint of evals) client.emit({ type: 'eval', run, point: evalPoint });
  const record: RunRecord = { experimentId, method, seed, status: 'done', curve, evals, trainableParameters: 2048, totalParameters: 600_000, stepTimeMs: 20 };
  client.emit({ type: 'run-finished', record });
  return record;
}

/** Waits until the store's asynchronous IndexedDB work has settled. */
async function settle(h: Harness): Promise<void> {
  await h.state().flushStorage();
  await new Promise((resolve) => setTimeout(resolve, 30));
}

/** Selects one method and sets a few steps, so a test run stays short. */
function smallForm(h: Harness, methods: MethodId[] = ['lora'], seeds = '1') {
  for (const method of h.state().form.methods) h.state().toggleMethod(method, false);
  for (const method of methods) h.state().toggleMethod(method, true);
  h.state().setValue('seedCount', seeds);
  h.state().setValue('steps', '4');
  h.state().setValue('warmupSteps', '1');
  h.state().setValue('evalInterval', '2');
}

describe('experiment form', () => {
  it('defaults are valid', () => {
    const h = harness();
    expect(h.state().errors).toEqual({});
    const result = validateForm(h.state().form, { model: EMBEDDED_MODEL, taskIds: ['spam'] });
    expect(result).toEqual({
      ok: true,
      methods: ['lora', 'shim', 'icfm', 'ctcm', 'dtsm'],
      seeds: [1, 2, 3],
      hyperparameters: {
        rank: 8,
        alpha: 16,
        learningRate: 5e-3,
        fullLearningRate: 5e-5,
        batchSize: 16,
        maxLength: 128,
        steps: 200,
        warmupSteps: 20,
        weightDecay: 0.01,
        dropout: 0.1,
        maxGradNorm: 1,
        modules: ['query', 'value'],
        evalInterval: 50,
        evalExamples: 0,
      },
    });
    expect(h.state().form.taskId).toBe('spam');
    expect(h.state().form.modelId).toBe('embedded');
  });

  const cases: ReadonlyArray<[field: Parameters<ExperimentState['setValue']>[0], text: string, message: string]> = [
    ['rank', '200', 'Rank r 200 is out of range: enter an integer from 1 to 128 (the hidden size of mtlora-bert-tiny).'],
    ['rank', '0', 'Rank r 0 is out of range: enter an integer from 1 to 128 (the hidden size of mtlora-bert-tiny).'],
    ['rank', '2.5', 'Rank r 2.5 is not an integer: enter an integer from 1 to 128 (the hidden size of mtlora-bert-tiny).'],
    ['batchSize', '257', 'Batch size 257 is out of range: enter an integer from 1 to 256.'],
    ['maxLength', '3', 'Max length 3 is out of range: enter an integer from 4 to 512 (the position embeddings of mtlora-bert-tiny).'],
    ['seedCount', '11', 'Seeds 11 is out of range: enter an integer from 1 to 10.'],
    ['learningRate', '0', 'Learning rate 0 is out of range: enter a number greater than 0 and at most 1.'],
    ['learningRate', 'fast', 'Learning rate "fast" is not a number: enter a number greater than 0 and at most 1.'],
    ['alpha', '', 'Alpha is empty: enter a number greater than 0 and at most 1024.'],
    ['warmupSteps', '200', 'Warm-up steps 200 is out of range: enter an integer from 0 to 199 (the number of steps − 1).'],
    ['evalInterval', '0', 'Eval interval 0 is out of range: enter an integer from 1 to 200 (the number of steps).'],
    ['dropout', '0.95', 'Dropout 0.95 is out of range: enter a number from 0 to 0.9.'],
    ['weightDecay', '-0.1', 'Weight decay -0.1 is out of range: enter a number from 0 to 1.'],
    ['maxGradNorm', '0', 'Max grad norm 0 is out of range: enter a number greater than 0 and at most 1000.'],
  ];
  it.each(cases)('rejects %s = "%s"', (field, text, message) => {
    const h = harness();
    h.state().setValue(field, text);
    expect(h.state().errors).toEqual({ [field]: message });
  });

  it('bounds rank by a small hidden size', () => {
    const small: ModelOption = { ...EMBEDDED_MODEL, name: 'tiny-32', hiddenSize: 32 };
    const h = harness({ model: small });
    h.state().setValue('rank', '40');
    expect(h.state().errors.rank).toBe('Rank r 40 is out of range: enter an integer from 1 to 32 (the hidden size of tiny-32).');
  });

  it('requires a method and a module', () => {
    const h = harness();
    for (const method of h.state().form.methods) h.state().toggleMethod(method, false);
    expect(h.state().errors.methods).toBe('Select at least one method.');

    h.state().toggleMethod('lora', true);
    h.state().toggleModule('query', false);
    h.state().toggleModule('value', false);
    expect(h.state().errors.modules).toBe('Select at least one adapter module for the adapter methods, or choose only baselines.');

    // The baselines alone need no adapter module.
    h.state().toggleMethod('lora', false);
    h.state().toggleMethod('head', true);
    h.state().toggleMethod('full', true);
    expect(h.state().errors).toEqual({});

    h.state().toggleMethod('lora', true);
    h.state().toggleModule('key', true);
    expect(h.state().errors).toEqual({});
  });

  it('rejects an unknown task', () => {
    const h = harness();
    h.state().setTaskId('sst2');
    expect(h.state().errors.taskId).toBe('Task "sst2" is not available: choose one of spam.');
  });

  it('keeps invalid forms from starting', async () => {
    const h = harness();
    h.state().setValue('batchSize', '0');
    await h.state().start();
    expect(h.clients).toHaveLength(0);
    expect(h.state().live).toBe(false);
  });
});

describe('experiment protocol', () => {
  it('starts with the spec from the form', async () => {
    const h = harness();
    await h.state().init();
    h.state().toggleMethod('full', true);
    h.state().setValue('seedCount', '2');
    await h.state().start();

    const [command] = h.client().commands;
    expect(command.type).toBe('start');
    if (command.type !== 'start') return;
    expect(command.completed).toEqual([]);
    expect(command.spec.methods).toEqual(['lora', 'shim', 'icfm', 'ctcm', 'dtsm', 'full']);
    expect(command.spec.seeds).toEqual([1, 2]);
    expect(command.spec.taskId).toBe('spam');
    expect(command.spec.model).toEqual({ id: 'embedded', source: 'embedded' });
    expect(command.spec.hyperparameters.rank).toBe(8);
    expect(command.spec.hyperparameters.learningRate).toBe(5e-3);
    expect(command.spec.hyperparameters.fullLearningRate).toBe(5e-5);

    expect(h.state().live).toBe(true);
    expect(h.state().view?.record.status).toBe('running');
    expect(h.state().view?.progress).toEqual({ done: 0, total: 6 * 2 * 200 });
    const stored = await withDb(h.dbName, (db) => db.loadExperiment(command.spec.id));
    expect(stored?.record.status).toBe('running');
    expect(h.state().history.map((r) => r.spec.id)).toEqual([command.spec.id]);
  });

  it('restores the form after a reload', () => {
    const items = new Map<string, string>();
    const formStorage = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
    const first = harness({ formStorage });
    first.state().setValue('steps', '400');
    first.state().toggleMethod('shim', false);

    const reloaded = harness({ formStorage });
    expect(reloaded.state().form.values.steps).toBe('400');
    expect(reloaded.state().form.methods).not.toContain('shim');
    expect(reloaded.state().errors).toEqual({});
  });

  it('trains the model loaded in the Model panel', async () => {
    const h = harness();
    await h.state().init();
    const files = [new File(['{}'], 'config.json')];
    h.state().setModel({ ref: { id: 'my-bert', source: 'files' }, name: 'my-bert', files, hiddenSize: 32, maxPositionEmbeddings: 64 });
    // The loaded model's sizes bound the form: rank 8 fits a hidden size of 32, max length 128 does not fit 64 positions.
    expect(h.state().errors.maxLength).toBe('Max length 128 is out of range: enter an integer from 4 to 64 (the position embeddings of my-bert).');
    h.state().setValue('maxLength', '64');
    expect(h.state().errors).toEqual({});
    await h.state().start();

    const [command] = h.client().commands;
    if (command.type !== 'start') throw new Error(`expected a start command, got ${command.type}`);
    expect(command.spec.model).toEqual({ id: 'my-bert', source: 'files' });
    expect(command.modelFiles).toEqual(files);
  });

  it('starts once on a double click', async () => {
    const h = harness();
    smallForm(h);
    await Promise.all([h.state().start(), h.state().start()]);
    expect(h.clients).toHaveLength(1);
    expect(h.state().history).toHaveLength(1);
  });

  it('records a whole experiment', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h, ['lora', 'shim']);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';

    client.emit({ type: 'ready', adapterName: 'SwiftShader' });
    client.emit({ type: 'status', message: 'Loading the model…' });
    expect(h.state().view?.adapterName).toBe('SwiftShader');
    expect(h.state().view?.workerMessage).toBe('Loading the model…');

    client.emit({ type: 'run-started', run: { method: 'lora', seed: 1 }, trainableParameters: 2048, totalParameters: 600_000 });
    expect(h.state().view?.currentRun).toEqual({ method: 'lora', seed: 1 });
    expect(h.state().view?.workerMessage).toBeNull();
    const lora = playRun(client, id, 'lora', 1, 4);
    expect(h.state().view?.progress).toEqual({ done: 4, total: 4 });
    expect(h.state().view?.etaMs).toBe(0);
    expect(h.state().view?.tokensPerSecond).toBe(4004);
    const shim = playRun(client, id, 'shim', 1, 4);
    client.emit({ type: 'experiment-finished', status: 'done' });
    await settle(h);

    expect(h.state().live).toBe(false);
    expect(client.terminated).toBe(true);
    expect(h.state().view?.record.status).toBe('done');
    expect(h.state().view?.currentRun).toBeNull();
    expect(h.state().view?.runs).toEqual([lora, shim]);
    expect(h.state().storageError).toBeNull();

    const stored = await withDb(h.dbName, (db) => db.loadExperiment(id));
    expect(stored?.record.status).toBe('done');
    expect(stored?.runs).toEqual([lora, shim]);
    expect(h.state().history[0].status).toBe('done');
  });

  it('persists curves of a running run', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';

    client.emit({ type: 'run-started', run: { method: 'lora', seed: 1 }, trainableParameters: 10, totalParameters: 100 });
    for (let step = 1; step <= 3; step++) {
      client.emit({ type: 'step', run: { method: 'lora', seed: 1 }, point: point(step), progress: { done: step, total: 4 }, etaMs: 100 });
    }
    client.emit({ type: 'eval', run: { method: 'lora', seed: 1 }, point: { step: 2, split: 'dev', loss: 0.5, metrics: { accuracy: 0.7 } } });
    await settle(h);

    const stored = await withDb(h.dbName, (db) => db.loadExperiment(id));
    expect(stored?.runs[0].status).toBe('running');
    expect(stored?.runs[0].curve.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(stored?.runs[0].evals.map((p) => p.metrics.accuracy)).toEqual([0.7]);
  });

  it('batches steps into view commits', async () => {
    const h = harness({ viewCommitIntervalMs: 20 });
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();
    const run = { method: 'lora' as const, seed: 1 };

    client.emit({ type: 'run-started', run, trainableParameters: 10, totalParameters: 100 });
    client.emit({ type: 'step', run, point: point(1), progress: { done: 1, total: 4 }, etaMs: 60 });
    client.emit({ type: 'step', run, point: point(2), progress: { done: 2, total: 4 }, etaMs: 40 });
    expect(h.state().view?.runs[0].curve).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(h.state().view?.runs[0].curve.map((p) => p.step)).toEqual([1, 2]);
    expect(h.state().view?.progress.done).toBe(2);

    // A non-step event applies the buffered steps first, so it never overtakes them.
    client.emit({ type: 'step', run, point: point(3), progress: { done: 3, total: 4 }, etaMs: 20 });
    client.emit({ type: 'eval', run, point: { step: 3, split: 'dev', loss: 0.5, metrics: { accuracy: 0.7 } } });
    expect(h.state().view?.runs[0].curve.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(h.state().view?.etaMs).toBe(20);
  });

  it('pauses, resumes and cancels', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';

    h.state().pause();
    expect(client.commands.at(-1)).toEqual({ type: 'pause' });
    expect(h.state().pendingCommand).toBe('pause');
    h.state().pause();
    expect(client.commands.filter((c) => c.type === 'pause')).toHaveLength(1);

    client.emit({ type: 'paused' });
    expect(h.state().pendingCommand).toBeNull();
    expect(h.state().view?.record.status).toBe('paused');
    await settle(h);
    expect((await withDb(h.dbName, (db) => db.loadExperiment(id)))?.record.status).toBe('paused');

    h.state().resume();
    expect(client.commands.at(-1)).toEqual({ type: 'resume' });
    client.emit({ type: 'resumed' });
    expect(h.state().view?.record.status).toBe('running');

    h.state().cancel();
    expect(client.commands.at(-1)).toEqual({ type: 'cancel' });
    expect(h.state().pendingCommand).toBe('cancel');
    client.emit({ type: 'experiment-finished', status: 'cancelled' });
    await settle(h);
    expect(h.state().live).toBe(false);
    expect(h.state().view?.record.status).toBe('cancelled');
    expect((await withDb(h.dbName, (db) => db.loadExperiment(id)))?.record.status).toBe('cancelled');
  });

  it('force-stops on a second cancel', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();

    h.state().cancel();
    expect(client.terminated).toBe(false);
    h.state().cancel();
    await settle(h);
    expect(client.terminated).toBe(true);
    expect(h.state().live).toBe(false);
    expect(h.state().view?.record.status).toBe('cancelled');

    // A late event from the stopped Worker changes nothing.
    client.emit({ type: 'experiment-finished', status: 'done' });
    expect(h.state().view?.record.status).toBe('cancelled');
  });

  it('interrupts on a Worker error', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';

    client.emit({ type: 'error', message: 'Loading model.safetensors failed: 404 Not Found' });
    await settle(h);

    expect(client.terminated).toBe(true);
    expect(h.state().live).toBe(false);
    expect(h.state().view?.record.status).toBe('interrupted');
    expect(h.state().view?.error).toBe('Loading model.safetensors failed: 404 Not Found');
    expect(h.state().interrupted.map((r) => r.spec.id)).toEqual([id]);
  });

  it('reports a step before run-started', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();

    h.client().emit({ type: 'step', run: { method: 'icfm', seed: 2 }, point: point(1), progress: { done: 1, total: 4 }, etaMs: 1 });
    expect(h.state().view?.error).toBe('The training Worker sent an unexpected event: step 1 of icfm seed 2 arrived before its run-started event.');
    expect(h.state().view?.runs).toEqual([]);
  });

  it('rejects a run of another experiment', async () => {
    const h = harness();
    await h.state().init();
    smallForm(h);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';
    client.emit({ type: 'run-started', run: { method: 'lora', seed: 1 }, trainableParameters: 1, totalParameters: 2 });

    const stray: RunRecord = { experimentId: 'other', method: 'lora', seed: 1, status: 'done', curve: [], evals: [], trainableParameters: 1, totalParameters: 2, stepTimeMs: 1 };
    client.emit({ type: 'run-finished', record: stray });
    expect(h.state().view?.error).toContain(`run-finished for experiment "other", but experiment "${id}" is running`);
    expect(h.state().view?.runs[0].status).toBe('running');
  });

  it('runs without IndexedDB', async () => {
    const h = harness({
      openDb: () => Promise.reject(new Error('The user denied permission to access the database.')),
    });
    await h.state().init();
    expect(h.state().storageError).toBe('IndexedDB is unavailable (The user denied permission to access the database.), so experiments run but are not saved.');

    smallForm(h);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';
    playRun(client, id, 'lora', 1, 4);
    client.emit({ type: 'experiment-finished', status: 'done' });
    await settle(h);
    expect(h.state().view?.record.status).toBe('done');
    expect(h.state().view?.runs[0].curve).toHaveLength(4);
  });

  it('reports a failed Worker start', async () => {
    const h = harness({
      createClient: () => {
        throw new Error('Worker is not defined');
      },
    });
    await h.state().init();
    smallForm(h);
    await h.state().start();
    await settle(h);
    expect(h.state().live).toBe(false);
    expect(h.state().view?.error).toBe('Starting the training Worker failed: Worker is not defined');
    expect(h.state().view?.record.status).toBe('interrupted');
  });
});

describe('stored experiments', () => {
  /** Plays a store up to a finished first run and a half-done second run, then drops it as a reload would. */
  async function interruptedExperiment(): Promise<{ dbName: string; id: string; lora: RunRecord }> {
    const h = harness();
    await h.state().init();
    smallForm(h, ['lora', 'dtsm']);
    await h.state().start();
    const client = h.client();
    const id = h.state().view?.record.spec.id ?? '';
    const lora = playRun(client, id, 'lora', 1, 4);
    client.emit({ type: 'run-started', run: { method: 'dtsm', seed: 1 }, trainableParameters: 3000, totalParameters: 600_000 });
    client.emit({ type: 'step', run: { method: 'dtsm', seed: 1 }, point: point(1), progress: { done: 5, total: 8 }, etaMs: 60 });
    await settle(h);
    return { dbName: h.dbName, id, lora };
  }

  it('finds an interrupted experiment on load', async () => {
    const { dbName, id } = await interruptedExperiment();
    const h = harness({ dbName });
    await h.state().init();

    expect(h.state().interrupted.map((r) => r.spec.id)).toEqual([id]);
    expect(h.state().interrupted[0].status).toBe('interrupted');
    expect(h.state().live).toBe(false);
    const stored = await withDb(dbName, (db) => db.loadExperiment(id));
    expect(stored?.runs.map((r) => `${r.method}:${r.status}:${r.curve.length}`)).toEqual(['lora:done:4', 'dtsm:running:1']);
  });

  it('leaves a running experiment of another tab alone', async () => {
    const { dbName, id } = await interruptedExperiment();
    const locks: ExperimentLocks = { hold: () => undefined, heldNames: () => Promise.resolve([`mtlora-experiment:${id}`]) };
    const h = harness({ dbName, locks });
    await h.state().init();
    expect(h.state().interrupted).toEqual([]);
    expect(h.state().history[0].status).toBe('running');
  });

  it('resumes from the finished runs', async () => {
    const { dbName, id, lora } = await interruptedExperiment();
    const h = harness({ dbName });
    await h.state().init();
    // The form shows the defaults until the resumed experiment replaces them.
    expect(h.state().form.values.steps).toBe('200');

    await h.state().resumeInterrupted(id);
    const [command] = h.client().commands;
    expect(command.type).toBe('start');
    if (command.type !== 'start') return;
    expect(command.spec.id).toBe(id);
    expect(command.completed).toEqual([lora]);
    expect(h.state().form.values.steps).toBe('4');
    expect(h.state().form.methods).toEqual(['lora', 'dtsm']);
    expect(h.state().interrupted).toEqual([]);
    expect(h.state().view?.runs).toEqual([lora]);
    expect(h.state().view?.progress).toEqual({ done: 4, total: 8 });

    // The restarted run replaces its partial curve.
    const client = h.client();
    playRun(client, id, 'dtsm', 1, 4);
    client.emit({ type: 'experiment-finished', status: 'done' });
    await settle(h);
    const stored = await withDb(dbName, (db) => db.loadExperiment(id));
    expect(stored?.record.status).toBe('done');
    expect(stored?.runs.map((r) => `${r.method}:${r.status}:${r.curve.length}`)).toEqual(['lora:done:4', 'dtsm:done:4']);
  });

  it('dismisses an interrupted experiment', async () => {
    const { dbName, id } = await interruptedExperiment();
    const h = harness({ dbName });
    await h.state().init();
    await h.state().dismissInterrupted(id);
    expect(h.state().interrupted).toEqual([]);
    expect(h.state().history.map((r: ExperimentRecord) => `${r.spec.id}:${r.status}`)).toEqual([`${id}:cancelled`]);
  });

  it('shows the newest finished experiment on load', async () => {
    const first = harness();
    await first.state().init();
    smallForm(first);
    await first.state().start();
    const id = first.state().view?.record.spec.id ?? '';
    playRun(first.client(), id, 'lora', 1, 4);
    first.client().emit({ type: 'experiment-finished', status: 'done' });
    await settle(first);

    const h = harness({ dbName: first.dbName });
    await h.state().init();
    expect(h.state().view?.record.spec.id).toBe(id);
    expect(h.state().view?.runs[0].curve).toHaveLength(4);
    expect(h.state().live).toBe(false);

    await h.state().deleteExperiment(id);
    expect(h.state().view).toBeNull();
    expect(h.state().history).toEqual([]);
  });
});
