// Why A, C, D start kaiming-uniform and B starts at zero: ΔW = 0 at step 0, and every adapter tensor
// learns. And why C = D = 0 would be wrong: ICFM and CTCM would never move.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../gpu/engine';
import { AdamW } from '../gpu/ops/adamw';
import { linearForward } from '../gpu/ops/linear';
import { testEngine } from '../gpu/test-engine';
import { createRandom } from '../util/random';
import { initialAdapterValues, kaimingUniform, type AdapterValues } from './init';
import { LowRankAdapter, releaseActivations } from './lowrank';
import { ADAPTER_METHODS, type AdapterMethod } from './methods';

const ROWS = 9;
const IN = 13;
const OUT = 11;
const RANK = 4;
const ALPHA = 8;

interface Batch {
  x: Float32Array;
  weight: Float32Array;
  target: Float32Array;
}

function randomBatch(seed: number): Batch {
  const random = createRandom(seed);
  const fill = (count: number, scale: number) => Float32Array.from({ length: count }, () => random.uniform(-scale, scale));
  return { x: fill(ROWS * IN, 1), weight: fill(OUT * IN, 0.3), target: fill(ROWS * OUT, 1) };
}

function maxAbs(values: Float32Array): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

function changed(before: Float32Array, after: Float32Array): boolean {
  return before.some((value, i) => value !== after[i]);
}

/**
 * Runs one training step of a frozen linear layer with the adapter on a mean-squared-error loss
 * (the loss gradient is formed on the host), then one AdamW step. Returns the max |gradient| per factor.
 */
async function trainStep(engine: Engine, adapter: LowRankAdapter, optimizer: AdamW, batch: Batch): Promise<Record<string, number>> {
  const x = engine.tensor(batch.x, [ROWS, IN], 'f32', 'x');
  const weight = engine.tensor(batch.weight, [OUT, IN], 'f32', 'W');

  adapter.beginStep();
  const y = linearForward(x, weight);
  const activations = adapter.forward(x, y);

  const prediction = await y.readFloat();
  const dyValues = prediction.map((value, i) => (2 * (value - batch.target[i])) / prediction.length);
  const dy = engine.tensor(dyValues, [ROWS, OUT], 'f32', 'dy');
  adapter.backward(x, activations, dy, null);

  const gradients: Record<string, number> = {};
  for (const { name, grad } of adapter.parameters()) gradients[name.split('.').pop()!] = maxAbs(await grad.readFloat());
  optimizer.step();
  await engine.sync();

  releaseActivations(activations);
  for (const tensor of [x, weight, y, dy]) tensor.destroy();
  return gradients;
}

function makeAdapter(engine: Engine, method: AdapterMethod, values?: AdapterValues): { adapter: LowRankAdapter; optimizer: AdamW } {
  const config = { method, rank: RANK, alpha: ALPHA, inFeatures: IN, outFeatures: OUT, name: method };
  const adapter = values ? LowRankAdapter.fromValues(engine, config, values) : LowRankAdapter.create(engine, config, 42);
  const optimizer = new AdamW(engine, adapter.parameters(), { lr: 1e-2, weightDecay: 0 });
  return { adapter, optimizer };
}

