// The PEFT export. Folding T into B reproduces ΔW for every method, and the key names and adapter_config.json
// follow PEFT's save format. target_modules selects exactly the adapted layers under PEFT's matching rule, and
// the zip and README contain what a PyTorch user needs.
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { SafetensorsFile } from '../../model/safetensors';
import { LowRankAdapter } from '../lowrank';
import { ADAPTER_METHODS, METHOD_SPECS, scaling, type AdapterMethod } from '../methods';
import { buildPeftFiles, foldCore, peftAdapterConfig, peftTargetModules, PEFT_CONFIG_FILE, PEFT_README_FILE, PEFT_WEIGHTS_FILE, zipFiles } from './export-peft';
import { readAdapterSnapshot, type AdapterSnapshot } from './snapshot';
import { fixtureRunInfo, TEST_TARGETS, trainedLikeHead, trainedLikeValues, uniformValues } from './fixture-models';

let engine: Engine;
let fixture: EncoderFixture;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
});

const RANK = 3;
const ALPHA = 5;

/** Module names of transformers' BertForSequenceClassification (named_modules()), with whether each is an nn.Linear. */
function sequenceClassificationModules(layers: number): Array<{ name: string; linear: boolean }> {
  const modules: Array<{ name: string; linear: boolean }> = [];
  const add = (name: string, linear = false): void => {
    modules.push({ name, linear });
  };
  add('bert');
  add('bert.embeddings');
  for (const part of ['word_embeddings', 'position_embeddings', 'token_type_embeddings', 'LayerNorm', 'dropout']) add(`bert.embeddings.${part}`);
  add('bert.encoder');
  add('bert.encoder.layer');
  for (let i = 0; i < layers; i++) {
    const layer = `bert.encoder.layer.${i}`;
    add(layer);
    add(`${layer}.attention`);
    add(`${layer}.attention.self`);
    for (const projection of ['query', 'key', 'value']) add(`${layer}.attention.self.${projection}`, true);
    add(`${layer}.attention.self.dropout`);
    add(`${layer}.attention.output`);
    add(`${layer}.attention.output.dense`, true);
    add(`${layer}.attention.output.LayerNorm`);
    add(`${layer}.attention.output.dropout`);
    add(`${layer}.intermediate`);
    add(`${layer}.intermediate.dense`, true);
    add(`${layer}.intermediate.intermediate_act_fn`);
    add(`${layer}.output`);
    add(`${layer}.output.dense`, true);
    add(`${layer}.output.LayerNorm`);
    add(`${layer}.output.dropout`);
  }
  add('bert.pooler');
  add('bert.pooler.dense', true);
  add('bert.pooler.activation');
  add('dropout');
  add('classifier', true);
  return modules;
}

/** PEFT's rule for a list of target_modules: a module matches an entry by equality or by the suffix ".<entry>". */
function peftMatches(name: string, targets: readonly string[]): boolean {
  return targets.includes(name) || targets.some((target) => name.endsWith(`.${target}`));
}

async function snapshotOf(method: AdapterMethod, hasHead = true): Promise<{ snapshot: AdapterSnapshot; model: BertModel }> {
  const model = BertModel.create(engine, fixture.config, fixture.weights, {
    task: { kind: 'classification', numLabels: fixture.inputs.numLabels },
    trainable: { kind: 'adapters', method, rank: RANK, alpha: ALPHA, modules: TEST_TARGETS, values: trainedLikeValues(fixture, method, RANK, TEST_TARGETS, 11) },
    seed: 9,
    head: hasHead ? trainedLikeHead(fixture, 12) : undefined,
  });
  return { snapshot: await readAdapterSnapshot(model), model };
}

