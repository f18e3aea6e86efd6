// The three result files of `npm run compare`, built from hand-made run records.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinySpec } from '../train/test-fixtures';
import type { MethodId, RunRecord } from '../train/types';
import { resultsCsv, resultsJson, summaryMarkdown, writeReport, type CompareReport } from './compare-report';

function run(method: MethodId, seed: number, testAccuracy: number | null, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    experimentId: 'experiment-test',
    method,
    seed,
    status: testAccuracy === null ? 'failed' : 'done',
    curve: [
      { step: 1, loss: 0.7, learningRate: 1e-3, tokensPerSecond: 100, elapsedMs: 10 },
      { step: 2, loss: 0.6, learningRate: 5e-4, tokensPerSecond: 120, elapsedMs: 20 },
    ],
    evals:
      testAccuracy === null
        ? []
        : [
            { step: 1, split: 'dev', loss: 0.65, metrics: { accuracy: 0.5, f1: 0.4 } },
            { step: 2, split: 'dev', loss: 0.55, metrics: { accuracy: 0.6, f1: 0.5 } },
            { step: 2, split: 'test', loss: 0.5, metrics: { accuracy: testAccuracy, f1: testAccuracy - 0.1 } },
          ],
    trainableParameters: method === 'head' ? 258 : 1282,
    totalParameters: 100_000,
    stepTimeMs: method === 'head' ? 10 : 20,
    ...extra,
  };
}

function report(runs: RunRecord[]): CompareReport {
  return {
    spec: tinySpec(['lora', 'head'], [1, 2]),
    task: { id: 'tiny-cat', name: 'Tiny cat detection', metrics: ['accuracy', 'f1'], primaryMetric: 'accuracy' },
    model: { folder: '/models/tiny', hiddenSize: 12, layers: 2 },
    adapterName: 'SwiftShader',
    learningRates: { lora: 1e-2, head: 1e-2 },
    status: 'done',
    startedAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:01:00.000Z',
    runs,
  };
}

const RUNS = [
  run('lora', 1, 0.8),
  run('lora', 2, 0.9),
  run('head', 1, 0.7),
  run('head', 2, null, { error: 'loss became NaN at step 2; last finite loss 0.7 at step 1', curve: [{ step: 1, loss: 0.7, learningRate: 1e-3, tokensPerSecond: 100, elapsedMs: 10 }] }),
];

describe('resultsCsv', () => {
  it('writes one row per run', () => {
    const lines = resultsCsv(report(RUNS)).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'method,seed,status,learning_rate,steps_done,final_train_loss,dev_loss,dev_accuracy,dev_f1,test_loss,test_accuracy,test_f1,trainable_parameters,total_parameters,trainable_percent,step_time_ms,error',
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('lora,1,done,0.01,2,0.6,0.55,0.6,0.5,0.5,0.8,0.7000000000000001,1282,100000,1.282,20,');
    expect(lines[4]).toBe('head,2,failed,0.01,1,0.7,,,,,,,258,100000,0.258,10,loss became NaN at step 2; last finite loss 0.7 at step 1');
  });

  it('quotes fields with commas and quotes', () => {
    const csv = resultsCsv(report([run('head', 1, null, { error: 'bad "value", twice' })]));
    expect(csv.trimEnd().split('\n')[1].endsWith(',"bad ""value"", twice"')).toBe(true);
  });
});

describe('resultsJson', () => {
  it('keeps the spec and the final evaluations', () => {
    const json = JSON.parse(resultsJson(report(RUNS)));
    expect(json.spec.methods).toEqual(['lora', 'head']);
    expect(json.runs).toHaveLength(4);
    expect(json.runs[0]).toMatchObject({ method: 'lora', seed: 1, status: 'done', learningRate: 0.01, trainablePercent: 1.282, stepTimeMs: 20 });
    expect(json.runs[0].test).toEqual({ step: 2, split: 'test', loss: 0.5, metrics: { accuracy: 0.8, f1: expect.closeTo(0.7, 12) } });
    expect(json.runs[0].dev.step).toBe(2);
    expect(json.runs[0].curve).toHaveLength(2);
    expect(json.runs[3]).toMatchObject({ status: 'failed', error: 'loss became NaN at step 2; last finite loss 0.7 at step 1', dev: null, test: null });
  });

  it('writes non-finite numbers as null', () => {
    const json = JSON.parse(resultsJson(report([run('lora', 1, 0.8, { stepTimeMs: Number.NaN })])));
    expect(json.runs[0].stepTimeMs).toBeNull();
  });
});

describe('summaryMarkdown', () => {
  it('summarizes each method over its finished runs', () => {
    const text = summaryMarkdown(report(RUNS));
    expect(text).toContain('| Method | Runs | Test Accuracy mean ± std | Min | Max | Trainable parameters | Trainable % | Step time (ms) |');
    // Sample std of 0.8 and 0.9 is 0.0707.
    expect(text).toContain('| LoRA | 2/2 | 0.8500 ± 0.0707 | 0.8000 | 0.9000 | 1,282 | 1.282% | 20.0 |');
    expect(text).toContain('| Head only | 1/2 | 0.7000 (1 run, no std) | 0.7000 | 0.7000 | 258 | 0.258% | 10.0 |');
    expect(text).toContain('| Method | Accuracy | F1 |');
    expect(text).toContain('| LoRA | 0.8500 ± 0.0707 | 0.7500 ± 0.0707 |');
    expect(text).toContain('- Head only, seed 2: loss became NaN at step 2; last finite loss 0.7 at step 1');
    expect(text).toContain('- Status: done, 3 of 4 runs finished');
  });

  it('marks methods without finished runs', () => {
    const text = summaryMarkdown(report([run('lora', 1, null)]));
    expect(text).toContain('| LoRA | 0/2 | – | – | – | 1,282 | 1.282% | – |');
    expect(text).toContain('| Head only | 0/2 | – | – | – | – | – | – |');
  });
});

describe('writeReport', () => {
  it('writes the three files', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'compare-report-'));
    try {
      const paths = await writeReport(join(folder, 'nested'), report(RUNS));
      expect(paths.map((path) => path.slice(folder.length))).toEqual(['/nested/results.json', '/nested/results.csv', '/nested/summary.md']);
      expect(await readFile(paths[2], 'utf8')).toBe(summaryMarkdown(report(RUNS)));
    } finally {
      await rm(folder, { recursive: true });
    }
  });
});
