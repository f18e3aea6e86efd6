// Runs the BERT model on the PyTorch fixtures written by tools/reference/encoder.py and measures the relative
// error ‖ours − ref‖ / ‖ref‖ of every output and gradient (Node only: it reads the fixture files).
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdapterValues } from '../adapters/init';
import { parseMethod } from '../adapters/methods';
import { MAX_RELATIVE_ERROR, relativeError } from '../gpu/checks/compare';
import type { FixtureTensor } from '../gpu/checks/fixtures';
import type { Engine } from '../gpu/engine';
import { BertModel, type BertModelOptions } from './bert';
import { weightsFromCheckpoint, type NamedBertWeights } from './bert-weights';
import type { BertBatch } from './batch';
import { readBertCheckpoint } from './checkpoint';
import { parseBertConfigText, type BertConfig } from './config';
import { SafetensorsFile } from './safetensors';
import { ADAPTER_TARGETS, type AdapterTarget } from './trainable';

export const ENCODER_FIXTURE_DIR = fileURLToPath(new URL('../../tools/reference/fixtures/encoder/', import.meta.url));

/** One report row: the max relative error of each output or gradient group. */
export interface EncoderCheckRow {
  row: string;
  /** Max relative error per group; NaN when a value was not finite or a tensor was missing. */
  errors: Record<string, number>;
  /** The tensor with the largest error, for a failing row. */
  worst: string;
  passed: boolean;
}

interface InputsFixture {
  batch: number;
  tokens: number;
  seed: number;
  numLabels: number;
  inputs: Record<'input_ids' | 'token_type_ids' | 'attention_mask' | 'class_labels' | 'regression_targets', FixtureTensor>;
  expected: Record<
    'last_hidden_state' | 'pooled_output' | 'classification_logits' | 'classification_loss' | 'regression_output' | 'regression_loss' | 'mlm_logits',
    FixtureTensor
  >;
}

interface GradientFixture {
  expected: {
    loss: FixtureTensor;
    gradients: Record<string, FixtureTensor>;
    /** Parameters whose gradient is exactly 0 in exact arithmetic (the attention key biases). */
    zero_gradients?: string[];
  };
}

interface AdapterFixture extends GradientFixture {
  method: string;
  rank: number;
  alpha: number;
  modules: string[];
  adapters: Record<string, Record<'A' | 'B' | 'C' | 'D', FixtureTensor | undefined>>;
}

/** The fixture model and batch, loaded once per run. */
export interface EncoderFixture {
  config: BertConfig;
  weights: NamedBertWeights;
  inputs: InputsFixture;
}

function readFixtureText(name: string): string {
  const path = `${ENCODER_FIXTURE_DIR}${name}`;
  if (!existsSync(path)) {
    throw new Error(`Encoder fixture ${path} is missing. Regenerate it with \`npm run reference:encoder\` (needs Debian's python3-torch).`);
  }
  return readFileSync(path, 'utf8');
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFixtureText(name)) as T;
}

/** Reads config.json and model.safetensors through the checkpoint loader, and inputs.json. */
export async function loadEncoderFixture(): Promise<EncoderFixture> {
  const config = parseBertConfigText(readFixtureText('config.json'), 'config.json');
  const path = `${ENCODER_FIXTURE_DIR}model.safetensors`;
  if (!existsSync(path)) throw new Error(`Encoder fixture ${path} is missing. Regenerate it with \`npm run reference:encoder\`.`);
  const file = await SafetensorsFile.open(new Uint8Array(readFileSync(path)), 'model.safetensors');
  const checkpoint = await readBertCheckpoint(file, config);
  return { config, weights: weightsFromCheckpoint(checkpoint), inputs: readFixture<InputsFixture>('inputs.json') };
}

function fixtureBatch(inputs: InputsFixture, labels: Int32Array | Float32Array): BertBatch {
  return {
    batch: inputs.batch,
    tokens: inputs.tokens,
    inputIds: Int32Array.from(inputs.inputs.input_ids.data),
    tokenTypeIds: Int32Array.from(inputs.inputs.token_type_ids.data),
    attentionMask: Int32Array.from(inputs.inputs.attention_mask.data),
    labels,
  };
}