describe('folding T into B', () => {
  for (const method of ADAPTER_METHODS) {
    it(`${method}: s·(B·T)·A equals deltaWeight()`, async () => {
      const [inFeatures, outFeatures, rank, alpha] = [13, 11, 4, 7];
      const values = {
        a: uniformValues(1, rank * inFeatures, 0.3),
        b: uniformValues(2, outFeatures * rank, 0.3),
        c: METHOD_SPECS[method].factors.includes('C') ? uniformValues(3, rank * rank, 0.5) : undefined,
        d: METHOD_SPECS[method].factors.includes('D') ? uniformValues(4, rank * rank, 0.5) : undefined,
      };
      const adapter = LowRankAdapter.fromValues(engine, { method, rank, alpha, inFeatures, outFeatures, name: 'fold' }, values);
      const delta = adapter.deltaWeight();
      const gpu = await delta.readFloat();
      delta.destroy();
      adapter.destroy();

      const folded = foldCore(method, rank, { path: 'fold', target: 'query', inFeatures, outFeatures, values });
      const s = scaling(alpha, rank);
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < outFeatures; i++) {
        for (let j = 0; j < inFeatures; j++) {
          let host = 0;
          for (let k = 0; k < rank; k++) host += folded[i * rank + k] * values.a[k * inFeatures + j];
          host *= s;
          diff += (host - gpu[i * inFeatures + j]) ** 2;
          norm += host ** 2;
        }
      }
      expect(norm).toBeGreaterThan(0);
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-6);
    });
  }

  it('lora: folded B is B unchanged', () => {
    const values = { a: uniformValues(1, 2 * 5, 1), b: uniformValues(2, 3 * 2, 1) };
    expect(foldCore('lora', 2, { path: 'p', target: 'query', inFeatures: 5, outFeatures: 3, values })).toEqual(values.b);
  });
});

