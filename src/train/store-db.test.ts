// The IndexedDB store on fake-indexeddb: round trips, ordering, interrupted experiments and batched curve writes.
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { CurveWriter, DB_VERSION, type ExperimentDb, openExperimentDb, type StoredAdapterFile } from './store-db';
import type { EvalPoint, ExperimentRecord, ExperimentStatus, MethodId, RunRecord, StepPoint } from './types';

let databaseCount = 0;
const openDatabases: ExperimentDb[] = [];

/** Opens a database with a name no other test uses, so tests cannot see each other's records. */
async function freshDb(): Promise<{ db: ExperimentDb; name: string }> {
  databaseCount += 1;
  const name = `store-db-test-${databaseCount}`;
  const db = await openExperimentDb(name);
  openDatabases.push(db);
  return { db, name };
}

afterEach(() => {
  for (const db of openDatabases.splice(0)) db.close();
});

function experiment(id: string, createdAt: string, status: ExperimentStatus = 'done'): ExperimentRecord {
  return {
    spec: {
      id,
      createdAt,
      model: { id: 'embedded', source: 'embedded' },
      taskId: 'spam',
      methods: ['shim', 'lora', 'full'],
      seeds: [1, 2],
      hyperparameters: {
        rank: 8,
        alpha: 16,
        learningRate: 1e-3,
        batchSize: 16,
        maxLength: 128,
        steps: 200,
        warmupSteps: 20,
        weightDecay: 0.01,
        dropout: 0.1,
        maxGradNorm: 1,
        modules: ['query', 'value'],
        evalInterval: 50,
      },
    },
    status,
    updatedAt: createdAt,
  };
}

function run(experimentId: string, method: MethodId, seed: number, curve: StepPoint[] = [], evals: EvalPoint[] = []): RunRecord {
  return {
    experimentId,
    method,
    seed,
    status: 'running',
    curve,
    evals,
    trainableParameters: 4096,
    totalParameters: 1_000_000,
    stepTimeMs: 0,
  };
}

function step(n: number): StepPoint {
  return { step: n, loss: 1 / n, learningRate: 1e-3, tokensPerSecond: 5000, elapsedMs: n * 10 };
}

function devEval(n: number): EvalPoint {
  return { step: n, split: 'dev', loss: 0.5, metrics: { accuracy: 0.5 + n / 1000 } };
}

