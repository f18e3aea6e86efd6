// Small in-memory inputs for the runner tests: the random tiny BERT of src/model/test-checkpoint.ts
// (hidden 12, 2 layers, 16 positions) with its WordPiece tokenizer, tiny tasks and a spec that trains
// in a few seconds on SwiftShader.
import type { TaskDefinition, TaskExample, TaskSplits } from '../data/task';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import { parseBertConfig } from '../model/config';
import { tinyConfigJson, tinyTensors, TINY_VOCAB } from '../model/test-checkpoint';
import { BertTokenizer } from '../model/tokenizer';
import type { ExperimentSpec, Hyperparameters, MethodId } from './types';

export interface TinyModel {
  config: BertArchitecture;
  weights: NamedBertWeights;
  tokenizer: BertTokenizer;
}

/**
 * Returns the tiny model. The random weights are scaled to ±0.1, because the ±1 of tinyTensors make
 * the attention logits so large that a few steps cannot move the loss.
 */
export function tinyModel(): TinyModel {
  const json = tinyConfigJson();
  const weights: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, tensor] of Object.entries(tinyTensors(json))) {
    const scaled = name.includes('LayerNorm.weight') ? tensor.data.map(() => 1) : tensor.data.map((value) => value * 0.1);
    weights[name] = { shape: tensor.shape, data: scaled };
  }
  return { config: parseBertConfig(json), weights, tokenizer: BertTokenizer.fromVocab(`${TINY_VOCAB.join('\n')}\n`) };
}

const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'hello', 'world', 'play'];

/** Sentences of 3 to 6 words from the tiny vocabulary, label 1 when "cat" occurs; seeded by the index. */
function catExamples(count: number, offset: number): TaskExample[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    const words = Array.from({ length: 3 + (n % 4) }, (_, k) => WORDS[(n * 7 + k * 3) % WORDS.length]);
    return { text: words.join(' '), label: words.includes('cat') ? 1 : 0 };
  });
}

export function tinySplits(): TaskSplits {
  return { train: catExamples(14, 0), dev: catExamples(5, 100), test: catExamples(6, 200) };
}

export function tinyClassificationTask(splits: TaskSplits = tinySplits()): TaskDefinition {
  return {
    id: 'tiny-cat',
    name: 'Tiny cat detection',
    description: 'Predict whether a short sentence mentions a cat.',
    source: 'Generated in memory by the tests.',
    license: 'CC0-1.0',
    kind: 'classification',
    labels: ['no cat', 'cat'],
    splitDescription: 'Fixed sentences per split.',
    metrics: ['accuracy', 'f1'],
    primaryMetric: 'accuracy',
    load: () => Promise.resolve(splits),
  };
}

/** Sentence pairs whose target is the number of distinct words the two sentences share. */
export function tinyRegressionSplits(): TaskSplits {
  const pairs = (count: number, offset: number): TaskExample[] =>
    catExamples(count, offset).map((example, i) => {
      const second = catExamples(1, offset + i + 50)[0].text;
      const shared = new Set(example.text.split(' ').filter((word) => second.split(' ').includes(word))).size;
      return { text: example.text, textPair: second, label: shared };
    });
  return { train: pairs(10, 0), dev: pairs(4, 100), test: pairs(4, 200) };
}

export function tinyRegressionTask(splits: TaskSplits = tinyRegressionSplits()): TaskDefinition {
  return {
    ...tinyClassificationTask(splits),
    id: 'tiny-overlap',
    name: 'Tiny word overlap',
    kind: 'regression',
    labels: undefined,
    metrics: ['pearson', 'spearman'],
    primaryMetric: 'pearson',
  };
}

export function tinyHyperparameters(overrides: Partial<Hyperparameters> = {}): Hyperparameters {
  return {
    rank: 2,
    alpha: 4,
    learningRate: 1e-2,
    batchSize: 4,
    maxLength: 16,
    steps: 6,
    warmupSteps: 1,
    weightDecay: 0.01,
    dropout: 0.1,
    maxGradNorm: 1,
    modules: ['query', 'value'],
    evalInterval: 3,
    ...overrides,
  };
}

export function tinySpec(methods: MethodId[], seeds: number[], overrides: Partial<Hyperparameters> = {}, taskId = 'tiny-cat'): ExperimentSpec {
  return {
    id: 'experiment-test',
    createdAt: '2024-01-01T00:00:00.000Z',
    model: { id: 'tiny', source: 'files' },
    taskId,
    methods,
    seeds,
    hyperparameters: tinyHyperparameters(overrides),
  };
}
