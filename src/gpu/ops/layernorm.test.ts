// LayerNorm: input checks, a single gradient target and accumulation into existing gradients.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import type { Tensor } from '../tensor';
import { testEngine } from '../test-engine';
import { layerNormBackward, layerNormForward } from './layernorm';

const ROWS = 5;
const HIDDEN = 33;

/** Uploads sin(i · step) + 0.1 · i, a smooth input with a trend, so rows have distinct means and spreads. */
function sequence(engine: Engine, length: number, shape: number[], label: string, step: number): Tensor {
  return engine.tensor(Float32Array.from({ length }, (_, i) => Math.sin(i * step) + 0.1 * i), shape, 'f32', label);
}

describe('layerNorm input checks', () => {
  it('rejects invalid eps and shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([ROWS, HIDDEN], 'f32', 'x');
    const gamma = engine.zeros([HIDDEN], 'f32', 'gamma');
    const shortBeta = engine.zeros([HIDDEN - 1], 'f32', 'beta');
    const vector = engine.zeros([HIDDEN], 'f32', 'vector');
    expect(() => layerNormForward(x, gamma, gamma, 0)).toThrow('layerNorm eps is 0. It must be a positive finite number such as 1e-12 (BERT) or 1e-5.');
    expect(() => layerNormForward(x, gamma, gamma, Number.NaN)).toThrow('layerNorm eps is NaN');
    expect(() => layerNormForward(x, gamma, shortBeta, 1e-12)).toThrow('layerNorm beta has shape [32], expected [33].');
    expect(() => layerNormForward(vector, gamma, gamma, 1e-12)).toThrow('layerNorm x has shape [33], expected at least two dimensions [rows, hidden].');
    for (const tensor of [x, gamma, shortBeta, vector]) tensor.destroy();
  });

  it('rejects accumulate without gradient tensors', async () => {
    const engine = await testEngine();
    const x = engine.zeros([ROWS, HIDDEN], 'f32', 'x');
    const gamma = engine.zeros([HIDDEN], 'f32', 'gamma');
    const rowStats = engine.zeros([ROWS], 'f32', 'row stats');
    const wrongStats = engine.zeros([ROWS + 1], 'f32', 'wrong stats');
    expect(() => layerNormBackward(x, gamma, rowStats, rowStats, x, { accumulate: true })).toThrow(
      'layerNormBackward was asked to accumulate but got neither gammaGrad nor betaGrad',
    );
    expect(() => layerNormBackward(x, gamma, wrongStats, rowStats, x)).toThrow('layerNorm backward mean has shape [6], expected [5].');
    for (const tensor of [x, gamma, rowStats, wrongStats]) tensor.destroy();
  });
});

describe('layerNorm parameter gradients', () => {
  it('match with one or both targets and accumulate', async () => {
    const engine = await testEngine();
    const x = sequence(engine, ROWS * HIDDEN, [ROWS, HIDDEN], 'x', 0.7);
    const dy = sequence(engine, ROWS * HIDDEN, [ROWS, HIDDEN], 'dy', 1.3);
    const gamma = sequence(engine, HIDDEN, [HIDDEN], 'gamma', 0.3);
    const beta = sequence(engine, HIDDEN, [HIDDEN], 'beta', 0.9);
    const { y, mean, rstd } = layerNormForward(x, gamma, beta, 1e-12);

    const gammaGrad = engine.empty([HIDDEN], 'f32', 'dgamma');
    const betaGrad = engine.empty([HIDDEN], 'f32', 'dbeta');
    const dx = layerNormBackward(x, gamma, mean, rstd, dy, { gammaGrad, betaGrad });
    const dgamma = await gammaGrad.readFloat();
    const dbeta = await betaGrad.readFloat();

    // Only gammaGrad: dbeta goes to a scratch tensor, dgamma and dx are unchanged.
    const gammaOnly = engine.empty([HIDDEN], 'f32', 'dgamma only');
    const dxGammaOnly = layerNormBackward(x, gamma, mean, rstd, dy, { gammaGrad: gammaOnly });
    expect(await gammaOnly.readFloat()).toEqual(dgamma);
    expect(await dxGammaOnly.readFloat()).toEqual(await dx.readFloat());

    // Accumulating twice from zero gives twice the gradient (exact in f32, since doubling is exact).
    const betaSum = engine.zeros([HIDDEN], 'f32', 'dbeta sum');
    for (let step = 0; step < 2; step++) layerNormBackward(x, gamma, mean, rstd, dy, { betaGrad: betaSum, accumulate: true }).destroy();
    expect(await betaSum.readFloat()).toEqual(dbeta.map((value) => 2 * value));

    // dbeta is Σ_rows dy, checked on the host.
    const dyValues = await dy.readFloat();
    for (let column = 0; column < HIDDEN; column++) {
      let sum = 0;
      for (let row = 0; row < ROWS; row++) sum += dyValues[row * HIDDEN + column];
      expect(dbeta[column]).toBeCloseTo(sum, 4);
    }
    for (const tensor of [x, dy, gamma, beta, y, mean, rstd, gammaGrad, betaGrad, dx, gammaOnly, dxGammaOnly, betaSum]) tensor.destroy();
  });
});
