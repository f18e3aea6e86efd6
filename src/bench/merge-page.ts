// Benchmark page (bench/merge.html): runs the merge latency benchmark of merge-latency.ts on the browser's
// WebGPU device and publishes the report on window.__mergeBench. `npm run bench:merge:browser`
// (src/cli/bench-merge-browser.ts) opens this page in Chromium and prints the table.
import { acquireBrowserDevice } from '../gpu/device';
import { Engine } from '../gpu/engine';
import { runMergeBenchmark } from './merge-latency';
import { formatMergeReport, parseMergeBenchOptions, type MergeBenchOptionText, type MergeBenchReport } from './merge-report';

export type MergeBenchState = { status: 'running'; progress: string } | { status: 'done'; report: MergeBenchReport; userAgent: string } | { status: 'failed'; error: string };

declare global {
  interface Window {
    __mergeBench?: MergeBenchState;
  }
}

const logElement = document.getElementById('log') as HTMLPreElement;

function publish(state: MergeBenchState): void {
  window.__mergeBench = state;
  let text = `failed: ${state.status === 'failed' ? state.error : ''}`;
  if (state.status === 'running') text = state.progress;
  if (state.status === 'done') text = formatMergeReport(state.report);
  logElement.textContent = text;
  console.log(text);
}

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const text: MergeBenchOptionText = {};
  for (const key of ['batch', 'tokens', 'rank', 'modules', 'reps', 'warmup'] as const) {
    const value = query.get(key);
    if (value !== null) text[key] = value;
  }
  const options = parseMergeBenchOptions(text);
  publish({ status: 'running', progress: 'Acquiring the WebGPU device.' });
  const { device, adapterName } = await acquireBrowserDevice();
  const engine = new Engine(device, { adapterName });
  try {
    const report = await runMergeBenchmark(engine, options, (progress) => publish({ status: 'running', progress }));
    publish({ status: 'done', report, userAgent: navigator.userAgent });
  } finally {
    engine.dispose();
  }
}

main().catch((error: unknown) => publish({ status: 'failed', error: error instanceof Error ? error.message : String(error) }));
