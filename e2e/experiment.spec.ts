// The comparison page in Chromium: setup validation, stored results drawn from IndexedDB, the resume
// banner for an interrupted experiment, and the run controls against the real training Worker.
import { expect, test, type Page } from '@playwright/test';

const HYPERPARAMETERS = {
  rank: 8,
  alpha: 16,
  learningRate: 1e-3,
  batchSize: 16,
  maxLength: 128,
  steps: 4,
  warmupSteps: 1,
  weightDecay: 0.01,
  dropout: 0.1,
  maxGradNorm: 1,
  modules: ['query', 'value'],
  evalInterval: 2,
};

/** Final test F1 per seed; the summary must show their mean and sample standard deviation. */
const TEST_F1: Record<string, [number, number]> = { lora: [0.8, 0.9], dtsm: [0.7, 0.74] };

function storedExperiment(id: string, status: string, createdAt: string) {
  const methods = Object.keys(TEST_F1);
  const spec = { id, createdAt, model: { id: 'embedded', source: 'embedded' }, taskId: 'spam', methods, seeds: [1, 2], hyperparameters: HYPERPARAMETERS };
  const runs = methods.flatMap((method) =>
    [1, 2].map((seed, i) => ({
      experimentId: id,
      method,
      seed,
      status: 'done',
      curve: [1, 2, 3, 4].map((step) => ({ step, loss: 1 / step + seed / 100, learningRate: 1e-3, tokensPerSecond: 1000, elapsedMs: step * 50 })),
      evals: [
        { step: 2, split: 'dev', loss: 0.6, metrics: { accuracy: 0.7, f1: 0.6 } },
        { step: 4, split: 'dev', loss: 0.5, metrics: { accuracy: 0.8, f1: 0.7 } },
        { step: 4, split: 'test', loss: 0.5, metrics: { accuracy: 0.8, f1: TEST_F1[method][i] } },
      ],
      trainableParameters: method === 'lora' ? 8450 : 8962,
      totalParameters: 1_300_000,
      stepTimeMs: 40,
    })),
  );
  return { record: { spec, status, updatedAt: createdAt }, runs };
}

/** Writes records into the app's database, which the page must have created already, then reloads. */
async function seedAndReload(page: Page, experiments: ReturnType<typeof storedExperiment>[]): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Stored experiments' })).toBeVisible();
  await expect(page.getByText('None yet.')).toBeVisible();
  await page.evaluate(async (items) => {
    const request = indexedDB.open('mtlora-playground');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const tx = db.transaction(['experiments', 'runs'], 'readwrite');
    for (const item of items) {
      tx.objectStore('experiments').put(item.record);
      for (const run of item.runs) tx.objectStore('runs').put(run);
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, experiments);
  await page.reload();
}

test('setup shows defaults and rejects an invalid rank', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();

  await expect(page.getByTestId('model-select')).toHaveValue('embedded');
  await expect(page.getByTestId('task-select')).toHaveValue('spam');
  await expect(page.getByTestId('task-license')).toContainText('CC0');
  for (const method of ['lora', 'shim', 'icfm', 'ctcm', 'dtsm']) await expect(page.getByTestId(`method-${method}`)).toBeChecked();
  for (const method of ['head', 'full']) await expect(page.getByTestId(`method-${method}`)).not.toBeChecked();
  await expect(page.getByTestId('field-rank')).toHaveValue('8');
  await expect(page.getByTestId('field-seedCount')).toHaveValue('3');
  await expect(page.getByTestId('start-button')).toBeEnabled();

  await page.getByTestId('field-rank').fill('200');
  await expect(page.getByText('Rank r 200 is out of range: enter an integer from 1 to 128 (the hidden size of mtlora-bert-tiny).')).toBeVisible();
  await expect(page.getByTestId('field-rank')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('start-button')).toBeDisabled();
  await expect(page.getByTestId('start-blocker')).toContainText('Fix the invalid setting');

  await page.getByTestId('field-rank').fill('16');
  await expect(page.getByTestId('start-button')).toBeEnabled();
});

test('stored experiment shows charts and summary', async ({ page }) => {
  await page.goto('/');
  await seedAndReload(page, [storedExperiment('e2e-done', 'done', '2025-04-01T09:00:00.000Z')]);

  await expect(page.getByTestId('results-title')).toContainText('done');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-methods', 'lora,dtsm');
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-rows', '4');
  await expect(page.getByTestId('loss-chart').locator('.recharts-line')).toHaveCount(2);
  await expect(page.getByTestId('dev-chart')).toHaveAttribute('data-rows', '2');
  await expect(page.getByTestId('test-bar-chart')).toHaveAttribute('data-methods', 'lora,dtsm');
  await expect(page.getByTestId('test-bar-chart').locator('.recharts-errorBar')).toHaveCount(2);

  // Spam's primary metric is F1: mean 0.85 and sample std 0.07071 for LoRA's 0.8 and 0.9.
  const rows = page.getByTestId('summary-table').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByTestId('summary-test-mean')).toHaveText('0.85 ± 0.07071');
  await expect(rows.nth(1).getByTestId('summary-test-mean')).toHaveText('0.72 ± 0.02828');
  await expect(rows.nth(0)).toContainText('8,450');
  await expect(rows.nth(0)).toContainText('0.65 %');
  await expect(page.getByTestId('progress')).toHaveAttribute('value', '16');
  await expect(page.getByTestId('history-table').locator('tbody tr')).toHaveCount(1);
});