describe('ExperimentDb', () => {
  it('round-trips an experiment and its runs', async () => {
    const { db } = await freshDb();
    const record = experiment('exp-a', '2025-03-01T10:00:00.000Z');
    await db.saveExperiment(record);

    // Saved out of spec order, so loading must sort by method as listed (shim, lora, full), then seed.
    const runs = [
      { ...run('exp-a', 'full', 2, [step(1)]), status: 'done' as const, stepTimeMs: 12.5 },
      run('exp-a', 'lora', 1, [step(1), step(2)], [devEval(2)]),
      run('exp-a', 'shim', 2),
      run('exp-a', 'shim', 1, [], [{ step: 200, split: 'test', loss: 0.3, metrics: { accuracy: 0.9, f1: 0.8 } }]),
    ];
    for (const r of runs) await db.saveRun(r);

    const loaded = await db.loadExperiment('exp-a');
    expect(loaded?.record).toEqual(record);
    expect(loaded?.runs.map((r) => `${r.method}:${r.seed}`)).toEqual(['shim:1', 'shim:2', 'lora:1', 'full:2']);
    expect(loaded?.runs[2]).toEqual(runs[1]);
    expect(loaded?.runs[3]).toEqual(runs[0]);
    expect(loaded?.runs[0].evals[0].metrics).toEqual({ accuracy: 0.9, f1: 0.8 });
  });

  it('returns null for an unknown experiment', async () => {
    const { db } = await freshDb();
    expect(await db.loadExperiment('missing')).toBeNull();
  });

  it('lists experiments newest first', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('middle', '2025-03-02T00:00:00.000Z'));
    await db.saveExperiment(experiment('newest', '2025-03-03T00:00:00.000Z'));
    await db.saveExperiment(experiment('oldest', '2025-03-01T00:00:00.000Z'));

    const listed = await db.listExperiments();
    expect(listed.map((r) => r.spec.id)).toEqual(['newest', 'middle', 'oldest']);
  });

  it('updates the status of an experiment', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));

    const updated = await db.updateExperimentStatus('exp', 'paused', '2025-03-01T00:05:00.000Z');
    expect(updated.status).toBe('paused');
    expect(updated.updatedAt).toBe('2025-03-01T00:05:00.000Z');
    expect((await db.loadExperiment('exp'))?.record).toEqual(updated);

    await expect(db.updateExperimentStatus('nope', 'done')).rejects.toThrow('Experiment "nope" was not found');
  });

  it('rejects a run of an unsaved experiment', async () => {
    const { db } = await freshDb();
    await expect(db.saveRun(run('ghost', 'lora', 1))).rejects.toThrow('Save the experiment before its runs');
  });

  it('rejects invalid records', async () => {
    const { db } = await freshDb();
    await expect(db.saveExperiment(experiment('', '2025-03-01T00:00:00.000Z'))).rejects.toThrow('Experiment id "" is invalid');
    await expect(db.saveExperiment(experiment('x', 'yesterday'))).rejects.toThrow('createdAt "yesterday"');
    await db.saveExperiment(experiment('x', '2025-03-01T00:00:00.000Z'));
    await expect(db.saveRun(run('x', 'lora', 1.5))).rejects.toThrow('Run seed 1.5 of lora is invalid');
    await expect(db.saveRun(run('x', 'bogus' as MethodId, 1))).rejects.toThrow('Run method "bogus" is unknown');
  });

  it('deletes an experiment with its runs only', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('gone', '2025-03-01T00:00:00.000Z'));
    await db.saveExperiment(experiment('kept', '2025-03-02T00:00:00.000Z'));
    await db.saveRun(run('gone', 'lora', 1));
    await db.saveRun(run('gone', 'shim', 2));
    await db.saveRun(run('kept', 'lora', 1));

    await db.deleteExperiment('gone');

    expect(await db.loadExperiment('gone')).toBeNull();
    expect((await db.listExperiments()).map((r) => r.spec.id)).toEqual(['kept']);
    expect((await db.loadExperiment('kept'))?.runs).toHaveLength(1);
    // A run saved under the deleted id again would be an orphan, so it is rejected.
    await expect(db.saveRun(run('gone', 'lora', 1))).rejects.toThrow('not in IndexedDB');
  });
});

describe('findInterrupted', () => {
  it('marks running and paused experiments interrupted', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('done', '2025-03-01T00:00:00.000Z', 'done'));
    await db.saveExperiment(experiment('running', '2025-03-02T00:00:00.000Z', 'running'));
    await db.saveExperiment(experiment('paused', '2025-03-03T00:00:00.000Z', 'paused'));
    await db.saveExperiment(experiment('cancelled', '2025-03-04T00:00:00.000Z', 'cancelled'));
    await db.saveExperiment(experiment('earlier', '2025-02-01T00:00:00.000Z', 'interrupted'));

    const found = await db.findInterrupted(new Set(), '2025-03-05T00:00:00.000Z');
    expect(found.map((r) => r.spec.id)).toEqual(['paused', 'running', 'earlier']);
    expect(found.map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);

    const statuses = Object.fromEntries((await db.listExperiments()).map((r) => [r.spec.id, r.status]));
    expect(statuses).toEqual({ done: 'done', running: 'interrupted', paused: 'interrupted', cancelled: 'cancelled', earlier: 'interrupted' });
    expect((await db.loadExperiment('running'))?.record.updatedAt).toBe('2025-03-05T00:00:00.000Z');
    expect((await db.loadExperiment('earlier'))?.record.updatedAt).toBe('2025-02-01T00:00:00.000Z');
  });

  it('leaves experiments another tab runs', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('other-tab', '2025-03-01T00:00:00.000Z', 'running'));
    await db.saveExperiment(experiment('closed-tab', '2025-03-02T00:00:00.000Z', 'running'));

    const found = await db.findInterrupted(new Set(['other-tab']));
    expect(found.map((r) => r.spec.id)).toEqual(['closed-tab']);
    expect((await db.loadExperiment('other-tab'))?.record.status).toBe('running');
  });

  it('returns nothing when all finished', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('done', '2025-03-01T00:00:00.000Z', 'done'));
    expect(await db.findInterrupted()).toEqual([]);
  });
});

