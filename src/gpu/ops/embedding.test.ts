// Embedding: host id checks, ids outside the vocabulary on the GPU, and repeated ids in the backward.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { checkTokenIds, embeddingBackward, embeddingForward, uploadTokenIds } from './embedding';

describe('embedding token ids', () => {
  it('rejects host ids outside the vocabulary', async () => {
    const engine = await testEngine();
    const before = engine.allocatedTensors;
    expect(() => uploadTokenIds(engine, [0, 3, 4], [3], 4, 'input ids')).toThrow(
      'input ids[2] is 4, outside the vocabulary [0, 4). Check the tokenizer and the vocabulary size of the embedding table.',
    );
    expect(() => uploadTokenIds(engine, [-1], [1], 4)).toThrow('token ids[0] is -1');
    expect(() => checkTokenIds([1.5], 4)).toThrow('token ids[0] is 1.5');
    expect(engine.allocatedTensors).toBe(before);
  });

  it('rejects float ids and a mismatched dOut', async () => {
    const engine = await testEngine();
    const table = engine.zeros([5, 3], 'f32', 'table');
    const floatIds = engine.zeros([2], 'f32', 'float ids');
    const ids = uploadTokenIds(engine, [1, 2], [2], 5);
    const dOut = engine.zeros([2, 4], 'f32', 'dOut');
    const flatTable = engine.zeros([15], 'f32', 'flat table');
    expect(() => embeddingForward(floatIds, table)).toThrow('embedding ids ("float ids") are f32, expected i32. Upload them with uploadTokenIds().');
    expect(() => embeddingBackward(ids, dOut, table)).toThrow('embedding dOut has shape [2, 4], expected [2, 3].');
    expect(() => embeddingForward(ids, flatTable)).toThrow('embedding table has shape [15], expected [vocab, hidden].');
    for (const tensor of [table, floatIds, ids, dOut, flatTable]) tensor.destroy();
  });

  it('zeros rows of GPU ids outside the vocabulary', async () => {
    const engine = await testEngine();
    const table = engine.tensor([1, 2, 3, 4, 5, 6], [3, 2], 'f32', 'table');
    // Uploaded without uploadTokenIds, as ids computed on the GPU would arrive.
    const ids = engine.tensor([2, -1, 3, 0], [4], 'i32', 'unchecked ids');
    const out = embeddingForward(ids, table);
    expect(Array.from(await out.readFloat())).toEqual([5, 6, 0, 0, 0, 0, 1, 2]);

    const tableGrad = engine.zeros([3, 2], 'f32', 'tableGrad');
    const dOut = engine.tensor([1, 1, 10, 10, 100, 100, 1000, 1000], [4, 2], 'f32', 'dOut');
    embeddingBackward(ids, dOut, tableGrad);
    expect(Array.from(await tableGrad.readFloat())).toEqual([1000, 1000, 0, 0, 1, 1]);
    for (const tensor of [table, ids, out, tableGrad, dOut]) tensor.destroy();
  });

  it('adds repeated ids in token order', async () => {
    const engine = await testEngine();
    const tokens = 1000;
    const ids = uploadTokenIds(engine, new Int32Array(tokens).fill(1), [tokens], 2);
    const dOut = engine.tensor(Float32Array.from({ length: tokens }, (_, t) => t), [tokens, 1], 'f32', 'dOut');
    const tableGrad = engine.tensor([7, 0.5], [2, 1], 'f32', 'tableGrad');
    embeddingBackward(ids, dOut, tableGrad);

    // The f32 sum of 0.5 + 0 + 1 + … + 999 in order is exact (499500.5 < 2²⁴).
    expect(Array.from(await tableGrad.readFloat())).toEqual([7, 499500.5]);
    for (const tensor of [ids, dOut, tableGrad]) tensor.destroy();
  });
});
