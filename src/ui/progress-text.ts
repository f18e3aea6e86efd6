// The run line under the progress bar: which run trains now, or where a paused experiment stopped.
import { findRun, type ExperimentView } from '../store/experiment-view';
import { METHOD_LABELS } from './methods';

/**
 * Returns the line about the current run: "Training LoRA, seed 1" while running, "Paused after step 2 of LoRA,
 * seed 1 (30 steps per run)" while paused, or null when no run is current. The paused step is the last step
 * point the Worker reported for that run.
 */
export function currentRunText(view: ExperimentView): string | null {
  const current = view.currentRun;
  const paused = view.record.status === 'paused';
  if (current === null) return paused ? 'Paused between runs.' : null;

  const name = `${METHOD_LABELS[current.method].name}, seed ${current.seed}`;
  if (!paused) return `Training ${name}`;
  const curve = findRun(view, current)?.curve ?? [];
  const step = curve.length > 0 ? curve[curve.length - 1].step : 0;
  const steps = view.record.spec.hyperparameters.steps;
  if (step === 0) return `Paused before the first step of ${name}.`;
  return `Paused after step ${step.toLocaleString('en-US')} of ${name} (${steps.toLocaleString('en-US')} steps per run).`;
}
