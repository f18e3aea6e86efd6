// Loading a checkpoint in the page: the embedded model from the Hugging Face Hub (huggingface.co served by a
// Playwright route from public/models/), a second time from Cache Storage, a 404 on a required file, the same
// folder through the folder and file inputs, and the embedded default. Each load ends with the summary, and
// fill-mask must give the same top token on every path.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page, type Route } from '@playwright/test';
import { fillTinyRun } from './tiny-run';

const MODEL_FOLDER = fileURLToPath(new URL('../public/models/mtlora-bert-tiny/', import.meta.url));
const MODEL_ID = 'test-org/tiny-bert';
const HUB_PREFIX = `https://huggingface.co/${MODEL_ID}/resolve/main/`;
const FILL_MASK_TEXT = 'The President of the United [MASK] spoke to Congress.';

interface Checkpoint {
  config: Record<string, number>;
  /** Parameters of the embeddings, layers and pooler, and of the MLM head's own weights, from the safetensors header. */
  encoderParameters: number;
  mlmHeadParameters: number;
}

/** Reads config.json and counts the parameters listed in the safetensors header. */
function readCheckpoint(): Checkpoint {
  if (!existsSync(join(MODEL_FOLDER, 'model.safetensors'))) {
    throw new Error(`${MODEL_FOLDER} has no model.safetensors. Build the embedded model with \`sh tools/pretrain/run.sh\`.`);
  }
  const config = JSON.parse(readFileSync(join(MODEL_FOLDER, 'config.json'), 'utf8')) as Record<string, number>;

  // A safetensors file starts with the header length (u64, little-endian) and the JSON header.
  const bytes = readFileSync(join(MODEL_FOLDER, 'model.safetensors'));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape: number[] }>;
  let encoderParameters = 0;
  let mlmHeadParameters = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const size = entry.shape.reduce((product, dim) => product * dim, 1);
    if (name.startsWith('cls.')) mlmHeadParameters += size;
    else encoderParameters += size;
  }
  return { config, encoderParameters, mlmHeadParameters };
}

/** Serves MODEL_FOLDER as huggingface.co does for MODEL_ID, counting requests per file name. */
async function routeHub(page: Page, requests: Map<string, number>, missing: ReadonlySet<string> = new Set()): Promise<void> {
  const present = new Set(readdirSync(MODEL_FOLDER));
  await page.route('https://huggingface.co/**', async (route: Route) => {
    const url = route.request().url();
    const name = url.startsWith(HUB_PREFIX) ? url.slice(HUB_PREFIX.length) : null;
    if (name !== null) requests.set(name, (requests.get(name) ?? 0) + 1);

    // The Hub sends CORS headers on every response, 404s included. Without them the page could not read the status.
    const headers = { 'Access-Control-Allow-Origin': '*' };
    if (name === null || !present.has(name) || missing.has(name)) {
      await route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'Entry not found' });
      return;
    }
    await route.fulfill({ status: 200, headers, contentType: 'application/octet-stream', body: readFileSync(join(MODEL_FOLDER, name)) });
  });
}

async function openPage(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
}

async function loadFromHub(page: Page, id: string): Promise<void> {
  await page.getByLabel('Hugging Face Hub').check();
  await page.getByTestId('hub-model-id').fill(id);
  await page.getByTestId('model-load').click();
}

/** Checks the summary against config.json and the parameter counts of the safetensors header. */
async function expectSummary(page: Page, checkpoint: Checkpoint, origin: string): Promise<void> {
  await expect(page.getByTestId('model-panel')).toHaveAttribute('data-status', 'ready');
  const { config } = checkpoint;
  const count = (value: number): string => value.toLocaleString('en-US');

  await expect(page.getByTestId('summary-origin')).toHaveText(origin);
  await expect(page.getByTestId('summary-layers')).toHaveText(String(config.num_hidden_layers));
  await expect(page.getByTestId('summary-hidden')).toHaveText(String(config.hidden_size));
  await expect(page.getByTestId('summary-heads')).toHaveText(String(config.num_attention_heads));
  await expect(page.getByTestId('summary-vocab')).toHaveText(count(config.vocab_size));
  await expect(page.getByTestId('summary-parameters')).toHaveText(
    `${count(checkpoint.encoderParameters)} in the encoder, ${count(checkpoint.mlmHeadParameters)} in the MLM head`,
  );
  await expect(page.getByTestId('summary-mlm')).toHaveText('yes');
  await expect(page.getByTestId('summary-tokenizer')).toHaveText('from tokenizer.json');
}

