// Messages between the page and the training Worker. The page sends commands; the Worker streams
// progress, evaluations and finished runs, so the page can chart a run while it trains.
import type { EvalPoint, ExperimentSpec, MethodId, RunRecord, StepPoint } from './types';

export type WorkerCommand =
  | { type: 'start'; spec: ExperimentSpec; /** Runs already finished (when resuming an interrupted experiment). */ completed: RunRecord[] }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' };

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
  | { type: 'run-finished'; record: RunRecord }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'experiment-finished'; status: 'done' | 'cancelled' }
  | { type: 'error'; message: string };
