// Maps the tensors of a Hugging Face BERT checkpoint onto the weights of our BERT model.
//
// Names follow transformers' BertModel (no prefix) or its task models such as BertForMaskedLM and
// BertForSequenceClassification (prefix "bert."). The masked-language-model head ("cls.predictions.*")
// never carries the prefix. Linear weights keep the Hugging Face orientation [out, in], so
// y = x · Wᵀ + b, and every tensor can be uploaded as it is.

import type { BertConfig } from './config';
import { ModelFileError } from './errors';
import type { FloatDtype, SafetensorsFile } from './safetensors';

/** One weight as float32, whatever dtype the file stored. */
export interface WeightTensor {
  /** Name in our model: the Hugging Face name without the "bert." prefix, e.g. "encoder.layer.0.attention.self.query.weight". */
  name: string;
  /** Name in the file, e.g. "bert.encoder.layer.0.attention.self.query.weight" or a legacy "….LayerNorm.gamma". */
  sourceName: string;
  sourceDtype: FloatDtype;
  shape: number[];
  data: Float32Array;
}

/** A dense layer y = x · weightᵀ + bias, with weight [out, in] and bias [out]. */
export interface LinearWeights {
  weight: WeightTensor;
  bias: WeightTensor;
}

/** Layer normalization scale (weight, "gamma") and shift (bias, "beta"), each [hidden]. */
export interface LayerNormWeights {
  weight: WeightTensor;
  bias: WeightTensor;
}

export interface BertEmbeddingWeights {
  /** [vocab_size, hidden_size] */
  wordEmbeddings: WeightTensor;
  /** [max_position_embeddings, hidden_size] */
  positionEmbeddings: WeightTensor;
  /** [type_vocab_size, hidden_size] */
  tokenTypeEmbeddings: WeightTensor;
  layerNorm: LayerNormWeights;
}

/** One encoder layer, named after its Hugging Face modules. */
export interface BertLayerWeights {
  /** attention.self.query/key/value: [hidden, hidden] each. */
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  /** attention.output.dense: [hidden, hidden]. */
  attentionOutput: LinearWeights;
  /** attention.output.LayerNorm. */
  attentionLayerNorm: LayerNormWeights;
  /** intermediate.dense: [intermediate, hidden]. */
  intermediate: LinearWeights;
  /** output.dense: [hidden, intermediate]. */
  output: LinearWeights;
  /** output.LayerNorm. */
  outputLayerNorm: LayerNormWeights;
}

export interface BertWeights {
  embeddings: BertEmbeddingWeights;
  layers: BertLayerWeights[];
  /** pooler.dense [hidden, hidden], followed by tanh on the [CLS] token. Absent in some checkpoints: the caller initialises it. */
  pooler?: LinearWeights;
}

/** cls.predictions: dense → GELU → LayerNorm → decoder to vocabulary logits. */
export interface BertMlmHeadWeights {
  /** cls.predictions.transform.dense: [hidden, hidden]. */
  transform: LinearWeights;
  /** cls.predictions.transform.LayerNorm. */
  transformLayerNorm: LayerNormWeights;
  /** cls.predictions.decoder.weight [vocab_size, hidden_size]; the word embeddings object itself when tied. */
  decoderWeight: WeightTensor;
  /** cls.predictions.bias [vocab_size]. */
  decoderBias: WeightTensor;
  /** True when the file has no decoder weight, so it is tied to embeddings.word_embeddings.weight. */
  decoderTied: boolean;
}

export interface BertCheckpoint {
  config: BertConfig;
  weights: BertWeights;
  mlmHead?: BertMlmHeadWeights;
  /** The file the weights came from, for messages. */
  fileName: string;
  /** "bert." for task-model checkpoints (BertForMaskedLM, …), "" for BertModel checkpoints. */
  prefix: '' | 'bert.';
  /** Facts for the caller, such as an absent pooler or a tied decoder. */
  notes: string[];
  /** Tensors in the file that the model does not use, e.g. embeddings.position_ids or a task classifier. */
  unusedTensors: string[];
}

/** A tensor to read: the names it may have in the file, and its expected shape. */
interface TensorPlan {
  name: string;
  candidates: string[];
  shape: number[];
  /** The expected shape in config.json's terms, e.g. "[vocab_size, hidden_size]". */
  shapeMeaning: string;
}

/** A plan and the name the file stores it under, after its shape was checked. */
type Resolved = { plan: TensorPlan; sourceName: string };

