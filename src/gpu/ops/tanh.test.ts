// tanh stays finite and saturates at ±1 for large |x|, where a sinh/cosh evaluation overflows.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../test-engine';
import { tanhBackward, tanhForward } from './tanh';

describe('tanh extremes', () => {
  it('saturates without NaN', async () => {
    const engine = await testEngine();
    const x = engine.tensor([100, -100, 1e30, -1e30, 88.8, -0, 0], [7], 'f32', 'x');
    const dy = engine.tensor([1, 1, 1, 1, 1, 1, 1], [7], 'f32', 'dy');
    const y = tanhForward(x);
    const dx = tanhBackward(y, dy);
    expect(Array.from(await y.readFloat())).toEqual([1, -1, 1, -1, 1, -0, 0]);
    expect(Array.from(await dx.readFloat())).toEqual([0, 0, 0, 0, 0, 1, 1]);
    for (const tensor of [x, dy, y, dx]) tensor.destroy();
  });
});
