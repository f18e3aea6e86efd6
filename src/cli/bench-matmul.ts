// npm run bench:matmul — times our matmul against TF.js's WebGPU tf.matMul in Debian's Chromium.
// Starts a Vite dev server on 127.0.0.1, opens bench/matmul.html in headless Chromium and prints the
// table the page computes. Options: --reps N (timed runs per shape, default 5), --warmup N (default 2),
// --shapes MxNxK,… (default: the bert-tiny training-step shapes), --transposes NN,NT,TN (which operands
// are transposed, A then B; default NN), --tiling BLOCKxWXxWY (our kernel's tiling, e.g. 4x8x8; default:
// the one matmul picks for the adapter), --timeout SECONDS (default 300).
import { parseArgs } from 'node:util';
import { formatReport, type BenchReport } from '../bench/results';
import { exitWith, runBenchPage, timeoutMsOf } from './bench-page';

function readOptions(): { query: URLSearchParams; timeoutMs: number } {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      shapes: { type: 'string' },
      transposes: { type: 'string', default: 'NN' },
      tiling: { type: 'string' },
      timeout: { type: 'string', default: '300' },
    },
  });
  const query = new URLSearchParams({ reps: values.reps, warmup: values.warmup, transposes: values.transposes });
  if (values.shapes) query.set('shapes', values.shapes);
  if (values.tiling) query.set('tiling', values.tiling);
  return { query, timeoutMs: timeoutMsOf(values.timeout) };
}

exitWith(() => {
  const options = readOptions();
  return runBenchPage<{ report: BenchReport }>({
    path: 'bench/matmul.html',
    query: options.query,
    globalName: '__matmulBench',
    progressPrefixes: ['Timing', 'Acquiring'],
    timeoutMs: options.timeoutMs,
    report: (state) => {
      console.log(`user agent: ${state.report.userAgent}`);
      console.log(formatReport(state.report));
    },
  });
});