const EMBEDDING_NAME = 'embeddings.word_embeddings.weight';

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function detectPrefix(file: SafetensorsFile): '' | 'bert.' {
  const plain = file.info(EMBEDDING_NAME) !== undefined;
  const prefixed = file.info(`bert.${EMBEDDING_NAME}`) !== undefined;
  if (plain && prefixed) {
    throw new ModelFileError(file.fileName, `has both "${EMBEDDING_NAME}" and "bert.${EMBEDDING_NAME}"; expected one BERT encoder, not two.`);
  }
  if (!plain && !prefixed) {
    const sample = file.names.slice(0, 5).map((name) => `"${name}"`).join(', ');
    throw new ModelFileError(
      file.fileName,
      `found neither "${EMBEDDING_NAME}" (BertModel) nor "bert.${EMBEDDING_NAME}" (BertForMaskedLM and other task models); ` +
        `this is not a BERT checkpoint. Its first tensors are ${sample || 'none'}.`,
    );
  }
  return prefixed ? 'bert.' : '';
}

/** Builds the plans for every tensor the model needs, and the optional pooler and MLM head. */
class CheckpointPlanner {
  readonly used = new Set<string>();

  constructor(
    private readonly file: SafetensorsFile,
    private readonly config: BertConfig,
    private readonly prefix: string,
  ) {}

  private hasAny(candidates: string[]): boolean {
    return candidates.some((candidate) => this.file.info(candidate) !== undefined);
  }

  /** Resolves a plan to the first candidate the file has, and checks its shape. */
  resolve(plan: TensorPlan): Resolved {
    const sourceName = plan.candidates.find((candidate) => this.file.info(candidate) !== undefined);
    if (sourceName === undefined) {
      const alternatives = plan.candidates.length > 1 ? ` (or ${plan.candidates.slice(1).map((name) => `"${name}"`).join(', ')})` : '';
      throw new ModelFileError(
        this.file.fileName,
        `missing tensor "${plan.candidates[0]}"${alternatives}, expected shape ${formatShape(plan.shape)} = ${plan.shapeMeaning}.`,
      );
    }

    const found = this.file.info(sourceName)!.shape;
    const matches = found.length === plan.shape.length && found.every((size, i) => size === plan.shape[i]);
    if (!matches) {
      throw new ModelFileError(
        this.file.fileName,
        `tensor "${sourceName}" has shape ${formatShape(found)}, expected ${formatShape(plan.shape)} = ${plan.shapeMeaning} from config.json.`,
      );
    }
    this.used.add(sourceName);
    return { plan, sourceName };
  }

  /** Resolves a tensor of the encoder, named with the checkpoint's prefix. */
  encoder(name: string, shape: number[], shapeMeaning: string): Resolved {
    return this.resolve({ name, candidates: [this.prefix + name], shape, shapeMeaning });
  }

  /** Resolves the weight [out, in] and bias [out] of a dense layer; each size comes with its config.json name. */
  linear(module: string, outSize: [number, string], inSize: [number, string], withPrefix = true): [Resolved, Resolved] {
    const prefix = withPrefix ? this.prefix : '';
    return [
      this.resolve({ name: `${module}.weight`, candidates: [`${prefix}${module}.weight`], shape: [outSize[0], inSize[0]], shapeMeaning: `[${outSize[1]}, ${inSize[1]}]` }),
      this.resolve({ name: `${module}.bias`, candidates: [`${prefix}${module}.bias`], shape: [outSize[0]], shapeMeaning: `[${outSize[1]}]` }),
    ];
  }

  /** Resolves the LayerNorm under `module`, accepting the legacy TensorFlow names gamma and beta. */
  layerNorm(module: string, withPrefix: boolean): [Resolved, Resolved] {
    const prefix = withPrefix ? this.prefix : '';
    const shape = [this.config.hiddenSize];
    return [
      this.resolve({ name: `${module}.weight`, candidates: [`${prefix}${module}.weight`, `${prefix}${module}.gamma`], shape, shapeMeaning: '[hidden_size]' }),
      this.resolve({ name: `${module}.bias`, candidates: [`${prefix}${module}.bias`, `${prefix}${module}.beta`], shape, shapeMeaning: '[hidden_size]' }),
    ];
  }

  hasPooler(): boolean {
    return this.hasAny([`${this.prefix}pooler.dense.weight`, `${this.prefix}pooler.dense.bias`]);
  }

