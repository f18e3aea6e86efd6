// The page's view of one experiment, live or stored: its record, its runs and the progress. The
// functions here are pure. Each returns a new view, so zustand selectors notice every change.
import { runKeyString } from '../train/store-db';
import type { RunId } from '../train/protocol';
import type { EvalPoint, ExperimentRecord, ExperimentStatus, RunRecord, StepPoint } from '../train/types';

export interface ExperimentView {
  record: ExperimentRecord;
  /** Runs that started or finished, ordered by method as the spec lists them, then by seed. */
  runs: RunRecord[];
  /** Optimizer steps done over all runs, and the total of the experiment. */
  progress: { done: number; total: number };
  /** Estimated milliseconds until the experiment finishes, as the Worker last reported it. */
  etaMs: number | null;
  /** Training throughput of the latest step, in tokens per second (padding included). */
  tokensPerSecond: number | null;
  /** The latest status line from the Worker since the current run started, e.g. "Loading the tokenizer…". */
  workerMessage: string | null;
  /** The run the Worker trains now, from its run-started event until the experiment ends. */
  currentRun: RunId | null;
  adapterName: string | null;
  /** Reason the experiment stopped early (a Worker error or a failed Worker start), or the latest unexpected Worker event. */
  error: string | null;
}

/** Creates the view of a stored experiment, or of an experiment that starts or resumes with `runs` already finished. */
export function createView(record: ExperimentRecord, runs: RunRecord[]): ExperimentView {
  return {
    record,
    runs: sortBySpec(record, runs),
    progress: storedProgress(record, runs),
    etaMs: null,
    tokensPerSecond: null,
    workerMessage: null,
    currentRun: null,
    adapterName: null,
    error: null,
  };
}

/** Steps done as recorded in the runs: a finished run counts all its steps, any other run its last curve step. */
export function storedProgress(record: ExperimentRecord, runs: readonly RunRecord[]): { done: number; total: number } {
  const { steps } = record.spec.hyperparameters;
  const total = record.spec.methods.length * record.spec.seeds.length * steps;
  let done = 0;
  for (const run of runs) {
    const last = run.curve.length > 0 ? run.curve[run.curve.length - 1].step : 0;
    done += run.status === 'done' || run.status === 'failed' ? steps : Math.min(last, steps);
  }
  return { done: Math.min(done, total), total };
}

export function withStatus(view: ExperimentView, status: ExperimentStatus, updatedAt: string): ExperimentView {
  return { ...view, record: { ...view.record, status, updatedAt } };
}

export function findRun(view: ExperimentView, run: RunId): RunRecord | undefined {
  return view.runs.find((r) => r.method === run.method && r.seed === run.seed);
}

/** Adds or replaces one run, keeping the spec order. */
export function withRun(view: ExperimentView, run: RunRecord): ExperimentView {
  const others = view.runs.filter((r) => !(r.method === run.method && r.seed === run.seed));
  return { ...view, runs: sortBySpec(view.record, [...others, run]) };
}

/** Appends step points to the runs they belong to. `points` maps runKeyString(run) to points in arrival order. */
export function withStepPoints(view: ExperimentView, points: ReadonlyMap<string, StepPoint[]>): ExperimentView {
  if (points.size === 0) return view;
  const runs = view.runs.map((run) => {
    const added = points.get(runKeyString(run));
    return added ? { ...run, curve: run.curve.concat(added) } : run;
  });
  return { ...view, runs };
}

export function withEval(view: ExperimentView, run: RunId, point: EvalPoint): ExperimentView {
  const runs = view.runs.map((r) => (r.method === run.method && r.seed === run.seed ? { ...r, evals: [...r.evals, point] } : r));
  return { ...view, runs };
}

function sortBySpec(record: ExperimentRecord, runs: RunRecord[]): RunRecord[] {
  const { methods } = record.spec;
  return runs.slice().sort((a, b) => methods.indexOf(a.method) - methods.indexOf(b.method) || a.seed - b.seed);
}