describe('appendPoints', () => {
  it('keeps points in append order', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));
    await db.saveRun(run('exp', 'lora', 1));
    const key = { experimentId: 'exp', method: 'lora' as const, seed: 1 };

    await db.appendPoints(key, { curve: [step(1), step(2)] });
    await db.appendPoints(key, { curve: [step(3)], evals: [devEval(3)] });
    await db.appendPoints(key, { evals: [devEval(4), { ...devEval(4), split: 'test' }] });
    await db.appendPoints(key, { curve: [step(4), step(5)] });

    const stored = (await db.loadExperiment('exp'))?.runs[0];
    expect(stored?.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(stored?.evals.map((p) => `${p.split}@${p.step}`)).toEqual(['dev@3', 'dev@4', 'test@4']);
  });

  it('applies unawaited appends in call order', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));
    await db.saveRun(run('exp', 'lora', 1));
    const key = { experimentId: 'exp', method: 'lora' as const, seed: 1 };

    const writes: Promise<void>[] = [];
    for (let n = 1; n <= 30; n++) writes.push(db.appendPoints(key, { curve: [step(n)] }));
    await Promise.all(writes);

    const stored = (await db.loadExperiment('exp'))?.runs[0];
    expect(stored?.curve.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('rejects steps that do not increase', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));
    await db.saveRun(run('exp', 'lora', 1, [step(1), step(2)]));
    const key = { experimentId: 'exp', method: 'lora' as const, seed: 1 };

    await expect(db.appendPoints(key, { curve: [step(2)] })).rejects.toThrow('step 2 of run lora seed 1 of experiment "exp" does not come after step 2');
    await expect(db.appendPoints(key, { curve: [step(4), step(3)] })).rejects.toThrow('step 3');
    expect((await db.loadExperiment('exp'))?.runs[0].curve.map((p) => p.step)).toEqual([1, 2]);
  });

  it('rejects points of a run that was never saved', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));
    await expect(db.appendPoints({ experimentId: 'exp', method: 'icfm', seed: 3 }, { curve: [step(1)] })).rejects.toThrow(
      'Run icfm seed 3 of experiment "exp" is not in IndexedDB',
    );
  });
});

