// Mapping Hugging Face BERT tensor names onto the model's weights, from tiny checkpoints written at test time.
import { describe, expect, it } from 'vitest';
import { listWeights, readBertCheckpoint, type BertCheckpoint, type WeightTensor } from './checkpoint';
import { parseBertConfig } from './config';
import { SafetensorsFile, serializeSafetensors, type FloatDtype, type SafetensorsWriteTensor } from './safetensors';
import { tinyConfigJson, tinySafetensors, tinyTensors, type TinyTensor, type TinyTensorOptions } from './test-checkpoint';

const configJson = tinyConfigJson();
const config = parseBertConfig(configJson);

async function load(options: TinyTensorOptions & { dtype?: FloatDtype } = {}): Promise<{ checkpoint: BertCheckpoint; tensors: Record<string, TinyTensor> }> {
  const tensors = tinyTensors(configJson, options);
  const file = await SafetensorsFile.open(tinySafetensors(tensors, options.dtype));
  return { checkpoint: await readBertCheckpoint(file, config), tensors };
}

async function loadTensors(tensors: Record<string, TinyTensor>, extra: Record<string, SafetensorsWriteTensor> = {}): Promise<BertCheckpoint> {
  const entries: Record<string, SafetensorsWriteTensor> = { ...extra };
  for (const [name, tensor] of Object.entries(tensors)) {
    entries[name] = { dtype: 'F32', shape: tensor.shape, data: tensor.data };
  }
  return readBertCheckpoint(await SafetensorsFile.open(serializeSafetensors(entries)), config);
}

function expectSame(weight: WeightTensor, tensors: Record<string, TinyTensor>, sourceName: string): void {
  expect(weight.sourceName).toBe(sourceName);
  expect(weight.shape).toEqual(tensors[sourceName].shape);
  expect(weight.data).toEqual(tensors[sourceName].data);
}

