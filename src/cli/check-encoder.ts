// npm run check:encoder — runs the BERT model in Node (Dawn) on the PyTorch fixtures of
// tools/reference/encoder.py and prints the max relative error of every output and gradient group.
// Exits with 1 if any error exceeds 1e-4 or is NaN.
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';
import { MAX_RELATIVE_ERROR } from '../gpu/checks/compare';
import { runEncoderChecks } from '../model/encoder-check';

function formatError(error: number): string {
  return Number.isNaN(error) ? 'NaN' : error.toExponential(2);
}

async function main(): Promise<number> {
  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName, poisonOutputs: true });
  const started = performance.now();
  const rows = await runEncoderChecks(engine);

  const rowWidth = Math.max(...rows.map((row) => row.row.length), 6);
  console.log(`${'output'.padEnd(rowWidth)}  status  max relative error per group (limit ${MAX_RELATIVE_ERROR.toExponential(0)})`);
  for (const row of rows) {
    const columns = Object.entries(row.errors).map(([group, error]) => `${group}=${formatError(error)}`).join('  ');
    const worst = row.passed ? '' : `  worst: ${row.worst}`;
    console.log(`${row.row.padEnd(rowWidth)}  ${row.passed ? 'ok    ' : 'FAILED'}  ${columns}${worst}`);
  }

  const failed = rows.filter((row) => !row.passed);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    failed.length === 0
      ? `all ${rows.length} rows within ${MAX_RELATIVE_ERROR} (${seconds} s on ${adapterName})`
      : `${failed.length} of ${rows.length} rows failed: ${failed.map((row) => row.row).join(', ')}`,
  );
  engine.dispose();
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
