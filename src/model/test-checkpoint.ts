// Builds tiny random BERT checkpoints in memory for tests: config.json, vocab.txt and
// model.safetensors written with our own writer, under BertModel or BertForMaskedLM names.

import { createRandom } from '../util/random';
import { serializeSafetensors, type FloatDtype, type SafetensorsWriteTensor } from './safetensors';

/** Specials at the ids bert-base-uncased uses relative to each other, then a few words. */
export const TINY_VOCAB: readonly string[] = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'hello', 'world', 'play', '##ing', '##s', ',', '!', '.', 'cafe',
];

/** config.json content of the tiny model: 2 layers, hidden 12, 3 heads of 4, intermediate 37. */
export function tinyConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['BertForMaskedLM'],
    model_type: 'bert',
    vocab_size: TINY_VOCAB.length,
    hidden_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 3,
    intermediate_size: 37,
    hidden_act: 'gelu',
    max_position_embeddings: 16,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    pad_token_id: 0,
    ...overrides,
  };
}

export interface TinyTensorOptions {
  /** "" for BertModel names, "bert." for BertForMaskedLM names. */
  prefix?: '' | 'bert.';
  pooler?: boolean;
  /** Adds cls.predictions.*; `tiedDecoder` leaves out cls.predictions.decoder.weight. */
  mlmHead?: boolean;
  tiedDecoder?: boolean;
  /** Names LayerNorm parameters gamma and beta, as old TensorFlow conversions do. */
  legacyLayerNormNames?: boolean;
  seed?: number;
}

export interface TinyTensor {
  shape: number[];
  data: Float32Array;
}

/** Random tensors with Hugging Face names and shapes for `config` (parsed config.json keys). */
export function tinyTensors(config: Record<string, unknown>, options: TinyTensorOptions = {}): Record<string, TinyTensor> {
  const { prefix = '', pooler = true, mlmHead = false, tiedDecoder = false, legacyLayerNormNames = false, seed = 7 } = options;
  const random = createRandom(seed);
  const hidden = config.hidden_size as number;
  const intermediate = config.intermediate_size as number;
  const vocab = config.vocab_size as number;
  const tensors: Record<string, TinyTensor> = {};

  const add = (name: string, shape: number[]): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) {
      data[i] = random.uniform(-1, 1);
    }
    tensors[name] = { shape, data };
  };
  const linear = (module: string, outSize: number, inSize: number): void => {
    add(`${module}.weight`, [outSize, inSize]);
    add(`${module}.bias`, [outSize]);
  };
  const layerNorm = (module: string): void => {
    add(`${module}.${legacyLayerNormNames ? 'gamma' : 'weight'}`, [hidden]);
    add(`${module}.${legacyLayerNormNames ? 'beta' : 'bias'}`, [hidden]);
  };

  add(`${prefix}embeddings.word_embeddings.weight`, [vocab, hidden]);
  add(`${prefix}embeddings.position_embeddings.weight`, [config.max_position_embeddings as number, hidden]);
  add(`${prefix}embeddings.token_type_embeddings.weight`, [config.type_vocab_size as number, hidden]);
  layerNorm(`${prefix}embeddings.LayerNorm`);
  for (let i = 0; i < (config.num_hidden_layers as number); i++) {
    const layer = `${prefix}encoder.layer.${i}`;
    linear(`${layer}.attention.self.query`, hidden, hidden);
    linear(`${layer}.attention.self.key`, hidden, hidden);
    linear(`${layer}.attention.self.value`, hidden, hidden);
    linear(`${layer}.attention.output.dense`, hidden, hidden);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    linear(`${layer}.intermediate.dense`, intermediate, hidden);
    linear(`${layer}.output.dense`, hidden, intermediate);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  if (pooler) {
    linear(`${prefix}pooler.dense`, hidden, hidden);
  }
  if (mlmHead) {
    linear('cls.predictions.transform.dense', hidden, hidden);
    layerNorm('cls.predictions.transform.LayerNorm');
    add('cls.predictions.bias', [vocab]);
    if (!tiedDecoder) {
      add('cls.predictions.decoder.weight', [vocab, hidden]);
    }
  }
  return tensors;
}

/** Serializes tensors with one dtype for all. */
export function tinySafetensors(tensors: Record<string, TinyTensor>, dtype: FloatDtype = 'F32'): Uint8Array {
  const entries: Record<string, SafetensorsWriteTensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    entries[name] = { dtype, shape: tensor.shape, data: tensor.data };
  }
  return serializeSafetensors(entries, { format: 'pt' });
}

/** Returns the files of a complete tiny checkpoint folder, by file name. */
export function tinyCheckpointFiles(options: TinyTensorOptions & { dtype?: FloatDtype; config?: Record<string, unknown> } = {}): Map<string, Uint8Array> {
  const config = options.config ?? tinyConfigJson();
  const encoder = new TextEncoder();
  return new Map<string, Uint8Array>([
    ['config.json', encoder.encode(JSON.stringify(config, null, 2))],
    ['vocab.txt', encoder.encode(`${TINY_VOCAB.join('\n')}\n`)],
    ['model.safetensors', tinySafetensors(tinyTensors(config, options), options.dtype)],
  ]);
}