test('runs table, bar chart axis and task name', async ({ page }) => {
  await page.goto('/');
  const stored = storedExperiment('e2e-names', 'cancelled', '2025-04-03T09:00:00.000Z');
  for (const run of stored.runs) {
    // Every test F1 is 0, which once gave the bar chart an axis from 0 to 4.
    for (const point of run.evals) if (point.split === 'test') point.metrics.f1 = 0;
  }
  Object.assign(stored.runs[1], { status: 'cancelled' });
  Object.assign(stored.runs[3], { status: 'failed', error: 'loss became NaN at step 3' });
  await seedAndReload(page, [stored]);

  // The page opens a finished experiment by itself; a cancelled one is opened from the history.
  await expect(page.getByTestId('history-task').first()).toHaveText('Spam detection (SpamAssassin)');
  await page.getByTestId('history-table').getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('results-title')).toContainText('The Spam detection (SpamAssassin) experiment of');

  const chart = page.getByTestId('test-bar-chart');
  await expect(chart).toHaveAttribute('data-y-domain', '0,1');
  await expect(chart.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')).toHaveText(['0', '0.25', '0.5', '0.75', '1']);

  const table = page.getByTestId('runs-table');
  await expect(table.locator('tr[data-run="lora:2"] td.exports')).toHaveText(
    'This run was cancelled before its last step, so it has no adapters or results to export; only finished runs are exported.',
  );
  await expect(table.locator('tr[data-run="dtsm:2"] td.exports')).toHaveText('This run failed, so it has no adapters or results to export; only finished runs are exported.');

  // The accessible name starts with the visible text, and the file name includes the task and the experiment id.
  const results = page.getByRole('button', { name: 'Results JSON of LoRA seed 1' });
  await expect(results).toHaveText('Results JSON');
  const [download] = await Promise.all([page.waitForEvent('download'), results.click()]);
  expect(download.suggestedFilename()).toBe('spam-e2e-names-lora-seed1-results.json');
});

test('interrupted experiment offers to resume', async ({ page }) => {
  await page.goto('/');
  await seedAndReload(page, [storedExperiment('e2e-running', 'running', '2025-04-02T09:00:00.000Z')]);

  const banner = page.getByTestId('resume-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toHaveAttribute('data-experiment-id', 'e2e-running');
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'interrupted');

  await banner.getByTestId('dismiss-interrupted-button').click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'cancelled');

  await page.reload();
  await expect(page.getByTestId('history-table')).toBeVisible();
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
});

test('start and stop with the training Worker', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  for (const method of ['shim', 'icfm', 'ctcm', 'dtsm']) await page.getByTestId(`method-${method}`).uncheck();
  await page.getByTestId('field-seedCount').fill('1');
  await page.getByTestId('field-steps').fill('2');
  await page.getByTestId('field-warmupSteps').fill('0');
  await page.getByTestId('field-evalInterval').fill('2');

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('pause-button')).toBeVisible();
  await expect(page.getByTestId('progress')).toHaveAttribute('max', '2');
  await expect(page.getByTestId('eta')).not.toBeEmpty();
  // The Worker reports progress as it loads the model, which shows that it started and responds.
  await expect(page.getByTestId('worker-message').or(page.getByTestId('current-run'))).toBeVisible();
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'running');

  // The first click requests a cancel at the Worker's next check. If it has not responded within 15 s (model
  // loading on SwiftShader can take longer), the second click stops the Worker at once.
  const start = page.getByTestId('start-button');
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('cancel-button').or(start)).toHaveText(/Stop now|Start/);
  try {
    await expect(start).toBeVisible({ timeout: 15_000 });
  } catch {
    await page.getByTestId('cancel-button').click();
  }
  await expect(start).toBeVisible();
  await expect(page.getByTestId('results-title')).toContainText('cancelled');
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'cancelled');
});

test('no WebGPU disables Start', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('/');

  await expect(page.getByTestId('start-button')).toBeDisabled();
  await expect(page.getByTestId('start-blocker')).toContainText('Training needs WebGPU');
  await expect(page.getByTestId('start-blocker')).toContainText('chrome://flags/#enable-unsafe-webgpu');
});
