// The experiment runner on the tiny random BERT: event order and records, GPU memory back at the
// baseline after every run, NaN handling, pause/resume/cancel, resuming with completed runs, and
// tokenization once per experiment.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import { ExperimentControl } from './control';
import type { WorkerEvent } from './protocol';
import { learningRateFor, runExperiment, type ExperimentInputs } from './runner';
import { tinyClassificationTask, tinyModel, tinyRegressionSplits, tinyRegressionTask, tinySpec, tinySplits, type TinyModel } from './test-fixtures';
import type { ExperimentSpec, RunRecord } from './types';

let engine: Engine;
let model: TinyModel;

beforeAll(async () => {
  engine = await testEngine();
  model = tinyModel();
});

function inputs(spec: ExperimentSpec, events: WorkerEvent[], extra: Partial<ExperimentInputs> = {}): ExperimentInputs {
  const regression = spec.taskId === 'tiny-overlap';
  const splits = regression ? tinyRegressionSplits() : tinySplits();
  return {
    engine,
    spec,
    config: model.config,
    weights: model.weights,
    tokenizer: model.tokenizer,
    task: regression ? tinyRegressionTask(splits) : tinyClassificationTask(splits),
    splits,
    onEvent: (event) => events.push(event),
    ...extra,
  };
}

function types(events: WorkerEvent[]): string[] {
  return events.filter((event) => event.type !== 'status').map((event) => event.type);
}

describe('learningRateFor', () => {
  it('gives full fine-tuning its own rate', () => {
    const spec = tinySpec(['lora', 'head', 'full'], [1], { learningRate: 1e-3, fullLearningRate: 5e-5 });
    expect(learningRateFor('lora', spec)).toBe(1e-3);
    expect(learningRateFor('head', spec)).toBe(1e-3);
    expect(learningRateFor('full', spec)).toBe(5e-5);
    expect(learningRateFor('full', spec, { full: 2e-4 })).toBe(2e-4);
  });

  it('falls back to the rate of older specs', () => {
    expect(learningRateFor('full', tinySpec(['full'], [1], { learningRate: 1e-3 }))).toBe(1e-3);
  });
});

