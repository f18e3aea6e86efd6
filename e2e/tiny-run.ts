// The setup most end-to-end tests train with: the chosen adapter methods, and the smallest settings that still
// run every step of training and evaluation, because SwiftShader runs each kernel on the CPU.
import type { Page } from '@playwright/test';

const ADAPTER_METHODS = ['lora', 'shim', 'icfm', 'ctcm', 'dtsm'];

/** Ticks exactly `methods` among the adapter methods and fills 2 steps of batch 4 at max length 16, 8 eval examples. */
export async function fillTinyRun(page: Page, methods: readonly string[], seeds = 1): Promise<void> {
  for (const method of ADAPTER_METHODS) {
    if (methods.includes(method)) await page.getByTestId(`method-${method}`).check();
    else await page.getByTestId(`method-${method}`).uncheck();
  }
  await page.getByTestId('field-seedCount').fill(String(seeds));
  await page.getByTestId('field-steps').fill('2');
  await page.getByTestId('field-warmupSteps').fill('0');
  await page.getByTestId('field-evalInterval').fill('2');
  await page.getByTestId('field-batchSize').fill('4');
  await page.getByTestId('field-maxLength').fill('16');
  await page.getByTestId('field-evalExamples').fill('8');
}
