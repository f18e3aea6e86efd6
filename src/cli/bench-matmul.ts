// npm run bench:matmul — times our matmul against TF.js's WebGPU tf.matMul in Debian's Chromium.
// Starts a Vite dev server on 127.0.0.1, opens bench/matmul.html in headless Chromium and prints the
// table the page computes. Options: --reps N (timed runs per shape, default 5), --warmup N (default 2),
// --shapes MxNxK,… (default: the bert-tiny training-step shapes), --transposes NN,NT,TN (which operands
// are transposed, A then B; default NN), --tiling BLOCKxWXxWY (our kernel's tiling, e.g. 4x8x8; default:
// the one matmul picks for the adapter), --timeout SECONDS (default 300).
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { formatReport, type BenchState } from '../bench/results';

const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  // Root cannot start Chromium's sandbox.
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--headless=new',
];

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function readOptions(): { reps: string; warmup: string; shapes?: string; transposes: string; tiling?: string; timeoutMs: number } {
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
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error(`--timeout must be a positive number of seconds, got "${values.timeout}".`);
  }
  return { reps: values.reps, warmup: values.warmup, shapes: values.shapes, transposes: values.transposes, tiling: values.tiling, timeoutMs: timeoutSeconds * 1000 };
}

async function main(): Promise<number> {
  const options = readOptions();

  const server = await createServer({
    root: REPOSITORY_ROOT,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('The Vite dev server did not report a TCP port.');

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.text().startsWith('Timing') || message.text().startsWith('Acquiring')) {
        console.error(`page: ${message.text()}`);
      }
    });

    const query = new URLSearchParams({ reps: options.reps, warmup: options.warmup, transposes: options.transposes });
    if (options.shapes) query.set('shapes', options.shapes);
    if (options.tiling) query.set('tiling', options.tiling);
    const url = `http://127.0.0.1:${address.port}/bench/matmul.html?${query}`;
    console.error(`Chromium ${browser.version()} (${CHROMIUM_PATH}), opening ${url}`);
    await page.goto(url);
    await page.waitForFunction(
      () => {
        const state = (window as { __matmulBench?: BenchState }).__matmulBench;
        return state?.status === 'done' || state?.status === 'failed';
      },
      undefined,
      { timeout: options.timeoutMs, polling: 1000 },
    );
    const state = await page.evaluate(() => (window as { __matmulBench?: BenchState }).__matmulBench);
    if (!state || state.status !== 'done') {
      console.error(`The benchmark page failed: ${state?.status === 'failed' ? state.error : 'no result'}`);
      return 1;
    }

    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Chromium ${browser.version()} (${CHROMIUM_PATH})`);
    console.log(`user agent: ${state.report.userAgent}`);
    console.log(formatReport(state.report));
    return 0;
  } finally {
    await browser.close();
    await server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
