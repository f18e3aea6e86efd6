// IndexedDB persistence of experiments, their runs and the native adapter file of each finished adapter run,
// so results and adapters survive a reload and an interrupted experiment can resume from its last finished run. Curves arrive point by point, so CurveWriter batches
// them and a reload loses at most the last flush interval.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ALL_METHODS, type EvalPoint, type ExperimentRecord, type ExperimentStatus, type MethodId, type RunRecord, type StepPoint } from './types';

export const DB_NAME = 'mtlora-playground';

/**
 * Schema version. Raise it together with a new entry in MIGRATIONS, which upgrades a database from
 * version i to i + 1. A page that opens an older database runs the missing migrations in order.
 */
export const DB_VERSION = 2;

interface PlaygroundSchema extends DBSchema {
  experiments: {
    key: string;
    value: ExperimentRecord;
    indexes: { 'by-created': string };
  };
  runs: {
    key: [string, MethodId, number];
    value: RunRecord;
    indexes: { 'by-experiment': string };
  };
  adapters: {
    key: [string, MethodId, number];
    value: StoredAdapterFile;
    indexes: { 'by-experiment': string };
  };
}

type Migration = (db: IDBPDatabase<PlaygroundSchema>) => void;

/** MIGRATIONS[i] upgrades a database from version i to version i + 1. */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    const experiments = db.createObjectStore('experiments', { keyPath: 'spec.id' });
    experiments.createIndex('by-created', 'spec.createdAt');
    const runs = db.createObjectStore('runs', { keyPath: ['experimentId', 'method', 'seed'] });
    runs.createIndex('by-experiment', 'experimentId');
  },
  // Version 2 adds the adapter files and leaves the experiments and runs of version 1 as they are.
  (db) => {
    const adapters = db.createObjectStore('adapters', { keyPath: ['experimentId', 'method', 'seed'] });
    adapters.createIndex('by-experiment', 'experimentId');
  },
];

/** Identifies one run of an experiment: one method trained with one seed. */
export interface RunKey {
  experimentId: string;
  method: MethodId;
  seed: number;
}

/** The native adapter file (.mtlora.safetensors) of one finished adapter run. */
export interface StoredAdapterFile extends RunKey {
  fileName: string;
  bytes: Uint8Array;
  /** ISO 8601 time the page stored the file. */
  savedAt: string;
}

export interface StoredExperiment {
  record: ExperimentRecord;
  /** Runs ordered by method as the spec lists them, then by increasing seed. */
  runs: RunRecord[];
}

/** Statuses that only a page with a live Worker can hold, so they are stale when a page finds them at load. */
const LIVE_STATUSES: ReadonlySet<ExperimentStatus> = new Set(['running', 'paused']);

/** Opens (creating or upgrading) the playground database. `name` exists so tests can use separate databases. */
export async function openExperimentDb(name = DB_NAME): Promise<ExperimentDb> {
  if (MIGRATIONS.length !== DB_VERSION) {
    throw new Error(`store-db has ${MIGRATIONS.length} migrations for schema version ${DB_VERSION}; add one migration per version.`);
  }

  let handle: ExperimentDb | null = null;
  try {
    const db = await openDB<PlaygroundSchema>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let version = oldVersion; version < DB_VERSION; version++) MIGRATIONS[version](database);
      },
      // Another tab wants a newer schema. Closing lets its upgrade proceed, and this page's later calls
      // fail with a message asking for a reload.
      blocking() {
        handle?.close('another tab opened a newer version of the database');
      },
      terminated() {
        handle?.close('the browser closed the database connection (storage cleared or disk error)');
      },
    });
    handle = new ExperimentDb(db);
    return handle;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'VersionError') {
      throw new Error(`The stored database "${name}" has a newer schema than this page (version ${DB_VERSION}) understands. Reload the page to get the current version of the app.`, { cause: error });
    }
    throw error;
  }
}

/**
 * The playground's object stores. Each method opens its transaction synchronously when called, and
 * IndexedDB runs read-write transactions on the same store in the order they were created, so writes
 * are applied in call order even when callers do not await them.
 */