/** Collects errors into named groups and keeps the worst tensor. */
class ErrorTable {
  readonly errors: Record<string, number> = {};
  private worstError = -1;
  private worstName = '';

  add(group: string, name: string, actual: ArrayLike<number> | undefined, expected: FixtureTensor): void {
    if (!actual) {
      this.fail(group, `${name} (missing)`);
      return;
    }
    const error = relativeError(actual, expected.data);
    const previous = this.errors[group] ?? 0;
    this.errors[group] = Number.isNaN(error) || Number.isNaN(previous) ? Number.NaN : Math.max(previous, error);
    const score = Number.isNaN(error) ? Infinity : error;
    if (score > this.worstError) {
      this.worstError = score;
      this.worstName = name;
    }
  }

  /** Marks `group` as failed (NaN), e.g. for a tensor that exists on one side only. */
  fail(group: string, name: string): void {
    this.errors[group] = Number.NaN;
    this.worstError = Infinity;
    this.worstName = name;
  }

  row(row: string): EncoderCheckRow {
    const passed = Object.values(this.errors).every((error) => !Number.isNaN(error) && error <= MAX_RELATIVE_ERROR);
    return { row, errors: this.errors, worst: this.worstName, passed };
  }
}

/** Rows hidden-states … mlm-logits: evaluation forwards of the classification and regression models. */
async function forwardRows(engine: Engine, fixture: EncoderFixture): Promise<EncoderCheckRow[]> {
  const { config, weights, inputs } = fixture;
  const { expected } = inputs;
  const classLabels = Int32Array.from(inputs.inputs.class_labels.data);
  const targets = Float32Array.from(inputs.inputs.regression_targets.data);
  const single = (row: string, actual: ArrayLike<number>, reference: FixtureTensor): EncoderCheckRow => {
    const table = new ErrorTable();
    table.add('output', row, actual, reference);
    return table.row(row);
  };

  // The heads are drawn from the fixture's seed, which tools/reference/encoder.py mirrors.
  const classifier = BertModel.create(engine, config, weights, { task: { kind: 'classification', numLabels: inputs.numLabels }, trainable: { kind: 'head' }, seed: inputs.seed });
  const classified = classifier.forward(fixtureBatch(inputs, classLabels), { train: false });
  const rows = [
    single('hidden-states', await classified.hiddenStates.readFloat(), expected.last_hidden_state),
    single('pooled', await classified.pooled.readFloat(), expected.pooled_output),
    single('logits-cls', await classified.logits.readFloat(), expected.classification_logits),
    single('loss-cls', await classified.loss!.readFloat(), expected.classification_loss),
  ];
  const mlm = classifier.mlmLogits(fixtureBatch(inputs, classLabels));
  const mlmRow = single('mlm-logits', await mlm.readFloat(), expected.mlm_logits);
  mlm.destroy();
  classifier.destroy();

  const regressor = BertModel.create(engine, config, weights, { task: { kind: 'regression' }, trainable: { kind: 'head' }, seed: inputs.seed });
  const regressed = regressor.forward(fixtureBatch(inputs, targets), { train: false });
  rows.push(single('logits-reg', await regressed.logits.readFloat(), expected.regression_output));
  rows.push(single('loss-reg', await regressed.loss!.readFloat(), expected.regression_loss));
  regressor.destroy();
  rows.push(mlmRow);
  return rows;
}

/** Group of a gradient in the report: head, adapters, embeddings, encoder or pooler. */
function gradientGroup(name: string): string {
  if (name.startsWith('classifier.')) return 'head';
  if (/\.(A|B|C|D)$/.test(name)) return 'adapters';
  if (name.startsWith('embeddings.')) return 'embeddings';
  if (name.startsWith('pooler.')) return 'pooler';
  return 'encoder';
}

