// BertModel behaviour on the small fixture model: gradient buffers per trainability mode, parameter counts,
// dropout seeding, gradient accumulation, flat GPU memory over training steps, and input checks.
import { beforeAll, describe, expect, it } from 'vitest';
import { trainableParameters as adapterParameterCount } from '../adapters/methods';
import { AdamW } from '../gpu/ops/adamw';
import { testEngine } from '../gpu/test-engine';
import type { Engine } from '../gpu/engine';
import { BertModel, type BertModelOptions } from './bert';
import type { BertArchitecture, NamedBertWeights } from './bert-weights';
import type { BertBatch } from './batch';
import type { BertConfig } from './config';
import { loadEncoderFixture, type EncoderFixture } from './encoder-check';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const CLASSIFICATION = { kind: 'classification', numLabels: 3 } as const;

function batch(labels: Int32Array | Float32Array = Int32Array.of(2, 0, 1)): BertBatch {
  const { inputs } = fixture.inputs;
  return {
    batch: fixture.inputs.batch,
    tokens: fixture.inputs.tokens,
    inputIds: Int32Array.from(inputs.input_ids.data),
    tokenTypeIds: Int32Array.from(inputs.token_type_ids.data),
    attentionMask: Int32Array.from(inputs.attention_mask.data),
    labels,
  };
}

function create(options: Partial<BertModelOptions> = {}, weights: NamedBertWeights = fixture.weights): BertModel {
  return BertModel.create(engine, fixture.config, weights, { task: CLASSIFICATION, trainable: { kind: 'head' }, seed: 5, ...options });
}

async function readLoss(model: BertModel, options: Parameters<BertModel['forward']>[1], input = batch()): Promise<number> {
  const { loss } = model.forward(input, options);
  return (await loss!.readFloat())[0];
}

describe('config interface', () => {
  it('accepts the parsed BertConfig', () => {
    // Compile-time check: the loader's config satisfies the model's interface.
    const parsed: BertConfig = fixture.config;
    const architecture: BertArchitecture = parsed;
    expect(architecture.hiddenSize).toBe(36);
  });
});

describe('trainable parameters', () => {
  it('head mode trains only the classifier', () => {
    const model = create();
    expect(model.trainableParameters().map(({ name }) => name)).toEqual(['classifier.weight', 'classifier.bias']);
    expect(model.parameterCounts().trainable).toBe(3 * 36 + 3);
    model.destroy();
  });

  it('adapter mode adds adapters only on the chosen modules', () => {
    const model = create({ trainable: { kind: 'adapters', method: 'ctcm', rank: 2, alpha: 4, modules: ['key', 'output'] } });
    const names = model.trainableParameters().map(({ name }) => name);
    expect(names.slice(0, 2)).toEqual(['classifier.weight', 'classifier.bias']);
    expect(names).toContain('encoder.layer.1.attention.self.key.D');
    expect(names).toContain('encoder.layer.0.output.dense.A');
    expect(names.some((name) => name.includes('query') || name.includes('intermediate'))).toBe(false);
    // 2 layers × (key + output) × A, B, C, D, plus the head's weight and bias.
    expect(names).toHaveLength(2 * 2 * 4 + 2);

    const perLayer = adapterParameterCount('ctcm', 2, 36, 36) + adapterParameterCount('ctcm', 2, 53, 36);
    const counts = model.parameterCounts();
    expect(counts.trainable).toBe(3 * 36 + 3 + 2 * perLayer);
    model.destroy();
  });

  it('full mode trains every base weight, embeddings included', () => {
    const model = create({ trainable: { kind: 'full' } });
    const names = new Set(model.trainableParameters().map(({ name }) => name));
    for (const name of Object.keys(fixture.weights)) {
      expect(names.has(name), name).toBe(!name.startsWith('cls.'));
    }
    const counts = model.parameterCounts();
    expect(counts.trainable).toBe(counts.total);
    model.destroy();
  });

  it('frozen weights get no gradient buffers', () => {
    const before = engine.allocatedBytes;
    const head = create();
    const headBytes = engine.allocatedBytes - before;
    head.destroy();
    const full = create({ trainable: { kind: 'full' } });
    const fullBytes = engine.allocatedBytes - before;
    const { total } = full.parameterCounts();
    full.destroy();
    // Full fine-tuning adds one gradient per parameter (4 bytes each, buffers padded to 16 bytes).
    expect(fullBytes - headBytes).toBeGreaterThanOrEqual(4 * (total - (3 * 36 + 3)));
    expect(engine.allocatedBytes).toBe(before);
  });
});

