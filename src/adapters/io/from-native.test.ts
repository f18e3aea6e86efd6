// The PEFT zip rebuilt from a native file alone equals, byte for byte, the zip built from the live model, for
// every method and for a base without a pooler (whose pooler the rebuild draws from the seed again).
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { POOLER_WEIGHTS, type NamedBertWeights } from '../../model/bert-weights';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { SafetensorsFile } from '../../model/safetensors';
import { ADAPTER_METHODS, type AdapterMethod } from '../methods';
import { PEFT_CONFIG_FILE, PEFT_README_FILE, PEFT_WEIGHTS_FILE } from './export-peft';
import { fingerprintBaseModel } from './fingerprint';
import { fixtureRunInfo, TEST_TARGETS, trainedLikeHead, trainedLikeValues } from './fixture-models';
import { buildPeftZip, nativeDownload, peftZipFromNative, runInfoFromNative } from './from-native';
import { parseNativeAdapters, serializeNativeAdapters } from './native-format';
import type { RunInfo } from './run-info';
import { nativeAdapterFile } from './run-files';
import { readAdapterSnapshot } from './snapshot';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const RANK = 3;
const ALPHA = 6;
const SEED = 21;

function trainedModel(method: AdapterMethod, weights: NamedBertWeights): BertModel {
  return BertModel.create(engine, fixture.config, weights, {
    task: { kind: 'classification', numLabels: fixture.inputs.numLabels },
    trainable: { kind: 'adapters', method, rank: RANK, alpha: ALPHA, modules: TEST_TARGETS, values: trainedLikeValues(fixture, method, RANK, TEST_TARGETS, 41) },
    seed: SEED,
    head: trainedLikeHead(fixture, 42),
  });
}

/** Run info with every optional field set, so that the round trip through the native file covers all of them. */
function fullRunInfo(weights: NamedBertWeights): RunInfo {
  return {
    ...fixtureRunInfo(fixture),
    base: fingerprintBaseModel(fixture.config, weights),
    modelSource: 'url',
    taskOptions: { trainSize: 2000 },
    experimentId: 'experiment-from-native',
    hyperparameters: {
      rank: RANK,
      alpha: ALPHA,
      learningRate: 1e-3,
      batchSize: 4,
      maxLength: 16,
      steps: 2,
      warmupSteps: 0,
      weightDecay: 0.01,
      dropout: 0.1,
      maxGradNorm: 1,
      modules: ['query', 'value', 'attention.output', 'intermediate', 'output'],
      evalInterval: 2,
      evalExamples: 8,
    },
    metrics: [
      { step: 2, split: 'dev', loss: 0.61, metrics: { accuracy: 0.625 } },
      { step: 2, split: 'test', loss: 0.58, metrics: { accuracy: 0.75 } },
    ],
  };
}

/** Builds the zip from the live model and from its native file; returns both and the native file. */
async function bothZips(method: AdapterMethod, weights: NamedBertWeights): Promise<{ live: Uint8Array; rebuilt: { fileName: string; bytes: Uint8Array }; native: Uint8Array }> {
  const model = trainedModel(method, weights);
  const info = fullRunInfo(weights);
  try {
    const live = buildPeftZip(await readAdapterSnapshot(model), info);
    const native = await nativeAdapterFile(model, info);
    expect(native.fileName).toBe(`${method}-seed${SEED}.mtlora.safetensors`);
    return { live, rebuilt: await peftZipFromNative(native.bytes, native.fileName), native: native.bytes };
  } finally {
    model.destroy();
  }
}

