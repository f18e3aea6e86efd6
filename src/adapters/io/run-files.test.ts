// The files `npm run compare -- --save-adapters` writes for one run, and the run info taken from its record.
import { strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import type { ExperimentSpec, RunRecord } from '../../train/types';
import { fingerprintBaseModel } from './fingerprint';
import { TEST_TARGETS, trainedLikeValues } from './fixture-models';
import { parseNativeAdapters } from './native-format';
import { finalEvaluations, formatMetrics, runInfoFromRecord } from './run-info';
import { runAdapterFiles } from './run-files';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const SPEC: ExperimentSpec = {
  id: 'compare-test',
  createdAt: '2025-01-01T00:00:00.000Z',
  model: { id: 'models/mtlora-bert-tiny', source: 'files' },
  taskId: 'spam',
  methods: ['shim'],
  seeds: [3],
  hyperparameters: {
    rank: 2,
    alpha: 4,
    learningRate: 1e-3,
    batchSize: 16,
    maxLength: 64,
    steps: 20,
    warmupSteps: 2,
    weightDecay: 0.01,
    dropout: 0.1,
    maxGradNorm: 1,
    modules: ['query', 'value'],
    evalInterval: 10,
  },
};

const RECORD: RunRecord = {
  experimentId: 'compare-test',
  method: 'shim',
  seed: 3,
  status: 'done',
  curve: [],
  evals: [
    { step: 10, split: 'dev', loss: 0.6, metrics: { accuracy: 0.7 } },
    { step: 20, split: 'dev', loss: 0.4, metrics: { accuracy: 0.8, f1: 0.75 } },
    { step: 20, split: 'test', loss: 0.45, metrics: { accuracy: 0.78, f1: 0.7 } },
  ],
  trainableParameters: 0,
  totalParameters: 0,
  stepTimeMs: 1,
};

describe('run info', () => {
  it('keeps the last evaluation of each split', () => {
    expect(finalEvaluations(RECORD).map(({ split, step }) => `${split}@${step}`)).toEqual(['dev@20', 'test@20']);
  });

  it('formats metrics as lines', () => {
    expect(formatMetrics(finalEvaluations(RECORD))).toEqual(['dev at step 20: accuracy 0.8000, f1 0.7500, loss 0.4000', 'test at step 20: accuracy 0.7800, f1 0.7000, loss 0.4500']);
    expect(formatMetrics([])).toEqual(['no evaluation was recorded']);
  });
});

describe('run adapter files', () => {
  it('names the PEFT folder and the native file by method and seed', async () => {
    const model = BertModel.create(engine, fixture.config, fixture.weights, {
      task: { kind: 'classification', numLabels: 2 },
      trainable: { kind: 'adapters', method: 'shim', rank: 2, alpha: 4, modules: TEST_TARGETS, values: trainedLikeValues(fixture, 'shim', 2, TEST_TARGETS, 61) },
      seed: 3,
    });
    const info = runInfoFromRecord(SPEC, RECORD, fingerprintBaseModel(fixture.config, fixture.weights));
    const files = await runAdapterFiles(model, info);
    model.destroy();

    expect(Object.keys(files).sort()).toEqual([
      'shim-seed3-peft/README.md',
      'shim-seed3-peft/adapter_config.json',
      'shim-seed3-peft/adapter_model.safetensors',
      'shim-seed3.mtlora.safetensors',
    ]);
    expect(JSON.parse(strFromU8(files['shim-seed3-peft/adapter_config.json']))).toMatchObject({ base_model_name_or_path: 'models/mtlora-bert-tiny', r: 2, lora_alpha: 4 });
    expect(strFromU8(files['shim-seed3-peft/README.md'])).toContain('- test at step 20: accuracy 0.7800, f1 0.7000, loss 0.4500');

    const native = await parseNativeAdapters(files['shim-seed3.mtlora.safetensors']);
    expect(native.description).toMatchObject({ experimentId: 'compare-test', taskId: 'spam', seed: 3, hyperparameters: SPEC.hyperparameters });
    expect(native.description.metrics).toEqual(finalEvaluations(RECORD));
  });
});