describe('forward', () => {
  it('returns outputs with batch shapes', () => {
    const model = create();
    const output = model.forward(batch(), { train: false });
    expect(output.hiddenStates.shape).toEqual([3, 11, 36]);
    expect(output.pooled.shape).toEqual([3, 36]);
    expect(output.logits.shape).toEqual([3, 3]);
    expect(output.loss?.shape).toEqual([1]);
    model.destroy();
  });

  it('draws the same dropout masks for the same step', async () => {
    const model = create({ trainable: { kind: 'full' } });
    const evaluation = await readLoss(model, { train: false });
    const first = await readLoss(model, { train: true, step: 3 });
    const again = await readLoss(model, { train: true, step: 3 });
    const next = await readLoss(model, { train: true, step: 4 });
    const noDropout = await readLoss(model, { train: true, dropout: false });
    expect(again).toBe(first);
    expect(next).not.toBe(first);
    expect(first).not.toBe(evaluation);
    expect(noDropout).toBeCloseTo(evaluation, 6);
    model.destroy();
  });

  it('needs a step when dropout runs', () => {
    const model = create();
    expect(() => model.forward(batch(), { train: true })).toThrow(/needs the optimizer step/);
    model.destroy();
  });

  it('draws a missing pooler from the seed', async () => {
    const weights = { ...fixture.weights };
    delete (weights as Record<string, unknown>)['pooler.dense.weight'];
    delete (weights as Record<string, unknown>)['pooler.dense.bias'];
    const first = create({}, weights);
    const second = create({}, weights);
    expect(first.notes.join(' ')).toMatch(/no pooler.dense/);
    const a = await first.forward(batch(), { train: false }).pooled.readFloat();
    const b = await second.forward(batch(), { train: false }).pooled.readFloat();
    expect(Array.from(a)).toEqual(Array.from(b));
    first.destroy();
    second.destroy();
  });

  it('rejects fill-mask without an MLM head', () => {
    const weights = Object.fromEntries(Object.entries(fixture.weights).filter(([name]) => !name.startsWith('cls.')));
    const model = create({}, weights);
    expect(model.hasMlmHead).toBe(false);
    expect(() => model.mlmLogits(batch())).toThrow(/no masked-language-model head/);
    model.destroy();
  });
});

describe('backward', () => {
  it('adds into gradients with accumulate', async () => {
    const model = create({ trainable: { kind: 'full' } });
    model.forward(batch(), { train: true, dropout: false });
    model.backward();
    const once = await Promise.all(model.trainableParameters().map(({ grad }) => grad.readFloat()));
    model.forward(batch(), { train: true, dropout: false });
    model.backward({ accumulate: true });
    const twice = await Promise.all(model.trainableParameters().map(({ grad }) => grad.readFloat()));

    model.trainableParameters().forEach(({ name }, i) => {
      let diff = 0;
      let norm = 0;
      for (let j = 0; j < once[i].length; j++) {
        diff += (twice[i][j] - 2 * once[i][j]) ** 2;
        norm += (2 * once[i][j]) ** 2;
      }
      expect(Math.sqrt(diff), name).toBeLessThanOrEqual(1e-5 * Math.sqrt(norm) + 1e-12);
    });
    model.destroy();
  });

  it('rejects a backward without a training forward', () => {
    const model = create();
    expect(() => model.backward()).toThrow(/needs a training forward with labels/);
    model.forward(batch(), { train: false });
    expect(() => model.backward()).toThrow(/needs a training forward with labels/);
    model.forward({ ...batch(), labels: undefined }, { train: true, step: 0 });
    expect(() => model.backward()).toThrow(/needs a training forward with labels/);
    model.destroy();
  });

  it('lowers the loss with AdamW on adapters', async () => {
    const model = create({ trainable: { kind: 'adapters', method: 'icfm', rank: 2, alpha: 4, modules: ['query', 'value'] } });
    const optimizer = new AdamW(engine, model.trainableParameters(), { lr: 0.05 });
    const start = await readLoss(model, { train: false });
    for (let step = 0; step < 4; step++) {
      model.forward(batch(), { train: true, dropout: false });
      model.backward();
      optimizer.step();
    }
    const end = await readLoss(model, { train: false });
    expect(end).toBeLessThan(start);
    optimizer.destroy();
    model.destroy();
  });
});

