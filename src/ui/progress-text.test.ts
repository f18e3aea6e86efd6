import { describe, expect, it } from 'vitest';
import { createView, type ExperimentView } from '../store/experiment-view';
import type { ExperimentRecord, ExperimentStatus, RunRecord } from '../train/types';
import { currentRunText } from './progress-text';

function view(status: ExperimentStatus, steps: number[], current = true): ExperimentView {
  const record = {
    spec: {
      id: 'exp',
      createdAt: '2026-12-04T23:10:00.000Z',
      model: { id: 'embedded', source: 'embedded' },
      taskId: 'spam',
      methods: ['lora'],
      seeds: [1],
      hyperparameters: { steps: 30 },
    },
    status,
    updatedAt: '2026-12-04T23:11:00.000Z',
  } as unknown as ExperimentRecord;
  const run: RunRecord = {
    experimentId: 'exp',
    method: 'lora',
    seed: 1,
    status: 'running',
    curve: steps.map((step) => ({ step, loss: 0.7, learningRate: 1e-3, tokensPerSecond: 272, elapsedMs: step * 10 })),
    evals: [],
    trainableParameters: 8450,
    totalParameters: 1_560_000,
    stepTimeMs: 10,
  };
  return { ...createView(record, [run]), tokensPerSecond: 272, etaMs: 5000, currentRun: current ? { method: 'lora', seed: 1 } : null };
}

describe('currentRunText', () => {
  it('running names the run', () => {
    expect(currentRunText(view('running', [1, 2]))).toBe('Training LoRA, seed 1');
  });

  it('paused names the last step', () => {
    expect(currentRunText(view('paused', [1, 2]))).toBe('Paused after step 2 of LoRA, seed 1 (30 steps per run).');
  });

  it('paused before any step', () => {
    expect(currentRunText(view('paused', []))).toBe('Paused before the first step of LoRA, seed 1.');
  });

  it('paused without a current run', () => {
    expect(currentRunText(view('paused', [], false))).toBe('Paused between runs.');
  });

  it('no current run while running', () => {
    expect(currentRunText(view('running', [], false))).toBeNull();
  });
});
