// The comparison experiment of the page: the setup form, the experiment on screen (live from the
// training Worker or loaded from IndexedDB), the stored history, and the actions behind the run controls.
// Every WorkerEvent lands in handleEvent, which updates the view and persists curves through store-db.
import { createStore, useStore, type StoreApi } from 'zustand';
import type { TaskDefinition } from '../data/task';
import type { WorkerCommand, WorkerEvent } from '../train/protocol';
import { CurveWriter, openExperimentDb, runKeyString, type ExperimentDb, type RunKey } from '../train/store-db';
import { validateSpec } from '../train/spec';
import type { ExperimentRecord, ExperimentSpec, ExperimentStatus, MethodId, RunRecord, StepPoint } from '../train/types';
import { TrainingWorkerClient } from '../train/worker-client';
import { getAdapterStore } from './adapters';
import { createView, findRun, withEval, withRun, withStatus, withStepPoints, type ExperimentView } from './experiment-view';
import { browserFormStorage, loadForm, saveForm, type FormStorage } from './form-storage';
import { defaultForm, EMBEDDED_MODEL, formFromSpec, validateForm, type ExperimentForm, type FormErrors, type ModelOption, type NumericField } from './form';
import type { TrainSizeChoice } from './train-size';
import { uploadedTaskSpec } from './uploaded-tasks';

/** The fields of a task that the page shows, without its loader. */
export type TaskChoice = Pick<TaskDefinition, 'id' | 'name' | 'description' | 'source' | 'license' | 'kind' | 'labels' | 'splitDescription' | 'metrics' | 'primaryMetric'>;

/** The page's handle on the training Worker. */
export interface WorkerClient {
  send(command: WorkerCommand): void;
  terminate(): void;
}

export type WorkerClientFactory = (onEvent: (event: WorkerEvent) => void) => WorkerClient;

/** Web Locks that mark the experiment a tab is running, so another tab does not call it interrupted. */
export interface ExperimentLocks {
  /** Holds the lock `name` until `until` settles. */
  hold(name: string, until: Promise<void>): void;
  /** Names of the locks held by any tab of this origin. */
  heldNames(): Promise<string[]>;
}

export interface ExperimentStoreDeps {
  openDb(): Promise<ExperimentDb>;
  createClient: WorkerClientFactory;
  locks?: ExperimentLocks | null;
  now?: () => Date;
  newId?: () => string;
  /** Milliseconds that step events are collected before the view updates, so charts redraw a few times a second; 0 applies each at once. */
  viewCommitIntervalMs?: number;
  /** Milliseconds that curve points wait before they are written to IndexedDB. */
  curveFlushIntervalMs?: number;
  model?: ModelOption;
  /** Storage of the setup form across reloads: default the browser's localStorage, and null stores nothing. */
  formStorage?: FormStorage | null;
  /** Called when a finished adapter run's file is stored in IndexedDB, or with the reason it was not kept. */
  onRunAdapters?: (key: RunKey, outcome: RunAdaptersOutcome) => void;
}

export type RunAdaptersOutcome = { saved: true } | { saved: false; error: string };

/** A command sent to the Worker before its confirming event ('paused', 'resumed', 'experiment-finished') arrived. */
export type PendingCommand = 'pause' | 'resume' | 'cancel' | null;

export interface ExperimentState {
  model: ModelOption;
  tasks: TaskChoice[];
  form: ExperimentForm;
  /** One message per invalid field of `form`; empty when Start may be pressed. */
  errors: FormErrors;
  /** Stored experiments, newest first. */
  history: ExperimentRecord[];
  /** Experiments that a closed page or a Worker error left unfinished, newest first. */
  interrupted: ExperimentRecord[];
  /** The experiment on screen, or null before the first one. */
  view: ExperimentView | null;
  /** Whether `view` is the experiment the Worker is running now. */
  live: boolean;
  pendingCommand: PendingCommand;
  /** The latest IndexedDB failure, shown once above the results. */
  storageError: string | null;
  initialized: boolean;

