// The training Worker's logic without the Worker: acquires the engine once, handles WorkerCommand
// messages, loads the model and the task of a start command, runs the experiment and posts WorkerEvent
// messages. worker.ts wires it to the Worker scope; tests drive it directly.
import type { TaskDefinition } from '../data/task';
import { taskDataProgressMessage } from '../data/task-progress';
import type { Engine } from '../gpu/engine';
import { weightsFromCheckpoint, type BertArchitecture, type NamedBertWeights } from '../model/bert-weights';
import { loadCheckpoint } from '../model/load';
import { loadModelFiles, type ModelSource } from '../model/sources';
import type { BertTokenizer } from '../model/tokenizer';
import { ExperimentControl } from './control';
import { embeddedModelUrl } from './embedded-model';
import type { EvaluateAdapterCommand, WorkerCommand, WorkerEvent } from './protocol';
import { evaluateAdapterFile, parseEvaluateAdapter } from './session-adapters';
import { RunAdapterExporter } from './run-adapters';
import { runExperiment } from './runner';
import type { ExperimentSpec, ModelRef, RunRecord, TaskOptions } from './types';

/** A model ready for the runner: config, host weights and tokenizer, plus facts from loading. */
export interface RunnableModel {
  config: BertArchitecture;
  weights: NamedBertWeights;
  tokenizer: BertTokenizer;
  notes: string[];
}

/** Services the session gets from its host (the Worker scope, or a test). */
export interface SessionHost {
  post(event: WorkerEvent): void;
  acquireEngine(): Promise<Engine>;
  /** Loads a checkpoint; `files` are the picked files of a model with source "files". */
  loadModel(model: ModelRef, onStatus: (message: string) => void, files?: readonly File[]): Promise<RunnableModel>;
  /** Returns the task of an experiment; options carry a GLUE train size or an uploaded file. */
  getTask(id: string, options?: TaskOptions): TaskDefinition;
}

const COMMAND_TYPES: ReadonlySet<string> = new Set<WorkerCommand['type']>(['start', 'pause', 'resume', 'cancel', 'evaluate-adapter']);

/**
 * Returns the loader source of a model reference. `baseUrl` is the app's base URL for the embedded model, and
 * `files` are the picked files of a model with source "files".
 */
export function modelSourceOf(model: ModelRef, baseUrl: string, files?: readonly File[]): ModelSource {
  switch (model.source) {
    case 'embedded':
      return { kind: 'url', baseUrl: embeddedModelUrl(baseUrl) };
    case 'hub':
      return model.revision === undefined ? { kind: 'hub', id: model.id } : { kind: 'hub', id: model.id, revision: model.revision };
    case 'url':
      return { kind: 'url', baseUrl: model.id };
    case 'files':
      if (files === undefined || files.length === 0) {
        throw new Error(`Model "${model.id}" was picked from files on this computer, and the page did not send them again; load the same files in the Model panel, select that model in Setup and start again.`);
      }
      return { kind: 'files', files };
    default:
      throw new Error(`Model source "${String((model as { source: unknown }).source)}" is unknown; use "embedded", "hub", "url" or "files".`);
  }
}

/** Loads a checkpoint by reference (fetch only, so it runs in a Worker and in Node), reporting each finished file. */
export async function loadModelByRef(model: ModelRef, baseUrl: string, onStatus: (message: string) => void, picked?: readonly File[]): Promise<RunnableModel> {
  const files = await loadModelFiles(modelSourceOf(model, baseUrl, picked), {
    onProgress: (progress) => {
      if (progress.done) onStatus(`Loaded ${progress.file} (${formatBytes(progress.loaded)}${progress.fromCache ? ', from cache' : ''}).`);
    },
  });
  const { checkpoint, tokenizer } = await loadCheckpoint(files);
  return { config: checkpoint.config, weights: weightsFromCheckpoint(checkpoint), tokenizer, notes: checkpoint.notes };
}

export class TrainingSession {
  private engine: Promise<Engine> | null = null;
  /** The control of the experiment in progress, null when idle. */
  private control: ExperimentControl | null = null;
  /** The last model loaded, reused when the next experiment names the same one. */
  private cachedModel: { key: string; model: RunnableModel } | null = null;

  constructor(private readonly host: SessionHost) {}

  /** Acquires the GPU device and posts 'ready' with the adapter name, or 'error' when WebGPU is unavailable. */
  async initialize(): Promise<void> {
    try {
      const engine = await this.acquire();
      this.host.post({ type: 'ready', adapterName: engine.adapterName });
    } catch (error) {
      this.host.post({ type: 'error', message: messageOf(error) });
    }
  }

