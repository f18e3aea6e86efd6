// The native adapter file: a model re-imported onto the same base computes bit-identical logits, training
// continues from it, and a different base model, rank, method or module set stops the import with a message
// naming the difference.
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../../gpu/ops/adamw';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import type { NamedBertWeights } from '../../model/bert-weights';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { SafetensorsFile, serializeSafetensors, type SafetensorsWriteTensor } from '../../model/safetensors';
import { ADAPTER_METHODS, type AdapterMethod } from '../methods';
import { buildPeftFiles, PEFT_WEIGHTS_FILE } from './export-peft';
import { checkNativeAdapters, createModelFromNative, nativeFileName, parseNativeAdapters, serializeNativeAdapters, type NativeAdapters } from './native-format';
import { readAdapterSnapshot } from './snapshot';
import { evaluationLogits, fixtureBatch, fixtureRunInfo, TEST_TARGETS, trainedLikeHead, trainedLikeValues } from './fixture-models';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const RANK = 3;
const ALPHA = 6;

function trainedModel(method: AdapterMethod, seed = 17): BertModel {
  return BertModel.create(engine, fixture.config, fixture.weights, {
    task: { kind: 'classification', numLabels: fixture.inputs.numLabels },
    trainable: { kind: 'adapters', method, rank: RANK, alpha: ALPHA, modules: TEST_TARGETS, values: trainedLikeValues(fixture, method, RANK, TEST_TARGETS, 31) },
    seed,
    head: trainedLikeHead(fixture, 32),
  });
}

async function exportNative(method: AdapterMethod): Promise<Uint8Array> {
  const model = trainedModel(method);
  const bytes = serializeNativeAdapters(await readAdapterSnapshot(model), fixtureRunInfo(fixture));
  model.destroy();
  return bytes;
}

/** Rewrites one tensor of a native file, keeping the metadata. */
async function withTensor(bytes: Uint8Array, name: string, tensor: SafetensorsWriteTensor | null): Promise<Uint8Array> {
  const file = await SafetensorsFile.open(bytes);
  const tensors: Record<string, SafetensorsWriteTensor> = {};
  for (const other of file.names) tensors[other] = { dtype: 'F32', shape: file.info(other)!.shape, data: await file.read(other) };
  if (tensor) tensors[name] = tensor;
  else delete tensors[name];
  return serializeSafetensors(tensors, file.metadata);
}

describe('native round trip', () => {
  for (const method of ADAPTER_METHODS) {
    it(`${method}: re-imported logits are bit-identical`, async () => {
      const batch = fixtureBatch(fixture);
      const original = trainedModel(method);
      const expected = await evaluationLogits(original, batch);
      const bytes = serializeNativeAdapters(await readAdapterSnapshot(original), fixtureRunInfo(fixture));
      original.destroy();

      const native = await parseNativeAdapters(bytes, nativeFileName(method, 17));
      const restored = createModelFromNative(engine, fixture.config, fixture.weights, native, { method, rank: RANK, targets: TEST_TARGETS });
      const actual = await evaluationLogits(restored, batch);
      restored.destroy();

      expect(actual.length).toBe(fixture.inputs.batch * fixture.inputs.numLabels);
      expect(Array.from(actual)).toEqual(Array.from(expected));
    });
  }

  it('keeps the run description', async () => {
    const native = await parseNativeAdapters(await exportNative('icfm'));
    expect(native.description).toMatchObject({
      method: 'icfm',
      rank: RANK,
      alpha: ALPHA,
      seed: 17,
      targets: TEST_TARGETS,
      task: { kind: 'classification', numLabels: 3 },
      modelId: 'tools/reference/fixtures/encoder',
      taskId: 'fixture',
      metrics: [{ step: 10, split: 'dev', loss: 0.5, metrics: { accuracy: 0.75 } }],
      optimizerState: 'not saved',
    });
    expect(native.description.modules).toHaveLength(2 * TEST_TARGETS.length);
    expect(native.head.weight).toEqual(trainedLikeHead(fixture, 32).weight);
  });

  it('training continues from a re-imported model', async () => {
    const native = await parseNativeAdapters(await exportNative('ctcm'));
    const model = createModelFromNative(engine, { ...fixture.config, hiddenDropoutProb: 0 }, fixture.weights, native);
    const before = await model.adapters.get('encoder.layer.0.attention.self.query')!.readValues();

    // The AdamW moments are not in the file: the optimizer starts fresh.
    const optimizer = new AdamW(engine, model.trainableParameters(), { lr: 1e-2, weightDecay: 0 });
    const labels = Int32Array.from(fixture.inputs.inputs.class_labels.data);
    const first = model.forward({ ...fixtureBatch(fixture), labels }, { train: true, step: 1 });
    const firstLoss = (await first.loss!.readFloat())[0];
    model.backward();
    optimizer.step();
    const after = await model.adapters.get('encoder.layer.0.attention.self.query')!.readValues();
    const second = (await model.forward({ ...fixtureBatch(fixture), labels }, { train: true, step: 2 }).loss!.readFloat())[0];

    expect(Number.isFinite(firstLoss)).toBe(true);
    for (const factor of ['a', 'b', 'c', 'd'] as const) expect(after[factor]).not.toEqual(before[factor]);
    expect(second).toBeLessThan(firstLoss);
    optimizer.destroy();
    model.destroy();
  });
});