  /** Chooses the model to fine-tune: the embedded one, or the one loaded in the Model panel. */
  setModel(model: ModelOption): void;
  setTasks(tasks: readonly TaskChoice[]): void;
  setTaskId(taskId: string): void;
  /** Sets the train size of a GLUE task. */
  setTrainSize(trainSize: TrainSizeChoice): void;
  setValue(field: NumericField, text: string): void;
  toggleMethod(method: MethodId, selected: boolean): void;
  toggleModule(module: ExperimentForm['modules'][number], selected: boolean): void;
  resetForm(): void;

  /** Opens the database, marks experiments left running by a closed page as interrupted, and loads the history. */
  init(): Promise<void>;
  start(): Promise<void>;
  /**
   * Starts an experiment from a prepared spec instead of the form, e.g. one that continues an imported adapter
   * file. Throws when an experiment is live or the spec is invalid.
   */
  startSpec(spec: ExperimentSpec): Promise<void>;
  pause(): void;
  resume(): void;
  /** Asks the Worker to cancel. A second call while that request is pending stops the Worker at once. */
  cancel(): void;
  resumeInterrupted(id: string): Promise<void>;
  dismissInterrupted(id: string): Promise<void>;
  openExperiment(id: string): Promise<void>;
  deleteExperiment(id: string): Promise<void>;
  /** Applies one message from the Worker. The Worker client calls it; tests may call it directly. */
  handleEvent(event: WorkerEvent): void;
  /** Writes buffered curve points now, e.g. when the page is hidden. */
  flushStorage(): Promise<void>;
}

const LOCK_PREFIX = 'mtlora-experiment:';

