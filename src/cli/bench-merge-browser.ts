// npm run bench:merge:browser — the merge latency benchmark of src/bench/merge-latency.ts in Debian's Chromium,
// the browser counterpart of `npm run bench:merge`. Starts a Vite dev server on 127.0.0.1, opens
// bench/merge.html in headless Chromium with the flags of playwright.config.ts and prints the page's table.
// Options: --batch, --tokens, --rank, --modules, --reps, --warmup as for `npm run bench:merge` (the page checks
// them), and --timeout SECONDS (default 600).
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { formatMergeReport, parseMergeBenchOptions } from '../bench/merge-report';
import type { MergeBenchState } from '../bench/merge-page';

const CHROMIUM_PATH = '/usr/bin/chromium';

/** The launch flags of playwright.config.ts, whose default headless mode already exposes WebGPU on SwiftShader. */
const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

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
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout must be a positive number of seconds, got "${values.timeout}".`);

  // Checked here as well as on the page, so that a typo fails before Chromium starts.
  const text: Record<string, string> = {};
  for (const name of BENCH_OPTIONS) {
    const value = values[name];
    if (value !== undefined) text[name] = value;
  }
  parseMergeBenchOptions(text);
  return { query: new URLSearchParams(text), timeoutMs: timeoutSeconds * 1000 };
}

async function main(): Promise<number> {
  const options = readOptions();
  const server = await createServer({ root: REPOSITORY_ROOT, logLevel: 'warn', clearScreen: false, server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('The Vite dev server did not report a TCP port.');

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.text().startsWith('Round') || message.text().startsWith('Acquiring')) console.error(`page: ${message.text()}`);
    });

    const url = `http://127.0.0.1:${address.port}/bench/merge.html?${options.query}`;
    console.error(`Chromium ${browser.version()} (${CHROMIUM_PATH}), opening ${url}`);
    await page.goto(url);
    await page.waitForFunction(
      () => {
        const state = (window as { __mergeBench?: MergeBenchState }).__mergeBench;
        return state?.status === 'done' || state?.status === 'failed';
      },
      undefined,
      { timeout: options.timeoutMs, polling: 1000 },
    );
    const state = await page.evaluate(() => (window as { __mergeBench?: MergeBenchState }).__mergeBench);
    if (!state || state.status !== 'done') {
      console.error(`The benchmark page failed: ${state?.status === 'failed' ? state.error : 'no result'}`);
      return 1;
    }

    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Chromium ${browser.version()} (${CHROMIUM_PATH})`);
    console.log(`user agent: ${state.userAgent}`);
    console.log(formatMergeReport(state.report));
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
