// Continued training from a native adapter file on the tiny BERT and Dawn. A DTSM run of 2 steps writes its file.
// A continuation of that file starts from exactly the trained model: same logits, same dev metrics at step 0. It
// draws the batch and dropout masks of the steps after the file's, trains the adapters and the head on, and
// records the total steps in its own file. A spec that does not fit the file stops with the reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintBaseModel } from '../adapters/io/fingerprint';
import { createModelFromNative, parseNativeAdapters, type NativeAdapters } from '../adapters/io/native-format';
import { nativeAdapterFile, type NativeAdapterFile } from '../adapters/io/run-files';
import { finalEvaluations, runInfoFromRecord } from '../adapters/io/run-info';
import { trainingBatches } from '../data/batching';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import type { BertModel } from '../model/bert';
import { continuationSpec, continuationWarmupSteps, loadInitialAdapters } from './continuation';
import { ExperimentControl } from './control';
import { encodeSplit, gatherBatch, taskSpecOf, type EncodedSplit } from './encoded-data';
import type { WorkerEvent } from './protocol';
import { runExperiment, splitExamples } from './runner';
import { TrainingSession } from './session';
import { tinyClassificationTask, tinyModel, tinySpec, tinySplits, type TinyModel } from './test-fixtures';
import { createRunModel, withDropout, type RunContext } from './trainer';
import type { ExperimentSpec, RunRecord } from './types';

let engine: Engine;
let model: TinyModel;

/** The trained DTSM run of 2 steps: its spec, record, native file, and its logits on the first dev rows. */
let original: { spec: ExperimentSpec; record: RunRecord; file: NativeAdapterFile; native: NativeAdapters; devLogits: Float32Array };

const STEPS_BEFORE = 2;
const HYPERPARAMETERS = { steps: STEPS_BEFORE, warmupSteps: 0, evalInterval: 5, evalExamples: 3 };

async function encodedSplits(spec: ExperimentSpec): Promise<Record<'train' | 'dev' | 'test', EncodedSplit>> {
  const splits = tinySplits();
  const task = taskSpecOf(tinyClassificationTask(splits));
  const hp = spec.hyperparameters;
  return {
    train: await encodeSplit(model.tokenizer, splitExamples(splits, 'train', hp), 'train', task, hp.maxLength),
    dev: await encodeSplit(model.tokenizer, splitExamples(splits, 'dev', hp), 'dev', task, hp.maxLength),
    test: await encodeSplit(model.tokenizer, splitExamples(splits, 'test', hp), 'test', task, hp.maxLength),
  };
}

/** Runs the first three dev rows through the model in evaluation mode. */
async function devLogits(trained: BertModel, dev: EncodedSplit): Promise<Float32Array> {
  return trained.forward(gatherBatch(dev, [0, 1, 2]), { train: false }).logits.readFloat();
}

async function run(spec: ExperimentSpec, onFinished?: (trained: BertModel, record: RunRecord) => Promise<void>) {
  const splits = tinySplits();
  const events: WorkerEvent[] = [];
  const result = await runExperiment({
    engine,
    spec,
    config: model.config,
    weights: model.weights,
    tokenizer: model.tokenizer,
    task: tinyClassificationTask(splits),
    splits,
    onEvent: (event) => events.push(event),
    onRunFinished: onFinished,
  });
  return { result, events };
}

/** Runs a spec and returns the native file of its single run, serialized as the Worker does. */
async function runWithFile(spec: ExperimentSpec) {
  let file: NativeAdapterFile | null = null;
  let logits: Float32Array | null = null;
  const dev = (await encodedSplits(spec)).dev;
  const { result, events } = await run(spec, async (trained, record) => {
    file = await nativeAdapterFile(trained, runInfoFromRecord(spec, record, fingerprintBaseModel(model.config, model.weights)));
    logits = await devLogits(trained, dev);
  });
  return { result, events, file: file as NativeAdapterFile | null, logits: logits as Float32Array | null };
}

function continued(overrides: Partial<Parameters<typeof continuationSpec>[0]> = {}): ExperimentSpec {
  return continuationSpec({ file: original.file, description: original.native.description, steps: 2, id: 'continued', createdAt: '2024-01-02T00:00:00.000Z', ...overrides });
}

beforeAll(async () => {
  engine = await testEngine();
  model = tinyModel();
  const spec = tinySpec(['dtsm'], [1], HYPERPARAMETERS);
  const { result, file, logits } = await runWithFile(spec);
  expect(result.runs[0].status).toBe('done');
  original = { spec, record: result.runs[0], file: file!, native: await parseNativeAdapters(file!.bytes, file!.fileName), devLogits: logits! };
});

