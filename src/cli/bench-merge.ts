// npm run bench:merge — inference latency of the base model, a model with unmerged adapters and the same model
// with the adapters merged into its weights, per method, in Node (Dawn). The benchmark itself is in
// src/bench/merge-latency.ts, which `npm run bench:merge:browser` runs in Chromium.
// Options: --batch N (sequences, default 4), --tokens N (default 64), --rank N (default 8), --modules LIST
// (default query,value), --reps N (timed rounds, default 7), --warmup N (untimed rounds, at least 1, default 2).
import { parseArgs } from 'node:util';
import { runMergeBenchmark } from '../bench/merge-latency';
import { formatMergeReport, parseMergeBenchOptions } from '../bench/merge-report';
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string' },
      tokens: { type: 'string' },
      rank: { type: 'string' },
      modules: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
    },
  });
  const options = parseMergeBenchOptions(values);
  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName });
  try {
    console.log(formatMergeReport(await runMergeBenchmark(engine, options)));
  } finally {
    engine.dispose();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