export class ExperimentDb {
  private closedReason: string | null = null;

  constructor(private readonly db: IDBPDatabase<PlaygroundSchema>) {}

  /** Closes the connection. Later calls throw an error that gives `reason`. */
  close(reason = 'the page closed it'): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.db.close();
  }

  /** Inserts or replaces an experiment record. */
  async saveExperiment(record: ExperimentRecord): Promise<void> {
    this.assertOpen();
    checkExperimentRecord(record);
    await this.db.put('experiments', record);
  }

  /** Sets an experiment's status and `updatedAt`, and returns the updated record. */
  async updateExperimentStatus(id: string, status: ExperimentStatus, updatedAt = new Date().toISOString()): Promise<ExperimentRecord> {
    this.assertOpen();
    const tx = this.db.transaction('experiments', 'readwrite');
    const record = await tx.store.get(id);
    if (!record) throw new Error(`Experiment "${id}" was not found in IndexedDB, so its status cannot become "${status}".`);
    const updated: ExperimentRecord = { ...record, status, updatedAt };
    await tx.store.put(updated);
    await tx.done;
    return updated;
  }

  /** Inserts or replaces a whole run, e.g. a finished run or a run that restarts with an empty curve. */
  async saveRun(run: RunRecord): Promise<void> {
    this.assertOpen();
    checkRunKey(run);
    const tx = this.db.transaction(['experiments', 'runs'], 'readwrite');
    const experiment = await tx.objectStore('experiments').get(run.experimentId);
    if (!experiment) throw new Error(`Run ${describeRun(run)} belongs to experiment "${run.experimentId}", which is not in IndexedDB. Save the experiment before its runs.`);
    await tx.objectStore('runs').put(run);
    await tx.done;
  }

  /**
   * Appends curve points and evaluations to a stored run, after the ones already there. Curve steps must
   * increase: a step at or below the last stored step means points were sent twice or out of order.
   */
  async appendPoints(key: RunKey, points: { curve?: readonly StepPoint[]; evals?: readonly EvalPoint[] }): Promise<void> {
    this.assertOpen();
    const curve = points.curve ?? [];
    const evals = points.evals ?? [];
    const tx = this.db.transaction('runs', 'readwrite');
    const run = await tx.store.get([key.experimentId, key.method, key.seed]);
    if (!run) throw new Error(`Run ${describeRun(key)} is not in IndexedDB, so its points cannot be appended. Save the run when it starts.`);

    let lastStep = run.curve.length > 0 ? run.curve[run.curve.length - 1].step : -Infinity;
    for (const point of curve) {
      if (!(point.step > lastStep)) {
        throw new RangeError(`Curve point at step ${point.step} of run ${describeRun(key)} does not come after step ${lastStep}; curve points must be appended in increasing step order.`);
      }
      lastStep = point.step;
    }

    await tx.store.put({ ...run, curve: run.curve.concat(curve), evals: run.evals.concat(evals) });
    await tx.done;
  }

  /** Returns every stored experiment, newest first by creation time. */
  async listExperiments(): Promise<ExperimentRecord[]> {
    this.assertOpen();
    const records = await this.db.getAllFromIndex('experiments', 'by-created');
    return records.reverse();
  }

  /** Returns an experiment and its runs, or null when no experiment has this id. */
  async loadExperiment(id: string): Promise<StoredExperiment | null> {
    this.assertOpen();
    const tx = this.db.transaction(['experiments', 'runs'], 'readonly');
    const record = await tx.objectStore('experiments').get(id);
    const runs = await tx.objectStore('runs').index('by-experiment').getAll(id);
    await tx.done;
    if (!record) return null;
    return { record, runs: sortRuns(runs, record) };
  }

  /** Deletes an experiment with all its runs and adapter files in one transaction. Deleting an unknown id does nothing. */
  async deleteExperiment(id: string): Promise<void> {
    this.assertOpen();
    const tx = this.db.transaction(['experiments', 'runs', 'adapters'], 'readwrite');
    const runKeys = await tx.objectStore('runs').index('by-experiment').getAllKeys(id);
    const adapterKeys = await tx.objectStore('adapters').index('by-experiment').getAllKeys(id);
    await Promise.all([
      tx.objectStore('experiments').delete(id),
      ...runKeys.map((key) => tx.objectStore('runs').delete(key)),
      ...adapterKeys.map((key) => tx.objectStore('adapters').delete(key)),
    ]);
    await tx.done;
  }

  /** Inserts or replaces the adapter file of a run. Its experiment must be stored, as for saveRun. */
  async saveAdapterFile(file: StoredAdapterFile): Promise<void> {
    this.assertOpen();
    checkRunKey(file);
    if (!(file.bytes instanceof Uint8Array) || file.bytes.length === 0) {
      throw new Error(`The adapter file "${file.fileName}" of run ${describeRun(file)} is empty; expected the bytes of a .mtlora.safetensors file.`);
    }
    const tx = this.db.transaction(['experiments', 'adapters'], 'readwrite');
    const experiment = await tx.objectStore('experiments').get(file.experimentId);
    if (!experiment) throw new Error(`The adapters of run ${describeRun(file)} belong to experiment "${file.experimentId}", which is not in IndexedDB. Save the experiment first.`);
    await tx.objectStore('adapters').put(file);
    await tx.done;
  }

  /** Returns the adapter file of a run, or null when none is stored. */
  async loadAdapterFile(key: RunKey): Promise<StoredAdapterFile | null> {
    this.assertOpen();
    return (await this.db.get('adapters', [key.experimentId, key.method, key.seed])) ?? null;
  }

  /** Returns the runs of an experiment that have a stored adapter file, without reading the files. */
  async listAdapterFiles(experimentId: string): Promise<RunKey[]> {
    this.assertOpen();
    const keys = await this.db.getAllKeysFromIndex('adapters', 'by-experiment', experimentId);
    return keys.map(([id, method, seed]) => ({ experimentId: id, method, seed }));
  }

  /**
   * Marks experiments that a closed page left 'running' or 'paused' as 'interrupted', and returns all
   * interrupted experiments, newest first. Call it once when the page loads, before this page starts an
   * experiment. `activeIds` lists experiments that another open tab is still running, which stay as they are.
   */
  async findInterrupted(activeIds: ReadonlySet<string> = new Set(), updatedAt = new Date().toISOString()): Promise<ExperimentRecord[]> {
    this.assertOpen();
    const tx = this.db.transaction('experiments', 'readwrite');
    const interrupted: ExperimentRecord[] = [];
    let cursor = await tx.store.index('by-created').openCursor(null, 'prev');
    while (cursor) {
      const record = cursor.value;
      if (LIVE_STATUSES.has(record.status) && !activeIds.has(record.spec.id)) {
        const updated: ExperimentRecord = { ...record, status: 'interrupted', updatedAt };
        await cursor.update(updated);
        interrupted.push(updated);
      } else if (record.status === 'interrupted') {
        interrupted.push(record);
      }
      cursor = await cursor.continue();
    }
    await tx.done;
    return interrupted;
  }

  private assertOpen(): void {
    if (this.closedReason !== null) {
      throw new Error(`The experiment database is closed because ${this.closedReason}. Reload the page to open it again.`);
    }
  }
}

