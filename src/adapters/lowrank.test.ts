// Adapter bookkeeping and bad input: ranks, alpha, method names, shapes, parameter counts, and the
// host-side core formula against the GPU one.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../gpu/test-engine';
import { createRandom } from '../util/random';
import { buildCore } from './core';
import { kaimingUniform } from './init';
import { LowRankAdapter } from './lowrank';
import { ADAPTER_METHODS, coreOnHost, parseMethod, trainableParameters } from './methods';

describe('adapter validation', () => {
  it('rejects a rank above min(in, out)', async () => {
    const engine = await testEngine();
    const create = () => LowRankAdapter.create(engine, { method: 'lora', rank: 9, alpha: 16, inFeatures: 8, outFeatures: 32, name: 'query' }, 1);
    expect(create).toThrow(/Rank 9 of query is invalid for a \[32, 8\] weight: use an integer from 1 to 8/);
  });

  it('rejects a zero or fractional rank', async () => {
    const engine = await testEngine();
    expect(() => LowRankAdapter.create(engine, { method: 'shim', rank: 0, alpha: 1, inFeatures: 8, outFeatures: 8 }, 1)).toThrow(/Rank 0/);
    expect(() => LowRankAdapter.create(engine, { method: 'shim', rank: 2.5, alpha: 1, inFeatures: 8, outFeatures: 8 }, 1)).toThrow(/Rank 2.5/);
  });

  it('rejects a non-positive alpha', async () => {
    const engine = await testEngine();
    expect(() => LowRankAdapter.create(engine, { method: 'dtsm', rank: 2, alpha: 0, inFeatures: 8, outFeatures: 8 }, 1)).toThrow(/Alpha 0 .* positive number/);
  });

  it('rejects an unknown method name', () => {
    expect(() => parseMethod('dora')).toThrow(/Unknown adapter method "dora". Use one of: lora, shim, icfm, ctcm, dtsm/);
    expect(parseMethod(' ICFM ')).toBe('icfm');
  });

  it('rejects an input of the wrong width', async () => {
    const engine = await testEngine();
    const adapter = LowRankAdapter.create(engine, { method: 'ctcm', rank: 2, alpha: 4, inFeatures: 8, outFeatures: 6, name: 'value' }, 1);
    const x = engine.tensor(new Float32Array(3 * 7), [3, 7]);
    const y = engine.zeros([3, 6]);
    expect(() => adapter.forward(x, y)).toThrow(/value input has shape \[3, 7\], expected \[3, 8\]/);
    for (const tensor of [x, y]) tensor.destroy();
    adapter.destroy();
  });

  it('rejects missing factor values', async () => {
    const engine = await testEngine();
    const values = { a: new Float32Array(2 * 8), b: new Float32Array(6 * 2), c: new Float32Array(4) };
    const create = () => LowRankAdapter.fromValues(engine, { method: 'ctcm', rank: 2, alpha: 4, inFeatures: 8, outFeatures: 6 }, values);
    expect(create).toThrow(/CTCM needs initial values for D/);
  });
});

describe('trainable parameters', () => {
  it('counts r·(in + out) plus r² per factor', () => {
    expect(trainableParameters('lora', 8, 128, 512)).toBe(8 * 640);
    expect(trainableParameters('shim', 8, 128, 512)).toBe(8 * 640 + 64);
    expect(trainableParameters('icfm', 8, 128, 512)).toBe(8 * 640 + 64);
    expect(trainableParameters('ctcm', 8, 128, 512)).toBe(8 * 640 + 128);
    expect(trainableParameters('dtsm', 8, 128, 512)).toBe(8 * 640 + 128);
  });
});

describe('core T', () => {
  for (const method of ADAPTER_METHODS.filter((name) => name !== 'lora')) {
    it(`${method}: GPU core equals the host formula`, async () => {
      const engine = await testEngine();
      const rank = 5;
      const random = createRandom(3);
      const cValues = kaimingUniform(random, rank * rank, rank);
      const dValues = kaimingUniform(random, rank * rank, rank);
      const c = engine.tensor(cValues, [rank, rank]);
      const d = engine.tensor(dValues, [rank, rank]);

      const t = buildCore(method, c, d)!;
      const gpu = await t.readFloat();
      const host = coreOnHost(method, rank, cValues, dValues);
      for (let i = 0; i < host.length; i++) expect(gpu[i]).toBeCloseTo(host[i], 6);
      for (const tensor of [t, c, d]) tensor.destroy();
    });
  }

  it('icfm core is symmetric positive semi-definite', () => {
    const rank = 4;
    const c = kaimingUniform(createRandom(9), rank * rank, rank);
    const t = coreOnHost('icfm', rank, c);
    const random = createRandom(10);
    for (let i = 0; i < rank; i++) for (let j = 0; j < rank; j++) expect(t[i * rank + j]).toBeCloseTo(t[j * rank + i], 12);
    for (let trial = 0; trial < 20; trial++) {
      const z = Array.from({ length: rank }, () => random.uniform(-1, 1));
      let quadratic = 0;
      for (let i = 0; i < rank; i++) for (let j = 0; j < rank; j++) quadratic += z[i] * t[i * rank + j] * z[j];
      expect(quadratic).toBeGreaterThanOrEqual(-1e-12);
    }
  });
});
