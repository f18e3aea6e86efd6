// The data model of an experiment: what the user asked for, and what each run produced. Shared by the
// runner, the Worker protocol, the IndexedDB store, the compare CLI and the UI.
import type { AdapterMethod } from '../adapters/methods';
import type { GlueTrainSize } from '../data/glue-configs';
import type { UploadedTaskSpec } from '../data/upload';
import type { MetricId } from '../data/task';

/** The five adapter methods plus two baselines: the classifier head alone, and full fine-tuning. */
export type MethodId = AdapterMethod | 'head' | 'full';

export const ALL_METHODS: readonly MethodId[] = ['lora', 'shim', 'icfm', 'ctcm', 'dtsm', 'head', 'full'];

/** Linear layers of a BERT encoder layer that can carry an adapter. */
export type AdapterModule = 'query' | 'key' | 'value' | 'attention.output' | 'intermediate' | 'output';

export const ADAPTER_MODULES: readonly AdapterModule[] = ['query', 'key', 'value', 'attention.output', 'intermediate', 'output'];

export interface Hyperparameters {
  rank: number;
  alpha: number;
  /** Peak AdamW learning rate of the adapter methods and the head-only baseline (and of full fine-tuning without fullLearningRate). */
  learningRate: number;
  /**
   * Peak learning rate of full fine-tuning. It updates every pretrained weight, so it needs a far lower rate than
   * adapters. Specs stored before this setting existed lack it and used learningRate.
   */
  fullLearningRate?: number;
  batchSize: number;
  /** Tokens per sequence after truncation and padding. */
  maxLength: number;
  /** Optimizer steps per run. */
  steps: number;
  /** Steps of linear warm-up before the linear decay to zero. */
  warmupSteps: number;
  weightDecay: number;
  /** Hidden dropout probability during training (0 turns dropout off). */
  dropout: number;
  maxGradNorm: number;
  modules: AdapterModule[];
  /** Evaluate on the dev split every this many steps (and after the last step). */
  evalInterval: number;
  /**
   * Examples of the dev and test splits used by each evaluation, from the start of each split; 0 or absent uses
   * whole splits. A cap keeps evaluation short on slow adapters (SwiftShader); reported metrics then cover only
   * those examples.
   */
  evalExamples?: number;
}

export interface ModelRef {
  /** "embedded", a Hub model id, a base URL, or the name of a folder or files picked on this computer. */
  id: string;
  source: 'embedded' | 'hub' | 'url' | 'files';
  /** Hub branch, tag or commit; default "main". */
  revision?: string;
}

/** Options of the task an experiment runs on. */
export interface TaskOptions {
  /** GLUE tasks: training examples kept after the test hold-out; default the task's own default. */
  trainSize?: GlueTrainSize;
  /** Uploaded tasks (task id "upload:…"): the file and its column mapping. */
  upload?: UploadedTaskSpec;
}

export interface ExperimentSpec {
  id: string;
  /** ISO 8601 time of creation. */
  createdAt: string;
  model: ModelRef;
  taskId: string;
  /** Task data settings beyond the id (GLUE train size, uploaded file), stored so a stored experiment can be rerun. */
  taskOptions?: TaskOptions;
  methods: MethodId[];
  seeds: number[];
  hyperparameters: Hyperparameters;
  /**
   * A native adapter file that the experiment continues training; absent for an experiment that starts from
   * the standard init. Stored with the spec, so a reload can resume the experiment.
   */
  initialAdapters?: InitialAdapters;
}

/**
 * The native adapter file (.mtlora.safetensors) that a continued experiment starts from. The experiment then
 * has one method and one seed, the file's, and its rank, alpha and adapted modules are the file's
 * (src/train/continuation.ts checks all of them before training). Its run differs from a fresh one in four ways:
 * - A, B, C, D of every adapter and the task head start as stored in the file, not from the seeded init.
 * - The AdamW moments start at zero, because the file does not store them.
 * - The batch order and the dropout masks continue after the file's `stepsBefore` steps: step k of the
 *   continued run draws the batch and the masks of step stepsBefore + k of the same seed.
 * - Dev is evaluated once before the first step (at step 0), which reproduces the file's final dev metrics.
 */
export interface InitialAdapters {
  fileName: string;
  // NOTE: every copy of the spec carries these bytes: the IndexedDB record, the page's history list and the start
  // command. From the shapes, A and B of a BERT-base take about 1.2 MB at rank 8 on query and value, but about
  // 42 MB at rank 64 on all six modules, and the history list then keeps them all in memory.
  bytes: Uint8Array;
  /** Optimizer steps the file's adapters were trained for, over every earlier continuation (trainedStepsOf()). */
  stepsBefore: number;
}

export interface StepPoint {
  step: number;
  loss: number;
  learningRate: number;
  /** Training tokens (padding included) per second over the last step. */
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface EvalPoint {
  step: number;
  split: 'dev' | 'test';
  loss: number;
  metrics: Partial<Record<MetricId, number>>;
}

export type RunStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface RunRecord {
  experimentId: string;
  method: MethodId;
  seed: number;
  status: RunStatus;
  /** Reason the run failed, e.g. "loss became NaN at step 37; last finite loss 0.6931 at step 36". */
  error?: string;
  curve: StepPoint[];
  evals: EvalPoint[];
  trainableParameters: number;
  totalParameters: number;
  /** Mean wall time of one optimizer step in milliseconds. */
  stepTimeMs: number;
}

export type ExperimentStatus = 'running' | 'paused' | 'interrupted' | 'done' | 'cancelled';

export interface ExperimentRecord {
  spec: ExperimentSpec;
  status: ExperimentStatus;
  updatedAt: string;
}
