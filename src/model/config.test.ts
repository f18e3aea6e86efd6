// config.json parsing: typed fields, defaults of the original Google configs, and each rejection.
import { describe, expect, it } from 'vitest';
import { parseBertConfig, parseBertConfigText } from './config';
import { ModelFileError } from './errors';
import { tinyConfigJson } from './test-checkpoint';

describe('parseBertConfig', () => {
  it('reads a transformers config', () => {
    const config = parseBertConfig(tinyConfigJson());

    expect(config).toEqual({
      modelType: 'bert',
      vocabSize: 21,
      hiddenSize: 12,
      numHiddenLayers: 2,
      numAttentionHeads: 3,
      headSize: 4,
      intermediateSize: 37,
      hiddenAct: 'gelu',
      maxPositionEmbeddings: 16,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      hiddenDropoutProb: 0.1,
      attentionProbsDropoutProb: 0.1,
      padTokenId: 0,
      defaultedKeys: [],
    });
  });

  it('defaults keys of a Google BERT config', () => {
    // The keys of google/bert_uncased_L-2_H-128_A-2's config.json: no model_type, layer_norm_eps or pad_token_id.
    const config = parseBertConfig({
      hidden_size: 128,
      hidden_act: 'gelu',
      initializer_range: 0.02,
      vocab_size: 30522,
      hidden_dropout_prob: 0.1,
      num_attention_heads: 2,
      type_vocab_size: 2,
      max_position_embeddings: 512,
      num_hidden_layers: 2,
      intermediate_size: 512,
      attention_probs_dropout_prob: 0.1,
    });

    expect(config.defaultedKeys).toEqual(['layer_norm_eps', 'pad_token_id']);
    expect(config.layerNormEps).toBe(1e-12);
    expect(config.padTokenId).toBe(0);
    expect(config.headSize).toBe(64);
  });

  it('rejects other model types', () => {
    expect(() => parseBertConfig(tinyConfigJson({ model_type: 'roberta' }))).toThrow(ModelFileError);
    expect(() => parseBertConfig(tinyConfigJson({ model_type: 'roberta' }))).toThrow(
      'config.json: "model_type" is "roberta"; expected "bert". Only BERT-family encoders can be loaded.',
    );
    expect(() => parseBertConfig(tinyConfigJson({ position_embedding_type: 'relative_key' }))).toThrow(
      'config.json: "position_embedding_type" is "relative_key"; expected "absolute"',
    );
  });

  it('rejects activations other than erf GELU', () => {
    expect(() => parseBertConfig(tinyConfigJson({ hidden_act: 'gelu_new' }))).toThrow(
      'config.json: "hidden_act" is "gelu_new"; expected "gelu" (the exact erf form), the only activation the model\'s kernels implement.',
    );
    expect(() => parseBertConfig(tinyConfigJson({ hidden_act: 'relu' }))).toThrow('"hidden_act" is "relu"');
  });

  it('rejects heads that do not divide hidden size', () => {
    expect(() => parseBertConfig(tinyConfigJson({ hidden_size: 14 }))).toThrow(
      'config.json: "hidden_size" 14 is not divisible by "num_attention_heads" 3',
    );
  });

  it('rejects missing and invalid sizes', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ hidden_size: undefined }, 'config.json: "hidden_size" is missing; expected a positive integer.'],
      [{ num_hidden_layers: 2.5 }, '"num_hidden_layers" is 2.5; expected a positive integer.'],
      [{ num_attention_heads: 0 }, '"num_attention_heads" is 0; expected a positive integer.'],
      [{ intermediate_size: '37' }, '"intermediate_size" is "37"; expected a positive integer.'],
      [{ vocab_size: -5 }, '"vocab_size" is -5'],
      [{ max_position_embeddings: null }, '"max_position_embeddings" is null'],
      [{ type_vocab_size: 0 }, '"type_vocab_size" is 0'],
      [{ layer_norm_eps: -1 }, '"layer_norm_eps" is -1; expected a positive number such as 1e-12.'],
      [{ pad_token_id: 21 }, '"pad_token_id" is 21; expected an integer in [0, vocab_size = 21).'],
      [{ hidden_dropout_prob: 1.5 }, '"hidden_dropout_prob" is 1.5; expected a probability in [0, 1).'],
      [{ attention_probs_dropout_prob: 'x' }, '"attention_probs_dropout_prob" is "x"'],
    ];
    for (const [overrides, message] of cases) {
      expect(() => parseBertConfig(tinyConfigJson(overrides))).toThrow(message);
    }
  });

  it('names the file in JSON errors', () => {
    expect(() => parseBertConfigText('{"hidden_size": ', 'https://example.test/config.json')).toThrow(
      /^https:\/\/example\.test\/config\.json: invalid JSON \(/,
    );
    expect(() => parseBertConfig([1], 'folder/config.json')).toThrow('folder/config.json: expected a JSON object, found an array.');
    expect(parseBertConfigText(JSON.stringify(tinyConfigJson())).hiddenSize).toBe(12);
  });
});
