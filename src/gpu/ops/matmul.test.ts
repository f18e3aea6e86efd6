// matmul, bias and linear: every tiling and transpose against a float64 reference on odd shapes, and
// the input checks. The PyTorch comparison itself is the `matmul` and `linear-backward` kernel checks.
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine';
import { testEngine } from '../test-engine';
import type { Tensor } from '../tensor';
import { biasAddForward, biasBackward } from './bias';
import { linearBackward, linearForward } from './linear';
import { defaultMatmulTiling, matmul, type MatmulTiling } from './matmul';

/** Deterministic values in [-1, 1). */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** alpha · op(A) · op(B) + beta · C in float64, with A and B in their stored layouts. */
function referenceMatmul(
  a: Float32Array, b: Float32Array, c: Float32Array | null,
  [m, n, k]: readonly [number, number, number], transposeA: boolean, transposeB: boolean, alpha: number, beta: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    for (let col = 0; col < n; col++) {
      let sum = 0;
      for (let i = 0; i < k; i++) {
        const left = transposeA ? a[i * m + row] : a[row * k + i];
        const right = transposeB ? b[col * k + i] : b[i * n + col];
        sum += left * right;
      }
      out[row * n + col] = alpha * sum + (c ? beta * c[row * n + col] : 0);
    }
  }
  return out;
}

/** ‖actual − expected‖ / ‖expected‖; NaN (a failure) when any value is not finite. */
function relativeError(actual: Float32Array, expected: Float64Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(actual[i])) return Number.NaN;
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

async function runCase(
  engine: Engine, shape: readonly [number, number, number], transposeA: boolean, transposeB: boolean,
  tiling: MatmulTiling, accumulate: boolean,
): Promise<number> {
  const [m, n, k] = shape;
  const aData = values(m * k, 1 + m);
  const bData = values(k * n, 2 + n);
  const cData = accumulate ? values(m * n, 3 + k) : null;
  const a = engine.tensor(aData, transposeA ? [k, m] : [m, k], 'f32', 'a');
  const b = engine.tensor(bData, transposeB ? [n, k] : [k, n], 'f32', 'b');
  const out = cData ? engine.tensor(cData, [m, n], 'f32', 'c') : undefined;
  const alpha = accumulate ? 0.5 : -1.25;
  const beta = accumulate ? 1 : 0;

  const c = matmul(a, b, { transposeA, transposeB, alpha, beta, out, tiling });
  const actual = await c.readFloat();
  for (const tensor of [a, b, c]) tensor.destroy();
  return relativeError(actual, referenceMatmul(aData, bData, cData, shape, transposeA, transposeB, alpha, beta));
}

const TILINGS: MatmulTiling[] = [
  { block: 4, workgroup: [8, 8] },
  { block: 8, workgroup: [4, 2] },
  { block: 16, workgroup: [4, 4] },
];

// [M, N, K]: sizes of 1, odd sizes, one past a block, and multiples of 4 (the vec4 loads) mixed with odd ones.
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 9],
  [20, 12, 8],
  [16, 1, 36],
];

describe('matmul tilings', () => {
  for (const tiling of TILINGS) {
    for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const variant = `${transposeA ? 'T' : 'N'}${transposeB ? 'T' : 'N'}`;
      it(`block ${tiling.block} ${variant} matches float64`, async () => {
        const engine = await testEngine();
        for (const [index, shape] of SHAPES.entries()) {
          const error = await runCase(engine, shape, transposeA, transposeB, tiling, index % 2 === 1);
          expect(error, `shape ${shape.join('×')}`).toBeLessThan(1e-5);
        }
      });
    }
  }

  it('picks large blocks on SwiftShader', () => {
    expect(defaultMatmulTiling('google swiftshader swiftshader-device-subzero').block).toBe(16);
    expect(defaultMatmulTiling('nvidia ampere').block).toBe(4);
  });
});

