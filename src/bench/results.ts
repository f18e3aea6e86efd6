// Result types of the matrix multiply benchmark, shared by the page (src/bench/matmul-page.ts) and
// the command line (src/cli/bench-matmul.ts), plus the table both print.
import type { MatmulTiling } from '../gpu/ops/matmul';

/** The bert-tiny training-step shapes as [M, N, K]: C[M, N] = A[M, K] · B[K, N]. */
export const BENCH_SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [2048, 128, 128],
  [2048, 128, 512],
  [2048, 512, 128],
  [512, 512, 512],
];

/** Transpose flags of A and then B: N keeps an operand as stored and T transposes it. */
export type Variant = 'NN' | 'NT' | 'TN' | 'TT';

/** Timings of one implementation on one shape, in milliseconds per multiply. */
export interface ImplementationTiming {
  /** Every timed repetition, in run order. */
  times: number[];
  median: number;
  best: number;
}

export interface ShapeResult {
  m: number;
  n: number;
  k: number;
  variant: Variant;
  ours: ImplementationTiming;
  tfjs: ImplementationTiming;
  /** Relative error of our result against float64 on sampled elements of C. */
  oursError: number;
  /** The same for TF.js. */
  tfjsError: number;
}

export interface BenchReport {
  adapter: string;
  userAgent: string;
  /** Tiling our kernel ran with. */
  tiling: MatmulTiling;
  warmup: number;
  reps: number;
  shapes: ShapeResult[];
}

/** State the page publishes on window.__matmulBench for the command line to poll. */
export type BenchState = { status: 'running'; progress: string } | { status: 'done'; report: BenchReport } | { status: 'failed'; error: string };

/** 2·M·N·K floating-point operations in `ms` milliseconds, as GFLOP/s. */
export function gflops(m: number, n: number, k: number, ms: number): number {
  return (2 * m * n * k) / (ms * 1e6);
}

export function summarize(times: number[]): ImplementationTiming {
  const sorted = [...times].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { times, median, best: sorted[0] };
}

/** Formats the report as a fixed-width table; GFLOP/s and the ratio use the median time of each side. */
export function formatReport(report: BenchReport): string {
  const lines = [
    `adapter: ${report.adapter}`,
    `our tiling: blocks of ${report.tiling.block}×${report.tiling.block} elements of C per invocation, workgroups of ${report.tiling.workgroup.join('×')} invocations`,
    `warm-up runs: ${report.warmup}, timed runs: ${report.reps} per shape and implementation (median time; best in brackets)`,
    '',
    'M×N×K        op(A)·op(B)  ours ms (best)      ours GFLOP/s   TF.js ms (best)     TF.js GFLOP/s   ours/TF.js   rel. error ours / TF.js',
  ];
  for (const shape of report.shapes) {
    const label = `${shape.m}×${shape.n}×${shape.k}`;
    const variant = `${shape.variant[0] === 'T' ? 'Aᵀ' : 'A'}·${shape.variant[1] === 'T' ? 'Bᵀ' : 'B'}`;
    const ours = gflops(shape.m, shape.n, shape.k, shape.ours.median);
    const tfjs = gflops(shape.m, shape.n, shape.k, shape.tfjs.median);
    lines.push(
      [
        label.padEnd(13),
        variant.padEnd(12),
        `${shape.ours.median.toFixed(1)} (${shape.ours.best.toFixed(1)})`.padEnd(19),
        ours.toFixed(2).padStart(12),
        '  ',
        `${shape.tfjs.median.toFixed(1)} (${shape.tfjs.best.toFixed(1)})`.padEnd(19),
        tfjs.toFixed(2).padStart(13),
        `${(ours / tfjs).toFixed(2)}×`.padStart(12),
        `${shape.oursError.toExponential(1)} / ${shape.tfjsError.toExponential(1)}`.padStart(22),
      ].join(' '),
    );
  }
  return lines.join('\n');
}
