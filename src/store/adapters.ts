// The adapters of finished runs on the page. The store lists which runs of the experiment on screen have a
// native adapter file in IndexedDB, and builds the downloads from it (the native file, a PEFT zip). It also
// imports a native file: a fresh training Worker re-evaluates it, and the page compares the metrics. After a
// successful import it can start an experiment that continues training the file's adapters.
import { createStore, useStore, type StoreApi } from 'zustand';
import { nativeDownload, peftZipFromNative } from '../adapters/io/from-native';
import { parseNativeAdapters, trainedStepsOf, type ExpectedAdapters, type NativeAdapterDescription } from '../adapters/io/native-format';
import type { NativeAdapterFile } from '../adapters/io/run-files';
import { continuationSpec } from '../train/continuation';
import type { AdapterEvaluation, WorkerEvent } from '../train/protocol';
import { openExperimentDb, runKeyString, type ExperimentDb, type RunKey } from '../train/store-db';
import type { ExperimentSpec, Hyperparameters, MethodId, TaskOptions } from '../train/types';
import { TrainingWorkerClient } from '../train/worker-client';
import { compareEvaluations, type EvaluationComparison } from './adapter-comparison';
import { defaultContinueForm, validateContinueForm, type ContinueErrors, type ContinueField, type ContinueForm } from './continue-form';
import { downloadBytes } from './download';
import { getExperimentStore, type RunAdaptersOutcome, type WorkerClient, type WorkerClientFactory } from './experiment';

export interface AdapterStoreDeps {
  openDb(): Promise<ExperimentDb>;
  /** Starts a training Worker for one import; it is terminated when the evaluation ends. */
  createClient: WorkerClientFactory;
  /** Saves bytes as a file of the user, e.g. through a browser download. */
  download(fileName: string, bytes: Uint8Array, mimeType: string): void;
  /**
   * Starts a prepared experiment in the page's experiment store (its Worker, charts and IndexedDB records);
   * rejects when it cannot start. Default: the page's experiment store.
   */
  startExperiment?: (spec: ExperimentSpec) => Promise<void>;
  newId?: () => string;
  now?: () => Date;
}

export type ImportState =
  | { status: 'idle' }
  | { status: 'evaluating'; fileName: string; /** The Worker's latest status line. */ message: string | null }
  | { status: 'done'; result: AdapterEvaluation; comparison: EvaluationComparison }
  | { status: 'failed'; fileName: string; message: string };

/** The facts about an imported file that the "Continue training" form shows. */
export interface ContinueSource {
  fileName: string;
  method: MethodId;
  seed: number;
  /** Optimizer steps the file's adapters were trained for. The continued run's batch order and dropout masks start after them. */
  stepsBefore: number;
  /** The file's hyperparameters, which the continued run keeps except for steps, learning rate and warm-up. */
  hyperparameters: Hyperparameters;
}

export type ContinueState =
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'started'; experimentId: string; fileName: string; steps: number; learningRate: number; warmupSteps: number }
  | { status: 'failed'; message: string };

export interface AdapterState {
  /** The experiment whose adapter files `storedRuns` lists. */
  experimentId: string | null;
  /** Runs of that experiment with a stored native adapter file, by runKeyString. */
  storedRuns: Record<string, true>;
  /** The reason the adapters of a run were not stored, by runKeyString. */
  errors: Record<string, string>;
  /** The latest failed download or IndexedDB read. */
  downloadError: string | null;
  importState: ImportState;
  /** The file that "Continue training" starts from; null until an import succeeded. */
  continueSource: ContinueSource | null;
  /** The "Continue training" fields as typed; null until an import succeeded. */
  continueForm: ContinueForm | null;
  /** One message per invalid continue field. */
  continueErrors: ContinueErrors;
  continueState: ContinueState;

  /** Lists the stored adapter files of an experiment; null clears the list. */
  showExperiment(experimentId: string | null): Promise<void>;
  /** Records that a finished run's adapters were stored, or why not. The experiment store calls it. */
  runAdaptersStored(key: RunKey, outcome: RunAdaptersOutcome): void;
  downloadNative(key: RunKey): Promise<void>;
  downloadPeft(key: RunKey): Promise<void>;
  /** Parses a native adapter file, re-evaluates it in a training Worker and compares the metrics. */
  importAdapter(file: { name: string; bytes: Uint8Array }): Promise<void>;
  setContinueValue(field: ContinueField, text: string): void;
  /**
   * Starts a new experiment with one run, the imported file's method and seed, whose adapters and head start from
   * the file. Needs a successful import; the form's steps and learning rate must be valid.
   */
  continueTraining(): Promise<void>;
}