describe('native import checks', () => {
  let native: NativeAdapters;

  beforeAll(async () => {
    native = await parseNativeAdapters(await exportNative('dtsm'));
  });

  it('names a changed base weight', () => {
    const weights: Record<string, NamedBertWeights[string]> = { ...fixture.weights };
    const name = 'encoder.layer.1.attention.self.key.weight';
    const data = Float32Array.from(weights[name].data);
    data[0] += 0.5;
    weights[name] = { shape: weights[name].shape, data };
    expect(() => checkNativeAdapters(native, fixture.config, weights)).toThrow(`base model: the values of "${name}" differ`);
  });

  it('names a changed architecture field', () => {
    expect(() => checkNativeAdapters(native, { ...fixture.config, layerNormEps: 1e-12 }, fixture.weights)).toThrow(
      'base model: layerNormEps is 0.001 in the file and 1e-12 in the model',
    );
  });

  it('ignores dropout settings', () => {
    expect(() => checkNativeAdapters(native, { ...fixture.config, hiddenDropoutProb: 0.3, classifierDropout: 0.2 }, fixture.weights)).not.toThrow();
  });

  it('names a rank, method and module mismatch', () => {
    const check = () => checkNativeAdapters(native, fixture.config, fixture.weights, { method: 'lora', rank: 8, targets: ['query', 'value'] });
    expect(check).toThrow('method: the file has DTSM, expected LoRA');
    expect(check).toThrow('rank: the file has rank 3, expected 8');
    expect(check).toThrow('modules: the file adapts query, value, attention.output, intermediate, output, expected query, value');
  });

  it('rejects a tensor of another rank', async () => {
    const bytes = await withTensor(await exportNative('lora'), 'encoder.layer.0.intermediate.dense.A', { dtype: 'F32', shape: [4, 36], data: new Float32Array(4 * 36) });
    await expect(parseNativeAdapters(bytes, 'x.mtlora.safetensors')).rejects.toThrow(
      'x.mtlora.safetensors: tensor "encoder.layer.0.intermediate.dense.A" has shape [4, 36]; rank 3 and the base architecture need [3, 36].',
    );
  });

  it('rejects a missing factor', async () => {
    const bytes = await withTensor(await exportNative('icfm'), 'encoder.layer.1.output.dense.C', null);
    await expect(parseNativeAdapters(bytes)).rejects.toThrow('tensor "encoder.layer.1.output.dense.C" is missing; ICFM at rank 3 needs it with shape [3, 3]');
  });

  it('rejects a tensor of another module', async () => {
    const bytes = await withTensor(await exportNative('lora'), 'encoder.layer.0.attention.self.key.A', { dtype: 'F32', shape: [3, 36], data: new Float32Array(3 * 36) });
    await expect(parseNativeAdapters(bytes)).rejects.toThrow('tensors encoder.layer.0.attention.self.key.A do not belong to LoRA on query, value, attention.output, intermediate, output');
  });

  it('rejects a PEFT file with a hint', async () => {
    const model = trainedModel('lora');
    const peft = buildPeftFiles(await readAdapterSnapshot(model), fixtureRunInfo(fixture))[PEFT_WEIGHTS_FILE];
    model.destroy();
    await expect(parseNativeAdapters(peft, PEFT_WEIGHTS_FILE)).rejects.toThrow(
      'adapter_model.safetensors is not an MTLoRA adapter file: its metadata format is "pt", expected "mtlora-adapters"',
    );
  });
});
