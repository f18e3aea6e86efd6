// npm run bench:merge:browser — the merge latency benchmark of src/bench/merge-latency.ts in Debian's Chromium,
// the browser counterpart of `npm run bench:merge`. Starts a Vite dev server on 127.0.0.1, opens
// bench/merge.html in headless Chromium with the flags of playwright.config.ts and prints the page's table.
// Options: --batch, --tokens, --rank, --modules, --reps, --warmup as for `npm run bench:merge` (the page checks
// them), and --timeout SECONDS (default 600).
import { parseArgs } from 'node:util';
import { formatMergeReport, parseMergeBenchOptions, type MergeBenchReport } from '../bench/merge-report';
import { exitWith, runBenchPage, timeoutMsOf } from './bench-page';

const BENCH_OPTIONS = ['batch', 'tokens', 'rank', 'modules', 'reps', 'warmup'] as const;

function readOptions(): { query: URLSearchParams; timeoutMs: number } {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string' },
      tokens: { type: 'string' },
      rank: { type: 'string' },
      modules: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      timeout: { type: 'string', default: '600' },
    },
  });
  const timeoutMs = timeoutMsOf(values.timeout);

  // Checked here as well as on the page, so that a typo fails before Chromium starts.
  const text: Record<string, string> = {};
  for (const name of BENCH_OPTIONS) {
    const value = values[name];
    if (value !== undefined) text[name] = value;
  }
  parseMergeBenchOptions(text);
  return { query: new URLSearchParams(text), timeoutMs };
}

exitWith(() => {
  const options = readOptions();
  return runBenchPage<{ report: MergeBenchReport; userAgent: string }>({
    path: 'bench/merge.html',
    query: options.query,
    globalName: '__mergeBench',
    progressPrefixes: ['Round', 'Acquiring'],
    timeoutMs: options.timeoutMs,
    report: (state) => {
      console.log(`user agent: ${state.userAgent}`);
      console.log(formatMergeReport(state.report));
    },
  });
});
