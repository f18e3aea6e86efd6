// Host-side BERT weights by Hugging Face name, the architecture sizes the model needs, and the checks
// that the two agree before anything is uploaded.
import type { BertCheckpoint } from './checkpoint';
import { listWeights } from './checkpoint';

/**
 * The sizes and settings of a BERT encoder, with the keys of config.json in camelCase. The BertConfig
 * that parseBertConfig() in ./config.ts returns satisfies this interface.
 */
export interface BertArchitecture {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Token id of padding; its word-embedding row gets no gradient, as nn.Embedding(padding_idx) does. Default 0. */
  padTokenId?: number;
  /** Dropout before the classification head; null or absent means hiddenDropoutProb, as in transformers. */
  classifierDropout?: number | null;
  /** Standard deviation of the normal init of the head and of a missing pooler. Default 0.02, BERT's initializer_range. */
  initializerRange?: number;
}

/** One host tensor: row-major float32 values of the given shape. */
export interface HostTensor {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * Weights by their Hugging Face name without the "bert." prefix, e.g. "embeddings.word_embeddings.weight" or
 * "encoder.layer.0.attention.self.query.weight". The masked-language-model head keeps its names
 * ("cls.predictions.transform.dense.weight", "cls.predictions.bias"); its decoder is tied to the word embeddings.
 */
export type NamedBertWeights = Readonly<Record<string, HostTensor>>;

export const DEFAULT_INITIALIZER_RANGE = 0.02;

/** Weight names of the pooler, which some checkpoints lack; the model then draws it from its seed. */
export const POOLER_WEIGHTS = ['pooler.dense.weight', 'pooler.dense.bias'] as const;

/** Weight names of the masked-language-model head besides the tied decoder weight. */
export const MLM_HEAD_WEIGHTS = [
  'cls.predictions.transform.dense.weight',
  'cls.predictions.transform.dense.bias',
  'cls.predictions.transform.LayerNorm.weight',
  'cls.predictions.transform.LayerNorm.bias',
  'cls.predictions.bias',
] as const;

/** Returns the shape of every encoder weight (embeddings, layers, pooler) by name, in model order. */
export function encoderWeightShapes(config: BertArchitecture): Map<string, number[]> {
  const { hiddenSize: hidden, intermediateSize: intermediate } = config;
  const shapes = new Map<string, number[]>();
  const dense = (name: string, out: number, inFeatures: number): void => {
    shapes.set(`${name}.weight`, [out, inFeatures]);
    shapes.set(`${name}.bias`, [out]);
  };
  const layerNorm = (name: string): void => {
    shapes.set(`${name}.weight`, [hidden]);
    shapes.set(`${name}.bias`, [hidden]);
  };

  shapes.set('embeddings.word_embeddings.weight', [config.vocabSize, hidden]);
  shapes.set('embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, hidden]);
  shapes.set('embeddings.token_type_embeddings.weight', [config.typeVocabSize, hidden]);
  layerNorm('embeddings.LayerNorm');
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `encoder.layer.${i}`;
    dense(`${layer}.attention.self.query`, hidden, hidden);
    dense(`${layer}.attention.self.key`, hidden, hidden);
    dense(`${layer}.attention.self.value`, hidden, hidden);
    dense(`${layer}.attention.output.dense`, hidden, hidden);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    dense(`${layer}.intermediate.dense`, intermediate, hidden);
    dense(`${layer}.output.dense`, hidden, intermediate);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  dense('pooler.dense', hidden, hidden);
  return shapes;
}

/** Returns the shapes of the masked-language-model head's own weights by name. */
export function mlmHeadWeightShapes(config: BertArchitecture): Map<string, number[]> {
  const hidden = config.hiddenSize;
  return new Map<string, number[]>([
    ['cls.predictions.transform.dense.weight', [hidden, hidden]],
    ['cls.predictions.transform.dense.bias', [hidden]],
    ['cls.predictions.transform.LayerNorm.weight', [hidden]],
    ['cls.predictions.transform.LayerNorm.bias', [hidden]],
    ['cls.predictions.bias', [config.vocabSize]],
  ]);
}

/** Throws a RangeError naming the first size or setting of `config` that the model cannot run with. */
export function validateArchitecture(config: BertArchitecture): void {
  const sizes = ['vocabSize', 'hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'intermediateSize', 'maxPositionEmbeddings', 'typeVocabSize'] as const;
  for (const key of sizes) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`BERT config ${key} is ${value}; expected a positive integer.`);
    }
  }
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new RangeError(`BERT config hiddenSize ${config.hiddenSize} is not divisible by numAttentionHeads ${config.numAttentionHeads}.`);
  }
  if (!(config.layerNormEps > 0 && Number.isFinite(config.layerNormEps))) {
    throw new RangeError(`BERT config layerNormEps is ${config.layerNormEps}; expected a positive number such as 1e-12.`);
  }
  const probabilities = { hiddenDropoutProb: config.hiddenDropoutProb, attentionProbsDropoutProb: config.attentionProbsDropoutProb, classifierDropout: config.classifierDropout ?? 0 };
  for (const [key, value] of Object.entries(probabilities)) {
    if (!(value >= 0 && value < 1)) throw new RangeError(`BERT config ${key} is ${value}; expected a probability in [0, 1).`);
  }
  const pad = config.padTokenId ?? 0;
  if (!Number.isSafeInteger(pad) || pad < 0 || pad >= config.vocabSize) {
    throw new RangeError(`BERT config padTokenId is ${pad}; expected an integer in [0, vocabSize = ${config.vocabSize}).`);
  }
  const range = config.initializerRange ?? DEFAULT_INITIALIZER_RANGE;
  if (!(range > 0 && Number.isFinite(range))) {
    throw new RangeError(`BERT config initializerRange is ${range}; expected a positive number such as 0.02.`);
  }
}