export interface CurveWriterOptions {
  /** Maximum time a point waits in memory before it is written, in milliseconds. */
  flushIntervalMs?: number;
  /** Points (curve and evaluations together) that trigger a write before the interval ends. */
  maxPendingPoints?: number;
  /** Receives a failed write. The points of that write are lost, and later writes still run. */
  onError?: (error: unknown) => void;
}

/**
 * Buffers curve points and evaluations per run and appends them to IndexedDB in batches: at the latest
 * `flushIntervalMs` after the first buffered point, or as soon as `maxPendingPoints` are waiting.
 */
export class CurveWriter {
  private readonly pending = new Map<string, { key: RunKey; curve: StepPoint[]; evals: EvalPoint[] }>();
  private pendingCount = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly writes = new Set<Promise<void>>();
  private readonly flushIntervalMs: number;
  private readonly maxPendingPoints: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly db: ExperimentDb,
    options: CurveWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxPendingPoints = options.maxPendingPoints ?? 200;
    this.onError = options.onError ?? ((error) => console.error('Writing curve points to IndexedDB failed:', error));
    if (!(this.flushIntervalMs >= 0)) throw new RangeError(`flushIntervalMs ${this.flushIntervalMs} is invalid: use 0 or more milliseconds.`);
    if (!Number.isInteger(this.maxPendingPoints) || this.maxPendingPoints < 1) {
      throw new RangeError(`maxPendingPoints ${this.maxPendingPoints} is invalid: use an integer of 1 or more.`);
    }
  }

  addStep(key: RunKey, point: StepPoint): void {
    this.entry(key).curve.push(point);
    this.added();
  }

  addEval(key: RunKey, point: EvalPoint): void {
    this.entry(key).evals.push(point);
    this.added();
  }

  /** Drops the buffered points of one run, e.g. because the finished run is about to be saved whole. */
  discardRun(key: RunKey): void {
    const entry = this.pending.get(runKeyString(key));
    if (!entry) return;
    this.pendingCount -= entry.curve.length + entry.evals.length;
    this.pending.delete(runKeyString(key));
  }

  /** Writes every buffered point and waits until all writes started so far have finished. */
  async flush(): Promise<void> {
    this.startWrites();
    await Promise.all([...this.writes]);
  }

  /** Stops the timer. Buffered points stay in memory until the next flush(). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private entry(key: RunKey) {
    const id = runKeyString(key);
    let entry = this.pending.get(id);
    if (!entry) {
      entry = { key: { experimentId: key.experimentId, method: key.method, seed: key.seed }, curve: [], evals: [] };
      this.pending.set(id, entry);
    }
    return entry;
  }

  private added(): void {
    this.pendingCount += 1;
    if (this.pendingCount >= this.maxPendingPoints) {
      this.startWrites();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => this.startWrites(), this.flushIntervalMs);
    }
  }

  /** Starts one appendPoints per run with buffered points. Each call opens its transaction at once, so order holds. */
  private startWrites(): void {
    this.dispose();
    const batches = [...this.pending.values()];
    this.pending.clear();
    this.pendingCount = 0;
    for (const { key, curve, evals } of batches) {
      const write = this.db.appendPoints(key, { curve, evals }).catch(this.onError);
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    }
  }
}

