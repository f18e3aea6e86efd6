// Estimated time until an experiment finishes, from the measured time of a training step and of an
// evaluation batch. Evaluations matter: on a slow adapter the dev and test passes of a run can take longer
// than its training steps.

export interface EtaPlan {
  /** Optimizer steps per run. */
  steps: number;
  /** Steps between dev evaluations (there is always one after the last step). */
  evalInterval: number;
  /** Batches of one pass over the dev and the test split. */
  devBatches: number;
  testBatches: number;
}

/**
 * An evaluation batch runs only the forward pass, about a third of the forward, backward and optimizer
 * work of a training step of the same size. This ratio is an estimate, used until an evaluation was timed.
 */
const EVAL_BATCH_PER_STEP = 1 / 3;

export class EtaEstimator {
  private stepMs = 0;
  private stepCount = 0;
  private evalMs = 0;
  private evalBatches = 0;

  constructor(private readonly plan: EtaPlan) {}

  /** Records the wall time of one training step (pauses excluded). */
  recordStep(durationMs: number): void {
    this.stepMs += durationMs;
    this.stepCount += 1;
  }

  /** Records the wall time of one evaluation pass of `batches` batches. */
  recordEval(durationMs: number, batches: number): void {
    this.evalMs += durationMs;
    this.evalBatches += batches;
  }

  /**
   * Returns the evaluation batches a run still has after `step` optimizer steps (0 to steps): the dev
   * evaluations at multiples of evalInterval before the last step, then dev and test after the last step.
   */
  evalBatchesAfter(step: number): number {
    const { steps, evalInterval, devBatches, testBatches } = this.plan;
    const periodic = Math.max(0, Math.floor((steps - 1) / evalInterval) - Math.floor(step / evalInterval));
    return (periodic + 1) * devBatches + testBatches;
  }

  /**
   * Returns the estimated milliseconds left when the current run has done `currentStep` steps and
   * `runsAfter` runs follow it, or null before any step was timed.
   */
  estimate(currentStep: number, runsAfter: number): number | null {
    if (this.stepCount === 0) return null;
    const perStep = this.stepMs / this.stepCount;
    const perEvalBatch = this.evalBatches > 0 ? this.evalMs / this.evalBatches : perStep * EVAL_BATCH_PER_STEP;
    const steps = this.plan.steps - currentStep + runsAfter * this.plan.steps;
    const evalBatches = this.evalBatchesAfter(currentStep) + runsAfter * this.evalBatchesAfter(0);
    return steps * perStep + evalBatches * perEvalBatch;
  }
}