  hasMlmHead(): boolean {
    return this.file.names.some((name) => name.startsWith('cls.predictions.'));
  }

  /** Rejects encoder layers beyond num_hidden_layers, which mean config.json does not match the weights. */
  checkLayerCount(): void {
    const pattern = /^(?:bert\.)?encoder\.layer\.(\d+)\./;
    let maxLayer = -1;
    for (const name of this.file.names) {
      const match = pattern.exec(name);
      if (match !== null) {
        maxLayer = Math.max(maxLayer, Number(match[1]));
      }
    }
    if (maxLayer >= this.config.numHiddenLayers) {
      throw new ModelFileError(
        this.file.fileName,
        `has tensors of ${maxLayer + 1} encoder layers (up to "${this.prefix}encoder.layer.${maxLayer}"), but config.json sets ` +
          `num_hidden_layers = ${this.config.numHiddenLayers}; the config does not match the weights.`,
      );
    }
  }
}

async function readTensor(file: SafetensorsFile, resolved: Resolved): Promise<WeightTensor> {
  const data = await file.read(resolved.sourceName);
  return {
    name: resolved.plan.name,
    sourceName: resolved.sourceName,
    sourceDtype: file.info(resolved.sourceName)!.dtype as FloatDtype,
    shape: [...resolved.plan.shape],
    data,
  };
}

/**
 * Reads a BERT checkpoint from an opened safetensors file. Every name and shape is checked against
 * `config` before any tensor data is read; a missing or mis-shaped tensor raises a ModelFileError.
 */
