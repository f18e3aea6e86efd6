// Merging adapters into the weights: the merged model gives the unmerged logits, unmerging restores W up to
// float32 rounding, and a merged model refuses to train.
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '../../gpu/checks/compare';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { ADAPTER_METHODS, type AdapterMethod } from '../methods';
import { adaptersMerged, mergeAdapters, unmergeAdapters } from './merge';
import { evaluationLogits, fixtureBatch, TEST_TARGETS, trainedLikeHead, trainedLikeValues } from './fixture-models';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const RANK = 3;

function trainedModel(method: AdapterMethod): BertModel {
  return BertModel.create(engine, fixture.config, fixture.weights, {
    task: { kind: 'classification', numLabels: fixture.inputs.numLabels },
    trainable: { kind: 'adapters', method, rank: RANK, alpha: 6, modules: TEST_TARGETS, values: trainedLikeValues(fixture, method, RANK, TEST_TARGETS, 41) },
    seed: 3,
    head: trainedLikeHead(fixture, 42),
  });
}

async function readWeights(model: BertModel): Promise<Map<string, Float32Array>> {
  const weights = new Map<string, Float32Array>();
  for (const path of model.adapters.keys()) weights.set(path, await model.parameter(`${path}.weight`).param.readFloat());
  return weights;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

describe('merge adapters', () => {
  for (const method of ADAPTER_METHODS) {
    it(`${method}: merged logits match, unmerge restores W`, async () => {
      const model = trainedModel(method);
      const batch = fixtureBatch(fixture);
      const unmerged = await evaluationLogits(model, batch);
      const original = await readWeights(model);

      mergeAdapters(model);
      expect(adaptersMerged(model)).toBe(true);
      const merged = await evaluationLogits(model, batch);
      const mergedWeights = await readWeights(model);

      unmergeAdapters(model);
      expect(adaptersMerged(model)).toBe(false);
      const restored = await readWeights(model);
      const again = await evaluationLogits(model, batch);
      model.destroy();

      expect(relativeError(merged, unmerged)).toBeLessThanOrEqual(1e-5);
      expect(relativeError(again, unmerged)).toBeLessThanOrEqual(1e-5);
      for (const [path, weight] of original) {
        // The merge changed W by a visible amount, and unmerging brought it back to float32 rounding.
        const change = maxAbs(mergedWeights.get(path)!.map((value, i) => value - weight[i]));
        const error = maxAbs(restored.get(path)!.map((value, i) => value - weight[i]));
        expect(change, `${path} ΔW`).toBeGreaterThan(1e-3 * maxAbs(weight));
        expect(error, `${path} W after unmerge`).toBeLessThanOrEqual(1e-6 * maxAbs(weight));
      }
    });
  }

  it('merged model rejects a training forward', async () => {
    const model = trainedModel('icfm');
    mergeAdapters(model);
    const labels = Int32Array.from(fixture.inputs.inputs.class_labels.data);
    expect(() => model.forward({ ...fixtureBatch(fixture), labels }, { train: true, dropout: false })).toThrow(
      'The adapters are merged into the base weights; call unmergeAdapters(model) before a training forward.',
    );
    unmergeAdapters(model);
    expect(() => model.forward({ ...fixtureBatch(fixture), labels }, { train: true, dropout: false })).not.toThrow();
    model.destroy();
  });

  it('merging between forward and backward is rejected', async () => {
    const model = trainedModel('lora');
    const labels = Int32Array.from(fixture.inputs.inputs.class_labels.data);
    model.forward({ ...fixtureBatch(fixture), labels }, { train: true, dropout: false });
    mergeAdapters(model);
    expect(() => model.backward()).toThrow(/the adapter was merged into the weight after the training forward; run backward\(\) before merging/);
    model.destroy();
  });

  it('rejects merging twice, unmerging unmerged, and a model without adapters', () => {
    const model = trainedModel('dtsm');
    expect(() => unmergeAdapters(model)).toThrow('The adapters are not merged; there is nothing to unmerge.');
    mergeAdapters(model);
    expect(() => mergeAdapters(model)).toThrow('The adapters are already merged; call unmergeAdapters(model) first.');
    model.destroy();

    const head = BertModel.create(engine, fixture.config, fixture.weights, { task: { kind: 'regression' }, trainable: { kind: 'head' }, seed: 1 });
    expect(() => mergeAdapters(head)).toThrow('Cannot merge adapters: the model has no adapters (it trains "head").');
    head.destroy();
  });
});
