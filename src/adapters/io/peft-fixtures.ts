// Writes the fixtures of `npm run check:peft` (Node only: it writes files): for each case, the PEFT export of the
// fixture encoder with trained-like adapters, and the output our GPU model computes on the fixture batch.
// tools/reference/peft_check.py loads the exported files into the plain-PyTorch BERT as PEFT would and compares.
//
// Per case, under tools/reference/fixtures/peft/<case>/: adapter_config.json, adapter_model.safetensors,
// README.md, and expected.json with {case, method, base_model, drop_pooler, output_name, output: {shape, data}}.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { POOLER_WEIGHTS, type NamedBertWeights } from '../../model/bert-weights';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { deriveSeed } from '../../util/random';
import type { AdapterMethod } from '../methods';
import { buildPeftFiles, type PeftBaseModel } from './export-peft';
import { fingerprintBaseModel } from './fingerprint';
import { fixtureBatch, TEST_TARGETS, trainedLikeHead, trainedLikeValues } from './fixture-models';
import { readAdapterSnapshot } from './snapshot';

export const PEFT_FIXTURE_DIR = fileURLToPath(new URL('../../../tools/reference/fixtures/peft/', import.meta.url));

/** The base_model_name_or_path written into the fixtures. */
const FIXTURE_MODEL_ID = 'tools/reference/fixtures/encoder';

const RANK = 3;
const ALPHA = 6;
const MODEL_SEED = 20240;

export interface PeftFixtureCase {
  name: string;
  method: AdapterMethod;
  baseModel: PeftBaseModel;
  /** Leave the pooler out of the base weights, so the model draws it and the export saves it in modules_to_save. */
  dropPooler: boolean;
}

/** Every method on BertForSequenceClassification, plus a checkpoint without a pooler and a bare encoder. */
export const PEFT_FIXTURE_CASES: readonly PeftFixtureCase[] = [
  { name: 'lora', method: 'lora', baseModel: 'sequence-classification', dropPooler: false },
  { name: 'shim', method: 'shim', baseModel: 'sequence-classification', dropPooler: false },
  { name: 'icfm', method: 'icfm', baseModel: 'sequence-classification', dropPooler: false },
  { name: 'ctcm', method: 'ctcm', baseModel: 'sequence-classification', dropPooler: false },
  { name: 'dtsm', method: 'dtsm', baseModel: 'sequence-classification', dropPooler: false },
  { name: 'icfm-no-pooler', method: 'icfm', baseModel: 'sequence-classification', dropPooler: true },
  { name: 'ctcm-encoder', method: 'ctcm', baseModel: 'encoder', dropPooler: false },
];

function withoutPooler(weights: NamedBertWeights): NamedBertWeights {
  return Object.fromEntries(Object.entries(weights).filter(([name]) => !(POOLER_WEIGHTS as readonly string[]).includes(name)));
}

/** Formats float32 values with 9 significant digits, which is exact for float32. */
function exactNumbers(values: Float32Array): number[] {
  return Array.from(values, (value) => Number(value.toPrecision(9)));
}

async function writeCase(engine: Engine, fixture: EncoderFixture, fixtureCase: PeftFixtureCase, dir: string): Promise<void> {
  const weights = fixtureCase.dropPooler ? withoutPooler(fixture.weights) : fixture.weights;
  const seed = deriveSeed(MODEL_SEED, fixtureCase.name);
  const model = BertModel.create(engine, fixture.config, weights, {
    task: { kind: 'classification', numLabels: fixture.inputs.numLabels },
    trainable: { kind: 'adapters', method: fixtureCase.method, rank: RANK, alpha: ALPHA, modules: TEST_TARGETS, values: trainedLikeValues(fixture, fixtureCase.method, RANK, TEST_TARGETS, seed) },
    seed,
    head: trainedLikeHead(fixture, seed + 1),
  });
  try {
    const output = model.forward(fixtureBatch(fixture), { train: false });
    const encoder = fixtureCase.baseModel === 'encoder';
    const values = encoder ? await output.hiddenStates.readFloat() : await output.logits.readFloat();
    const shape = encoder ? output.hiddenStates.shape : output.logits.shape;

    const info = { modelId: FIXTURE_MODEL_ID, taskId: 'fixture', base: fingerprintBaseModel(fixture.config, weights) };
    const files = buildPeftFiles(await readAdapterSnapshot(model), info, fixtureCase.baseModel);
    const caseDir = join(dir, fixtureCase.name);
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(caseDir, name), bytes);
    const expected = {
      case: fixtureCase.name,
      method: fixtureCase.method,
      base_model: fixtureCase.baseModel,
      drop_pooler: fixtureCase.dropPooler,
      output_name: encoder ? 'last_hidden_state' : 'logits',
      output: { shape: [...shape], data: exactNumbers(values) },
    };
    writeFileSync(join(caseDir, 'expected.json'), `${JSON.stringify(expected)}\n`);
  } finally {
    model.destroy();
  }
}

/** Writes every case under `dir` and returns the case names. */
export async function writePeftFixtures(engine: Engine, dir = PEFT_FIXTURE_DIR): Promise<string[]> {
  const fixture = await loadEncoderFixture();
  for (const fixtureCase of PEFT_FIXTURE_CASES) await writeCase(engine, fixture, fixtureCase, dir);
  return PEFT_FIXTURE_CASES.map((fixtureCase) => fixtureCase.name);
}
