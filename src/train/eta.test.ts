// The ETA estimate: remaining steps and evaluation batches times their measured (or estimated) cost.
import { describe, expect, it } from 'vitest';
import { EtaEstimator } from './eta';

const PLAN = { steps: 10, evalInterval: 4, devBatches: 3, testBatches: 2 };

describe('EtaEstimator', () => {
  it('counts the evaluation batches left in a run', () => {
    const eta = new EtaEstimator(PLAN);
    // Dev at steps 4 and 8, then dev and test after step 10.
    expect(eta.evalBatchesAfter(0)).toBe(3 * 3 + 2);
    expect(eta.evalBatchesAfter(3)).toBe(3 * 3 + 2);
    expect(eta.evalBatchesAfter(4)).toBe(2 * 3 + 2);
    expect(eta.evalBatchesAfter(9)).toBe(3 + 2);
    expect(eta.evalBatchesAfter(10)).toBe(3 + 2);
  });

  it('skips the periodic evaluation at the last step', () => {
    const eta = new EtaEstimator({ ...PLAN, steps: 8 });
    // Dev at step 4, then dev and test after step 8 (the multiple 8 is the final one).
    expect(eta.evalBatchesAfter(0)).toBe(2 * 3 + 2);
    expect(eta.evalBatchesAfter(8)).toBe(3 + 2);
  });

  it('returns null before any step', () => {
    expect(new EtaEstimator(PLAN).estimate(0, 2)).toBeNull();
  });

  it('estimates evaluations from the step time', () => {
    const eta = new EtaEstimator(PLAN);
    eta.recordStep(90);
    eta.recordStep(110);
    // 9 steps and 11 evaluation batches at a third of a 100 ms step.
    expect(eta.estimate(1, 0)).toBeCloseTo(9 * 100 + 11 * (100 / 3), 9);
  });

  it('uses measured evaluation time', () => {
    const eta = new EtaEstimator(PLAN);
    eta.recordStep(100);
    eta.recordEval(300, 3);
    // Current run after step 4: 6 steps and 8 batches. One more run: 10 steps and 11 batches.
    expect(eta.estimate(4, 1)).toBe(16 * 100 + 19 * 100);
    // After the last step only the final dev and test evaluations remain.
    expect(eta.estimate(10, 0)).toBe(5 * 100);
  });
});
