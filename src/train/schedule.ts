// The learning-rate schedule of a run: linear warm-up to the peak rate, then linear decay towards zero,
// the shape of transformers' get_linear_schedule_with_warmup.

export interface LinearScheduleOptions {
  /** Learning rate at the end of the warm-up. */
  peak: number;
  /** Optimizer steps of linear warm-up, an integer in [0, totalSteps). */
  warmupSteps: number;
  /** Optimizer steps of the whole run, a positive integer. */
  totalSteps: number;
}

/** Throws a RangeError naming the first invalid option of a linear schedule. */
export function validateSchedule(options: LinearScheduleOptions): void {
  const { peak, warmupSteps, totalSteps } = options;
  if (!(Number.isFinite(peak) && peak > 0)) {
    throw new RangeError(`Learning rate ${peak} is invalid; use a positive number such as 1e-3.`);
  }
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(`Steps ${totalSteps} is invalid; use a positive integer.`);
  }
  if (!Number.isSafeInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= totalSteps) {
    throw new RangeError(`Warm-up steps ${warmupSteps} is invalid for ${totalSteps} steps; use an integer from 0 to ${totalSteps - 1}.`);
  }
}

/**
 * Returns the learning rate of optimizer step `step` (1-based, 1 ≤ step ≤ totalSteps).
 *
 * Warm-up steps 1…W get peak·step/W, so step W runs at the peak. Decay steps W+1…N get
 * peak·(N − step + 1)/(N − W), so step W+1 also runs at the peak and step N at peak/(N − W).
 * transformers evaluates its schedule one step earlier, so with a warm-up its first step has a rate
 * of 0 and changes nothing. Here no step has a rate of 0, which AdamW rejects anyway.
 */
export function learningRateAt(step: number, options: LinearScheduleOptions): number {
  validateSchedule(options);
  const { peak, warmupSteps, totalSteps } = options;
  if (!Number.isSafeInteger(step) || step < 1 || step > totalSteps) {
    throw new RangeError(`Step ${step} is outside the schedule; use an integer from 1 to ${totalSteps}.`);
  }
  if (step <= warmupSteps) return (peak * step) / warmupSteps;
  return (peak * (totalSteps - step + 1)) / (totalSteps - warmupSteps);
}