export function createExperimentStore(deps: ExperimentStoreDeps): StoreApi<ExperimentState> {
  const initialModel = deps.model ?? EMBEDDED_MODEL;
  const formStorage = deps.formStorage === undefined ? browserFormStorage() : deps.formStorage;
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const viewCommitIntervalMs = deps.viewCommitIntervalMs ?? 250;
  const curveFlushIntervalMs = deps.curveFlushIntervalMs ?? 1000;

  // Resources of the live experiment, outside the state because the UI never renders them.
  let db: ExperimentDb | null = null;
  let initPromise: Promise<void> | null = null;
  let client: WorkerClient | null = null;
  let writer: CurveWriter | null = null;
  let releaseLock: (() => void) | null = null;

  // Step events buffered for the next view commit: points per run key, and the latest progress.
  let pendingPoints = new Map<string, StepPoint[]>();
  let pendingProgress: { progress: ExperimentView['progress']; etaMs: number; tokensPerSecond: number } | null = null;
  let commitTimer: ReturnType<typeof setTimeout> | null = null;

  return createStore<ExperimentState>()((set, get) => {
    const context = () => ({ model: get().model, taskIds: get().tasks.map((task) => task.id), uploadSpec: uploadedTaskSpec });

    const setForm = (form: ExperimentForm) => {
      const result = validateForm(form, context());
      set({ form, errors: result.ok ? {} : result.errors });
      saveForm(formStorage, form);
    };

    const timestamp = () => now().toISOString();

    /** Runs one IndexedDB call. A failure is shown but does not stop training, which matters more than its record. */
    const persist = (what: string, write: (database: ExperimentDb) => Promise<unknown>): Promise<void> => {
      if (!db) return Promise.resolve();
      return write(db).then(
        () => undefined,
        (error: unknown) => set({ storageError: `Saving ${what} to IndexedDB failed: ${errorMessage(error)}` }),
      );
    };

    const refreshLists = async () => {
      if (!db) return;
      try {
        const history = await db.listExperiments();
        set({ history, interrupted: history.filter((record) => record.status === 'interrupted') });
      } catch (error) {
        set({ storageError: `Reading stored experiments from IndexedDB failed: ${errorMessage(error)}` });
      }
    };

    const commitPending = () => {
      if (commitTimer !== null) clearTimeout(commitTimer);
      commitTimer = null;
      const view = get().view;
      if (!view || (pendingPoints.size === 0 && !pendingProgress)) return;
      let next = withStepPoints(view, pendingPoints);
      if (pendingProgress) next = { ...next, ...pendingProgress };
      pendingPoints = new Map();
      pendingProgress = null;
      set({ view: next });
    };

    const scheduleCommit = () => {
      if (viewCommitIntervalMs === 0) commitPending();
      else if (commitTimer === null) commitTimer = setTimeout(commitPending, viewCommitIntervalMs);
    };

    /** Ends the live experiment: stops the Worker, writes the last points, stores the final status. */
    const endLive = async (status: ExperimentStatus, error: string | null) => {
      commitPending();
      const view = get().view;
      client?.terminate();
      client = null;
      releaseLock?.();
      releaseLock = null;
      if (!view) return;

      const updatedAt = timestamp();
      set({ view: { ...withStatus(view, status, updatedAt), etaMs: null, currentRun: null, error: error ?? view.error }, live: false, pendingCommand: null });

      const finishing = writer;
      writer = null;
      if (finishing) {
        // flush() starts the last appends before the status update below, so 'done' is stored after every point.
        const flushed = finishing.flush();
        finishing.dispose();
        void persist('the experiment status', (database) => database.updateExperimentStatus(view.record.spec.id, status, updatedAt));
        await flushed;
      } else {
        await persist('the experiment status', (database) => database.updateExperimentStatus(view.record.spec.id, status, updatedAt));
      }
      await refreshLists();
    };

    /** Sends the start command for `record` to a new Worker, with `completed` runs to skip. */
    const launch = (record: ExperimentRecord, completed: RunRecord[]) => {
      const id = record.spec.id;
      writer = db
        ? new CurveWriter(db, {
            flushIntervalMs: curveFlushIntervalMs,
            onError: (error) => set({ storageError: `Saving curve points to IndexedDB failed: ${errorMessage(error)}` }),
          })
        : null;
      if (deps.locks) deps.locks.hold(LOCK_PREFIX + id, new Promise<void>((resolve) => (releaseLock = resolve)));

      // Events of a Worker that was replaced or terminated (client no longer points at it) are dropped.
      try {
        const created: WorkerClient = deps.createClient((event) => {
          if (client === created) get().handleEvent(event);
        });
        client = created;
        // Picked files cannot be stored with the spec, so they come from the model chosen now, when it is the same one.
        const chosen = get().model;
        const sameModel = chosen.ref.source === record.spec.model.source && chosen.ref.id === record.spec.model.id;
        const modelFiles = record.spec.model.source === 'files' && sameModel && chosen.files ? [...chosen.files] : undefined;
        created.send({ type: 'start', spec: record.spec, completed, ...(modelFiles ? { modelFiles } : {}) });
      } catch (error) {
        void endLive('interrupted', `Starting the training Worker failed: ${errorMessage(error)}`);
      }
    };

    /** Shows, stores and launches a new experiment. */
    const begin = async (spec: ExperimentSpec) => {
      const record: ExperimentRecord = { spec, status: 'running', updatedAt: spec.createdAt };
      set({ view: createView(record, []), live: true, pendingCommand: null, storageError: null });

      // Started before any run is saved, and IndexedDB keeps the order, so saveRun finds the experiment.
      const saved = persist('the experiment', (database) => database.saveExperiment(record));
      launch(record, []);
      await saved;
      await refreshLists();
    };

    const send = (command: WorkerCommand) => {
      try {
        if (!client) throw new Error('no training Worker is running');
        client.send(command);
      } catch (error) {
        void endLive('interrupted', `Sending "${command.type}" to the training Worker failed: ${errorMessage(error)}`);
      }
    };

    /** Stores the adapter file that came with a finished run, after the run itself, and reports the outcome. */
    const keepRunAdapters = ({ record, adapters, adapterError }: Extract<WorkerEvent, { type: 'run-finished' }>) => {
      const key: RunKey = { experimentId: record.experimentId, method: record.method, seed: record.seed };
      if (adapterError !== undefined) deps.onRunAdapters?.(key, { saved: false, error: adapterError });
      if (!adapters) return;
      const what = `the adapters of ${record.method} seed ${record.seed}`;
      if (!db) {
        deps.onRunAdapters?.(key, { saved: false, error: `IndexedDB is unavailable, so ${what} were not kept.` });
        return;
      }
      void persist(what, async (database) => {
        try {
          await database.saveAdapterFile({ ...key, fileName: adapters.fileName, bytes: adapters.bytes, savedAt: timestamp() });
        } catch (error) {
          deps.onRunAdapters?.(key, { saved: false, error: `Saving ${what} to IndexedDB failed: ${errorMessage(error)}` });
          throw error;
        }
        deps.onRunAdapters?.(key, { saved: true });
      });
    };

    /** Reports an event that does not fit the experiment, e.g. a step of a run that never started. */
    const protocolError = (message: string) => {
      set((state) => (state.view ? { view: { ...state.view, error: `The training Worker sent an unexpected event: ${message}` } } : {}));
    };

    return {
      model: initialModel,
      tasks: [],
      form: loadForm(formStorage, defaultForm(initialModel, '')),
      errors: {},
      history: [],
      interrupted: [],
      view: null,
      live: false,
      pendingCommand: null,
      storageError: null,
      initialized: false,

      setModel(model) {
        if (get().live) return;
        set({ model });
        setForm({ ...get().form, modelId: model.ref.id });
      },

      setTasks(tasks) {
        set({ tasks: tasks.map(toTaskChoice) });
        const { form } = get();
        const taskId = tasks.some((task) => task.id === form.taskId) ? form.taskId : (tasks[0]?.id ?? '');
        setForm({ ...form, taskId });
      },

      setTaskId(taskId) {
        setForm({ ...get().form, taskId });
      },

      setTrainSize(trainSize) {
        setForm({ ...get().form, trainSize });
      },

      setValue(field, text) {
        const { form } = get();
        setForm({ ...form, values: { ...form.values, [field]: text } });
      },

      toggleMethod(method, selected) {
        const { form } = get();
        const methods = form.methods.filter((m) => m !== method);
        setForm({ ...form, methods: selected ? [...methods, method] : methods });
      },

      toggleModule(module, selected) {
        const { form } = get();
        const modules = form.modules.filter((m) => m !== module);
        setForm({ ...form, modules: selected ? [...modules, module] : modules });
      },

      resetForm() {
        setForm(defaultForm(get().model, get().tasks[0]?.id ?? ''));
      },

      init() {
        initPromise ??= (async () => {
          try {
            db = await deps.openDb();
          } catch (error) {
            set({ initialized: true, storageError: `IndexedDB is unavailable (${errorMessage(error)}), so experiments run but are not saved.` });
            return;
          }
          try {
            const heldLockNames = deps.locks ? await deps.locks.heldNames() : [];
            const activeIds = new Set(heldLockNames.filter((name) => name.startsWith(LOCK_PREFIX)).map((name) => name.slice(LOCK_PREFIX.length)));
            await db.findInterrupted(activeIds, timestamp());
          } catch (error) {
            set({ storageError: `Checking IndexedDB for interrupted experiments failed: ${errorMessage(error)}` });
          }
          await refreshLists();
          set({ initialized: true });

          // Show the newest finished experiment until the user starts or opens another.
          const newestDone = get().history.find((record) => record.status === 'done');
          if (newestDone && !get().view) {
            const stored = await db.loadExperiment(newestDone.spec.id);
            if (stored && !get().view) set({ view: createView(stored.record, stored.runs) });
          }
        })();
        return initPromise;
      },

      async start() {
        if (get().live) return;
        await get().init();
        // A second click while the database opened would otherwise start a second experiment.
        if (get().live) return;
        const result = validateForm(get().form, context());
        if (!result.ok) {
          set({ errors: result.errors });
          return;
        }

        const createdAt = timestamp();
        const spec: ExperimentSpec = {
          id: newId(),
          createdAt,
          model: get().model.ref,
          taskId: get().form.taskId,
          // A GLUE train size or an uploaded file; stored with the spec, so a reload can show and resume the experiment.
          ...(result.taskOptions === undefined ? {} : { taskOptions: result.taskOptions }),
          methods: result.methods,
          seeds: result.seeds,
          hyperparameters: result.hyperparameters,
        };
        await begin(spec);
      },

      async startSpec(spec) {
        const busy = 'An experiment is training; wait until it ends or cancel it, then start again.';
        if (get().live) throw new Error(busy);
        validateSpec(spec);
        await get().init();
        if (get().live) throw new Error(busy);
        await begin(spec);
      },

      pause() {
        const { live, view, pendingCommand } = get();
        if (!live || view?.record.status !== 'running' || pendingCommand) return;
        set({ pendingCommand: 'pause' });
        send({ type: 'pause' });
      },

      resume() {
        const { live, view, pendingCommand } = get();
        if (!live || view?.record.status !== 'paused' || pendingCommand) return;
        set({ pendingCommand: 'resume' });
        send({ type: 'resume' });
      },

      cancel() {
        const { live, pendingCommand } = get();
        if (!live) return;
        if (pendingCommand === 'cancel') {
          // The Worker did not respond to the first request (e.g. it is stuck in a long GPU call), so stop it.
          void endLive('cancelled', null);
          return;
        }
        set({ pendingCommand: 'cancel' });
        send({ type: 'cancel' });
      },

      async resumeInterrupted(id) {
        if (get().live) return;
        await get().init();
        if (!db) return;
        let stored;
        try {
          stored = await db.loadExperiment(id);
        } catch (error) {
          set({ storageError: `Loading experiment "${id}" from IndexedDB failed: ${errorMessage(error)}` });
          return;
        }
        if (!stored) {
          set({ storageError: `Experiment "${id}" is no longer in IndexedDB, so it cannot be resumed.` });
          await refreshLists();
          return;
        }
        if (get().live) return;

        // Finished runs (failed ones too, which would fail again) are kept. The Worker restarts the others
        // from step 0, and their run-started event replaces the partial curves.
        const completed = stored.runs.filter((run) => run.status === 'done' || run.status === 'failed');
        const record: ExperimentRecord = { ...stored.record, status: 'running', updatedAt: timestamp() };
        const form = formFromSpec(record.spec);
        set({
          view: createView(record, completed),
          live: true,
          pendingCommand: null,
          storageError: null,
          interrupted: get().interrupted.filter((r) => r.spec.id !== id),
        });
        setForm(form);

        const saved = persist('the experiment status', (database) => database.saveExperiment(record));
        launch(record, completed);
        await saved;
        await refreshLists();
      },

      async dismissInterrupted(id) {
        set({ interrupted: get().interrupted.filter((r) => r.spec.id !== id) });
        await persist('the experiment status', (database) => database.updateExperimentStatus(id, 'cancelled', timestamp()));
        await refreshLists();
      },

      async openExperiment(id) {
        if (get().live || !db) return;
        try {
          const stored = await db.loadExperiment(id);
          if (!stored) {
            set({ storageError: `Experiment "${id}" is no longer in IndexedDB.` });
            await refreshLists();
            return;
          }
          if (!get().live) set({ view: createView(stored.record, stored.runs) });
        } catch (error) {
          set({ storageError: `Loading experiment "${id}" from IndexedDB failed: ${errorMessage(error)}` });
        }
      },

      async deleteExperiment(id) {
        const { live, view } = get();
        if (live && view?.record.spec.id === id) return;
        await persist('the deletion', (database) => database.deleteExperiment(id));
        if (get().view?.record.spec.id === id && !get().live) set({ view: null });
        await refreshLists();
      },

      handleEvent(event) {
        const state = get();
        if (!state.live || !state.view) return;
        const experimentId = state.view.record.spec.id;

        if (event.type === 'step') {
          if (!findRun(state.view, event.run)) {
            protocolError(`step ${event.point.step} of ${event.run.method} seed ${event.run.seed} arrived before its run-started event.`);
            return;
          }
          const key = runKeyString(event.run);
          const points = pendingPoints.get(key);
          if (points) points.push(event.point);
          else pendingPoints.set(key, [event.point]);
          pendingProgress = { progress: event.progress, etaMs: event.etaMs, tokensPerSecond: event.point.tokensPerSecond };
          writer?.addStep({ experimentId, ...event.run }, event.point);
          scheduleCommit();
          return;
        }

        // Every other event applies after the buffered steps, so the view receives events in arrival order.
        commitPending();
        const view = get().view as ExperimentView;

        switch (event.type) {
          case 'ready':
            set({ view: { ...view, adapterName: event.adapterName } });
            return;

          case 'status':
            set({ view: { ...view, workerMessage: event.message } });
            return;

          case 'run-started': {
            const run: RunRecord = {
              experimentId,
              method: event.run.method,
              seed: event.run.seed,
              status: 'running',
              curve: [],
              evals: [],
              trainableParameters: event.trainableParameters,
              totalParameters: event.totalParameters,
              stepTimeMs: 0,
            };
            // Status lines from before this run (tokenizing, loading) no longer describe what the Worker does.
            set({ view: { ...withRun(view, run), currentRun: event.run, workerMessage: null } });
            writer?.discardRun(run);
            void persist(`run ${event.run.method} seed ${event.run.seed}`, (database) => database.saveRun(run));
            return;
          }

          case 'eval':
            if (!findRun(view, event.run)) {
              protocolError(`a ${event.point.split} evaluation of ${event.run.method} seed ${event.run.seed} arrived before its run-started event.`);
              return;
            }
            set({ view: withEval(view, event.run, event.point) });
            writer?.addEval({ experimentId, ...event.run }, event.point);
            return;

          case 'run-finished': {
            const record = event.record;
            if (record.experimentId !== experimentId) {
              protocolError(`run-finished for experiment "${record.experimentId}", but experiment "${experimentId}" is running.`);
              return;
            }
            set({ view: withRun(view, record) });
            // The record carries the whole curve, so buffered points of this run would only duplicate it.
            writer?.discardRun(record);
            void persist(`run ${record.method} seed ${record.seed}`, (database) => database.saveRun(record));
            keepRunAdapters(event);
            return;
          }

          case 'paused':
          case 'resumed': {
            const status = event.type === 'paused' ? 'paused' : 'running';
            const updatedAt = timestamp();
            set({ view: withStatus(view, status, updatedAt), pendingCommand: null });
            void persist('the experiment status', (database) => database.updateExperimentStatus(experimentId, status, updatedAt));
            return;
          }

          case 'experiment-finished':
            void endLive(event.status, null);
            return;

          case 'error':
            // NOTE: every Worker error is treated as fatal: the Worker is stopped and the experiment can be resumed
            // from its finished runs. A failing run reports through run-finished with status 'failed' instead.
            void endLive('interrupted', event.message);
            return;
        }
      },

      async flushStorage() {
        await writer?.flush();
      },
    };
  });
}