describe('adapter init', () => {
  for (const method of ADAPTER_METHODS) {
    it(`${method}: ΔW is exactly zero at init`, async () => {
      const engine = await testEngine();
      const { adapter, optimizer } = makeAdapter(engine, method);
      const values = await adapter.readValues();

      expect(maxAbs(values.b)).toBe(0);
      expect(maxAbs(values.a)).toBeGreaterThan(0);
      expect(maxAbs(values.a)).toBeLessThanOrEqual(1 / Math.sqrt(IN));
      for (const factor of [values.c, values.d]) {
        if (!factor) continue;
        expect(maxAbs(factor)).toBeGreaterThan(0);
        expect(maxAbs(factor)).toBeLessThanOrEqual(1 / Math.sqrt(RANK));
      }

      const delta = adapter.deltaWeight();
      expect(maxAbs(await delta.readFloat())).toBe(0);
      delta.destroy();
      optimizer.destroy();
      adapter.destroy();
    });

    it(`${method}: every adapter tensor learns`, async () => {
      const engine = await testEngine();
      const { adapter, optimizer } = makeAdapter(engine, method);
      const initial = await adapter.readValues();
      const batch = randomBatch(1);

      // Step 1: with B = 0 only B has a gradient, because every other path runs through B
      // (dv = s·dy·B = 0). Weight decay is off, so the other tensors stay put on this step.
      const first = await trainStep(engine, adapter, optimizer, batch);
      expect(first.B).toBeGreaterThan(0);
      for (const name of ['A', 'C', 'D'].filter((factor) => factor in first)) expect(first[name], `step 1 gradient of ${name}`).toBe(0);
      const afterFirst = await adapter.readValues();
      expect(changed(initial.b, afterFirst.b)).toBe(true);

      // Step 2: B ≠ 0 now, so A, C and D receive gradient too, and every tensor has moved.
      const second = await trainStep(engine, adapter, optimizer, batch);
      for (const [name, gradient] of Object.entries(second)) expect(gradient, `step 2 gradient of ${name}`).toBeGreaterThan(0);
      const afterSecond = await adapter.readValues();
      expect(changed(initial.a, afterSecond.a)).toBe(true);
      expect(changed(initial.b, afterSecond.b)).toBe(true);
      if (initial.c) expect(changed(initial.c, afterSecond.c!)).toBe(true);
      if (initial.d) expect(changed(initial.d, afterSecond.d!)).toBe(true);

      const delta = adapter.deltaWeight();
      expect(maxAbs(await delta.readFloat())).toBeGreaterThan(0);
      delta.destroy();
      optimizer.destroy();
      adapter.destroy();
    });
  }
});

describe('zero-initialised C and D', () => {
  for (const method of ['icfm', 'ctcm'] as const) {
    it(`${method}: C = D = 0 freezes every gradient`, async () => {
      const engine = await testEngine();
      const values = initialAdapterValues(method, RANK, IN, OUT, 42);
      values.c = new Float32Array(RANK * RANK);
      if (method === 'ctcm') values.d = new Float32Array(RANK * RANK);
      const { adapter, optimizer } = makeAdapter(engine, method, values);

      // T = 0, so v = u·Tᵀ = 0 (no gradient for B), du = dv·T = 0 (none for A), and dC, dD are
      // products with C or D (ICFM: (dT + dTᵀ)·C; CTCM: dT·Dᵀ and Cᵀ·dT), so they stay 0 for ever.
      for (let step = 1; step <= 3; step++) {
        const gradients = await trainStep(engine, adapter, optimizer, randomBatch(step));
        for (const [name, gradient] of Object.entries(gradients)) expect(gradient, `step ${step} gradient of ${name}`).toBe(0);
      }
      const after = await adapter.readValues();
      expect(maxAbs(after.c!)).toBe(0);
      expect(maxAbs(after.b)).toBe(0);
      optimizer.destroy();
      adapter.destroy();
    });

    it(`${method}: C = D = 0 stays frozen even with B ≠ 0`, async () => {
      const engine = await testEngine();
      const values = initialAdapterValues(method, RANK, IN, OUT, 42);
      values.b = kaimingUniform(createRandom(5), OUT * RANK, RANK);
      values.c = new Float32Array(RANK * RANK);
      if (method === 'ctcm') values.d = new Float32Array(RANK * RANK);
      const { adapter, optimizer } = makeAdapter(engine, method, values);

      // C = D = 0 is a fixed point of the core's gradient whatever B is.
      const gradients = await trainStep(engine, adapter, optimizer, randomBatch(7));
      expect(gradients.C).toBe(0);
      if (method === 'ctcm') expect(gradients.D).toBe(0);
      optimizer.destroy();
      adapter.destroy();
    });
  }
});
