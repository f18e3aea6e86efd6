// Fill-mask: the top-k softmax, the encoding of texts with [MASK], the probabilities against PyTorch's MLM logits
// on the encoder fixture, and whole texts through a tiny BertForMaskedLM checkpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import { BertModel } from './bert';
import { weightsFromCheckpoint } from './bert-weights';
import { loadEncoderFixture, type EncoderFixture } from './encoder-check';
import { createFillMaskModel, encodeMaskedTexts, fillMask, predictMaskedRows, topKSoftmax } from './fill-mask';
import { loadCheckpoint, type LoadedModel } from './load';
import type { ModelFile, ModelFiles } from './sources';
import { tinyConfigJson, tinySafetensors, tinyTensors, TINY_VOCAB, type TinyTensorOptions } from './test-checkpoint';
import { BertTokenizer } from './tokenizer';

/** Softmax in float64 with the maximum subtracted, written out plainly as the reference. */
function referenceSoftmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
}

/** Ids sorted by descending value, ties by ascending id. */
function rankIds(values: readonly number[]): number[] {
  return values.map((_, id) => id).sort((a, b) => values[b] - values[a] || a - b);
}

function memoryFile(name: string, bytes: Uint8Array): ModelFile {
  return { name, location: `memory/${name}`, data: new Blob([bytes as BlobPart]), fromCache: false };
}

/** Loads a tiny checkpoint from memory. `plant` adds a value to cls.predictions.bias per token. */
async function loadTiny(options: TinyTensorOptions, plant: Record<string, number> = {}): Promise<LoadedModel> {
  const config = tinyConfigJson();
  const tensors = tinyTensors(config, options);
  for (const [token, value] of Object.entries(plant)) {
    tensors['cls.predictions.bias'].data[TINY_VOCAB.indexOf(token)] += value;
  }
  const encoder = new TextEncoder();
  const files: ModelFiles = {
    origin: 'memory',
    config: memoryFile('config.json', encoder.encode(JSON.stringify(config))),
    weights: memoryFile('model.safetensors', tinySafetensors(tensors)),
    vocab: memoryFile('vocab.txt', encoder.encode(`${TINY_VOCAB.join('\n')}\n`)),
    fromCache: false,
  };
  return loadCheckpoint(files);
}

describe('topKSoftmax', () => {
  it('matches the softmax of small logits', () => {
    const logits = Float32Array.of(0.5, 2, -1, 2.5, 0);
    const expected = referenceSoftmax(logits);

    const top = topKSoftmax(logits, 3);

    expect(top.map(({ id }) => id)).toEqual([3, 1, 0]);
    top.forEach(({ id, probability }) => expect(probability).toBeCloseTo(expected[id], 12));
  });

  it('sums to one with k equal to the vocabulary', () => {
    const top = topKSoftmax(Float32Array.of(1, 2, 3, 4), 4);
    expect(top.reduce((sum, { probability }) => sum + probability, 0)).toBeCloseTo(1, 12);
  });

  it('lists tied logits by ascending id', () => {
    expect(topKSoftmax(Float32Array.of(1, 3, 3, 0, 3), 3).map(({ id }) => id)).toEqual([1, 2, 4]);
  });

  it('does not overflow on large logits', () => {
    const top = topKSoftmax(Float32Array.of(1000, 1001, -1000), 2);
    expect(top[0].id).toBe(1);
    expect(top[0].probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(top[1].probability).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12);
  });

  it('reads one row of a larger array', () => {
    const logits = Float32Array.of(9, 9, 0, 1, 2, 9);
    const top = topKSoftmax(logits, 1, 2, 3);
    expect(top[0].id).toBe(2);
    expect(top[0].probability).toBeCloseTo(referenceSoftmax([0, 1, 2])[2], 12);
  });

  it('rejects invalid k and non-finite logits', () => {
    expect(() => topKSoftmax(Float32Array.of(1, 2), 0)).toThrow('Top-k is 0; expected an integer in [1, 2]');
    expect(() => topKSoftmax(Float32Array.of(1, 2), 3)).toThrow('Top-k is 3; expected an integer in [1, 2]');
    expect(() => topKSoftmax(Float32Array.of(1, 2), 1.5)).toThrow('Top-k is 1.5');
    expect(() => topKSoftmax(Float32Array.of(1, Number.NaN), 1)).toThrow('Logit 1 is NaN');
    expect(() => topKSoftmax(Float32Array.of(1, 2), 1, 1, 2)).toThrow('the range [1, 3) is not a non-empty part of 2 logits');
  });
});