/**
 * Checks that `weights` has every encoder weight with the shape `config` implies, and, when any MLM head weight
 * is present, all of them. The pooler may be absent as a whole. Returns which optional parts are present.
 */
export function checkBertWeights(config: BertArchitecture, weights: NamedBertWeights): { hasPooler: boolean; hasMlmHead: boolean } {
  const hasPooler = POOLER_WEIGHTS.some((name) => name in weights);
  const hasMlmHead = MLM_HEAD_WEIGHTS.some((name) => name in weights);
  const expected = new Map(encoderWeightShapes(config));
  if (!hasPooler) for (const name of POOLER_WEIGHTS) expected.delete(name);
  if (hasMlmHead) for (const [name, shape] of mlmHeadWeightShapes(config)) expected.set(name, shape);

  const missing = [...expected.keys()].filter((name) => !(name in weights));
  if (missing.length > 0) {
    const listed = missing.slice(0, 4).map((name) => `"${name}"`).join(', ');
    const more = missing.length > 4 ? ` and ${missing.length - 4} more` : '';
    throw new Error(
      `BERT weights are missing ${listed}${more}. Names are Hugging Face's without the "bert." prefix; ` +
        'load a checkpoint with readBertCheckpoint() and pass weightsFromCheckpoint(checkpoint).',
    );
  }
  for (const [name, shape] of expected) {
    const tensor = weights[name];
    const same = tensor.shape.length === shape.length && tensor.shape.every((size, i) => size === shape[i]);
    if (!same) {
      throw new Error(`BERT weight "${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}] from the config; the config does not match the weights.`);
    }
    const size = shape.reduce((product, dim) => product * dim, 1);
    if (tensor.data.length !== size) {
      throw new Error(`BERT weight "${name}" has ${tensor.data.length} values for shape [${shape.join(', ')}], which needs ${size}.`);
    }
  }
  return { hasPooler, hasMlmHead };
}

/**
 * Returns the weights of a checkpoint read by readBertCheckpoint() by name. A decoder weight that the file
 * stores separately is left out: the model ties the decoder to the word embeddings, as transformers does on
 * load when tie_word_embeddings is true (its default for BERT).
 */
export function weightsFromCheckpoint(checkpoint: BertCheckpoint): NamedBertWeights {
  const weights: Record<string, HostTensor> = {};
  for (const tensor of listWeights(checkpoint)) {
    if (tensor.name === 'cls.predictions.decoder.weight') continue;
    weights[tensor.name] = { shape: tensor.shape, data: tensor.data };
  }
  return weights;
}
