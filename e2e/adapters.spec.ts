// Adapters of a finished run in Chromium on the real Worker. A short DTSM run keeps its native adapter file in
// IndexedDB, and both downloads (PEFT zip and native file) have the expected contents. A reload keeps them,
// importing the native file reproduces the run's dev and test metrics, and "Continue training" trains the
// imported adapters on as a new experiment. A corrupt file shows its error.
import { readFile } from 'node:fs/promises';
import { expect, test, type Download, type Page } from '@playwright/test';
import { fillTinyRun } from './tiny-run';
import { unzipSync } from 'fflate';

/** Parses the JSON header of a safetensors file: 8 bytes little-endian length N, then N bytes of JSON. */
function safetensorsHeader(bytes: Uint8Array): Record<string, { dtype?: string; shape?: number[] } & Record<string, unknown>> {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  expect(8 + length).toBeLessThanOrEqual(bytes.length);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, { dtype?: string; shape?: number[] }>;
}

/** Clicks a download button and returns the download with its bytes. */
async function download(page: Page, testId: string): Promise<{ download: Download; bytes: Uint8Array; path: string }> {
  const [started] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await started.path();
  return { download: started, bytes: new Uint8Array(await readFile(path)), path };
}

test('DTSM adapters download, re-import and continue training', async ({ page, baseURL }) => {
  // SwiftShader runs every kernel on the CPU of a possibly shared machine, so the limit is generous. The whole test
  // (a run of 2 steps, the import evaluation and a continued run of 2 steps) took 24 s with the CPU idle.
  test.setTimeout(720_000);
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();

  await fillTinyRun(page, ['dtsm']);
  await page.getByTestId('start-button').click();
  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 420_000 });

  // The PEFT zip contains the three files of a PEFT LoRA folder, with T folded into lora_B.
  const peft = await download(page, 'download-peft-dtsm:1');
  // Download names may start with the task and a short experiment id (src/adapters/io/download-names.ts).
  expect(peft.download.suggestedFilename()).toMatch(/^(spam-[0-9a-f]{8}-)?dtsm-seed1-peft\.zip$/);
  const files = unzipSync(peft.bytes);
  expect(Object.keys(files).sort()).toEqual(['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json'])) as Record<string, unknown>;
  expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'SEQ_CLS', r: 8, modules_to_save: ['classifier'] });
  const readme = new TextDecoder().decode(files['README.md']);
  expect(readme).toContain('- Method: DTSM (T = C + D)');
  expect(readme).toContain('Each lora_B in this folder is B·T');
  // The embedded model is not on the Hub: the README downloads it from this app into the folder the config names.
  expect(config.base_model_name_or_path).toBe('mtlora-bert-tiny');
  expect(readme).toContain(`base_url = "${new URL('/models/mtlora-bert-tiny/', baseURL).href}"`);
  const peftHeader = safetensorsHeader(files['adapter_model.safetensors']);
  expect(peftHeader.__metadata__).toEqual({ format: 'pt' });
  expect(peftHeader['base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight']).toMatchObject({ dtype: 'F32', shape: [8, 128] });
  expect(peftHeader['base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight']).toMatchObject({ dtype: 'F32', shape: [128, 8] });
  expect(peftHeader['base_model.model.classifier.weight']).toMatchObject({ dtype: 'F32', shape: [2, 128] });

  // The native file keeps C and D and describes its run.
  const native = await download(page, 'download-native-dtsm:1');
  const nativeName = native.download.suggestedFilename();
  expect(nativeName).toMatch(/^(spam-[0-9a-f]{8}-)?dtsm-seed1\.mtlora\.safetensors$/);
  const nativeHeader = safetensorsHeader(native.bytes);
  expect(nativeHeader.__metadata__).toMatchObject({ format: 'mtlora-adapters', format_version: '1' });
  expect(nativeHeader['encoder.layer.0.attention.self.query.C']).toMatchObject({ dtype: 'F32', shape: [8, 8] });
  expect(nativeHeader['encoder.layer.0.attention.self.query.D']).toMatchObject({ dtype: 'F32', shape: [8, 8] });

  // Nothing is lost on reload: the stored file is offered again.
  await page.reload();
  await expect(page.getByTestId('results-title')).toContainText('done');
  await expect(page.getByTestId('download-native-dtsm:1')).toBeVisible();

  // The import re-evaluates dev and test in a fresh Worker and reproduces the stored metrics.
  await page.getByTestId('import-adapter-input').setInputFiles({ name: nativeName, mimeType: 'application/octet-stream', buffer: Buffer.from(native.bytes) });
  await expect(page.getByTestId('import-verdict')).toHaveText('matches', { timeout: 240_000 });
  const rows = page.getByTestId('import-table').locator('tbody tr');
  await expect(rows).toHaveCount(6);
  for (let i = 0; i < 6; i++) {
    const row = rows.nth(i);
    await expect(row).toHaveAttribute('data-matches', 'true');
    const stored = await row.getByTestId('import-stored').textContent();
    expect(stored).toMatch(/^\d/);
    await expect(row.getByTestId('import-reproduced')).toHaveText(stored!);
  }
  await expect(page.getByTestId('import-result')).toContainText('evaluated on 8 dev and 8 test examples');

  // Continue training: the form starts with the file's steps and names an invalid value.
  await expect(page.getByTestId('continue-steps')).toHaveValue('2');
  await page.getByTestId('continue-steps').fill('0');
  await expect(page.getByTestId('continue-form')).toContainText('Additional steps 0 is out of range: enter an integer from 1 to 100000.');
  await expect(page.getByTestId('continue-button')).toBeDisabled();
  await page.getByTestId('continue-steps').fill('2');
  await expect(page.getByTestId('continue-form')).toContainText('The AdamW moments start at zero');
  await page.getByTestId('continue-button').click();
  await expect(page.getByTestId('continue-status')).toContainText(`2 steps from ${nativeName}`);

  // A new experiment with one run trains, finishes and keeps its own adapter file.
  await expect(page.getByTestId('results-title')).toContainText('done', { timeout: 420_000 });
  await expect(page.getByTestId('results-title')).toContainText('(DTSM; 1 seed; 2 steps)');
  const runs = page.getByTestId('runs-table').locator('tbody tr');
  await expect(runs).toHaveCount(1);
  await expect(runs.first()).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('download-native-dtsm:1')).toBeVisible();
  const history = page.getByTestId('history-table').locator('tbody tr');
  await expect(history).toHaveCount(2);
  await expect(history.first()).toHaveAttribute('aria-current', 'true');
  await expect(history.first()).toHaveAttribute('data-status', 'done');
});

test('corrupt adapter file shows its error', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('adapter-name')).toBeVisible();
  await page.getByTestId('import-adapter-input').setInputFiles({ name: 'corrupt.mtlora.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a safetensors file') });
  await expect(page.getByTestId('import-error')).toContainText('corrupt.mtlora.safetensors');
  await expect(page.getByTestId('import-error')).toContainText('header length');
  await expect(page.getByTestId('import-verdict')).toHaveCount(0);
});
