// The small PyTorch fixture encoder with trained-like adapters (every factor non-zero, unlike the standard
// init's B = 0) and a trained-like head, for the export tests and `npm run check:peft`.
import type { BertModel } from '../../model/bert';
import type { BertBatch } from '../../model/batch';
import type { EncoderFixture } from '../../model/encoder-check';
import { adapterModulePath, type AdapterTarget } from '../../model/trainable';
import { createRandom } from '../../util/random';
import type { AdapterValues } from '../init';
import { METHOD_SPECS, type AdapterMethod } from '../methods';
import type { RunInfo } from './run-info';
import { fingerprintBaseModel } from './fingerprint';
import { targetFeatures } from './snapshot';

/** Targets that cover every naming case of the PEFT export: leaf names, two-part names and the ambiguous output.dense. */
export const TEST_TARGETS: readonly AdapterTarget[] = ['query', 'value', 'attention.output', 'intermediate', 'output'];

/** Uniform values in [−scale, scale) from a seeded stream. */
export function uniformValues(seed: number, count: number, scale: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count }, () => random.uniform(-scale, scale));
}

/** Non-zero A, B, C, D for every adapted module of the fixture model, scaled so that ΔW is a visible fraction of W. */
export function trainedLikeValues(fixture: EncoderFixture, method: AdapterMethod, rank: number, targets: readonly AdapterTarget[], seed: number): Record<string, AdapterValues> {
  const values: Record<string, AdapterValues> = {};
  const factors = METHOD_SPECS[method].factors;
  let stream = seed;
  for (let layer = 0; layer < fixture.config.numHiddenLayers; layer++) {
    for (const target of targets) {
      const [inFeatures, outFeatures] = targetFeatures(fixture.config, target);
      values[adapterModulePath(layer, target)] = {
        a: uniformValues(stream++, rank * inFeatures, 1 / Math.sqrt(inFeatures)),
        b: uniformValues(stream++, outFeatures * rank, 0.3),
        c: factors.includes('C') ? uniformValues(stream++, rank * rank, 1 / Math.sqrt(rank)) : undefined,
        d: factors.includes('D') ? uniformValues(stream++, rank * rank, 1 / Math.sqrt(rank)) : undefined,
      };
    }
  }
  return values;
}

/** Returns a trained-like classification head [numLabels, hidden], far from the seeded init. */
export function trainedLikeHead(fixture: EncoderFixture, seed: number): { weight: Float32Array; bias: Float32Array } {
  const { numLabels } = fixture.inputs;
  return { weight: uniformValues(seed, numLabels * fixture.config.hiddenSize, 0.5), bias: uniformValues(seed + 1, numLabels, 0.2) };
}

/** Returns the fixture's batch without labels. */
export function fixtureBatch(fixture: EncoderFixture): BertBatch {
  const { inputs } = fixture.inputs;
  return {
    batch: fixture.inputs.batch,
    tokens: fixture.inputs.tokens,
    inputIds: Int32Array.from(inputs.input_ids.data),
    tokenTypeIds: Int32Array.from(inputs.token_type_ids.data),
    attentionMask: Int32Array.from(inputs.attention_mask.data),
  };
}

/** Runs an evaluation forward and returns the logits [batch, numLabels] on the host. */
export async function evaluationLogits(model: BertModel, batch: BertBatch): Promise<Float32Array> {
  return model.forward(batch, { train: false }).logits.readFloat();
}

/** Run info for the fixture model. */
export function fixtureRunInfo(fixture: EncoderFixture): RunInfo {
  return {
    modelId: 'tools/reference/fixtures/encoder',
    taskId: 'fixture',
    base: fingerprintBaseModel(fixture.config, fixture.weights),
    metrics: [{ step: 10, split: 'dev', loss: 0.5, metrics: { accuracy: 0.75 } }],
    exportedAt: '2025-01-01T00:00:00.000Z',
  };
}
