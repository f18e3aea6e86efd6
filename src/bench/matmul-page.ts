// Benchmark page (bench/matmul.html): times our matmul (shaders/matmul.wgsl) and TF.js's WebGPU
// tf.matMul on the same shapes in one page, and publishes the report on window.__matmulBench.
// `npm run bench:matmul` (src/cli/bench-matmul.ts) opens this page in Chromium and prints the table.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { acquireBrowserDevice } from '../gpu/device';
import { Engine } from '../gpu/engine';
import { defaultMatmulTiling, matmul, type MatmulTiling } from '../gpu/ops/matmul';
import { BENCH_SHAPES, formatReport, summarize, type BenchReport, type BenchState, type ShapeResult, type Variant } from './results';

declare global {
  interface Window {
    __matmulBench?: BenchState;
  }
}

const logElement = document.getElementById('log') as HTMLPreElement;

function publish(state: BenchState): void {
  window.__matmulBench = state;
  let text = `failed: ${state.status === 'failed' ? state.error : ''}`;
  if (state.status === 'running') text = state.progress;
  if (state.status === 'done') text = formatReport(state.report);
  logElement.textContent = text;
  console.log(text);
}

interface Settings {
  reps: number;
  warmup: number;
  shapes: Array<readonly [number, number, number]>;
  variants: Variant[];
  /** Tiling of our kernel; undefined keeps the one matmul picks for the adapter. */
  tiling?: MatmulTiling;
}

function readSettings(): Settings {
  const query = new URLSearchParams(location.search);
  const reps = Number(query.get('reps') ?? 5);
  const warmup = Number(query.get('warmup') ?? 2);
  if (!Number.isInteger(reps) || reps < 1 || !Number.isInteger(warmup) || warmup < 0) {
    throw new Error(`Invalid query: reps=${query.get('reps')}, warmup=${query.get('warmup')}; reps must be a positive integer and warmup a non-negative integer.`);
  }
  const shapesParam = query.get('shapes');
  const shapes = shapesParam ? shapesParam.split(',').map(parseShape) : [...BENCH_SHAPES];
  const variants = (query.get('transposes') ?? 'NN').split(',').map(parseVariant);
  const tilingParam = query.get('tiling');
  return { reps, warmup, shapes, variants, tiling: tilingParam ? parseTiling(tilingParam) : undefined };
}

function parseShape(text: string): readonly [number, number, number] {
  const sizes = text.split('x').map(Number);
  if (sizes.length !== 3 || sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`Invalid shape "${text}" in the shapes query; write M×N×K as e.g. 2048x128x512.`);
  }
  return [sizes[0], sizes[1], sizes[2]];
}

function parseVariant(text: string): Variant {
  if (!/^[NT][NT]$/.test(text)) {
    throw new Error(`Invalid transposes entry "${text}"; write N (as stored) or T (transposed) for A and then B, e.g. NN,NT,TN.`);
  }
  return text as Variant;
}

/** Parses BLOCKxWXxWY, e.g. 16x4x4: blocks of 16×16 elements of C, workgroups of 4×4 invocations. */
function parseTiling(text: string): MatmulTiling {
  const sizes = text.split('x').map(Number);
  const [block, x, y] = sizes;
  if (sizes.length !== 3 || (block !== 4 && block !== 8 && block !== 16) || ![x, y].every((size) => Number.isInteger(size) && size >= 1)) {
    throw new Error(`Invalid tiling "${text}"; write BLOCKxWXxWY with a block of 4, 8 or 16, e.g. 16x4x4.`);
  }
  return { block, workgroup: [x, y] };
}