/**
 * Trains one step's gradients in evaluation mode (no dropout, as the reference) and compares the loss and every
 * gradient. The set of trainable parameters must equal the reference's, so a frozen weight with a gradient fails.
 */
async function gradientRow(engine: Engine, fixture: EncoderFixture, row: string, options: BertModelOptions, reference: GradientFixture): Promise<EncoderCheckRow> {
  const { inputs } = fixture;
  const model = BertModel.create(engine, fixture.config, fixture.weights, options);
  const output = model.forward(fixtureBatch(inputs, Int32Array.from(inputs.inputs.class_labels.data)), { train: true, dropout: false });
  model.backward();

  const table = new ErrorTable();
  table.add('loss', 'loss', await output.loss!.readFloat(), reference.expected.loss);
  const trained = new Map(model.trainableParameters().map((parameter) => [parameter.name, parameter]));
  for (const [name, expected] of Object.entries(reference.expected.gradients)) {
    const parameter = trained.get(name);
    table.add(gradientGroup(name), name, parameter ? await parameter.grad.readFloat() : undefined, expected);
  }
  // A gradient that is exactly 0 has no scale of its own, so its norm is compared with the norm of all gradients.
  const zero = reference.expected.zero_gradients ?? [];
  const globalNorm = Math.sqrt(Object.values(reference.expected.gradients).reduce((sum, { data }) => sum + data.reduce((s, v) => s + v * v, 0), 0));
  for (const name of zero) {
    const parameter = trained.get(name);
    if (!parameter) {
      table.fail('zero', `${name} (missing)`);
      continue;
    }
    const values = await parameter.grad.readFloat();
    table.add('zero', name, [Math.hypot(...values) / globalNorm], { shape: [1], data: [0] });
  }

  const extra = [...trained.keys()].filter((name) => !(name in reference.expected.gradients) && !zero.includes(name));
  if (extra.length > 0) table.fail('frozen', `${extra[0]} (trainable here, frozen in the reference)`);
  model.destroy();
  return table.row(row);
}

function adapterValues(fixture: AdapterFixture): Record<string, AdapterValues> {
  const values: Record<string, AdapterValues> = {};
  const floats = (tensor: FixtureTensor | undefined): Float32Array | undefined => (tensor ? Float32Array.from(tensor.data) : undefined);
  for (const [path, factors] of Object.entries(fixture.adapters)) {
    values[path] = { a: floats(factors.A)!, b: floats(factors.B)!, c: floats(factors.C), d: floats(factors.D) };
  }
  return values;
}

function adapterTargets(modules: string[]): AdapterTarget[] {
  return modules.map((module) => {
    if (!(ADAPTER_TARGETS as readonly string[]).includes(module)) throw new Error(`Adapter fixture names unknown module "${module}".`);
    return module as AdapterTarget;
  });
}

/** Runs every encoder check and returns one row per output or gradient group. */
export async function runEncoderChecks(engine: Engine): Promise<EncoderCheckRow[]> {
  const fixture = await loadEncoderFixture();
  const classification = { kind: 'classification' as const, numLabels: fixture.inputs.numLabels };
  const rows = await forwardRows(engine, fixture);

  for (const method of ['lora', 'shim', 'icfm', 'ctcm', 'dtsm']) {
    const reference = readFixture<AdapterFixture>(`adapter-${method}.json`);
    const trainable = {
      kind: 'adapters' as const,
      method: parseMethod(reference.method),
      rank: reference.rank,
      alpha: reference.alpha,
      modules: adapterTargets(reference.modules),
      values: adapterValues(reference),
    };
    rows.push(await gradientRow(engine, fixture, `adapter-${method}`, { task: classification, trainable, seed: fixture.inputs.seed }, reference));
  }

  const full = readFixture<GradientFixture>('full-finetune.json');
  rows.push(await gradientRow(engine, fixture, 'full-finetune', { task: classification, trainable: { kind: 'full' }, seed: fixture.inputs.seed }, full));
  return rows;
}