function toTaskChoice(task: TaskChoice): TaskChoice {
  const { id, name, description, source, license, kind, labels, splitDescription, metrics, primaryMetric } = task;
  return { id, name, description, source, license, kind, labels, splitDescription, metrics, primaryMetric };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Web Locks of the browser, or null where the API is missing (insecure contexts, old browsers). */
function browserLocks(): ExperimentLocks | null {
  if (typeof navigator === 'undefined' || !('locks' in navigator)) return null;
  const locks = navigator.locks;
  return {
    hold(name, until) {
      void locks.request(name, () => until);
    },
    async heldNames() {
      const snapshot = await locks.query();
      return (snapshot.held ?? []).flatMap((lock) => (lock.name ? [lock.name] : []));
    },
  };
}

let pageStore: StoreApi<ExperimentState> | null = null;

/** Returns the page's store, creating it on first use with IndexedDB, the module Worker and Web Locks. */
export function getExperimentStore(): StoreApi<ExperimentState> {
  pageStore ??= createExperimentStore({
    openDb: () => openExperimentDb(),
    createClient: (onEvent) => new TrainingWorkerClient(onEvent),
    locks: browserLocks(),
    onRunAdapters: (key, outcome) => getAdapterStore().getState().runAdaptersStored(key, outcome),
  });
  return pageStore;
}

export function useExperimentStore<T>(selector: (state: ExperimentState) => T): T {
  return useStore(getExperimentStore(), selector);
}
