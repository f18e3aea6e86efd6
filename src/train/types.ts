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
  learningRate: number;
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
  /** "embedded", a Hub model id, or a URL. */
  id: string;
  source: 'embedded' | 'hub' | 'url' | 'files';
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
  /** What builds the task's data beyond its id; stored with the spec so a stored experiment can be rerun. */
  taskOptions?: TaskOptions;
  methods: MethodId[];
  seeds: number[];
  hyperparameters: Hyperparameters;
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