describe('encodeMaskedTexts', () => {
  const tokenizer = BertTokenizer.fromVocab(`${TINY_VOCAB.join('\n')}\n`);
  const mask = TINY_VOCAB.indexOf('[MASK]');
  const pad = TINY_VOCAB.indexOf('[PAD]');

  it('finds masks and pads to the longest text', () => {
    const { batch, rows } = encodeMaskedTexts(tokenizer, ['the [MASK] sat on the [MASK]', 'a [MASK]'], 16);

    expect(rows[0].tokens).toEqual(['[CLS]', 'the', '[MASK]', 'sat', 'on', 'the', '[MASK]', '[SEP]']);
    expect(rows[0].maskPositions).toEqual([2, 6]);
    expect(rows[1].maskPositions).toEqual([2]);
    expect(batch.batch).toBe(2);
    expect(batch.tokens).toBe(8);
    expect(Array.from(batch.inputIds.subarray(8))).toEqual([2, 10, mask, 3, pad, pad, pad, pad]);
    expect(Array.from(batch.attentionMask!)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('rejects a text without [MASK]', () => {
    expect(() => encodeMaskedTexts(tokenizer, ['the cat sat'], 16)).toThrow(
      'The text "the cat sat" has no [MASK] token. Put [MASK] where the model should predict a word',
    );
    expect(() => encodeMaskedTexts(tokenizer, ['a [MASK]', 'the [mask]'], 16)).toThrow(
      'Text 2 "the [mask]" has no [MASK] token. Put [MASK] where the model should predict a word, e.g. "The cat sat on the [MASK]." The mask token is case-sensitive: write [MASK].',
    );
  });

  it('rejects a text past the position embeddings', () => {
    expect(() => encodeMaskedTexts(tokenizer, ['the cat sat on the [MASK]'], 7)).toThrow(
      'The text is 8 tokens long with [CLS] and [SEP], but the model reads at most 7 (max_position_embeddings). Shorten it.',
    );
  });

  it('rejects an empty list and non-strings', () => {
    expect(() => encodeMaskedTexts(tokenizer, [], 16)).toThrow('Fill-mask needs at least one text containing [MASK]; got none.');
    expect(() => encodeMaskedTexts(tokenizer, [42 as unknown as string], 16)).toThrow('The text is 42; expected a string containing [MASK].');
  });
});

describe('fill-mask on the GPU', () => {
  let engine: Engine;
  let fixture: EncoderFixture;
  const models: BertModel[] = [];

  beforeAll(async () => {
    engine = await testEngine();
    fixture = await loadEncoderFixture();
  });

  afterAll(() => {
    models.forEach((model) => model.destroy());
  });

  it('matches softmax of PyTorch MLM logits', async () => {
    const model = BertModel.create(engine, fixture.config, fixture.weights, { task: { kind: 'classification', numLabels: 2 }, trainable: { kind: 'head' }, seed: 0 });
    models.push(model);
    const { inputs } = fixture.inputs;
    const batch = {
      batch: fixture.inputs.batch,
      tokens: fixture.inputs.tokens,
      inputIds: Int32Array.from(inputs.input_ids.data),
      tokenTypeIds: Int32Array.from(inputs.token_type_ids.data),
      attentionMask: Int32Array.from(inputs.attention_mask.data),
    };
    const vocab = fixture.config.vocabSize;
    const expectedLogits = fixture.inputs.expected.mlm_logits.data;
    // Rows of all three sequences, among them the first and the last real token of the padded third one.
    const rows = [0, 5, 10, 11, 17, 22, 25];

    const predicted = await predictMaskedRows(model, batch, rows, 4);

    rows.forEach((row, index) => {
      const expected = referenceSoftmax(expectedLogits.slice(row * vocab, (row + 1) * vocab));
      const ranked = rankIds(expected);
      expect(predicted[index].map(({ id }) => id), `top-4 ids of row ${row}`).toEqual(ranked.slice(0, 4));
      predicted[index].forEach(({ id, probability }) => {
        expect(Math.abs(probability - expected[id]) / expected[id], `row ${row}, id ${id}`).toBeLessThan(1e-4);
      });
    });
  });

  it('rejects rows outside the batch', async () => {
    const model = models[0];
    const batch = { batch: 1, tokens: 3, inputIds: Int32Array.of(2, 5, 3) };
    await expect(predictMaskedRows(model, batch, [3])).rejects.toThrow('Mask row 3 is not in [0, 3), the rows of a batch of 1 × 3 tokens.');
    await expect(predictMaskedRows(model, batch, [0], 98)).rejects.toThrow('Top-k is 98; expected an integer in [1, 97], the vocabulary size.');
  });

  it('predicts a token the MLM bias favours', async () => {
    const { checkpoint, tokenizer } = await loadTiny({ prefix: 'bert.', mlmHead: true }, { mat: 40 });
    const model = createFillMaskModel(engine, checkpoint);
    models.push(model);

    const [result] = await fillMask(model, tokenizer, ['The cat sat on the [MASK].']);

    expect(result.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]', '.', '[SEP]']);
    expect(result.masks).toHaveLength(1);
    expect(result.masks[0].position).toBe(6);
    const [top, ...rest] = result.masks[0].predictions;
    expect(top.token).toBe('mat');
    expect(top.id).toBe(TINY_VOCAB.indexOf('mat'));
    expect(top.probability).toBeGreaterThan(0.999);
    expect(top.sequence).toBe('the cat sat on the mat.');
    expect(rest).toHaveLength(4);
  });

  it('gives the same results batched and alone', async () => {
    const { checkpoint, tokenizer } = await loadTiny({ prefix: 'bert.', mlmHead: true, tiedDecoder: true, seed: 11 });
    const model = createFillMaskModel(engine, checkpoint);
    models.push(model);
    const texts = ['[MASK] cat sat on a [MASK], hello world!', 'the [MASK] dog'];

    const batched = await fillMask(model, tokenizer, texts, { topK: 3 });
    const alone = [...(await fillMask(model, tokenizer, [texts[0]], { topK: 3 })), ...(await fillMask(model, tokenizer, [texts[1]], { topK: 3 }))];

    expect(batched.map((result) => result.masks.map((entry) => entry.position))).toEqual([[1, 6], [2]]);
    batched.forEach((result, i) => {
      result.masks.forEach((entry, j) => {
        const single = alone[i].masks[j].predictions;
        expect(entry.predictions.map(({ token }) => token), `text ${i}, mask ${j}`).toEqual(single.map(({ token }) => token));
        entry.predictions.forEach(({ probability }, k) => expect(probability).toBeCloseTo(single[k].probability, 5));
        // Most probable first, and the three together take no more than the whole distribution.
        expect(entry.predictions[0].probability).toBeGreaterThanOrEqual(entry.predictions[1].probability);
        expect(entry.predictions[1].probability).toBeGreaterThanOrEqual(entry.predictions[2].probability);
        expect(entry.predictions.reduce((sum, { probability }) => sum + probability, 0)).toBeLessThanOrEqual(1 + 1e-9);
      });
    });
    // With two masks the sequence fills one and keeps the other.
    expect(batched[0].masks[1].predictions[0].sequence.startsWith('[MASK] cat sat on a ')).toBe(true);
  });

  it('rejects a checkpoint without MLM head', async () => {
    const { checkpoint, tokenizer } = await loadTiny({ prefix: '' });

    expect(() => createFillMaskModel(engine, checkpoint)).toThrow(
      'memory/model.safetensors has no masked-language-model head (cls.predictions.*), so it cannot fill in [MASK]. Load a BertForMaskedLM checkpoint',
    );

    const model = BertModel.create(engine, checkpoint.config, weightsFromCheckpoint(checkpoint), { task: { kind: 'regression' }, trainable: { kind: 'head' }, seed: 1 });
    models.push(model);
    await expect(fillMask(model, tokenizer, ['the [MASK]'])).rejects.toThrow('This model has no masked-language-model head (cls.predictions.*)');
  });
});