describe('continuationSpec', () => {
  it('builds one run of the file', () => {
    const spec = continued({ steps: 5 });
    expect(spec.methods).toEqual(['dtsm']);
    expect(spec.seeds).toEqual([1]);
    expect(spec.taskId).toBe('tiny-cat');
    // The file names a model from local files, which a Worker cannot read, so the embedded model is loaded instead.
    expect(spec.model).toEqual({ id: 'embedded', source: 'embedded' });
    expect(spec.hyperparameters).toEqual({ ...original.spec.hyperparameters, steps: 5, warmupSteps: 0 });
    expect(spec.initialAdapters).toEqual({ fileName: 'dtsm-seed1.mtlora.safetensors', bytes: original.file.bytes, stepsBefore: STEPS_BEFORE });
  });

  it('takes a new learning rate', () => {
    expect(continued({ learningRate: 5e-3 }).hyperparameters.learningRate).toBe(5e-3);
  });

  it('caps the warm-up at steps − 1', () => {
    expect(continuationWarmupSteps(20, 5)).toBe(4);
    expect(continuationWarmupSteps(3, 10)).toBe(3);
    expect(continuationWarmupSteps(3, 1)).toBe(0);
  });

  it('rejects invalid steps', () => {
    expect(() => continued({ steps: 0 })).toThrow('Steps 0 is invalid; use an integer of at least 1.');
  });
});

describe('continued run', () => {
  it('starts from the stored model', async () => {
    const spec = continued();
    const data = await encodedSplits(spec);
    const context: RunContext = {
      engine,
      experimentId: spec.id,
      config: model.config,
      weights: model.weights,
      task: taskSpecOf(tinyClassificationTask()),
      metrics: ['accuracy', 'f1'],
      data,
      hyperparameters: spec.hyperparameters,
      control: new ExperimentControl(),
    };
    const initial = await loadInitialAdapters(spec, tinyClassificationTask(), model.config, model.weights);
    expect(initial.stepsBefore).toBe(STEPS_BEFORE);
    const start = createRunModel(context, { method: 'dtsm', seed: 1, learningRate: spec.hyperparameters.learningRate, initial });
    try {
      expect(await devLogits(start, data.dev)).toEqual(original.devLogits);
    } finally {
      start.destroy();
    }

    // The runner evaluates dev before the first step and gets the trained run's final dev loss and metrics.
    const { result } = await run(spec);
    const [record] = result.runs;
    const storedDev = finalEvaluations(original.record).find((point) => point.split === 'dev')!;
    expect(record.evals[0]).toEqual({ ...storedDev, step: 0 });
    expect(original.native.description.metrics).toContainEqual(storedDev);
  });

  it('trains on from the steps after the file', async () => {
    const spec = continued();
    const { result, events, file } = await runWithFile(spec);
    expect(result.status).toBe('done');
    expect(result.runs).toHaveLength(1);
    const [record] = result.runs;
    expect(record).toMatchObject({ experimentId: 'continued', method: 'dtsm', seed: 1, status: 'done' });
    expect(record.curve.map((point) => point.step)).toEqual([1, 2]);
    expect(record.evals.map((point) => `${point.split}@${point.step}`)).toEqual(['dev@0', 'dev@2', 'test@2']);
    expect(events).toContainEqual({ type: 'status', message: 'Continuing dtsm-seed1.mtlora.safetensors after its 2 steps, with fresh AdamW moments.' });

    // Step 1 of the continuation computes its loss on batch 3 of seed 1 with the dropout masks of step 3.
    const data = await encodedSplits(spec);
    const order = trainingBatches(Array.from({ length: data.train.size }, (_, i) => i), spec.hyperparameters.batchSize, 1);
    for (let step = 0; step < STEPS_BEFORE; step++) order.next();
    const expectedModel = createModelFromNative(engine, withDropout(model.config, spec.hyperparameters.dropout), model.weights, original.native);
    try {
      const output = expectedModel.forward(gatherBatch(data.train, order.next().value.examples), { train: true, step: STEPS_BEFORE + 1 });
      expect(record.curve[0].loss).toBe((await output.loss!.readFloat())[0]);
    } finally {
      expectedModel.destroy();
    }
    expect(record.curve[1].loss).not.toBe(record.curve[0].loss);

    // Every factor and the head moved away from the file's values.
    const after = await parseNativeAdapters(file!.bytes, file!.fileName);
    for (const [path, values] of Object.entries(original.native.values)) {
      for (const factor of ['a', 'b', 'c', 'd'] as const) {
        expect(after.values[path][factor], `${path}.${factor}`).not.toEqual(values[factor]);
      }
    }
    expect(after.head.weight).not.toEqual(original.native.head.weight);
    expect(after.description.trainedSteps).toBe(STEPS_BEFORE + 2);
    expect(after.description.hyperparameters?.steps).toBe(2);
    expect(after.description.metrics).toEqual(finalEvaluations(record));
  });

  it('continues a continued file after all its steps', async () => {
    const { file } = await runWithFile(continued());
    const again = await parseNativeAdapters(file!.bytes, file!.fileName);
    const spec = continuationSpec({ file: file!, description: again.description, steps: 1, id: 'continued-twice', createdAt: '2024-01-03T00:00:00.000Z' });
    expect(spec.initialAdapters?.stepsBefore).toBe(STEPS_BEFORE + 2);
    const { result } = await run(spec);
    expect(result.runs[0].status).toBe('done');
    const storedDev = again.description.metrics!.find((point) => point.split === 'dev')!;
    expect(result.runs[0].evals[0]).toEqual({ ...storedDev, step: 0 });
  });
});

