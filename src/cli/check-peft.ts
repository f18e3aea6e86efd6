// npm run check:peft — exports the fixture encoder with trained-like adapters of every method in PEFT's LoRA
// format (tools/reference/fixtures/peft/), then runs tools/reference/peft_check.py, which loads the files into the
// plain-PyTorch BERT as PEFT would and compares its output with ours. Prints one row per case with the relative
// error of PEFT's unmerged forward and of the merged weights. Skips the PyTorch step, with the reason, when
// Debian's /usr/bin/python3 or its torch is missing. Exits with 1 when an error exceeds 1e-5 or the check fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PEFT_FIXTURE_DIR, writePeftFixtures } from '../adapters/io/peft-fixtures';
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';

const PYTHON = '/usr/bin/python3';
const CHECK_SCRIPT = fileURLToPath(new URL('../../tools/reference/peft_check.py', import.meta.url));

interface CheckRow {
  case: string;
  method: string;
  output: string;
  unmerged?: number;
  merged?: number;
  lora_modules?: number;
  error?: string;
  passed: boolean;
}

/** Returns why the PyTorch step cannot run, or null when it can. */
function pythonUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed (apt-get install python3 python3-torch)`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import torch (apt-get install python3-torch): ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  return null;
}

async function main(): Promise<number> {
  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName, poisonOutputs: true });
  let cases: string[];
  try {
    cases = await writePeftFixtures(engine);
  } finally {
    engine.dispose();
  }
  console.log(`Exported ${cases.length} cases (${cases.join(', ')}) to ${PEFT_FIXTURE_DIR} on ${adapterName}.`);

  const unavailable = pythonUnavailable();
  if (unavailable) {
    console.log(`Skipped the PyTorch comparison: ${unavailable}.`);
    return 0;
  }
  const result = spawnSync(PYTHON, [CHECK_SCRIPT, '--json', PEFT_FIXTURE_DIR], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  let report: { torch: string; limit: number; rows: CheckRow[] };
  try {
    report = JSON.parse(lastLine) as typeof report;
  } catch {
    console.error(`peft_check.py exited with ${result.status} and printed no report.\n${result.stdout}${result.stderr}`);
    return 1;
  }

  const width = Math.max(...report.rows.map((row) => row.case.length), 4);
  console.log(`${'case'.padEnd(width)}  method  output             status  unmerged   merged     (PyTorch ${report.torch}, limit ${report.limit.toExponential(0)})`);
  for (const row of report.rows) {
    const errors = row.error ? `error: ${row.error}` : `${row.unmerged!.toExponential(2).padEnd(9)}  ${row.merged!.toExponential(2)}`;
    console.log(`${row.case.padEnd(width)}  ${row.method.padEnd(6)}  ${row.output.padEnd(17)}  ${row.passed ? 'ok    ' : 'FAILED'}  ${errors}`);
  }
  const failed = report.rows.filter((row) => !row.passed);
  console.log(failed.length === 0 ? `all ${report.rows.length} cases within ${report.limit}` : `${failed.length} of ${report.rows.length} cases failed: ${failed.map((row) => row.case).join(', ')}`);
  return failed.length === 0 && result.status === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