/** Uniform values in [-1, 1) from a fixed-seed linear congruential generator, so every run multiplies the same data. */
function randomMatrix(size: number, seed: number): Float32Array {
  const values = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/**
 * ‖result − exact‖ / ‖exact‖ over a fixed sample of elements of C, with the exact values computed in
 * float64 on the CPU, so that neither side can report a speed with a wrong result.
 */
function sampledError(result: Float32Array, aData: Float32Array, bData: Float32Array, [m, n, k]: readonly [number, number, number], variant: Variant): number {
  let diff = 0;
  let norm = 0;
  const samples = 64;
  for (let s = 0; s < samples; s++) {
    const row = Math.floor(((s * 7919) % samples) * (m / samples));
    const col = Math.floor(s * (n / samples));
    let exact = 0;
    for (let i = 0; i < k; i++) {
      const left = variant[0] === 'T' ? aData[i * m + row] : aData[row * k + i];
      const right = variant[1] === 'T' ? bData[col * k + i] : bData[i * n + col];
      exact += left * right;
    }
    diff += (result[row * n + col] - exact) ** 2;
    norm += exact ** 2;
  }
  return Math.sqrt(diff / norm);
}

async function benchShape(
  engine: Engine, backend: WebGPUBackend, [m, n, k]: readonly [number, number, number], variant: Variant, tiling: MatmulTiling, reps: number, warmup: number,
): Promise<ShapeResult> {
  const transposeA = variant[0] === 'T';
  const transposeB = variant[1] === 'T';
  const shapeA = transposeA ? [k, m] : [m, k];
  const shapeB = transposeB ? [n, k] : [k, n];
  const aData = randomMatrix(m * k, 1);
  const bData = randomMatrix(k * n, 2);
  const a = engine.tensor(aData, shapeA, 'f32', 'bench.a');
  const b = engine.tensor(bData, shapeB, 'f32', 'bench.b');
  const c = engine.empty([m, n], 'f32', 'bench.c');
  const tfA = tf.tensor2d(aData, shapeA as [number, number]);
  const tfB = tf.tensor2d(bData, shapeB as [number, number]);
  const options = { transposeA, transposeB, out: c, tiling };

  // Each timed run ends when the device has finished the work, not when the dispatch is recorded.
  const runOurs = async (): Promise<number> => {
    const start = performance.now();
    matmul(a, b, options);
    await engine.sync();
    return performance.now() - start;
  };
  const runTfjs = async (): Promise<number> => {
    const start = performance.now();
    const product = tf.matMul(tfA, tfB, transposeA, transposeB);
    // The backend batches dispatches; end its compute pass and submit, as it does after every 15 dispatches.
    backend.endComputePassEncoder();
    backend.submitQueue();
    await backend.queue.onSubmittedWorkDone();
    const elapsed = performance.now() - start;
    product.dispose();
    return elapsed;
  };

  // Check both results once, so that a broken kernel cannot report a speed-up.
  matmul(a, b, options);
  const oursError = sampledError(await c.readFloat(), aData, bData, [m, n, k], variant);
  const tfjsProduct = tf.matMul(tfA, tfB, transposeA, transposeB);
  const tfjsError = sampledError((await tfjsProduct.data()) as Float32Array, aData, bData, [m, n, k], variant);
  tfjsProduct.dispose();

  for (let i = 0; i < warmup; i++) {
    await runOurs();
    await runTfjs();
  }
  // Alternate which side goes first, so that both see the same share of any background load.
  const oursTimes: number[] = [];
  const tfjsTimes: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      oursTimes.push(await runOurs());
      tfjsTimes.push(await runTfjs());
    } else {
      tfjsTimes.push(await runTfjs());
      oursTimes.push(await runOurs());
    }
  }

  for (const tensor of [a, b, c]) tensor.destroy();
  tfA.dispose();
  tfB.dispose();
  return { m, n, k, variant, ours: summarize(oursTimes), tfjs: summarize(tfjsTimes), oursError, tfjsError };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const { reps, warmup, shapes, variants } = settings;

  publish({ status: 'running', progress: 'Acquiring the WebGPU device and the TF.js webgpu backend…' });
  const { device, adapterName } = await acquireBrowserDevice();
  const engine = new Engine(device, { adapterName });
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed; TF.js found no WebGPU adapter.');
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  const tiling = settings.tiling ?? defaultMatmulTiling(adapterName);

  const results: ShapeResult[] = [];
  const total = shapes.length * variants.length;
  for (const variant of variants) {
    for (const shape of shapes) {
      publish({ status: 'running', progress: `Timing ${shape.join('×')} ${variant} (${results.length + 1} of ${total})…` });
      results.push(await benchShape(engine, backend, shape, variant, tiling, reps, warmup));
    }
  }

  const report: BenchReport = { adapter: adapterName, userAgent: navigator.userAgent, tiling, warmup, reps, shapes: results };
  engine.dispose();
  publish({ status: 'done', report });
}

main().catch((error: unknown) => {
  publish({ status: 'failed', error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
});