describe('mismatched continuation', () => {
  const cases: Array<{ name: string; change: (spec: ExperimentSpec) => ExperimentSpec; message: string }> = [
    {
      name: 'another rank',
      change: (spec) => ({ ...spec, hyperparameters: { ...spec.hyperparameters, rank: 4 } }),
      message: 'The adapters in this file (trained on "tiny") do not fit: rank: the file has rank 2, expected 4.',
    },
    {
      name: 'other modules',
      change: (spec) => ({ ...spec, hyperparameters: { ...spec.hyperparameters, modules: ['query', 'key', 'value'] } }),
      message: 'The adapters in this file (trained on "tiny") do not fit: modules: the file adapts query, value, expected query, key, value.',
    },
    {
      name: 'another method',
      change: (spec) => ({ ...spec, methods: ['lora'] }),
      message: 'The adapters in this file (trained on "tiny") do not fit: method: the file has DTSM, expected LoRA.',
    },
    {
      name: 'a baseline method',
      change: (spec) => ({ ...spec, methods: ['head'] }),
      message: 'Method "head" trains no adapters, so it cannot continue dtsm-seed1.mtlora.safetensors; use the file\'s method "dtsm".',
    },
    {
      name: 'two seeds',
      change: (spec) => ({ ...spec, seeds: [1, 2] }),
      message: 'An experiment that continues dtsm-seed1.mtlora.safetensors has one method and one seed, the file\'s; this one has methods dtsm and seeds 1, 2.',
    },
    {
      name: 'another seed',
      change: (spec) => ({ ...spec, seeds: [2] }),
      message: 'dtsm-seed1.mtlora.safetensors was trained with seed 1, but the experiment runs seed 2; a continued run keeps the file\'s seed.',
    },
    {
      name: 'another alpha',
      change: (spec) => ({ ...spec, hyperparameters: { ...spec.hyperparameters, alpha: 8 } }),
      message: 'dtsm-seed1.mtlora.safetensors has alpha 4, but the experiment sets alpha 8; a continued run keeps the file\'s alpha.',
    },
    {
      name: 'wrong steps before',
      change: (spec) => ({ ...spec, initialAdapters: { ...spec.initialAdapters!, stepsBefore: 7 } }),
      message: 'initialAdapters.stepsBefore is 7, but dtsm-seed1.mtlora.safetensors was trained for 2 steps; build the spec with continuationSpec().',
    },
    {
      name: 'no file bytes',
      change: (spec) => ({ ...spec, initialAdapters: { fileName: 'x.mtlora.safetensors', bytes: [1, 2] as unknown as Uint8Array, stepsBefore: 2 } }),
      message: 'The spec\'s initialAdapters must be { fileName: string, bytes: Uint8Array, stepsBefore: number } with the bytes of a .mtlora.safetensors file.',
    },
  ];
  for (const { name, change, message } of cases) {
    it(`stops on ${name}`, async () => {
      const events: WorkerEvent[] = [];
      const splits = tinySplits();
      const running = runExperiment({
        engine,
        spec: change(continued()),
        config: model.config,
        weights: model.weights,
        tokenizer: model.tokenizer,
        task: tinyClassificationTask(splits),
        splits,
        onEvent: (event) => events.push(event),
      });
      await expect(running).rejects.toThrow(message);
      // Nothing was tokenized or trained.
      expect(events).toEqual([]);
    });
  }

  it('stops on another base model', async () => {
    const name = 'encoder.layer.0.attention.self.key.weight';
    const weights = { ...model.weights, [name]: { ...model.weights[name], data: model.weights[name].data.map((value) => value + 0.01) } };
    await expect(loadInitialAdapters(continued(), tinyClassificationTask(), model.config, weights)).rejects.toThrow(
      `The adapters in this file (trained on "tiny") do not fit: base model: the values of "${name}" differ.`,
    );
  });

  it('reports the reason from the Worker session', async () => {
    const events: WorkerEvent[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const session = new TrainingSession({
      post: (event) => {
        events.push(event);
        if (event.type === 'error') finished();
      },
      acquireEngine: () => Promise.resolve(engine),
      loadModel: () => Promise.resolve({ ...tinyModel(), notes: [] }),
      getTask: () => tinyClassificationTask(),
    });
    const spec = continued();
    session.handle({ type: 'start', spec: { ...spec, hyperparameters: { ...spec.hyperparameters, rank: 4 } }, completed: [] });
    await done;
    expect(events.at(-1)).toEqual({ type: 'error', message: 'The adapters in this file (trained on "tiny") do not fit: rank: the file has rank 2, expected 4.' });
    expect(session.busy).toBe(false);
  });
});
