// npm run check:kernels — runs every WGSL kernel in Node (Dawn) against the PyTorch fixtures and prints
// the max relative error of each output and gradient. Exits with 1 if any error exceeds 1e-4 or is NaN.
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';
import { adapterChecks } from '../adapters/checks';
import { kernelChecks } from '../gpu/checks';
import { MAX_RELATIVE_ERROR, runCheck, type CheckResult } from '../gpu/checks/compare';

function formatError(error: number): string {
  return Number.isNaN(error) ? 'NaN' : error.toExponential(2);
}

async function main(): Promise<number> {
  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName, poisonOutputs: true });

  const results: CheckResult[] = [];
  for (const check of [...kernelChecks, ...adapterChecks]) {
    try {
      results.push(await runCheck(engine, check));
    } catch (error) {
      console.error(`${check.row}: ${(error as Error).message}`);
      results.push({ row: check.row, errors: { error: Number.NaN }, cases: 0, passed: false });
    }
  }

  const rowWidth = Math.max(...results.map((result) => result.row.length), 6);
  console.log(`${'kernel'.padEnd(rowWidth)}  cases  status  max relative error per output (limit ${MAX_RELATIVE_ERROR.toExponential(0)})`);
  for (const result of results) {
    const columns = Object.entries(result.errors).map(([name, error]) => `${name}=${formatError(error)}`).join('  ');
    console.log(`${result.row.padEnd(rowWidth)}  ${String(result.cases).padStart(5)}  ${result.passed ? 'ok    ' : 'FAILED'}  ${columns}`);
  }

  const failed = results.filter((result) => !result.passed);
  console.log(failed.length === 0 ? `all ${results.length} kernels within ${MAX_RELATIVE_ERROR}` : `${failed.length} of ${results.length} kernels failed: ${failed.map((result) => result.row).join(', ')}`);
  engine.dispose();
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
