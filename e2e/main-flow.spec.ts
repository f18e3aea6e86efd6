// The main job end to end in Chromium on the real Worker. All five adapter methods train with two seeds each on
// the embedded model and the spam task, for a few steps at a small maximum length. Then the test checks the
// charts and the summary table, and that a reload keeps the experiment.
import { expect, test } from '@playwright/test';
import { fillTinyRun } from './tiny-run';

const METHODS = ['lora', 'shim', 'icfm', 'ctcm', 'dtsm'];

test('five methods × two seeds train and compare', async ({ page }) => {
  // SwiftShader runs every kernel on the CPU: ten short runs take a few minutes.
  test.setTimeout(600_000);
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  for (const method of METHODS) await expect(page.getByTestId(`method-${method}`)).toBeChecked();

  await fillTinyRun(page, METHODS, 2);
  await expect(page.getByTestId('start-button')).toBeEnabled();

  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('progress')).toHaveAttribute('max', '20');
  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 540_000 });

  // One series per method in every chart, and one summary row per method with mean ± std over two seeds.
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-methods', METHODS.join(','));
  await expect(page.getByTestId('loss-chart').locator('.recharts-line')).toHaveCount(METHODS.length);
  await expect(page.getByTestId('dev-chart')).toHaveAttribute('data-methods', METHODS.join(','));
  await expect(page.getByTestId('test-bar-chart')).toHaveAttribute('data-methods', METHODS.join(','));
  const rows = page.getByTestId('summary-table').locator('tbody tr');
  await expect(rows).toHaveCount(METHODS.length);
  for (let i = 0; i < METHODS.length; i++) await expect(rows.nth(i).getByTestId('summary-test-mean')).toHaveText(/^\d+(\.\d+)? ± \d+(\.\d+)?$/);

  // A reload shows the finished experiment from IndexedDB.
  await page.reload();
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('results-title')).toContainText('done');
  await expect(page.getByTestId('summary-table').locator('tbody tr')).toHaveCount(METHODS.length);
});
