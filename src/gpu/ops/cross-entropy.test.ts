// Cross-entropy: label checks, rows without a counted label, extreme logits and shapes.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { IGNORE_INDEX, checkLabels, crossEntropyBackward, crossEntropyForward, uploadLabels } from './cross-entropy';

describe('cross-entropy labels', () => {
  it('rejects host labels outside [0, classes)', async () => {
    const engine = await testEngine();
    const before = engine.allocatedTensors;
    expect(() => uploadLabels(engine, [0, IGNORE_INDEX, 3], [3], 3, 'mlm labels')).toThrow(
      'mlm labels[2] is 3. A label must be in [0, 3) or -100 to ignore the row.',
    );
    expect(() => checkLabels([-1], 3)).toThrow('labels[0] is -1');
    expect(() => checkLabels([0.5], 3)).toThrow('labels[0] is 0.5');
    expect(() => checkLabels([2, IGNORE_INDEX, 0], 3)).not.toThrow();
    expect(engine.allocatedTensors).toBe(before);
  });

  it('returns zero when every label is ignored', async () => {
    const engine = await testEngine();
    const logits = engine.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'f32', 'logits');
    const labels = uploadLabels(engine, [IGNORE_INDEX, IGNORE_INDEX], [2], 3);
    const forward = crossEntropyForward(logits, labels);
    const dlogits = crossEntropyBackward(logits, labels, forward);

    expect(Array.from(await forward.loss.readFloat())).toEqual([0]);
    expect(Array.from(await forward.validRows.read())).toEqual([0]);
    expect(Array.from(await dlogits.readFloat())).toEqual([0, 0, 0, 0, 0, 0]);
    for (const tensor of [logits, labels, forward.loss, forward.logSumExp, forward.validRows, dlogits]) tensor.destroy();
  });

  it('skips GPU labels outside [0, classes)', async () => {
    const engine = await testEngine();
    const values = [0.5, -1, 2, 3, 0, 1, -2, 4, 1];
    const logits = engine.tensor(values, [3, 3], 'f32', 'logits');
    // Uploaded without uploadLabels, as labels computed on the GPU would arrive.
    const unchecked = engine.tensor([2, 7, -5], [3], 'i32', 'unchecked labels');
    const ignored = uploadLabels(engine, [2, IGNORE_INDEX, IGNORE_INDEX], [3], 3);

    const a = crossEntropyForward(logits, unchecked);
    const b = crossEntropyForward(logits, ignored);
    const gradA = crossEntropyBackward(logits, unchecked, a);
    const gradB = crossEntropyBackward(logits, ignored, b);

    expect(Array.from(await a.validRows.read())).toEqual([1]);
    expect(await a.loss.readFloat()).toEqual(await b.loss.readFloat());
    expect(await gradA.readFloat()).toEqual(await gradB.readFloat());
    for (const tensor of [logits, unchecked, ignored, a.loss, a.logSumExp, a.validRows, b.loss, b.logSumExp, b.validRows, gradA, gradB]) tensor.destroy();
  });

  it('stays finite for logits of ±1000', async () => {
    const engine = await testEngine();
    const logits = engine.tensor([1000, -1000, 0], [1, 3], 'f32', 'logits');
    const labels = uploadLabels(engine, [1], [1], 3);
    const forward = crossEntropyForward(logits, labels);
    const dlogits = crossEntropyBackward(logits, labels, forward, 2);

    // log Σ exp = 1000 + log(1 + e⁻²⁰⁰⁰ + e⁻¹⁰⁰⁰) = 1000 in f32, so the loss is 1000 − (−1000).
    expect(Array.from(await forward.loss.readFloat())).toEqual([2000]);
    expect(Array.from(await dlogits.readFloat())).toEqual([2, -2, 0]);
    for (const tensor of [logits, labels, forward.loss, forward.logSumExp, forward.validRows, dlogits]) tensor.destroy();
  });
});

describe('cross-entropy input checks', () => {
  it('accepts [batch, tokens, classes] logits', async () => {
    const engine = await testEngine();
    const logits = engine.zeros([2, 3, 4], 'f32', 'logits');
    const labels = uploadLabels(engine, [0, 1, 2, 3, IGNORE_INDEX, 0], [2, 3], 4);
    const forward = crossEntropyForward(logits, labels);

    // Uniform logits give log(4) per counted row.
    expect((await forward.loss.readFloat())[0]).toBeCloseTo(Math.log(4), 6);
    expect(Array.from(await forward.validRows.read())).toEqual([5]);
    for (const tensor of [logits, labels, forward.loss, forward.logSumExp, forward.validRows]) tensor.destroy();
  });

  it('rejects mismatched shapes and types', async () => {
    const engine = await testEngine();
    const logits = engine.zeros([2, 3, 4], 'f32', 'logits');
    const flatLabels = uploadLabels(engine, [0, 1, 2, 3, 0, 1], [6], 4);
    const floatLabels = engine.zeros([2, 3], 'f32', 'float labels');
    const vector = engine.zeros([4], 'f32', 'vector');
    expect(() => crossEntropyForward(logits, flatLabels)).toThrow('crossEntropy labels has shape [6], expected [2, 3].');
    expect(() => crossEntropyForward(logits, floatLabels)).toThrow('crossEntropy labels ("float labels") are f32, expected i32. Upload them with uploadLabels().');
    expect(() => crossEntropyForward(vector, flatLabels)).toThrow('crossEntropy logits have shape [4], expected [rows, classes] or [..., classes].');
    for (const tensor of [logits, flatLabels, floatLabels, vector]) tensor.destroy();
  });

  it('rejects a non-finite lossGrad', async () => {
    const engine = await testEngine();
    const logits = engine.zeros([1, 2], 'f32', 'logits');
    const labels = uploadLabels(engine, [0], [1], 2);
    const forward = crossEntropyForward(logits, labels);
    expect(() => crossEntropyBackward(logits, labels, forward, Number.NaN)).toThrow('crossEntropy lossGrad is NaN. It must be a finite number');
    for (const tensor of [logits, labels, forward.loss, forward.logSumExp, forward.validRows]) tensor.destroy();
  });
});