export async function readBertCheckpoint(file: SafetensorsFile, config: BertConfig): Promise<BertCheckpoint> {
  const prefix = detectPrefix(file);
  const planner = new CheckpointPlanner(file, config, prefix);
  planner.checkLayerCount();

  const hidden: [number, string] = [config.hiddenSize, 'hidden_size'];
  const intermediate: [number, string] = [config.intermediateSize, 'intermediate_size'];
  const notes: string[] = [];

  // Step 1: resolve every name and check every shape, so that a bad file fails before any reading.
  const embeddingPlans = {
    word: planner.encoder(EMBEDDING_NAME, [config.vocabSize, config.hiddenSize], '[vocab_size, hidden_size]'),
    position: planner.encoder('embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, config.hiddenSize], '[max_position_embeddings, hidden_size]'),
    tokenType: planner.encoder('embeddings.token_type_embeddings.weight', [config.typeVocabSize, config.hiddenSize], '[type_vocab_size, hidden_size]'),
    layerNorm: planner.layerNorm('embeddings.LayerNorm', true),
  };

  const layerPlans = Array.from({ length: config.numHiddenLayers }, (_, i) => {
    const layer = `encoder.layer.${i}`;
    return {
      query: planner.linear(`${layer}.attention.self.query`, hidden, hidden),
      key: planner.linear(`${layer}.attention.self.key`, hidden, hidden),
      value: planner.linear(`${layer}.attention.self.value`, hidden, hidden),
      attentionOutput: planner.linear(`${layer}.attention.output.dense`, hidden, hidden),
      attentionLayerNorm: planner.layerNorm(`${layer}.attention.output.LayerNorm`, true),
      intermediate: planner.linear(`${layer}.intermediate.dense`, intermediate, hidden),
      output: planner.linear(`${layer}.output.dense`, hidden, intermediate),
      outputLayerNorm: planner.layerNorm(`${layer}.output.LayerNorm`, true),
    };
  });

  let poolerPlan: [Resolved, Resolved] | undefined;
  if (planner.hasPooler()) {
    poolerPlan = planner.linear('pooler.dense', hidden, hidden);
  } else {
    notes.push(`${file.fileName} has no ${prefix}pooler.dense weights; initialise the pooler before using the pooled [CLS] output.`);
  }

  let mlmPlan: { transform: [Resolved, Resolved]; layerNorm: [Resolved, Resolved]; decoder?: Resolved; bias: Resolved } | undefined;
  if (planner.hasMlmHead()) {
    const vocabShape = [config.vocabSize];
    const decoderName = 'cls.predictions.decoder.weight';
    mlmPlan = {
      transform: planner.linear('cls.predictions.transform.dense', hidden, hidden, false),
      layerNorm: planner.layerNorm('cls.predictions.transform.LayerNorm', false),
      decoder: file.info(decoderName) !== undefined
        ? planner.resolve({ name: decoderName, candidates: [decoderName], shape: [config.vocabSize, config.hiddenSize], shapeMeaning: '[vocab_size, hidden_size]' })
        : undefined,
      // Newer transformers versions also save the same vector as cls.predictions.decoder.bias.
      bias: planner.resolve({ name: 'cls.predictions.bias', candidates: ['cls.predictions.bias', 'cls.predictions.decoder.bias'], shape: vocabShape, shapeMeaning: '[vocab_size]' }),
    };
    const aliasName = 'cls.predictions.decoder.bias';
    if (mlmPlan.bias.sourceName !== aliasName && file.info(aliasName) !== undefined) {
      planner.resolve({ name: aliasName, candidates: [aliasName], shape: vocabShape, shapeMeaning: '[vocab_size]' });
    }
    if (mlmPlan.decoder === undefined) {
      notes.push(`${file.fileName} has no ${decoderName}; the MLM decoder is tied to ${prefix}${EMBEDDING_NAME}.`);
    }
  }

  // Step 2: read the data of every resolved tensor.
  const read = (resolved: Resolved): Promise<WeightTensor> => readTensor(file, resolved);
  const readPair = async ([weight, bias]: [Resolved, Resolved]): Promise<LinearWeights> => ({ weight: await read(weight), bias: await read(bias) });

  const wordEmbeddings = await read(embeddingPlans.word);
  const embeddings: BertEmbeddingWeights = {
    wordEmbeddings,
    positionEmbeddings: await read(embeddingPlans.position),
    tokenTypeEmbeddings: await read(embeddingPlans.tokenType),
    layerNorm: await readPair(embeddingPlans.layerNorm),
  };

  const layers: BertLayerWeights[] = [];
  for (const plan of layerPlans) {
    layers.push({
      query: await readPair(plan.query),
      key: await readPair(plan.key),
      value: await readPair(plan.value),
      attentionOutput: await readPair(plan.attentionOutput),
      attentionLayerNorm: await readPair(plan.attentionLayerNorm),
      intermediate: await readPair(plan.intermediate),
      output: await readPair(plan.output),
      outputLayerNorm: await readPair(plan.outputLayerNorm),
    });
  }

  const weights: BertWeights = { embeddings, layers };
  if (poolerPlan !== undefined) {
    weights.pooler = await readPair(poolerPlan);
  }

  let mlmHead: BertMlmHeadWeights | undefined;
  if (mlmPlan !== undefined) {
    mlmHead = {
      transform: await readPair(mlmPlan.transform),
      transformLayerNorm: await readPair(mlmPlan.layerNorm),
      decoderWeight: mlmPlan.decoder !== undefined ? await read(mlmPlan.decoder) : wordEmbeddings,
      decoderBias: await read(mlmPlan.bias),
      decoderTied: mlmPlan.decoder === undefined,
    };
  }

  const unusedTensors = file.names.filter((name) => !planner.used.has(name));
  const checkpoint: BertCheckpoint = { config, weights, fileName: file.fileName, prefix, notes, unusedTensors };
  if (mlmHead !== undefined) {
    checkpoint.mlmHead = mlmHead;
  }
  return checkpoint;
}

/** Lists every weight once, in model order, e.g. to upload them all or to count parameters. */
export function listWeights(checkpoint: BertCheckpoint): WeightTensor[] {
  const { embeddings, layers, pooler } = checkpoint.weights;
  const list: WeightTensor[] = [
    embeddings.wordEmbeddings,
    embeddings.positionEmbeddings,
    embeddings.tokenTypeEmbeddings,
    embeddings.layerNorm.weight,
    embeddings.layerNorm.bias,
  ];
  for (const layer of layers) {
    for (const pair of [layer.query, layer.key, layer.value, layer.attentionOutput, layer.attentionLayerNorm, layer.intermediate, layer.output, layer.outputLayerNorm]) {
      list.push(pair.weight, pair.bias);
    }
  }
  if (pooler !== undefined) {
    list.push(pooler.weight, pooler.bias);
  }
  const head = checkpoint.mlmHead;
  if (head !== undefined) {
    list.push(head.transform.weight, head.transform.bias, head.transformLayerNorm.weight, head.transformLayerNorm.bias);
    if (!head.decoderTied) {
      list.push(head.decoderWeight);
    }
    list.push(head.decoderBias);
  }
  return list;
}