describe('matmul input checks', () => {
  async function operands(shapeA: number[], shapeB: number[]): Promise<[Tensor, Tensor]> {
    const engine = await testEngine();
    const size = (shape: number[]) => shape.reduce((product, dim) => product * dim, 1);
    return [engine.tensor(values(size(shapeA), 1), shapeA, 'f32', 'x'), engine.tensor(values(size(shapeB), 2), shapeB, 'f32', 'w')];
  }

  it('rejects different inner dimensions', async () => {
    const [a, b] = await operands([4, 3], [5, 2]);
    expect(() => matmul(a, b)).toThrow(/inner dimensions differ: A \[4, 3\] has 3 columns but B \[5, 2\] has 5 rows/);
    expect(() => matmul(a, b, { transposeB: true })).toThrow(/Bᵀ \(B \[5, 2\]\) has 2 rows/);
  });

  it('rejects an output of the wrong shape', async () => {
    const [a, b] = await operands([4, 3], [3, 2]);
    const out = a.engine.zeros([2, 4], 'f32', 'y');
    expect(() => matmul(a, b, { out })).toThrow(/output "y" has shape \[2, 4\], expected \[4, 2\]/);
  });

  it('rejects beta without an output', async () => {
    const [a, b] = await operands([4, 3], [3, 2]);
    expect(() => matmul(a, b, { beta: 1 })).toThrow(/beta=1 reads the existing output, but no `out` tensor of shape \[4, 2\]/);
  });

  it('rejects operands that are not 2-D', async () => {
    const [a, b] = await operands([2, 4, 3], [3, 2]);
    expect(() => matmul(a, b)).toThrow(/A "x" has shape \[2, 4, 3\]; it must be 2-D/);
  });

  it('rejects an output that aliases an input', async () => {
    const [a, b] = await operands([3, 3], [3, 3]);
    expect(() => matmul(a, b, { out: a, beta: 1 })).toThrow(/shares its buffer with an input/);
  });

  it('rejects an invalid tiling', async () => {
    const [a, b] = await operands([3, 3], [3, 3]);
    expect(() => matmul(a, b, { tiling: { block: 2 as 4, workgroup: [8, 8] } })).toThrow(/block must be 4, 8 or 16/);
  });
});

describe('bias and linear', () => {
  it('bias backward overwrites then accumulates', async () => {
    const engine = await testEngine();
    const [rows, cols] = [37, 5];
    const dyData = values(rows * cols, 9);
    const dy = engine.tensor(dyData, [rows, cols]);
    const sums = Array.from({ length: cols }, (_, col) => Array.from({ length: rows }, (_, row) => dyData[row * cols + col]).reduce((x, y) => x + y, 0));

    const dbias = biasBackward(dy);
    expect(Array.from(await dbias.readFloat()).map((v, i) => v - sums[i]).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    biasBackward(dy, { out: dbias, beta: 1 });
    expect(Array.from(await dbias.readFloat()).map((v, i) => v - 2 * sums[i]).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    for (const tensor of [dy, dbias]) tensor.destroy();
  });

  it('bias add rejects a bias of the wrong length', async () => {
    const engine = await testEngine();
    const y = engine.zeros([3, 4], 'f32', 'y');
    const bias = engine.zeros([3], 'f32', 'b');
    expect(() => biasAddForward(y, bias)).toThrow(/bias_add_forward bias has shape \[3\], expected \[4\]/);
    expect(() => biasBackward(y, { beta: 1 })).toThrow(/beta=1 reads the existing gradient/);
  });

  it('linear backward leaves frozen weights alone', async () => {
    const engine = await testEngine();
    const x = engine.tensor(values(6 * 5, 4), [6, 5]);
    const weight = engine.tensor(values(3 * 5, 5), [3, 5]);
    const dy = engine.tensor(values(6 * 3, 6), [6, 3]);
    expect(linearBackward(x, weight, dy)).toEqual({});
    const { dx } = linearBackward(x, weight, dy, { inputGrad: true });
    expect(dx?.shape).toEqual([6, 5]);
    for (const tensor of [x, weight, dy, dx as Tensor]) tensor.destroy();
  });

  it('linear rejects a transposed weight', async () => {
    const engine = await testEngine();
    const x = engine.zeros([6, 5], 'f32', 'x');
    const weight = engine.zeros([5, 3], 'f32', 'w');
    expect(() => linearForward(x, weight)).toThrow(/weight "w" has shape \[5, 3\] but x "x" has 5 features .* transpose it if it is stored \[in, out\]/);
    const dy = engine.zeros([6, 4], 'f32', 'dy');
    const goodWeight = engine.zeros([3, 5], 'f32', 'w');
    expect(() => linearBackward(x, goodWeight, dy)).toThrow(/linear dy "dy" has shape \[6, 4\], expected \[6, 3\]/);
    for (const tensor of [x, weight, dy, goodWeight]) tensor.destroy();
  });
});