describe('target_modules', () => {
  it('selects exactly the adapted Linear layers under PEFT matching', () => {
    const targets = peftTargetModules(TEST_TARGETS, 2, 'sequence-classification');
    expect(targets).toEqual(['query', 'value', 'attention.output.dense', 'intermediate.dense', 'bert.encoder.layer.0.output.dense', 'bert.encoder.layer.1.output.dense']);
    const matched = sequenceClassificationModules(2).filter(({ name }) => peftMatches(name, targets));
    expect(matched.every(({ linear }) => linear)).toBe(true);
    const expected = [0, 1].flatMap((i) =>
      ['attention.self.query', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense'].map((module) => `bert.encoder.layer.${i}.${module}`),
    );
    expect(matched.map(({ name }) => name).sort()).toEqual(expected.sort());
  });

  it('naive suffix "output.dense" would also match attention.output.dense', () => {
    // Why the export names the feed-forward output layer by its full path.
    const matched = sequenceClassificationModules(1).filter(({ name }) => peftMatches(name, ['output.dense']));
    expect(matched.map(({ name }) => name)).toEqual(['bert.encoder.layer.0.attention.output.dense', 'bert.encoder.layer.0.output.dense']);
  });

  it('key and value leaf names match only the attention projections', () => {
    const targets = peftTargetModules(['key', 'value'], 3, 'sequence-classification');
    const matched = sequenceClassificationModules(3).filter(({ name }) => peftMatches(name, targets));
    expect(matched).toHaveLength(6);
    expect(matched.every(({ name }) => /attention\.self\.(key|value)$/.test(name))).toBe(true);
  });

  it('bare encoder names have no "bert." prefix', () => {
    expect(peftTargetModules(['output'], 2, 'encoder')).toEqual(['encoder.layer.0.output.dense', 'encoder.layer.1.output.dense']);
  });
});

describe('PEFT files', () => {
  it('adapter_config.json has the LoRA fields', async () => {
    const { snapshot, model } = await snapshotOf('icfm');
    const config = peftAdapterConfig(snapshot, fixtureRunInfo(fixture));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'SEQ_CLS',
      base_model_name_or_path: 'tools/reference/fixtures/encoder',
      r: RANK,
      lora_alpha: ALPHA,
      lora_dropout: 0,
      bias: 'none',
      fan_in_fan_out: false,
      use_rslora: false,
      modules_to_save: ['classifier'],
    });
    model.destroy();
  });

  it('weights use PEFT key names and shapes', async () => {
    const { snapshot, model } = await snapshotOf('ctcm');
    const files = buildPeftFiles(snapshot, fixtureRunInfo(fixture));
    const file = await SafetensorsFile.open(files[PEFT_WEIGHTS_FILE], PEFT_WEIGHTS_FILE);
    expect(file.metadata).toEqual({ format: 'pt' });

    const hidden = fixture.config.hiddenSize;
    const inter = fixture.config.intermediateSize;
    expect(file.info('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')?.shape).toEqual([RANK, hidden]);
    expect(file.info('base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight')?.shape).toEqual([hidden, RANK]);
    expect(file.info('base_model.model.bert.encoder.layer.1.intermediate.dense.lora_B.weight')?.shape).toEqual([inter, RANK]);
    expect(file.info('base_model.model.bert.encoder.layer.1.output.dense.lora_A.weight')?.shape).toEqual([RANK, inter]);
    expect(file.info('base_model.model.classifier.weight')?.shape).toEqual([3, hidden]);
    expect(file.info('base_model.model.classifier.bias')?.shape).toEqual([3]);
    // 2 layers × 5 modules × (lora_A, lora_B), plus the head; no C or D, no pooler (the fixture has one).
    expect(file.names).toHaveLength(2 * 5 * 2 + 2);
    expect(file.names.some((name) => /lora_[AB]\.default|modules_to_save|\.C$|\.D$|pooler/.test(name))).toBe(false);

    const module = snapshot.modules.find(({ path }) => path === 'encoder.layer.0.attention.self.query')!;
    expect(await file.read('base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight')).toEqual(module.values.a);
    expect(await file.read('base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight')).toEqual(foldCore('ctcm', RANK, module));
    expect(await file.read('base_model.model.classifier.weight')).toEqual(trainedLikeHead(fixture, 12).weight);
    model.destroy();
  });

  it('saves a seed-drawn pooler in modules_to_save', async () => {
    const { snapshot, model } = await snapshotOf('lora');
    const info = { ...fixtureRunInfo(fixture), base: { ...fixtureRunInfo(fixture).base, hasPooler: false } };
    expect(peftAdapterConfig(snapshot, info).modules_to_save).toEqual(['classifier', 'pooler']);
    const file = await SafetensorsFile.open(buildPeftFiles(snapshot, info)[PEFT_WEIGHTS_FILE]);
    expect(await file.read('base_model.model.bert.pooler.dense.weight')).toEqual(snapshot.pooler?.weight);
    expect(file.info('base_model.model.bert.pooler.dense.bias')?.shape).toEqual([fixture.config.hiddenSize]);
    model.destroy();
  });

  it('bare encoder export has no head and task_type null', async () => {
    const { snapshot, model } = await snapshotOf('dtsm');
    const files = buildPeftFiles(snapshot, fixtureRunInfo(fixture), 'encoder');
    const config = JSON.parse(strFromU8(files[PEFT_CONFIG_FILE])) as Record<string, unknown>;
    expect(config.task_type).toBeNull();
    expect(config.modules_to_save).toBeNull();
    const file = await SafetensorsFile.open(files[PEFT_WEIGHTS_FILE]);
    expect(file.names.every((name) => name.startsWith('base_model.model.encoder.layer.'))).toBe(true);
    model.destroy();
  });

  it('README states method, rank, alpha, T, seed, task and metrics', async () => {
    const { snapshot, model } = await snapshotOf('shim');
    const readme = strFromU8(buildPeftFiles(snapshot, fixtureRunInfo(fixture))[PEFT_README_FILE]);
    expect(readme).toContain('Method: SHIM (T = C)');
    expect(readme).toContain(`Rank r = ${RANK}, lora_alpha = ${ALPHA}`);
    expect(readme).toContain('Seed: 9');
    expect(readme).toContain('Task: fixture, classification into 3 labels');
    expect(readme).toContain('dev at step 10: accuracy 0.7500, loss 0.5000');
    expect(readme).toMatch(/`encoder\.layer\.0\.attention\.self\.query`: T = \[\[/);
    expect(readme).toContain('PeftModel.from_pretrained');
    model.destroy();
  });

  it('zip holds the three files in one folder', async () => {
    const { snapshot, model } = await snapshotOf('lora');
    const files = buildPeftFiles(snapshot, fixtureRunInfo(fixture));
    const unpacked = unzipSync(zipFiles(files, 'lora-seed9'));
    expect(Object.keys(unpacked).sort()).toEqual(['lora-seed9/README.md', 'lora-seed9/adapter_config.json', 'lora-seed9/adapter_model.safetensors']);
    expect(unpacked['lora-seed9/adapter_model.safetensors']).toEqual(files[PEFT_WEIGHTS_FILE]);
    model.destroy();
  });

  it('rejects a model without adapters', async () => {
    const model = BertModel.create(engine, fixture.config, fixture.weights, { task: { kind: 'regression' }, trainable: { kind: 'head' }, seed: 1 });
    await expect(readAdapterSnapshot(model)).rejects.toThrow(/Only an adapter run can be exported as adapters; this model trains "head"/);
    model.destroy();
  });
});