/** Checks that a file's progress row shows its whole size as loaded. */
async function expectFileLoaded(page: Page, name: string, fromCache: boolean): Promise<void> {
  const row = page.locator(`[data-testid="file-progress"][data-file="${name}"]`);
  const size = String(readFileSync(join(MODEL_FOLDER, name)).length);
  await expect(row).toHaveAttribute('data-done', 'true');
  await expect(row).toHaveAttribute('data-loaded', size);
  await expect(row).toHaveAttribute('data-total', size);
  await expect(row).toHaveAttribute('data-from-cache', String(fromCache));
  await expect(row).toContainText(fromCache ? 'from cache' : 'done');
}

/** Runs fill-mask on FILL_MASK_TEXT and returns the top token and its probability. */
async function fillMask(page: Page): Promise<{ token: string; probability: number }> {
  await page.getByTestId('fill-mask-text').fill(FILL_MASK_TEXT);
  await page.getByTestId('fill-mask-run').click();
  await expect(page.getByTestId('fill-mask')).toHaveAttribute('data-status', 'done');

  const predictions = page.getByTestId('fill-mask-prediction');
  await expect(predictions).toHaveCount(5);
  const probabilities = await Promise.all((await predictions.all()).map(async (row) => Number(await row.getAttribute('data-probability'))));
  for (let i = 1; i < probabilities.length; i++) {
    expect(probabilities[i], `probability ${i + 1} after probability ${i}`).toBeLessThanOrEqual(probabilities[i - 1]);
  }
  expect(probabilities[0]).toBeGreaterThan(0);
  expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeLessThanOrEqual(1);

  const token = (await predictions.first().getAttribute('data-token')) ?? '';
  expect(token).not.toBe('');
  return { token, probability: probabilities[0] };
}

let checkpoint: Checkpoint;
/** The top fill-mask token of the Hub test, which every other path must reproduce. */
let hubTop: { token: string; probability: number } | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  checkpoint = readCheckpoint();
});

/** Compares a fill-mask result with the Hub test's. */
function expectSameAsHub(top: { token: string; probability: number }): void {
  expect(hubTop, 'the Hub test runs first and stores its result').not.toBeNull();
  expect(top.token).toBe(hubTop!.token);
  expect(top.probability).toBeCloseTo(hubTop!.probability, 6);
}

test('Hub load, fill-mask, then Cache Storage', async ({ page }) => {
  const requests = new Map<string, number>();
  await routeHub(page, requests);
  await openPage(page);

  await loadFromHub(page, MODEL_ID);
  await expectSummary(page, checkpoint, `hub:${MODEL_ID}@main`);
  await expect(page.getByTestId('model-from-cache')).toHaveCount(0);
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
    await expectFileLoaded(page, name, false);
    expect(requests.get(name), `requests for ${name}`).toBe(1);
  }
  // tokenizer.json exists, so vocab.txt is never needed.
  expect(requests.has('vocab.txt')).toBe(false);

  hubTop = await fillMask(page);

  // A reloaded page loads the same id from Cache Storage, without requesting any file again.
  await page.reload();
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  await loadFromHub(page, MODEL_ID);
  await expectSummary(page, checkpoint, `hub:${MODEL_ID}@main`);
  await expect(page.getByTestId('model-from-cache')).toContainText('Loaded from cache');
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) {
    await expectFileLoaded(page, name, true);
    expect(requests.get(name), `requests for ${name} after the cached load`).toBe(1);
  }
});

