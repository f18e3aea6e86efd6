// Option and parameter validation of AdamW, and the contract of gradNorm() and the gradient buffers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import type { Tensor } from '../tensor';
import { testEngine } from '../test-engine';
import { AdamW, type AdamWOptions } from './adamw';

const created: Tensor[] = [];

function tensorOf(engine: Engine, values: number[], shape = [values.length]): Tensor {
  const tensor = engine.tensor(new Float32Array(values), shape);
  created.push(tensor);
  return tensor;
}

afterEach(() => {
  for (const tensor of created.splice(0)) tensor.destroy();
});

async function singleParameter(): Promise<{ engine: Engine; param: Tensor; grad: Tensor }> {
  const engine = await testEngine();
  return { engine, param: tensorOf(engine, [1, 2, 3]), grad: tensorOf(engine, [0.5, -1, 2]) };
}

describe('AdamW options', () => {
  const invalid: Array<[string, Partial<AdamWOptions>, RegExp]> = [
    ['lr zero', { lr: 0 }, /lr must be a positive finite number, got 0/],
    ['lr NaN', { lr: Number.NaN }, /lr must be a positive finite number, got NaN/],
    ['lr negative', { lr: -1e-3 }, /got -0.001/],
    ['beta1 one', { betas: [1, 0.999] }, /betas\[0\] must be in \[0, 1\), got 1/],
    ['beta2 negative', { betas: [0.9, -0.1] }, /betas\[1\] must be in \[0, 1\), got -0.1/],
    ['eps zero', { eps: 0 }, /eps must be a positive finite number, got 0/],
    ['weight decay negative', { weightDecay: -0.01 }, /weightDecay must be a finite number >= 0, got -0.01/],
    ['maxGradNorm zero', { maxGradNorm: 0 }, /maxGradNorm must be a positive finite number, got 0/],
  ];
  for (const [name, options, message] of invalid) {
    it(`rejects ${name}`, async () => {
      const { engine, param, grad } = await singleParameter();
      expect(() => new AdamW(engine, [{ param, grad }], { lr: 1e-3, ...options })).toThrow(message);
    });
  }

  it('rejects invalid step lr', async () => {
    const { engine, param, grad } = await singleParameter();
    const optimizer = new AdamW(engine, [{ param, grad }], { lr: 1e-3 });
    expect(() => optimizer.step(Number.NaN)).toThrow(/lr must be a positive finite number, got NaN/);
    expect(optimizer.steps).toBe(0);
    optimizer.destroy();
  });
});

describe('AdamW parameters', () => {
  it('rejects empty parameter list', async () => {
    const engine = await testEngine();
    expect(() => new AdamW(engine, [], { lr: 1e-3 })).toThrow(/at least one parameter/);
  });

  it('rejects gradient of another shape', async () => {
    const engine = await testEngine();
    const param = tensorOf(engine, [1, 2, 3, 4, 5, 6], [2, 3]);
    const grad = tensorOf(engine, [1, 2, 3, 4, 5, 6], [3, 2]);
    expect(() => new AdamW(engine, [{ param, grad }], { lr: 1e-3 })).toThrow(/gradient .* has shape \[3, 2\], expected \[2, 3\]/);
  });

  it('rejects parameter listed twice', async () => {
    const { engine, param, grad } = await singleParameter();
    const otherGrad = tensorOf(engine, [0, 0, 0]);
    expect(() => new AdamW(engine, [{ param, grad }, { param, grad: otherGrad }], { lr: 1e-3 })).toThrow(/parameter 1 .* is listed twice/);
  });

  it('rejects parameter as own gradient', async () => {
    const { engine, param } = await singleParameter();
    expect(() => new AdamW(engine, [{ param, grad: param }], { lr: 1e-3 })).toThrow(/same buffer as its gradient/);
  });
});

describe('AdamW gradNorm', () => {
  it('rejects read before first step', async () => {
    const { engine, param, grad } = await singleParameter();
    const optimizer = new AdamW(engine, [{ param, grad }], { lr: 1e-3 });
    await expect(optimizer.gradNorm()).rejects.toThrow(/before the first step/);
    optimizer.destroy();
  });

  it('returns unclipped norm and leaves grads unchanged', async () => {
    const { engine, param, grad } = await singleParameter();
    const optimizer = new AdamW(engine, [{ param, grad }], { lr: 1e-3, maxGradNorm: 0.1 });
    optimizer.step();

    // The norm is √(0.25 + 1 + 4) = √5.25, and clipping scales the gradient only inside the kernel.
    expect(await optimizer.gradNorm()).toBeCloseTo(Math.sqrt(5.25), 5);
    expect(Array.from(await grad.readFloat())).toEqual([0.5, -1, 2]);
    optimizer.destroy();
  });

  it('rejects use after destroy', async () => {
    const { engine, param, grad } = await singleParameter();
    const optimizer = new AdamW(engine, [{ param, grad }], { lr: 1e-3 });
    optimizer.destroy();
    expect(() => optimizer.step()).toThrow(/step\(\) was called after destroy\(\)/);
    await expect(optimizer.gradNorm()).rejects.toThrow(/after destroy/);
  });
});