  /** Handles one message from the page. A malformed message gets an 'error' event in response. */
  handle(message: unknown): void {
    const command = parseCommand(message);
    if (typeof command === 'string') {
      this.host.post({ type: 'error', message: command });
      return;
    }
    switch (command.type) {
      case 'start':
        void this.start(command.spec, command.completed, command.modelFiles);
        return;
      case 'evaluate-adapter':
        void this.evaluateAdapter(command);
        return;
      case 'pause':
      case 'resume':
      case 'cancel':
        if (!this.control) {
          // A command that crosses the experiment's end in flight is harmless, so it is not an error.
          this.host.post({ type: 'status', message: `Ignored "${command.type}": no experiment is running.` });
          return;
        }
        this.control[command.type]();
        return;
    }
  }

  /** Whether an experiment is in progress (model loading included). */
  get busy(): boolean {
    return this.control !== null;
  }

  private async start(spec: ExperimentSpec, completed: RunRecord[], modelFiles?: readonly File[]): Promise<void> {
    if (this.control) {
      this.host.post({ type: 'error', message: `Experiment "${spec.id}" cannot start while another experiment is running; cancel that one first.` });
      return;
    }
    const control = new ExperimentControl();
    this.control = control;
    const status = (message: string): void => this.host.post({ type: 'status', message });
    // The session is idle again before the page learns that the experiment ended, so a start sent in
    // response to 'experiment-finished' is accepted.
    const post = (event: WorkerEvent): void => {
      if (event.type === 'experiment-finished' && this.control === control) this.control = null;
      this.host.post(event);
    };
    try {
      const engine = await this.acquire();
      const task = this.host.getTask(spec.taskId, spec.taskOptions);
      status(`Loading model "${spec.model.id}".`);
      const model = await this.model(spec.model, status, modelFiles);
      model.notes.forEach(status);
      status(`Loading task "${task.name}".`);
      const splits = await task.load({ onProgress: (loaded, total) => status(taskDataProgressMessage(loaded, total)) });
      if (control.cancelled) {
        post({ type: 'experiment-finished', status: 'cancelled' });
        return;
      }
      const exporter = new RunAdapterExporter(spec, model.config, model.weights);
      await runExperiment({
        engine,
        spec,
        config: model.config,
        weights: model.weights,
        tokenizer: model.tokenizer,
        task,
        splits,
        completed,
        control,
        onEvent: (event) => post(exporter.attach(event)),
        onRunFinished: exporter.onRunFinished,
      });
    } catch (error) {
      if (this.control === control) this.control = null;
      this.host.post({ type: 'error', message: messageOf(error) });
    } finally {
      if (this.control === control) this.control = null;
    }
  }

  /** Re-evaluates an adapter file and posts 'adapter-evaluated', or 'adapter-evaluation-failed' with the reason. */
  private async evaluateAdapter(command: EvaluateAdapterCommand): Promise<void> {
    const { requestId } = command;
    if (this.control) {
      this.host.post({ type: 'adapter-evaluation-failed', requestId, message: 'An experiment is training in this Worker; evaluate the adapter file after it ends.' });
      return;
    }
    try {
      const status = (message: string): void => this.host.post({ type: 'status', message });
      const result = await evaluateAdapterFile(command, {
        engine: await this.acquire(),
        loadModel: (ref) => this.model(ref, status),
        getTask: (id, options) => this.host.getTask(id, options),
        onStatus: status,
      });
      this.host.post({ type: 'adapter-evaluated', requestId, result });
    } catch (error) {
      this.host.post({ type: 'adapter-evaluation-failed', requestId, message: messageOf(error) });
    }
  }

  private acquire(): Promise<Engine> {
    this.engine ??= this.host.acquireEngine();
    return this.engine;
  }

  private async model(ref: ModelRef, status: (message: string) => void, files?: readonly File[]): Promise<RunnableModel> {
    // Picked files are identified by name, size and modification time, because two picks may share a folder name.
    const fileKey = (files ?? []).map((file) => `${file.name}:${file.size}:${file.lastModified}`).join('|');
    const key = `${ref.source}:${ref.id}@${ref.revision ?? ''}#${fileKey}`;
    if (this.cachedModel?.key === key) return this.cachedModel.model;
    const model = await this.host.loadModel(ref, status, files);
    this.cachedModel = { key, model };
    return model;
  }
}

/** Returns the command, or an error message naming what is wrong with the message. */
function parseCommand(message: unknown): WorkerCommand | string {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !COMMAND_TYPES.has(type)) {
    return `The training Worker received an unknown command ${describe(message)}; expected type "start", "pause", "resume", "cancel" or "evaluate-adapter".`;
  }
  if (type === 'evaluate-adapter') return parseEvaluateAdapter(message);
  if (type !== 'start') return message as WorkerCommand;
  const start = message as { spec?: unknown; completed?: unknown };
  if (typeof start.spec !== 'object' || start.spec === null) return 'The start command has no spec; send { type: "start", spec, completed }.';
  if (!Array.isArray(start.completed)) return 'The start command has no completed list; send completed: [] for a new experiment.';
  return message as WorkerCommand;
}

function describe(message: unknown): string {
  const text = JSON.stringify(message) ?? String(message);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