describe('readBertCheckpoint', () => {
  it('maps BertModel names', async () => {
    const { checkpoint, tensors } = await load();
    const { embeddings, layers, pooler } = checkpoint.weights;

    expect(checkpoint.prefix).toBe('');
    expect(layers).toHaveLength(2);
    expectSame(embeddings.wordEmbeddings, tensors, 'embeddings.word_embeddings.weight');
    expectSame(embeddings.positionEmbeddings, tensors, 'embeddings.position_embeddings.weight');
    expectSame(embeddings.tokenTypeEmbeddings, tensors, 'embeddings.token_type_embeddings.weight');
    expectSame(embeddings.layerNorm.weight, tensors, 'embeddings.LayerNorm.weight');
    expectSame(layers[1].query.weight, tensors, 'encoder.layer.1.attention.self.query.weight');
    expectSame(layers[1].key.bias, tensors, 'encoder.layer.1.attention.self.key.bias');
    expectSame(layers[0].value.weight, tensors, 'encoder.layer.0.attention.self.value.weight');
    expectSame(layers[0].attentionOutput.weight, tensors, 'encoder.layer.0.attention.output.dense.weight');
    expectSame(layers[0].attentionLayerNorm.bias, tensors, 'encoder.layer.0.attention.output.LayerNorm.bias');
    expectSame(layers[1].intermediate.weight, tensors, 'encoder.layer.1.intermediate.dense.weight');
    expectSame(layers[1].output.weight, tensors, 'encoder.layer.1.output.dense.weight');
    expectSame(layers[1].outputLayerNorm.weight, tensors, 'encoder.layer.1.output.LayerNorm.weight');
    expectSame(pooler!.weight, tensors, 'pooler.dense.weight');

    expect(layers[1].intermediate.weight.shape).toEqual([37, 12]);
    expect(layers[1].output.weight.shape).toEqual([12, 37]);
    expect(layers[1].query.weight.name).toBe('encoder.layer.1.attention.self.query.weight');
    expect(checkpoint.mlmHead).toBeUndefined();
    expect(checkpoint.notes).toEqual([]);
    expect(checkpoint.unusedTensors).toEqual([]);
  });

  it('maps BertForMaskedLM names with the MLM head', async () => {
    const { checkpoint, tensors } = await load({ prefix: 'bert.', mlmHead: true });
    const head = checkpoint.mlmHead!;

    expect(checkpoint.prefix).toBe('bert.');
    expectSame(checkpoint.weights.embeddings.wordEmbeddings, tensors, 'bert.embeddings.word_embeddings.weight');
    expect(checkpoint.weights.embeddings.wordEmbeddings.name).toBe('embeddings.word_embeddings.weight');
    expectSame(checkpoint.weights.layers[1].query.weight, tensors, 'bert.encoder.layer.1.attention.self.query.weight');
    expectSame(head.transform.weight, tensors, 'cls.predictions.transform.dense.weight');
    expectSame(head.transformLayerNorm.bias, tensors, 'cls.predictions.transform.LayerNorm.bias');
    expectSame(head.decoderWeight, tensors, 'cls.predictions.decoder.weight');
    expectSame(head.decoderBias, tensors, 'cls.predictions.bias');
    expect(head.decoderTied).toBe(false);
  });

  it('ties a missing decoder to word embeddings', async () => {
    const { checkpoint } = await load({ prefix: 'bert.', mlmHead: true, tiedDecoder: true });
    const head = checkpoint.mlmHead!;

    expect(head.decoderTied).toBe(true);
    expect(head.decoderWeight).toBe(checkpoint.weights.embeddings.wordEmbeddings);
    expect(checkpoint.notes).toEqual([
      'model.safetensors has no cls.predictions.decoder.weight; the MLM decoder is tied to bert.embeddings.word_embeddings.weight.',
    ]);
  });

  it('reports a missing pooler', async () => {
    const { checkpoint } = await load({ pooler: false });

    expect(checkpoint.weights.pooler).toBeUndefined();
    expect(checkpoint.notes).toEqual(['model.safetensors has no pooler.dense weights; initialise the pooler before using the pooled [CLS] output.']);
  });

  it('accepts legacy gamma and beta names', async () => {
    const { checkpoint, tensors } = await load({ prefix: 'bert.', mlmHead: true, legacyLayerNormNames: true });

    expectSame(checkpoint.weights.embeddings.layerNorm.weight, tensors, 'bert.embeddings.LayerNorm.gamma');
    expectSame(checkpoint.weights.layers[0].outputLayerNorm.bias, tensors, 'bert.encoder.layer.0.output.LayerNorm.beta');
    expectSame(checkpoint.mlmHead!.transformLayerNorm.weight, tensors, 'cls.predictions.transform.LayerNorm.gamma');
    expect(checkpoint.weights.embeddings.layerNorm.weight.name).toBe('embeddings.LayerNorm.weight');
  });

  it('reads F16 and BF16 within precision', async () => {
    for (const [dtype, tolerance] of [['F16', 2 ** -11], ['BF16', 2 ** -8]] as const) {
      const { checkpoint, tensors } = await load({ prefix: 'bert.', mlmHead: true, dtype });
      for (const weight of listWeights(checkpoint)) {
        const original = tensors[weight.sourceName].data;
        expect(weight.sourceDtype).toBe(dtype);
        expect(weight.data.length).toBe(original.length);
        for (let i = 0; i < original.length; i++) {
          if (Math.abs(weight.data[i] - original[i]) > Math.abs(original[i]) * tolerance) {
            expect.fail(`${dtype} ${weight.sourceName}[${i}] is ${weight.data[i]}, expected ${original[i]} within ${tolerance} relative`);
          }
        }
      }
    }
  });

  it('lists every weight once', async () => {
    const { checkpoint, tensors } = await load({ prefix: 'bert.', mlmHead: true });
    const listed = listWeights(checkpoint);

    expect(listed.map((weight) => weight.sourceName).sort()).toEqual(Object.keys(tensors).sort());
    const parameters = listed.reduce((sum, weight) => sum + weight.data.length, 0);
    // embeddings (21 + 16 + 2 rows of 12, LayerNorm 24) + 2 layers × (4·156 + 2·24 + 37·13 + 12·38) + pooler 156 + head 156 + 24 + 21 + 252
    expect(parameters).toBe(39 * 12 + 24 + 2 * (4 * 156 + 48 + 37 * 13 + 12 * 38) + 156 + 156 + 24 + 21 + 252);
  });

  it('accepts the decoder bias alias and lists unused tensors', async () => {
    const tensors = tinyTensors(configJson, { prefix: 'bert.', mlmHead: true });
    const bias = tensors['cls.predictions.bias'];
    delete tensors['cls.predictions.bias'];
    tensors['cls.predictions.decoder.bias'] = bias;

    const checkpoint = await loadTensors(tensors, {
      'bert.embeddings.position_ids': { dtype: 'F32', shape: [1, 16], data: new Float32Array(16) },
      'cls.seq_relationship.weight': { dtype: 'F32', shape: [2, 12], data: new Float32Array(24) },
    });

    expect(checkpoint.mlmHead!.decoderBias.sourceName).toBe('cls.predictions.decoder.bias');
    expect(checkpoint.unusedTensors.sort()).toEqual(['bert.embeddings.position_ids', 'cls.seq_relationship.weight']);
  });

  it('rejects a missing tensor', async () => {
    const tensors = tinyTensors(configJson, { prefix: 'bert.' });
    delete tensors['bert.encoder.layer.1.output.dense.bias'];

    await expect(loadTensors(tensors)).rejects.toThrow(
      'model.safetensors: missing tensor "bert.encoder.layer.1.output.dense.bias", expected shape [12] = [hidden_size].',
    );

    const withoutLayerNorm = tinyTensors(configJson);
    delete withoutLayerNorm['embeddings.LayerNorm.weight'];
    await expect(loadTensors(withoutLayerNorm)).rejects.toThrow(
      'missing tensor "embeddings.LayerNorm.weight" (or "embeddings.LayerNorm.gamma"), expected shape [12] = [hidden_size].',
    );
  });

  it('rejects a mis-shaped tensor', async () => {
    const tensors = tinyTensors(configJson, { prefix: 'bert.' });
    tensors['bert.encoder.layer.0.intermediate.dense.weight'] = { shape: [12, 37], data: tensors['bert.encoder.layer.0.intermediate.dense.weight'].data };

    await expect(loadTensors(tensors)).rejects.toThrow(
      'model.safetensors: tensor "bert.encoder.layer.0.intermediate.dense.weight" has shape [12, 37], expected [37, 12] = [intermediate_size, hidden_size] from config.json.',
    );

    const head = tinyTensors(configJson, { mlmHead: true });
    head['cls.predictions.bias'] = { shape: [20], data: new Float32Array(20) };
    await expect(loadTensors(head)).rejects.toThrow('tensor "cls.predictions.bias" has shape [20], expected [21] = [vocab_size] from config.json.');
  });

  it('rejects layers beyond the config', async () => {
    const threeLayers = tinyTensors(tinyConfigJson({ num_hidden_layers: 3 }), { prefix: 'bert.' });

    await expect(loadTensors(threeLayers)).rejects.toThrow(
      'model.safetensors: has tensors of 3 encoder layers (up to "bert.encoder.layer.2"), but config.json sets num_hidden_layers = 2; the config does not match the weights.',
    );
  });

  it('rejects a file that is not BERT', async () => {
    await expect(loadTensors({ 'model.embed_tokens.weight': { shape: [2], data: new Float32Array(2) } })).rejects.toThrow(
      'model.safetensors: found neither "embeddings.word_embeddings.weight" (BertModel) nor "bert.embeddings.word_embeddings.weight"',
    );
  });
});