/** Returns the string form of a run key, e.g. "lora:1", for maps and React keys within one experiment. */
export function runKeyString(key: { method: MethodId; seed: number }): string {
  return `${key.method}:${key.seed}`;
}

function describeRun(key: { experimentId: string; method: MethodId; seed: number }): string {
  return `${key.method} seed ${key.seed} of experiment "${key.experimentId}"`;
}

function sortRuns(runs: RunRecord[], record: ExperimentRecord): RunRecord[] {
  const methodOrder = (method: MethodId) => {
    const index = record.spec.methods.indexOf(method);
    return index === -1 ? record.spec.methods.length + ALL_METHODS.indexOf(method) : index;
  };
  return runs.slice().sort((a, b) => methodOrder(a.method) - methodOrder(b.method) || a.seed - b.seed);
}

function checkExperimentRecord(record: ExperimentRecord): void {
  const { id, createdAt } = record.spec;
  if (typeof id !== 'string' || id === '') throw new Error(`Experiment id ${JSON.stringify(id)} is invalid: use a non-empty string.`);
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) {
    throw new Error(`Experiment "${id}" has createdAt ${JSON.stringify(createdAt)}; expected an ISO 8601 time such as "2025-01-31T12:00:00.000Z".`);
  }
}

function checkRunKey(run: RunKey): void {
  if (!ALL_METHODS.includes(run.method)) throw new Error(`Run method "${run.method}" is unknown: use one of ${ALL_METHODS.join(', ')}.`);
  if (!Number.isSafeInteger(run.seed)) throw new Error(`Run seed ${run.seed} of ${run.method} is invalid: use an integer.`);
}