export function createAdapterStore(deps: AdapterStoreDeps): StoreApi<AdapterState> {
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const now = deps.now ?? (() => new Date());
  const startExperiment = deps.startExperiment ?? ((spec: ExperimentSpec) => getExperimentStore().getState().startSpec(spec));
  let dbPromise: Promise<ExperimentDb> | null = null;
  // The Worker of the import in progress; a newer import replaces it and its late events are dropped.
  let importClient: WorkerClient | null = null;
  // The file of the last successful import with its task options, kept for "Continue training". The bytes stay
  // out of the state, because the UI never renders them.
  let imported: { file: NativeAdapterFile; description: NativeAdapterDescription; taskOptions?: TaskOptions } | null = null;

  const database = (): Promise<ExperimentDb> => {
    if (!dbPromise) {
      const opening = deps.openDb();
      dbPromise = opening;
      // A failed open is retried on the next call instead of failing every later call.
      void opening.catch(() => {
        if (dbPromise === opening) dbPromise = null;
      });
    }
    return dbPromise;
  };

  return createStore<AdapterState>()((set, get) => {
    const readFile = async (key: RunKey) => {
      const file = await (await database()).loadAdapterFile(key);
      if (!file) throw new Error(`No adapter file of ${key.method} seed ${key.seed} is stored in this browser.`);
      return file;
    };

    const download = async (key: RunKey, build: (file: { fileName: string; bytes: Uint8Array }) => Promise<{ fileName: string; bytes: Uint8Array; mimeType: string }>) => {
      try {
        const output = await build(await readFile(key));
        deps.download(output.fileName, output.bytes, output.mimeType);
        set({ downloadError: null });
      } catch (error) {
        set({ downloadError: `Downloading the adapters of ${key.method} seed ${key.seed} failed: ${errorMessage(error)}` });
      }
    };

    /** Returns the task options and the settings to check from the stored experiment that trained the file, if any. */
    const storedContext = async (experimentId: string | undefined): Promise<{ taskOptions?: TaskOptions; expected?: ExpectedAdapters }> => {
      if (experimentId === undefined) return {};
      try {
        const stored = await (await database()).loadExperiment(experimentId);
        if (!stored) return {};
        const { hyperparameters, taskOptions } = stored.record.spec;
        return { taskOptions, expected: { rank: hyperparameters.rank, targets: hyperparameters.modules } };
      } catch {
        // Without IndexedDB the file's own description still names the task and its settings.
        return {};
      }
    };

    const finishImport = (client: WorkerClient, state: ImportState) => {
      client.terminate();
      if (importClient !== client) return;
      importClient = null;
      set({ importState: state });
    };

    /** Offers "Continue training" for a file whose evaluation succeeded, with its own steps and learning rate. */
    const offerContinuation = (source: NonNullable<typeof imported>) => {
      const { description, file } = source;
      const stepsBefore = trainedStepsOf(description);
      // The evaluation needs the hyperparameters too, so a file that got this far has them.
      if (!description.hyperparameters || stepsBefore === undefined) return;
      imported = source;
      set({
        continueSource: { fileName: file.fileName, method: description.method, seed: description.seed, stepsBefore, hyperparameters: description.hyperparameters },
        continueForm: defaultContinueForm(description.hyperparameters),
        continueErrors: {},
        continueState: { status: 'idle' },
      });
    };

    return {
      experimentId: null,
      storedRuns: {},
      errors: {},
      downloadError: null,
      importState: { status: 'idle' },
      continueSource: null,
      continueForm: null,
      continueErrors: {},
      continueState: { status: 'idle' },

      async showExperiment(experimentId) {
        set({ experimentId, storedRuns: {}, errors: {}, downloadError: null });
        if (experimentId === null) return;
        try {
          const keys = await (await database()).listAdapterFiles(experimentId);
          if (get().experimentId !== experimentId) return;
          set({ storedRuns: Object.fromEntries(keys.map((key) => [runKeyString(key), true as const])) });
        } catch (error) {
          set({ downloadError: `Reading the stored adapter files from IndexedDB failed: ${errorMessage(error)}` });
        }
      },

      runAdaptersStored(key, outcome) {
        if (key.experimentId !== get().experimentId) return;
        const id = runKeyString(key);
        const { [id]: _previous, ...otherErrors } = get().errors;
        if (outcome.saved) set({ storedRuns: { ...get().storedRuns, [id]: true }, errors: otherErrors });
        else set({ errors: { ...otherErrors, [id]: outcome.error } });
      },

      downloadNative(key) {
        // Named by task and experiment, like the PEFT zip, so files of two experiments do not collide in the download folder.
        return download(key, async (file) => ({ ...(await nativeDownload(file.bytes, file.fileName)), mimeType: 'application/octet-stream' }));
      },

      downloadPeft(key) {
        return download(key, async (file) => ({ ...(await peftZipFromNative(file.bytes, file.fileName)), mimeType: 'application/zip' }));
      },

      async importAdapter({ name, bytes }) {
        importClient?.terminate();
        importClient = null;
        imported = null;
        set({
          importState: { status: 'evaluating', fileName: name, message: 'Reading the file.' },
          continueSource: null,
          continueForm: null,
          continueErrors: {},
          continueState: { status: 'idle' },
        });

        // Parsed on the page first, so an invalid file is reported without starting a Worker.
        let description;
        try {
          description = (await parseNativeAdapters(bytes, name)).description;
        } catch (error) {
          set({ importState: { status: 'failed', fileName: name, message: errorMessage(error) } });
          return;
        }
        const context = await storedContext(description.experimentId);
        const source = { file: { fileName: name, bytes }, description, taskOptions: context.taskOptions };

        const requestId = newId();
        let client: WorkerClient | null = null;
        const onEvent = (event: WorkerEvent) => {
          if (!client || importClient !== client) return;
          switch (event.type) {
            case 'status':
              set({ importState: { status: 'evaluating', fileName: name, message: event.message } });
              return;
            case 'adapter-evaluated':
              if (event.requestId !== requestId) return;
              finishImport(client, { status: 'done', result: event.result, comparison: compareEvaluations(event.result.stored, event.result.reproduced) });
              offerContinuation(source);
              return;
            case 'adapter-evaluation-failed':
              if (event.requestId !== requestId) return;
              finishImport(client, { status: 'failed', fileName: name, message: event.message });
              return;
            case 'error':
              finishImport(client, { status: 'failed', fileName: name, message: event.message });
              return;
            default:
              return;
          }
        };
        try {
          client = deps.createClient(onEvent);
          importClient = client;
          client.send({ type: 'evaluate-adapter', requestId, file: { fileName: name, bytes }, ...context });
        } catch (error) {
          const failed: ImportState = { status: 'failed', fileName: name, message: `Starting the training Worker failed: ${errorMessage(error)}` };
          if (client) finishImport(client, failed);
          else set({ importState: failed });
        }
      },

      setContinueValue(field, text) {
        const form = get().continueForm;
        if (!form) return;
        const next = { ...form, [field]: text };
        const result = validateContinueForm(next);
        set({ continueForm: next, continueErrors: result.ok ? {} : result.errors });
      },

      async continueTraining() {
        const source = imported;
        const form = get().continueForm;
        if (!source || !form || get().importState.status !== 'done') {
          set({ continueState: { status: 'failed', message: 'No imported adapter file to continue: import a native adapter file first.' } });
          return;
        }
        if (get().continueState.status === 'starting') return;
        const result = validateContinueForm(form);
        if (!result.ok) {
          set({ continueErrors: result.errors });
          return;
        }

        set({ continueErrors: {}, continueState: { status: 'starting' } });
        let spec: ExperimentSpec;
        try {
          spec = continuationSpec({
            file: source.file,
            description: source.description,
            steps: result.steps,
            learningRate: result.learningRate,
            taskOptions: source.taskOptions,
            id: newId(),
            createdAt: now().toISOString(),
          });
          await startExperiment(spec);
        } catch (error) {
          set({ continueState: { status: 'failed', message: `Continuing ${source.file.fileName} failed: ${errorMessage(error)}` } });
          return;
        }
        const { steps, learningRate, warmupSteps } = spec.hyperparameters;
        set({ continueState: { status: 'started', experimentId: spec.id, fileName: source.file.fileName, steps, learningRate, warmupSteps } });
      },
    };
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let pageStore: StoreApi<AdapterState> | null = null;

/** Returns the page's adapter store, creating it on first use with IndexedDB, a module Worker per import and browser downloads. */
export function getAdapterStore(): StoreApi<AdapterState> {
  pageStore ??= createAdapterStore({
    openDb: () => openExperimentDb(),
    createClient: (onEvent) => new TrainingWorkerClient(onEvent),
    download: downloadBytes,
  });
  return pageStore;
}

export function useAdapterStore<T>(selector: (state: AdapterState) => T): T {
  return useStore(getAdapterStore(), selector);
}
