// MSE input checks. The kernel checks compare the values with PyTorch.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { mseBackward, mseForward } from './mse';

describe('mse input checks', () => {
  it('accepts [rows] against [rows, 1]', async () => {
    const engine = await testEngine();
    const pred = engine.tensor([1, 2, 3], [3], 'f32', 'pred');
    const target = engine.tensor([1, 0, 6], [3, 1], 'f32', 'target');
    const loss = mseForward(pred, target);
    const dpred = mseBackward(pred, target);
    expect(Array.from(await loss.readFloat())).toEqual([13 / 3].map(Math.fround));
    expect(dpred.shape).toEqual([3]);
    expect(Array.from(await dpred.readFloat())).toEqual([0, 4 / 3, -2].map(Math.fround));
    for (const tensor of [pred, target, loss, dpred]) tensor.destroy();
  });

  it('rejects shapes that are not one value per row', async () => {
    const engine = await testEngine();
    const pred = engine.zeros([3, 2], 'f32', 'pred');
    const target = engine.zeros([3], 'f32', 'target');
    const longer = engine.zeros([4], 'f32', 'longer');
    expect(() => mseForward(pred, target)).toThrow('mse pred has shape [3, 2], expected [rows] or [rows, 1] (one regression output per row).');
    expect(() => mseForward(target, longer)).toThrow('mse pred [3] and target [4] have different row counts.');
    expect(() => mseBackward(target, target, Number.POSITIVE_INFINITY)).toThrow('mse lossGrad is Infinity. It must be a finite number');
    for (const tensor of [pred, target, longer]) tensor.destroy();
  });
});
