// GLUE tasks in Chromium on the real Worker. A Playwright route serves the Hub's Parquet files, built at test
// time from the shared GLUE copy. A short SST-2 comparison reports accuracy, and a short STS-B comparison
// reports Pearson and Spearman. The tests skip, with the reason printed, where the shared data folder is absent.
import { expect, test, type Page } from '@playwright/test';
import { fillTinyRun } from './tiny-run';
import { buildGlueFixtureFiles, GLUE_HUB_URL_PREFIX, glueFixturePath, glueFixtureRouteHandler, sharedGlueMissingReason } from '../src/data/glue-fixtures';

const missingReason = sharedGlueMissingReason();
if (missingReason !== null) console.log(`Skipping the GLUE end-to-end tests: ${missingReason}.`);

let files: Map<string, Uint8Array> = new Map();

test.beforeAll(() => {
  if (missingReason === null) files = buildGlueFixtureFiles();
});

/** Routes the Hub's GLUE files to the fixtures for the page and its Worker, counting requests per file path. */
async function routeGlue(page: Page): Promise<Map<string, number>> {
  const requests = new Map<string, number>();
  const serve = glueFixtureRouteHandler(files);
  // The training Worker downloads the task data. With Chromium 156 and Playwright 1.65, page.route intercepts
  // the dedicated Worker's fetches too, and a route on the context covers the page and its workers either way.
  await page.context().route(`${GLUE_HUB_URL_PREFIX}**`, async (route) => {
    const path = glueFixturePath(route.request().url()) ?? route.request().url();
    requests.set(path, (requests.get(path) ?? 0) + 1);
    await serve(route);
  });
  return requests;
}

/** Selects a task and sets a short run: 1 seed, 2 steps of batch 4, max length 16, 8 evaluation examples. */
async function shortSetup(page: Page, taskId: string, methods: readonly string[]): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  await page.getByTestId('task-select').selectOption(taskId);
  await fillTinyRun(page, methods);
}

/** Starts, checks the byte progress of the task data, and waits until the experiment is done. */
async function runToDone(page: Page, trainBytes: number, evaluationBytes: number): Promise<void> {
  await page.getByTestId('start-button').click();
  const progress = page.getByTestId('task-data-progress');
  await expect(progress).toHaveAttribute('data-done', 'true', { timeout: 120_000 });
  // The line shows 0.1 MiB steps, so the parsed total is within 0.05 MiB of the two files' size.
  const total = Number(await progress.getAttribute('data-total'));
  expect(Math.abs(total - (trainBytes + evaluationBytes))).toBeLessThanOrEqual(0.05 * 1024 * 1024);
  await expect(page.getByTestId('task-data-amount')).toHaveText(/^\d+(\.\d)? (B|KiB|MiB) of \d+(\.\d)? (B|KiB|MiB)$/);
  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 540_000 });
}

const NUMBER = /^-?\d+(\.\d+)?(e-?\d+)?\b/;

test.describe('GLUE from routed Hub Parquet files', () => {
  test.skip(missingReason !== null, `needs the shared GLUE data: ${missingReason}`);

  test('SST-2 comparison reports accuracy', async ({ page }) => {
    test.setTimeout(600_000);
    const requests = await routeGlue(page);
    await shortSetup(page, 'sst2', ['lora', 'dtsm']);

    // The train size: an invalid custom number is named and blocks Start, then 200 examples.
    await expect(page.getByTestId('train-size-select')).toHaveValue('default');
    await page.getByTestId('train-size-select').selectOption('custom');
    await page.getByTestId('train-size-custom').fill('2.5k');
    await expect(page.getByTestId('train-size-error')).toHaveText('Train size "2.5k" is not a positive whole number: enter the number of training examples, such as 2000, or choose All.');
    await expect(page.getByTestId('start-button')).toBeDisabled();
    await page.getByTestId('train-size-custom').fill('200');
    await expect(page.getByTestId('train-size-error')).toHaveCount(0);
    await expect(page.getByTestId('task-splits')).toContainText("test: held out from the Hub's train split");
    await expect(page.getByTestId('task-splits')).toContainText('a seeded stratified sample of 200 examples');
    await expect(page.getByTestId('task-metrics')).toContainText('Accuracy');

    await runToDone(page, files.get('sst2/train-00000-of-00001.parquet')!.length, files.get('sst2/validation-00000-of-00001.parquet')!.length);
    expect(requests.get('sst2/train-00000-of-00001.parquet')).toBe(1);
    expect(requests.get('sst2/validation-00000-of-00001.parquet')).toBe(1);

    const table = page.getByTestId('summary-table');
    await expect(table.locator('thead')).toContainText('Test Accuracy');
    const rows = table.locator('tbody tr');
    await expect(rows).toHaveCount(2);
    for (let i = 0; i < 2; i++) await expect(rows.nth(i).getByTestId('summary-test-mean')).toHaveText(NUMBER);
    await expect(page.getByTestId('history-task').first()).toHaveText('SST-2 sentiment (GLUE; train: 200 examples)');
  });

  test('STS-B comparison reports Pearson and Spearman', async ({ page }) => {
    test.setTimeout(600_000);
    const requests = await routeGlue(page);
    await shortSetup(page, 'stsb', ['lora']);
    await page.getByTestId('train-size-select').selectOption('1000');
    await expect(page.getByTestId('task-splits')).toContainText('stratified by score decile');
    await expect(page.getByTestId('task-metrics')).toContainText('Pearson r, Spearman ρ');

    await runToDone(page, files.get('stsb/train-00000-of-00001.parquet')!.length, files.get('stsb/validation-00000-of-00001.parquet')!.length);
    expect(requests.get('stsb/train-00000-of-00001.parquet')).toBe(1);

    const table = page.getByTestId('summary-table');
    await expect(table.locator('thead')).toContainText('Test Spearman ρ');
    await expect(table.locator('thead')).toContainText('Test Pearson r');
    const row = table.locator('tbody tr');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('summary-test-mean')).toHaveText(NUMBER);
    await expect(row.getByTestId('summary-test-pearson')).toHaveText(NUMBER);
    await expect(page.getByTestId('history-task').first()).toHaveText('STS-B similarity (GLUE; train: 1,000 examples)');
  });
});