describe('runExperiment', () => {
  it('trains, evaluates and reports each run', async () => {
    const events: WorkerEvent[] = [];
    const baseline = engine.allocatedBytes;
    const bytesAfterRuns: number[] = [];
    const result = await runExperiment(
      inputs(tinySpec(['lora', 'head'], [1]), events, {
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'run-finished') bytesAfterRuns.push(engine.allocatedBytes);
        },
      }),
    );

    expect(result.status).toBe('done');
    expect(bytesAfterRuns).toEqual([baseline, baseline]);
    const perRun = ['run-started', 'step', 'step', 'step', 'eval', 'step', 'step', 'step', 'eval', 'eval', 'run-finished'];
    expect(types(events)).toEqual([...perRun, ...perRun, 'experiment-finished']);

    const [lora, head] = result.runs;
    expect(lora.method).toBe('lora');
    expect(lora.status).toBe('done');
    expect(lora.curve.map((point) => point.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const point of lora.curve) {
      expect(Number.isFinite(point.loss)).toBe(true);
      expect(point.tokensPerSecond).toBeGreaterThan(0);
    }
    // Warm-up of one step to the peak 1e-2, then linear decay over the five remaining steps.
    expect(lora.curve.map((point) => point.learningRate)).toEqual([1e-2, 1e-2, 8e-3, 6e-3, 4e-3, 2e-3].map((value) => expect.closeTo(value, 12)));
    expect(lora.evals.map((point) => `${point.split}@${point.step}`)).toEqual(['dev@3', 'dev@6', 'test@6']);
    for (const point of lora.evals) {
      expect(Object.keys(point.metrics).sort()).toEqual(['accuracy', 'f1']);
      expect(point.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(point.metrics.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(point.loss)).toBe(true);
    }
    expect(lora.stepTimeMs).toBeGreaterThan(0);
    expect(lora.trainableParameters).toBeLessThan(lora.totalParameters);
    expect(head.trainableParameters).toBe(2 * 12 + 2);
    expect(lora.trainableParameters).toBe(head.trainableParameters + 2 * 2 * (2 * (12 + 12)));

    const steps = events.filter((event) => event.type === 'step');
    expect(steps.map((event) => event.progress.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(steps.every((event) => event.progress.total === 12)).toBe(true);
    // After the last step only the final evaluations remain, so the estimate falls but stays positive.
    expect(steps.at(-1)!.etaMs).toBeGreaterThan(0);
    expect(steps.at(-1)!.etaMs).toBeLessThan(steps[0].etaMs);
  });

  it('reproduces a run with the same seed', async () => {
    const first = await runExperiment(inputs(tinySpec(['shim'], [3], { steps: 3 }), []));
    const second = await runExperiment(inputs(tinySpec(['shim'], [3], { steps: 3 }), []));
    expect(second.runs[0].curve.map((point) => point.loss)).toEqual(first.runs[0].curve.map((point) => point.loss));
  });

  it('fails a diverging run and continues', async () => {
    const events: WorkerEvent[] = [];
    const baseline = engine.allocatedBytes;
    // A learning rate of 1e30 makes the weights overflow after the first update.
    const result = await runExperiment(inputs(tinySpec(['full', 'head'], [1], { steps: 4, warmupSteps: 0 }), events, { learningRates: { full: 1e30 } }));

    expect(result.status).toBe('done');
    const [full, head] = result.runs;
    expect(full.status).toBe('failed');
    expect(full.error).toMatch(/^loss became (NaN|Infinity) at step 2; last finite loss \d+(\.\d+)? at step 1$/);
    expect(full.curve.map((point) => point.step)).toEqual([1]);
    expect(full.error).toContain(`last finite loss ${Number(full.curve[0].loss.toPrecision(4))} at step 1`);
    expect(full.evals).toEqual([]);
    expect(head.status).toBe('done');
    expect(engine.allocatedBytes).toBe(baseline);
    const steps = events.filter((event) => event.type === 'step');
    // The failed run's remaining steps count as done, so progress continues from 4.
    expect(steps.map((event) => event.progress.done)).toEqual([1, 5, 6, 7, 8]);
  });

  it('fails on a NaN loss at the first step', async () => {
    const poisoned = { ...model.weights, 'pooler.dense.bias': { shape: [12], data: new Float32Array(12).fill(Number.NaN) } };
    const result = await runExperiment(inputs(tinySpec(['head'], [1], { steps: 2 }), [], { weights: poisoned }));
    expect(result.runs[0].status).toBe('failed');
    expect(result.runs[0].error).toBe('loss became NaN at step 1; no finite loss before it');
  });

  it('pauses and resumes between steps', async () => {
    const events: WorkerEvent[] = [];
    const wallTimes = new Map<string, number>();
    const control = new ExperimentControl();
    const result = await runExperiment(
      inputs(tinySpec(['dtsm'], [2], { evalInterval: 10 }), events, {
        control,
        onEvent: (event) => {
          events.push(event);
          wallTimes.set(event.type === 'step' ? `step ${event.point.step}` : event.type, performance.now());
          if (event.type === 'step' && event.point.step === 2) control.pause();
          if (event.type === 'paused') setTimeout(() => control.resume(), 200);
        },
      }),
    );

    expect(result.status).toBe('done');
    // Step 3 was already recorded when the pause arrived, so the loop stops after it.
    expect(types(events)).toEqual(['run-started', 'step', 'step', 'step', 'paused', 'resumed', 'step', 'step', 'step', 'eval', 'eval', 'run-finished', 'experiment-finished']);
    const curve = result.runs[0].curve;
    expect(curve.map((point) => point.step)).toEqual([1, 2, 3, 4, 5, 6]);

    // Elapsed time leaves the pause out.
    const pause = wallTimes.get('resumed')! - wallTimes.get('paused')!;
    const wallGap = wallTimes.get('step 4')! - wallTimes.get('step 3')!;
    expect(pause).toBeGreaterThanOrEqual(190);
    expect(curve[3].elapsedMs - curve[2].elapsedMs).toBeLessThan(wallGap - pause / 2);
  });

  it('pauses during the final evaluation', async () => {
    const events: WorkerEvent[] = [];
    const control = new ExperimentControl();
    const result = await runExperiment(
      inputs(tinySpec(['lora'], [1], { evalInterval: 10 }), events, {
        control,
        onEvent: (event) => {
          events.push(event);
          // After the last step, the next place that can stop is the first batch of the dev evaluation.
          if (event.type === 'step' && event.point.step === 6) control.pause();
          if (event.type === 'paused') setTimeout(() => control.resume(), 50);
        },
      }),
    );

    expect(result.status).toBe('done');
    expect(types(events)).toEqual(['run-started', 'step', 'step', 'step', 'step', 'step', 'step', 'paused', 'resumed', 'eval', 'eval', 'run-finished', 'experiment-finished']);
    expect(result.runs[0].evals.map((point) => point.split)).toEqual(['dev', 'test']);
  });

  it('cancels the current run and the experiment', async () => {
    const events: WorkerEvent[] = [];
    const control = new ExperimentControl();
    const baseline = engine.allocatedBytes;
    const result = await runExperiment(
      inputs(tinySpec(['icfm', 'head'], [1, 2]), events, {
        control,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'step' && event.point.step === 2) control.cancel();
        },
      }),
    );

    expect(result.status).toBe('cancelled');
    expect(result.runs).toHaveLength(1);
    expect(result.runs[0].status).toBe('cancelled');
    expect(result.runs[0].curve.map((point) => point.step)).toEqual([1, 2, 3]);
    expect(types(events)).toEqual(['run-started', 'step', 'step', 'step', 'run-finished', 'experiment-finished']);
    expect(events.at(-1)).toEqual({ type: 'experiment-finished', status: 'cancelled' });
    expect(engine.allocatedBytes).toBe(baseline);
  });

  it('cancels while paused', async () => {
    const events: WorkerEvent[] = [];
    const control = new ExperimentControl();
    control.pause();
    const result = await runExperiment(
      inputs(tinySpec(['lora'], [1]), events, {
        control,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'paused') setTimeout(() => control.cancel(), 10);
        },
      }),
    );
    expect(result.status).toBe('cancelled');
    expect(result.runs).toEqual([]);
    expect(types(events)).toEqual(['paused', 'experiment-finished']);
  });

  it('skips completed runs when resuming', async () => {
    const events: WorkerEvent[] = [];
    const spec = tinySpec(['lora', 'head'], [1], { steps: 2, evalInterval: 5 });
    const earlier: RunRecord = {
      experimentId: spec.id,
      method: 'lora',
      seed: 1,
      status: 'done',
      curve: [],
      evals: [],
      trainableParameters: 1,
      totalParameters: 2,
      stepTimeMs: 3,
    };
    const result = await runExperiment(inputs(spec, events, { completed: [earlier] }));

    expect(result.runs[0]).toBe(earlier);
    expect(result.runs[1].method).toBe('head');
    const started = events.filter((event) => event.type === 'run-started');
    expect(started.map((event) => event.run)).toEqual([{ method: 'head', seed: 1 }]);
    const steps = events.filter((event) => event.type === 'step');
    expect(steps.map((event) => event.progress)).toEqual([
      { done: 3, total: 4 },
      { done: 4, total: 4 },
    ]);
  });

  it('rejects completed runs of another experiment', async () => {
    const spec = tinySpec(['lora'], [1]);
    const other = { experimentId: 'other', method: 'lora', seed: 1, status: 'done', curve: [], evals: [], trainableParameters: 0, totalParameters: 0, stepTimeMs: 0 } as RunRecord;
    await expect(runExperiment(inputs(spec, [], { completed: [other] }))).rejects.toThrow('A completed run belongs to experiment "other", not "experiment-test"');
  });

  it('tokenizes each split once per experiment', async () => {
    const encode = vi.spyOn(model.tokenizer, 'encodeBatch');
    await runExperiment(inputs(tinySpec(['head', 'lora'], [1, 2], { steps: 1, warmupSteps: 0 }), []));
    // One chunk per split (each under 256 examples), for three splits and four runs.
    expect(encode).toHaveBeenCalledTimes(3);
    encode.mockRestore();
  });

  it('trains a regression task on sentence pairs', async () => {
    const result = await runExperiment(inputs(tinySpec(['head'], [1], { steps: 2 }, 'tiny-overlap'), []));
    const run = result.runs[0];
    expect(run.status).toBe('done');
    expect(Object.keys(run.evals.at(-1)!.metrics).sort()).toEqual(['pearson', 'spearman']);
  });

  it('rejects invalid hyperparameters', async () => {
    await expect(runExperiment(inputs(tinySpec(['lora'], [1], { maxLength: 17 }), []))).rejects.toThrow('Max length 17 is invalid; use an integer from 4 to 16.');
    await expect(runExperiment(inputs(tinySpec(['lora'], [1], { warmupSteps: 6 }), []))).rejects.toThrow('Warm-up steps 6 is invalid; use an integer from 0 to 5.');
    await expect(runExperiment(inputs(tinySpec(['lora', 'lora'], [1]), []))).rejects.toThrow('Method "lora" is listed twice.');
    await expect(runExperiment(inputs(tinySpec(['head', 'dtsm'], [1], { modules: [] }), []))).rejects.toThrow('Adapter modules are empty, and dtsm needs at least one');
  });

  it('trains baselines without adapter modules', async () => {
    const result = await runExperiment(inputs(tinySpec(['head', 'full'], [1], { modules: [], steps: 2, warmupSteps: 0 }), []));
    expect(result.runs.map((run) => run.status)).toEqual(['done', 'done']);
  });
});
