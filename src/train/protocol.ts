// Messages between the page and the training Worker. The page sends commands; the Worker streams
// progress, evaluations and finished runs, so the page can chart a run while it trains.
import type { ExpectedAdapters } from '../adapters/io/native-format';
import type { NativeAdapterFile } from '../adapters/io/run-files';
import type { EvalPoint, ExperimentSpec, MethodId, RunRecord, StepPoint, TaskOptions } from './types';

/** Re-evaluates a native adapter file on dev and test as the runner's final evaluation does. */
export interface EvaluateAdapterCommand {
  type: 'evaluate-adapter';
  /** Chosen by the page and sent back with the result, so that a late result of an earlier request is ignored. */
  requestId: string;
  file: NativeAdapterFile;
  /**
   * Options of the task, from the stored experiment that trained the adapters when the page has it (an uploaded
   * data set is only there). Absent: the options stored in the file.
   */
  taskOptions?: TaskOptions;
  /** Method, rank and modules of that stored experiment, which the file must match. */
  expected?: ExpectedAdapters;
}

export type WorkerCommand =
  | {
      type: 'start';
      spec: ExperimentSpec;
      /** Runs already finished (when resuming an interrupted experiment). */
      completed: RunRecord[];
      /** The checkpoint files of a model with source "files"; a Worker cannot read the user's disk, so the page sends them. */
      modelFiles?: File[];
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  | EvaluateAdapterCommand;

export interface RunId {
  method: MethodId;
  seed: number;
}

export type WorkerEvent =
  | { type: 'ready'; adapterName: string }
  | { type: 'status'; message: string }
  | { type: 'run-started'; run: RunId; trainableParameters: number; totalParameters: number }
  | {
      type: 'step';
      run: RunId;
      point: StepPoint;
      /** Completed optimizer steps over all runs of the experiment, and the total. */
      progress: { done: number; total: number };
      /** Estimated milliseconds until the whole experiment finishes. */
      etaMs: number;
    }
  | { type: 'eval'; run: RunId; point: EvalPoint }
  | {
      type: 'run-finished';
      record: RunRecord;
      /** The native adapter file of a finished adapter run; absent for head-only and full fine-tuning runs. */
      adapters?: NativeAdapterFile;
      /** The reason serializing the adapters of a finished adapter run failed; the run itself still counts as done. */
      adapterError?: string;
    }
  | { type: 'adapter-evaluated'; requestId: string; result: AdapterEvaluation }
  | { type: 'adapter-evaluation-failed'; requestId: string; message: string }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'experiment-finished'; status: 'done' | 'cancelled' }
  | { type: 'error'; message: string };

/** The metrics of a re-evaluated adapter file next to those its run recorded. */
export interface AdapterEvaluation {
  fileName: string;
  method: MethodId;
  seed: number;
  taskId: string;
  modelId: string;
  /** The dev and test evaluations of this import, at the run's last step. */
  reproduced: EvalPoint[];
  /** The final evaluations stored in the file when the run finished; empty when the file has none. */
  stored: EvalPoint[];
  /** Examples per evaluated split, after the run's eval-examples cap. */
  examples: { dev: number; test: number };
}