test('Hub 404 names the URL', async ({ page }) => {
  const requests = new Map<string, number>();
  await routeHub(page, requests, new Set(['model.safetensors']));
  await openPage(page);

  await loadFromHub(page, MODEL_ID);

  const url = `${HUB_PREFIX}model.safetensors`;
  const error = page.getByTestId('model-error');
  await expect(error).toContainText(`${url}: HTTP 404`);
  await expect(error).toContainText('for required file model.safetensors');
  await expect(error).toContainText('Only safetensors weights can be loaded');
  await expect(page.getByTestId('model-error-file')).toHaveText(url);
  await expect(page.getByTestId('model-panel')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('model-summary')).toHaveCount(0);
});

test('URL errors name the problem', async ({ page, baseURL }) => {
  // A server returns a web page for a path outside any model folder, and this route plays such a server.
  await page.route('**/nope/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html><body>app</body></html>' }));
  await openPage(page);
  await page.getByLabel('URL', { exact: true }).check();

  await page.getByTestId('model-base-url').fill('not a url');
  await page.getByTestId('model-load').click();
  await expect(page.getByTestId('model-error')).toContainText('Invalid base URL "not a url": a URL has no spaces.');

  const base = new URL('/nope/', baseURL).href;
  await page.getByTestId('model-base-url').fill('/nope/');
  await page.getByTestId('model-load').click();
  await expect(page.getByTestId('model-error')).toContainText(
    `${base}config.json: the server returned an HTML page (Content-Type text/html), not config.json, so ${base} does not serve a Hugging Face model folder.`,
  );
  await expect(page.getByTestId('model-summary')).toHaveCount(0);
});

test('local folder matches the Hub load', async ({ page }) => {
  await openPage(page);
  await page.getByLabel('Local folder or files').check();
  await page.getByTestId('model-folder-input').setInputFiles(MODEL_FOLDER);
  const fileCount = readdirSync(MODEL_FOLDER).length;
  await expect(page.getByTestId('model-chosen-files')).toContainText(`${fileCount} files chosen`);
  await page.getByTestId('model-load').click();

  await expectSummary(page, checkpoint, 'local files');
  await expect(page.getByTestId('model-from-cache')).toHaveCount(0);
  await expectFileLoaded(page, 'model.safetensors', false);

  expectSameAsHub(await fillMask(page));
});

test('chosen files load like the folder', async ({ page }) => {
  await openPage(page);
  await page.getByLabel('Local folder or files').check();
  const names = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
  await page.getByTestId('model-files-input').setInputFiles(names.map((name) => join(MODEL_FOLDER, name)));
  await page.getByTestId('model-load').click();

  await expectSummary(page, checkpoint, 'local files');
  for (const name of names) await expectFileLoaded(page, name, false);
});

test('embedded default matches the Hub load', async ({ page, baseURL }) => {
  await openPage(page);
  await expect(page.getByLabel('Embedded default')).toBeChecked();
  await page.getByTestId('model-load').click();

  await expectSummary(page, checkpoint, new URL('/models/mtlora-bert-tiny/', baseURL).href);
  expectSameAsHub(await fillMask(page));

  // Only the first run uploads the weights to the GPU, so only its time includes the upload.
  await expect(page.getByTestId('fill-mask-timing')).toHaveText(/^\d+ tokens, \d+ ms on the GPU, including the weight upload\.$/);
  expectSameAsHub(await fillMask(page));
  await expect(page.getByTestId('fill-mask-timing')).toHaveText(/^\d+ tokens, \d+ ms on the GPU\.$/);
});

test('folder model trains in the Worker', async ({ page }) => {
  // The Worker cannot read the user's disk, so the page must send it the picked files with the start command.
  test.setTimeout(240_000);
  await openPage(page);
  await page.getByLabel('Local folder or files').check();
  await page.getByTestId('model-folder-input').setInputFiles(MODEL_FOLDER);
  await page.getByTestId('model-load').click();
  await expectSummary(page, checkpoint, 'local files');

  const folderName = MODEL_FOLDER.split('/').filter(Boolean).at(-1)!;
  await page.getByTestId('model-select').selectOption({ label: `${folderName} (loaded in the Model panel)` });
  await fillTinyRun(page, ['lora']);
  await page.getByTestId('start-button').click();

  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 200_000 });
  await expect(page.getByTestId('summary-table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('history-model').first()).toHaveText(`${folderName} (local files)`);
});