describe('CurveWriter', () => {
  async function runningExperiment(db: ExperimentDb, methods: MethodId[]) {
    await db.saveExperiment(experiment('exp', '2025-03-01T00:00:00.000Z', 'running'));
    for (const method of methods) await db.saveRun(run('exp', method, 1));
    return methods.map((method) => ({ experimentId: 'exp', method, seed: 1 }));
  }

  it('loses nothing from two interleaved runs', async () => {
    const { db } = await freshDb();
    const [lora, dtsm] = await runningExperiment(db, ['lora', 'dtsm']);
    const errors: unknown[] = [];
    // A small batch size starts many overlapping writes while points keep arriving.
    const writer = new CurveWriter(db, { maxPendingPoints: 3, flushIntervalMs: 5, onError: (error) => errors.push(error) });

    for (let n = 1; n <= 100; n++) {
      writer.addStep(lora, step(n));
      writer.addStep(dtsm, step(n));
      if (n % 25 === 0) {
        writer.addEval(lora, devEval(n));
        writer.addEval(dtsm, devEval(n));
      }
      // Let some writes finish between points, as when the Worker's messages arrive over time.
      if (n % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await writer.flush();
    writer.dispose();

    expect(errors).toEqual([]);
    const runs = (await db.loadExperiment('exp'))?.runs ?? [];
    const expectedSteps = Array.from({ length: 100 }, (_, i) => i + 1);
    for (const stored of runs) {
      expect(stored.curve.map((p) => p.step), stored.method).toEqual(expectedSteps);
      expect(stored.evals.map((p) => p.step), stored.method).toEqual([25, 50, 75, 100]);
    }
  });

  it('writes buffered points after the interval', async () => {
    const { db } = await freshDb();
    const [key] = await runningExperiment(db, ['shim']);
    const writer = new CurveWriter(db, { flushIntervalMs: 20, maxPendingPoints: 1000 });

    writer.addStep(key, step(1));
    writer.addStep(key, step(2));
    expect((await db.loadExperiment('exp'))?.runs[0].curve).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await db.loadExperiment('exp'))?.runs[0].curve.map((p) => p.step)).toEqual([1, 2]);
    writer.dispose();
  });

  it('drops points of a run saved whole', async () => {
    const { db } = await freshDb();
    const [key] = await runningExperiment(db, ['ctcm']);
    const writer = new CurveWriter(db, { flushIntervalMs: 10_000, maxPendingPoints: 1000 });

    writer.addStep(key, step(1));
    writer.addStep(key, step(2));
    writer.discardRun(key);
    await db.saveRun({ ...run('exp', 'ctcm', 1, [step(1), step(2)]), status: 'done' });
    await writer.flush();
    writer.dispose();

    expect((await db.loadExperiment('exp'))?.runs[0].curve.map((p) => p.step)).toEqual([1, 2]);
  });

  it('reports a failed write and keeps going', async () => {
    const { db } = await freshDb();
    const [key] = await runningExperiment(db, ['lora']);
    const errors: unknown[] = [];
    const writer = new CurveWriter(db, { flushIntervalMs: 10_000, onError: (error) => errors.push(error) });

    writer.addStep({ ...key, method: 'icfm' }, step(1));
    writer.addStep(key, step(1));
    await writer.flush();
    writer.dispose();

    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('Run icfm seed 1');
    expect((await db.loadExperiment('exp'))?.runs[0].curve.map((p) => p.step)).toEqual([1]);
  });

  it('rejects invalid options', async () => {
    const { db } = await freshDb();
    expect(() => new CurveWriter(db, { maxPendingPoints: 0 })).toThrow('maxPendingPoints 0 is invalid');
    expect(() => new CurveWriter(db, { flushIntervalMs: -1 })).toThrow('flushIntervalMs -1 is invalid');
  });
});

function adapterFile(experimentId: string, method: MethodId, seed: number, bytes = Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125])): StoredAdapterFile {
  return { experimentId, method, seed, fileName: `${method}-seed${seed}.mtlora.safetensors`, bytes, savedAt: '2025-03-01T10:05:00.000Z' };
}

describe('adapter files', () => {
  it('round-trips the bytes of a run', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp', '2025-03-01T10:00:00.000Z'));
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256);
    const file = adapterFile('exp', 'shim', 2, bytes);
    await db.saveAdapterFile(file);

    const loaded = await db.loadAdapterFile({ experimentId: 'exp', method: 'shim', seed: 2 });
    expect(loaded).toEqual(file);
    expect(loaded?.bytes).toBeInstanceOf(Uint8Array);
    expect(await db.loadAdapterFile({ experimentId: 'exp', method: 'shim', seed: 1 })).toBeNull();
  });

  it('lists the runs with adapters', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp-a', '2025-03-01T10:00:00.000Z'));
    await db.saveExperiment(experiment('exp-b', '2025-03-02T10:00:00.000Z'));
    await db.saveAdapterFile(adapterFile('exp-a', 'shim', 2));
    await db.saveAdapterFile(adapterFile('exp-a', 'lora', 1));
    await db.saveAdapterFile(adapterFile('exp-b', 'lora', 1));

    const keys = await db.listAdapterFiles('exp-a');
    expect(keys.map(({ method, seed }) => `${method}:${seed}`).sort()).toEqual(['lora:1', 'shim:2']);
    expect(keys.every((key) => key.experimentId === 'exp-a')).toBe(true);
  });

  it('deletes them with the experiment', async () => {
    const { db } = await freshDb();
    await db.saveExperiment(experiment('exp-a', '2025-03-01T10:00:00.000Z'));
    await db.saveExperiment(experiment('exp-b', '2025-03-02T10:00:00.000Z'));
    await db.saveAdapterFile(adapterFile('exp-a', 'lora', 1));
    await db.saveAdapterFile(adapterFile('exp-b', 'lora', 1));

    await db.deleteExperiment('exp-a');
    expect(await db.listAdapterFiles('exp-a')).toEqual([]);
    expect(await db.loadAdapterFile({ experimentId: 'exp-a', method: 'lora', seed: 1 })).toBeNull();
    expect(await db.listAdapterFiles('exp-b')).toHaveLength(1);
  });

  it('rejects files of unsaved experiments and empty files', async () => {
    const { db } = await freshDb();
    await expect(db.saveAdapterFile(adapterFile('missing', 'lora', 1))).rejects.toThrow('belong to experiment "missing", which is not in IndexedDB');
    await db.saveExperiment(experiment('exp', '2025-03-01T10:00:00.000Z'));
    await expect(db.saveAdapterFile(adapterFile('exp', 'lora', 1, new Uint8Array(0)))).rejects.toThrow('"lora-seed1.mtlora.safetensors" of run lora seed 1 of experiment "exp" is empty');
    await expect(db.saveAdapterFile(adapterFile('exp', 'bogus' as MethodId, 1))).rejects.toThrow('Run method "bogus" is unknown');
  });
});

