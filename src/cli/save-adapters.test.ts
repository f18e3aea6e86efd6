// The --save-adapters writer: the flag, and the files of an adapter run and of a head-only run.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBaseModel } from '../adapters/io/fingerprint';
import { TEST_TARGETS, trainedLikeValues } from '../adapters/io/fixture-models';
import { parseNativeAdapters } from '../adapters/io/native-format';
import { testEngine } from '../gpu/test-engine';
import type { Engine } from '../gpu/engine';
import { BertModel } from '../model/bert';
import { loadEncoderFixture, type EncoderFixture } from '../model/encoder-check';
import type { ExperimentSpec, RunRecord } from '../train/types';
import { saveRunAdapters, takeFlag } from './save-adapters';

let engine: Engine;
let fixture: EncoderFixture;
const outDir = mkdtempSync(join(tmpdir(), 'save-adapters-'));

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

const SPEC = {
  id: 'compare-x',
  createdAt: '2025-01-01T00:00:00.000Z',
  model: { id: '/models/tiny', source: 'files' },
  taskId: 'spam',
  methods: ['dtsm', 'head'],
  seeds: [2],
  // runInfoFromRecord reads the steps for the exported files' trainedSteps.
  hyperparameters: {
    rank: 2,
    alpha: 4,
    learningRate: 1e-3,
    batchSize: 4,
    maxLength: 16,
    steps: 2,
    warmupSteps: 0,
    weightDecay: 0.01,
    dropout: 0.1,
    maxGradNorm: 1,
    modules: ['query', 'value'],
    evalInterval: 2,
  },
} as unknown as ExperimentSpec;

function record(method: RunRecord['method']): RunRecord {
  return { experimentId: 'compare-x', method, seed: 2, status: 'done', curve: [], evals: [], trainableParameters: 0, totalParameters: 0, stepTimeMs: 0 };
}

describe('save adapters', () => {
  it('takes the flag out of the arguments', () => {
    expect(takeFlag(['--steps', '5', '--save-adapters'], '--save-adapters')).toEqual({ argv: ['--steps', '5'], present: true });
    expect(takeFlag(['--steps', '5'], '--save-adapters')).toEqual({ argv: ['--steps', '5'], present: false });
  });

  it('writes the PEFT folder and the native file', async () => {
    const model = BertModel.create(engine, fixture.config, fixture.weights, {
      task: { kind: 'classification', numLabels: 2 },
      trainable: { kind: 'adapters', method: 'dtsm', rank: 2, alpha: 4, modules: TEST_TARGETS, values: trainedLikeValues(fixture, 'dtsm', 2, TEST_TARGETS, 71) },
      seed: 2,
    });
    const written = await saveRunAdapters(outDir, model, SPEC, record('dtsm'), fingerprintBaseModel(fixture.config, fixture.weights));
    model.destroy();

    expect(written.map((path) => path.slice(outDir.length + 1)).sort()).toEqual([
      'dtsm-seed2-peft/README.md',
      'dtsm-seed2-peft/adapter_config.json',
      'dtsm-seed2-peft/adapter_model.safetensors',
      'dtsm-seed2.mtlora.safetensors',
    ]);
    const native = await parseNativeAdapters(await readFile(join(outDir, 'dtsm-seed2.mtlora.safetensors')));
    expect(native.description.method).toBe('dtsm');
  });

  it('skips a run without adapters', async () => {
    const model = BertModel.create(engine, fixture.config, fixture.weights, { task: { kind: 'classification', numLabels: 2 }, trainable: { kind: 'head' }, seed: 2 });
    expect(await saveRunAdapters(outDir, model, SPEC, record('head'), fingerprintBaseModel(fixture.config, fixture.weights))).toEqual([]);
    model.destroy();
    expect(existsSync(join(outDir, 'head-seed2-peft'))).toBe(false);
  });
});
