// Runs one benchmark page of bench/ in Debian's Chromium: starts a Vite dev server on 127.0.0.1, opens the page
// headless with WebGPU on, waits until the page publishes a finished state on `window` and returns that state.
// The benchmark CLIs (bench-matmul.ts, bench-merge-browser.ts) format what the page measured.
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const CHROMIUM_PATH = '/usr/bin/chromium';

/** The launch flags of playwright.config.ts, whose default headless mode already exposes WebGPU on SwiftShader. */
const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  // Root cannot start Chromium's sandbox.
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The states a benchmark page publishes on `window[globalName]`. */
export type BenchPageState<Done> = { status: 'running' } | ({ status: 'done' } & Done) | { status: 'failed'; error: string };

export interface BenchPageRun<Done> {
  /** Path of the page below the repository root, e.g. "bench/merge.html". */
  path: string;
  query: URLSearchParams;
  /** Property of `window` where the page publishes its BenchPageState. */
  globalName: string;
  /** Page console lines that start with one of these are echoed to stderr as progress. */
  progressPrefixes: readonly string[];
  timeoutMs: number;
  /** Prints the result to stdout. */
  report(state: Done): void;
}

/** Runs the page and returns the process exit status: 0 when the page finished, 1 when it failed. */
export async function runBenchPage<Done>(run: BenchPageRun<Done>): Promise<number> {
  const server = await createServer({ root: REPOSITORY_ROOT, logLevel: 'warn', clearScreen: false, server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('The Vite dev server did not report a TCP port.');

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' || run.progressPrefixes.some((prefix) => text.startsWith(prefix))) console.error(`page: ${text}`);
    });

    const url = `http://127.0.0.1:${address.port}/${run.path}?${run.query}`;
    console.error(`Chromium ${browser.version()} (${CHROMIUM_PATH}), opening ${url}`);
    await page.goto(url);
    await page.waitForFunction(
      (name) => {
        const state = (window as unknown as Record<string, { status?: string } | undefined>)[name];
        return state?.status === 'done' || state?.status === 'failed';
      },
      run.globalName,
      { timeout: run.timeoutMs, polling: 1000 },
    );
    const state = await page.evaluate((name) => (window as unknown as Record<string, unknown>)[name], run.globalName) as BenchPageState<Done> | undefined;
    if (!state || state.status !== 'done') {
      console.error(`The benchmark page failed: ${state?.status === 'failed' ? state.error : 'no result'}`);
      return 1;
    }

    const cpu = cpus();
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Chromium ${browser.version()} (${CHROMIUM_PATH})`);
    run.report(state);
    return 0;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Parses --timeout SECONDS into milliseconds, with a message that names the invalid value. */
export function timeoutMsOf(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout must be a positive number of seconds, got "${text}".`);
  return seconds * 1000;
}

/** Exits with the status main() resolves to, or prints the error (thrown or rejected) and exits with 1. */
export function exitWith(main: () => Promise<number>): void {
  Promise.resolve().then(main).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