describe('GPU memory', () => {
  for (const trainable of [{ kind: 'adapters', method: 'dtsm', rank: 2, alpha: 4, modules: ['query', 'attention.output', 'intermediate'] }, { kind: 'full' }] as const) {
    it(`stays flat over training steps (${trainable.kind})`, async () => {
      const before = engine.allocatedBytes;
      const model = create({ trainable, task: { kind: 'regression' } });
      const optimizer = new AdamW(engine, model.trainableParameters(), { lr: 1e-3 });
      const allocated: number[] = [];
      const tensors: number[] = [];
      for (let step = 1; step <= 5; step++) {
        const { loss } = model.forward(batch(Float32Array.of(0.5, -1, 2)), { train: true, step });
        model.backward();
        optimizer.step();
        expect(Number.isFinite((await loss!.readFloat())[0])).toBe(true);
        allocated.push(engine.allocatedBytes);
        tensors.push(engine.allocatedTensors);
      }
      expect(allocated[4]).toBe(allocated[1]);
      expect(tensors[4]).toBe(tensors[1]);
      optimizer.destroy();
      model.destroy();
      expect(engine.allocatedBytes).toBe(before);
    });
  }
});

describe('input checks', () => {
  it('rejects token ids outside the vocabulary', () => {
    const model = create();
    const input = batch();
    input.inputIds[4] = 97;
    expect(() => model.forward(input, { train: false })).toThrow(/inputIds\[4\] is 97, outside the vocabulary \[0, 97\)/);
    model.destroy();
  });

  it('rejects sequences longer than the position table', () => {
    const model = create();
    const input: BertBatch = { batch: 1, tokens: 41, inputIds: new Int32Array(41).fill(3) };
    expect(() => model.forward(input, { train: false })).toThrow(/Sequence length 41 exceeds the model's 40 position embeddings/);
    model.destroy();
  });

  it('rejects a mask value other than 0 and 1', () => {
    const model = create();
    const input = batch();
    input.attentionMask![7] = 2;
    expect(() => model.forward(input, { train: false })).toThrow(/attentionMask\[7\] is 2/);
    model.destroy();
  });

  it('rejects labels of the wrong kind or range', () => {
    const model = create();
    expect(() => model.forward(batch(Float32Array.of(1, 0, 1)), { train: false })).toThrow(/Classification labels must be an Int32Array/);
    expect(() => model.forward(batch(Int32Array.of(0, 3, 1)), { train: false })).toThrow(/labels\[1\] is 3/);
    model.destroy();
  });

  it('rejects bad options before uploading anything', () => {
    const before = engine.allocatedBytes;
    const adapters = { kind: 'adapters', method: 'lora', rank: 2, alpha: 4 } as const;
    expect(() => create({ trainable: { ...adapters, modules: [] } })).toThrow(/Adapter modules are empty/);
    expect(() => create({ trainable: { ...adapters, modules: ['query', 'query'] } })).toThrow(/listed twice/);
    expect(() => create({ trainable: { ...adapters, rank: 37, modules: ['query'] } })).toThrow(/Rank 37 of encoder.layer.0.attention.self.query is invalid/);
    expect(() => create({ trainable: { ...adapters, modules: ['value'], values: { 'encoder.layer.0.attention.self.query': { a: new Float32Array(72), b: new Float32Array(72) } } } })).toThrow(
      /Adapter values are given for "encoder.layer.0.attention.self.query", which has no adapter/,
    );
    expect(() => create({ task: { kind: 'classification', numLabels: 1 } })).toThrow(/numLabels is 1/);
    expect(() => create({ head: { weight: new Float32Array(10), bias: new Float32Array(3) } })).toThrow(/Head values have 10 weights/);
    expect(() => create({ seed: -1 })).toThrow(/Model seed -1 is invalid/);
    expect(engine.allocatedBytes).toBe(before);
  });

  it('rejects weights that do not match the config', () => {
    const missing = Object.fromEntries(Object.entries(fixture.weights).filter(([name]) => name !== 'encoder.layer.1.output.dense.bias'));
    expect(() => create({}, missing)).toThrow(/missing "encoder.layer.1.output.dense.bias"/);
    const wrongShape = { ...fixture.weights, 'encoder.layer.0.intermediate.dense.weight': { shape: [36, 53], data: new Float32Array(36 * 53) } };
    expect(() => create({}, wrongShape)).toThrow(/"encoder.layer.0.intermediate.dense.weight" has shape \[36, 53\], expected \[53, 36\]/);
  });

  it('rejects use after destroy', () => {
    const model = create();
    model.destroy();
    expect(() => model.forward(batch(), { train: false })).toThrow(/after destroy/);
  });
});