describe('schema', () => {
  it('creates the current version', async () => {
    const { db, name } = await freshDb();
    db.close();
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect([...raw.objectStoreNames].sort()).toEqual(['adapters', 'experiments', 'runs']);
    expect([...raw.transaction('runs').store.indexNames]).toEqual(['by-experiment']);
    expect([...raw.transaction('adapters').store.indexNames]).toEqual(['by-experiment']);
    expect([...raw.transaction('experiments').store.indexNames]).toEqual(['by-created']);
    raw.close();
  });

  it('upgrades version 1 and keeps its records', async () => {
    const name = 'store-db-test-version-1';
    // The schema of version 1 as its migration created it, with one experiment and one finished run.
    const old = await openDB(name, 1, {
      upgrade(database) {
        const experiments = database.createObjectStore('experiments', { keyPath: 'spec.id' });
        experiments.createIndex('by-created', 'spec.createdAt');
        const runs = database.createObjectStore('runs', { keyPath: ['experimentId', 'method', 'seed'] });
        runs.createIndex('by-experiment', 'experimentId');
      },
    });
    const record = experiment('exp-v1', '2025-02-01T08:00:00.000Z', 'interrupted');
    const stored = { ...run('exp-v1', 'lora', 1, [step(1), step(2)], [devEval(2)]), status: 'done' as const };
    await old.put('experiments', record);
    await old.put('runs', stored);
    old.close();

    const db = await openExperimentDb(name);
    openDatabases.push(db);
    expect(await db.loadExperiment('exp-v1')).toEqual({ record, runs: [stored] });
    expect(await db.findInterrupted()).toEqual([record]);
    expect(await db.listAdapterFiles('exp-v1')).toEqual([]);

    // The new store works on the upgraded database.
    await db.saveAdapterFile(adapterFile('exp-v1', 'lora', 1));
    expect(await db.listAdapterFiles('exp-v1')).toEqual([{ experimentId: 'exp-v1', method: 'lora', seed: 1 }]);
    db.close();
    const raw = await openDB(name);
    expect(raw.version).toBe(2);
    raw.close();
  });

  it('rejects a database from a newer app', async () => {
    const name = 'store-db-test-newer';
    const raw = await openDB(name, DB_VERSION + 1);
    raw.close();
    await expect(openExperimentDb(name)).rejects.toThrow(`has a newer schema than this page (version ${DB_VERSION}) understands`);
  });

  it('closes for a newer tab', async () => {
    const { db, name } = await freshDb();
    // Another tab with a newer schema: its open waits until this connection closes.
    const newer = await openDB(name, DB_VERSION + 1);
    newer.close();
    await expect(db.listExperiments()).rejects.toThrow('closed because another tab opened a newer version of the database. Reload the page');
  });
});