describe('PEFT zip from a native file', () => {
  for (const method of ADAPTER_METHODS) {
    it(`${method}: equals the live model's zip`, async () => {
      const { live, rebuilt } = await bothZips(method, fixture.weights);
      expect(rebuilt.fileName).toBe(`fixture-experiment-from-native-${method}-seed${SEED}-peft.zip`);
      expect(rebuilt.bytes).toEqual(live);
    });
  }

  it('redraws the pooler of a base without one', async () => {
    const weights = Object.fromEntries(Object.entries(fixture.weights).filter(([name]) => !(POOLER_WEIGHTS as readonly string[]).includes(name)));
    const { live, rebuilt } = await bothZips('dtsm', weights);
    expect(rebuilt.bytes).toEqual(live);

    const files = unzipSync(rebuilt.bytes);
    const config = JSON.parse(strFromU8(files[PEFT_CONFIG_FILE])) as { modules_to_save: string[] };
    expect(config.modules_to_save).toEqual(['classifier', 'pooler']);
    const tensors = await SafetensorsFile.open(files[PEFT_WEIGHTS_FILE]);
    expect(tensors.info('base_model.model.bert.pooler.dense.weight')?.shape).toEqual([fixture.config.hiddenSize, fixture.config.hiddenSize]);
  });

  it('holds the three PEFT files with method and T in the README', async () => {
    const { rebuilt } = await bothZips('icfm', fixture.weights);
    const files = unzipSync(rebuilt.bytes);
    expect(Object.keys(files).sort()).toEqual([PEFT_README_FILE, PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE].sort());

    const readme = strFromU8(files[PEFT_README_FILE]);
    expect(readme).toContain('- Method: ICFM (T = C·Cᵀ)');
    expect(readme).toContain('Each lora_B in this folder is B·T');
    expect(readme).toContain('- test at step 2: accuracy 0.7500, loss 0.5800');
    const config = JSON.parse(strFromU8(files[PEFT_CONFIG_FILE])) as { modules_to_save: string[]; r: number };
    expect(config.modules_to_save).toEqual(['classifier']);
    expect(config.r).toBe(RANK);
  });

  it('names the zip after task, experiment and run', async () => {
    const info = { ...fullRunInfo(fixture.weights), taskId: 'upload:4b2a2edf', experimentId: '3f2a9c1e-0d4b-4a4e-9d2f-0123456789ab' };
    const model = trainedModel('lora', fixture.weights);
    const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), info);
    model.destroy();

    expect((await peftZipFromNative(bytes, 'lora-seed21.mtlora.safetensors')).fileName).toBe('upload-4b2a2edf-3f2a9c1e-lora-seed21-peft.zip');
    const native = await nativeDownload(bytes, 'lora-seed21.mtlora.safetensors');
    expect(native.fileName).toBe('upload-4b2a2edf-3f2a9c1e-lora-seed21.mtlora.safetensors');
    expect(native.bytes).toBe(bytes);
  });

  it('renamed native file parses the same', async () => {
    // The importer must not depend on the download name: a file saved under the new name describes the same run.
    const model = trainedModel('shim', fixture.weights);
    const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), fullRunInfo(fixture.weights));
    model.destroy();
    const { fileName } = await nativeDownload(bytes);
    const underOldName = await parseNativeAdapters(bytes, 'shim-seed21.mtlora.safetensors');
    const underNewName = await parseNativeAdapters(bytes, fileName);
    expect(underNewName.description).toEqual(underOldName.description);
    expect(underNewName.values).toEqual(underOldName.values);
  });

  it('README of the embedded model names its URL and folder', async () => {
    const info: RunInfo = { ...fullRunInfo(fixture.weights), modelId: 'embedded', modelSource: 'embedded' };
    const model = trainedModel('lora', fixture.weights);
    const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), info);
    model.destroy();

    const { bytes: zip } = await peftZipFromNative(bytes, undefined, { embeddedModelUrl: 'http://127.0.0.1:4190/models/mtlora-bert-tiny/' });
    const files = unzipSync(zip);
    const config = JSON.parse(strFromU8(files[PEFT_CONFIG_FILE])) as { base_model_name_or_path: string };
    expect(config.base_model_name_or_path).toBe('mtlora-bert-tiny');
    const readme = strFromU8(files[PEFT_README_FILE]);
    expect(readme).toContain('base_url = "http://127.0.0.1:4190/models/mtlora-bert-tiny/"');
    expect(readme).toContain('AutoModelForSequenceClassification.from_pretrained("mtlora-bert-tiny", num_labels=3)');
    expect(readme).not.toContain('"embedded"');
  });

  it('rejects a file that is not a native adapter file', async () => {
    await expect(peftZipFromNative(new Uint8Array([1, 2, 3]), 'broken.mtlora.safetensors')).rejects.toThrow('broken.mtlora.safetensors');
  });
});

describe('run info from a native file', () => {
  it('keeps a Hub revision', async () => {
    const info: RunInfo = { ...fullRunInfo(fixture.weights), modelId: 'prajjwal1/bert-tiny', modelSource: 'hub', modelRevision: 'v1.0' };
    const model = trainedModel('lora', fixture.weights);
    const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), info);
    model.destroy();

    expect(runInfoFromNative((await parseNativeAdapters(bytes)).description)).toEqual(info);
    const config = JSON.parse(strFromU8(unzipSync((await peftZipFromNative(bytes)).bytes)[PEFT_CONFIG_FILE])) as { base_model_name_or_path: string; revision: string };
    expect(config.base_model_name_or_path).toBe('prajjwal1/bert-tiny');
    expect(config.revision).toBe('v1.0');
  });

  it('round-trips every field', async () => {
    const info = fullRunInfo(fixture.weights);
    const model = trainedModel('ctcm', fixture.weights);
    const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), info);
    model.destroy();
    const native = await parseNativeAdapters(bytes);
    expect(runInfoFromNative(native.description)).toEqual(info);
  });
});
