// General matrix multiply C = alpha · op(A) · op(B) + beta · C; shaders/matmul.wgsl.
import code from '../../../shaders/matmul.wgsl?raw';
import { ShapeError, formatShape } from '../errors';
import { packParams } from '../params';
import type { Tensor } from '../tensor';

export interface MatmulOptions {
  /** Use Aᵀ: `a` is stored [K, M] instead of [M, K]. */
  transposeA?: boolean;
  /** Use Bᵀ: `b` is stored [N, K] instead of [K, N]. */
  transposeB?: boolean;
  /** Scale of the product (default 1). */
  alpha?: number;
  /** Scale of the existing `out` (default 0, which leaves `out` unread); any other value needs `out`. */
  beta?: number;
  /** Output [M, N]; a new tensor is allocated when omitted. With beta = 1 the product is added to it. */
  out?: Tensor;
  /** Overrides the tiling chosen from the adapter name; tests use it to cover every block size. */
  tiling?: MatmulTiling;
}

/**
 * Split of C over invocations: each invocation computes a block×block piece of C, and a workgroup holds
 * workgroup[0] × workgroup[1] invocations along N and M. Sets the BLOCK and WORKGROUP_X / _Y overrides.
 */
export interface MatmulTiling {
  block: 4 | 8 | 16;
  workgroup: readonly [number, number];
}

/**
 * Tiling for CPU adapters (SwiftShader): large blocks amortise the per-lane gathers of every storage
 * read, and small workgroups leave enough workgroups to spread over the CPU threads. In Chromium on
 * SwiftShader, blocks of 16 ran about twice as fast as blocks of 4 (docs/benchmarks.md).
 */
const CPU_TILING: MatmulTiling = { block: 16, workgroup: [4, 4] };

/**
 * Tiling for GPUs: small register blocks and 64-invocation workgroups.
 * NOTE: not timed on a hardware GPU yet; the choice follows the usual register budget of GPU threads.
 */
const GPU_TILING: MatmulTiling = { block: 4, workgroup: [8, 8] };

/** Adapters that run shaders on the CPU, matched against Engine.adapterName. */
const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe/i;

/** Returns the tiling matmul uses on an adapter, chosen from its name. */
export function defaultMatmulTiling(adapterName: string): MatmulTiling {
  return CPU_ADAPTER.test(adapterName) ? CPU_TILING : GPU_TILING;
}

/**
 * Computes C[M, N] = alpha · op(A) · op(B) + beta · C for 2-D f32 tensors, where op(X) is X or Xᵀ.
 * Returns `options.out` when given (its contents are scaled by beta and accumulated into), else a new
 * [M, N] tensor. Throws a ShapeError when the inner dimensions or the output shape do not match.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 0;
  const { m, n, k } = matmulSizes(a, b, transposeA, transposeB);

  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new RangeError(`matmul alpha and beta must be finite numbers, got alpha=${alpha}, beta=${beta}.`);
  }
  if (beta !== 0 && !options.out) {
    throw new ShapeError(`matmul with beta=${beta} reads the existing output, but no \`out\` tensor of shape ${formatShape([m, n])} was passed. Pass \`out\`, or use beta=0.`);
  }
  const out = options.out;
  if (out) {
    checkOutput(out, m, n);
    if (out.buffer === a.buffer || out.buffer === b.buffer) {
      throw new Error(`matmul output "${out.label}" shares its buffer with an input; pass a separate \`out\` tensor.`);
    }
  }

  const engine = a.engine;
  const tiling = options.tiling ?? defaultMatmulTiling(engine.adapterName);
  checkTiling(tiling);
  const c = out ?? engine.empty([m, n], 'f32', 'matmul.c');
  const constants = {
    TRANSPOSE_A: Number(transposeA),
    TRANSPOSE_B: Number(transposeB),
    // The contiguous dimension of each stored operand decides whether rows can be read as vec4.
    A_VEC4: Number((transposeA ? m : k) % 4 === 0),
    B_VEC4: Number((transposeB ? k : n) % 4 === 0),
    BLOCK: tiling.block,
    WORKGROUP_X: tiling.workgroup[0],
    WORKGROUP_Y: tiling.workgroup[1],
  };
  const params = packParams([
    ['u32', m],
    ['u32', n],
    ['u32', k],
    ['f32', alpha],
    ['f32', beta],
  ]);
  const grid: [number, number] = [Math.ceil(n / (tiling.block * tiling.workgroup[0])), Math.ceil(m / (tiling.block * tiling.workgroup[1]))];
  engine.dispatch(engine.pipeline(code, 'matmul', constants, 'matmul'), { params, buffers: [a, b, c] }, grid);
  return c;
}

/** Reads M, N and K from the stored shapes and checks that the inner dimensions agree. */
function matmulSizes(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): { m: number; n: number; k: number } {
  for (const [name, tensor] of [['A', a], ['B', b]] as const) {
    if (tensor.shape.length !== 2) {
      throw new ShapeError(`matmul ${name} "${tensor.label}" has shape ${formatShape(tensor.shape)}; it must be 2-D. Reshape it first, e.g. [batch, tokens, hidden] to [batch·tokens, hidden].`);
    }
    if (tensor.dtype !== 'f32') {
      throw new TypeError(`matmul ${name} "${tensor.label}" is ${tensor.dtype}; matmul supports f32 only.`);
    }
  }
  if (a.engine !== b.engine) throw new Error('matmul A and B belong to different engines.');

  const [m, kA] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kB, n] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (kA !== kB) {
    const opA = transposeA ? `Aᵀ (A ${formatShape(a.shape)})` : `A ${formatShape(a.shape)}`;
    const opB = transposeB ? `Bᵀ (B ${formatShape(b.shape)})` : `B ${formatShape(b.shape)}`;
    throw new ShapeError(
      `matmul inner dimensions differ: ${opA} has ${kA} columns but ${opB} has ${kB} rows. ` +
        'Check the operand order and the transposeA / transposeB options.',
    );
  }
  return { m, n, k: kA };
}

function checkOutput(out: Tensor, m: number, n: number): void {
  if (out.dtype !== 'f32') throw new TypeError(`matmul output "${out.label}" is ${out.dtype}; it must be f32.`);
  if (out.shape.length !== 2 || out.shape[0] !== m || out.shape[1] !== n) {
    throw new ShapeError(`matmul output "${out.label}" has shape ${formatShape(out.shape)}, expected ${formatShape([m, n])}; pass an out tensor of that shape (reshape() makes a view).`);
  }
}

function checkTiling(tiling: MatmulTiling): void {
  const [x, y] = tiling.workgroup;
  if (![4, 8, 16].includes(tiling.block) || !Number.isInteger(x) || !Number.isInteger(y) || x < 1 || y < 1) {
    throw new RangeError(`matmul tiling ${JSON.stringify(tiling)} is invalid: block must be 4, 8 or 16 and the workgroup two positive integers.`);
  }
}
