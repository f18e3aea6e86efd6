// Parses a Hugging Face BERT config.json into a typed, validated BertConfig.

import { ModelFileError, parseJsonText } from './errors';

/** The architecture hyperparameters of a BERT encoder, with config.json's keys in camelCase. */
export interface BertConfig {
  modelType: 'bert';
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  /** hiddenSize / numAttentionHeads. */
  headSize: number;
  intermediateSize: number;
  /** Only the erf form of GELU, which is what the model's kernels implement. */
  hiddenAct: 'gelu';
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  padTokenId: number;
  /** Keys that config.json lacked and that took the transformers BertConfig default. */
  defaultedKeys: string[];
}

/**
 * Defaults of transformers' BertConfig for the keys that the original Google BERT configs
 * (for example google/bert_uncased_L-2_H-128_A-2) leave out.
 */
const OPTIONAL_DEFAULTS = {
  hidden_act: 'gelu',
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 0,
} as const;

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function readPositiveInteger(file: string, json: Json, key: string): number {
  const value = json[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ModelFileError(file, `"${key}" is ${describe(value)}; expected a positive integer.`);
  }
  return value;
}

function readOptional(json: Json, key: keyof typeof OPTIONAL_DEFAULTS, defaulted: string[]): unknown {
  if (json[key] === undefined || json[key] === null) {
    defaulted.push(key);
    return OPTIONAL_DEFAULTS[key];
  }
  return json[key];
}

function checkProbability(file: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new ModelFileError(file, `"${key}" is ${describe(value)}; expected a probability in [0, 1).`);
  }
  return value;
}

/**
 * Validates parsed config.json content. `model_type` must be "bert" when present, which MiniLM
 * checkpoints such as sentence-transformers/all-MiniLM-L6-v2 also use. The original Google BERT
 * configs have no model_type and are read as BERT. `file` names the file in error messages.
 */
export function parseBertConfig(json: unknown, file = 'config.json'): BertConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ModelFileError(file, `expected a JSON object, found ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}.`);
  }
  const config = json as Json;

  if (config.model_type !== undefined && config.model_type !== 'bert') {
    throw new ModelFileError(file, `"model_type" is ${describe(config.model_type)}; expected "bert". Only BERT-family encoders can be loaded.`);
  }
  const positionType = config.position_embedding_type;
  if (positionType !== undefined && positionType !== 'absolute') {
    throw new ModelFileError(file, `"position_embedding_type" is ${describe(positionType)}; expected "absolute", the only kind this model implements.`);
  }

  const hiddenSize = readPositiveInteger(file, config, 'hidden_size');
  const numHiddenLayers = readPositiveInteger(file, config, 'num_hidden_layers');
  const numAttentionHeads = readPositiveInteger(file, config, 'num_attention_heads');
  const intermediateSize = readPositiveInteger(file, config, 'intermediate_size');
  const vocabSize = readPositiveInteger(file, config, 'vocab_size');
  const maxPositionEmbeddings = readPositiveInteger(file, config, 'max_position_embeddings');
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new ModelFileError(
      file,
      `"hidden_size" ${hiddenSize} is not divisible by "num_attention_heads" ${numAttentionHeads}; each head needs hidden_size / num_attention_heads features.`,
    );
  }

  const defaultedKeys: string[] = [];
  const withDefaults: Json = { ...config };
  for (const key of Object.keys(OPTIONAL_DEFAULTS) as (keyof typeof OPTIONAL_DEFAULTS)[]) {
    withDefaults[key] = readOptional(config, key, defaultedKeys);
  }

  if (withDefaults.hidden_act !== 'gelu') {
    throw new ModelFileError(
      file,
      `"hidden_act" is ${describe(withDefaults.hidden_act)}; expected "gelu" (the exact erf form), the only activation the model's kernels implement.`,
    );
  }

  const typeVocabSize = readPositiveInteger(file, withDefaults, 'type_vocab_size');

  const layerNormEps = withDefaults.layer_norm_eps;
  if (typeof layerNormEps !== 'number' || !(layerNormEps > 0 && Number.isFinite(layerNormEps))) {
    throw new ModelFileError(file, `"layer_norm_eps" is ${describe(layerNormEps)}; expected a positive number such as 1e-12.`);
  }

  const padTokenId = withDefaults.pad_token_id;
  if (typeof padTokenId !== 'number' || !Number.isSafeInteger(padTokenId) || padTokenId < 0 || padTokenId >= vocabSize) {
    throw new ModelFileError(file, `"pad_token_id" is ${describe(padTokenId)}; expected an integer in [0, vocab_size = ${vocabSize}).`);
  }

  return {
    modelType: 'bert',
    vocabSize,
    hiddenSize,
    numHiddenLayers,
    numAttentionHeads,
    headSize: hiddenSize / numAttentionHeads,
    intermediateSize,
    hiddenAct: 'gelu',
    maxPositionEmbeddings,
    typeVocabSize,
    layerNormEps,
    hiddenDropoutProb: checkProbability(file, 'hidden_dropout_prob', withDefaults.hidden_dropout_prob),
    attentionProbsDropoutProb: checkProbability(file, 'attention_probs_dropout_prob', withDefaults.attention_probs_dropout_prob),
    padTokenId,
    defaultedKeys,
  };
}

/** Parses config.json text; invalid JSON is reported with the file name. */
export function parseBertConfigText(text: string, file = 'config.json'): BertConfig {
  return parseBertConfig(parseJsonText(text, file), file);
}
