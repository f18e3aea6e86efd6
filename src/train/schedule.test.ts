// The linear warm-up and decay schedule: values at the boundaries, no zero rate, and option checks.
import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedule';

const rates = (peak: number, warmupSteps: number, totalSteps: number): number[] =>
  Array.from({ length: totalSteps }, (_, i) => learningRateAt(i + 1, { peak, warmupSteps, totalSteps }));

describe('learningRateAt', () => {
  it('warms up linearly then decays', () => {
    expect(rates(1, 2, 6)).toEqual([0.5, 1, 1, 0.75, 0.5, 0.25]);
  });

  it('decays from the first step without warm-up', () => {
    expect(rates(2, 0, 4)).toEqual([2, 1.5, 1, 0.5]);
  });

  it('runs a single step at the peak', () => {
    expect(rates(1e-3, 0, 1)).toEqual([1e-3]);
  });

  it('keeps every rate positive', () => {
    for (const [warmup, total] of [[0, 1], [1, 2], [10, 100], [99, 100]]) {
      const values = rates(1e-3, warmup, total);
      expect(Math.min(...values), `warm-up ${warmup} of ${total}`).toBeGreaterThan(0);
      expect(Math.max(...values)).toBeCloseTo(1e-3, 15);
    }
  });

  it('reaches the peak at the end of warm-up', () => {
    const values = rates(1e-3, 20, 200);
    expect(values[19]).toBe(1e-3);
    expect(values[20]).toBe(1e-3);
    expect(values[0]).toBeCloseTo(5e-5, 15);
    expect(values[199]).toBeCloseTo(1e-3 / 180, 15);
  });

  it('rejects invalid options', () => {
    expect(() => learningRateAt(1, { peak: 0, warmupSteps: 0, totalSteps: 5 })).toThrow('Learning rate 0 is invalid; use a positive number such as 1e-3.');
    expect(() => learningRateAt(1, { peak: 1, warmupSteps: 5, totalSteps: 5 })).toThrow('Warm-up steps 5 is invalid for 5 steps; use an integer from 0 to 4.');
    expect(() => learningRateAt(1, { peak: 1, warmupSteps: 0, totalSteps: 0 })).toThrow('Steps 0 is invalid; use a positive integer.');
    expect(() => learningRateAt(0, { peak: 1, warmupSteps: 0, totalSteps: 5 })).toThrow('Step 0 is outside the schedule; use an integer from 1 to 5.');
    expect(() => learningRateAt(6, { peak: 1, warmupSteps: 0, totalSteps: 5 })).toThrow('Step 6 is outside the schedule');
  });
});
