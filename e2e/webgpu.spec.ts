// The first page in Chromium: the WebGPU status panel, the GELU kernel check, and the message shown without WebGPU.
import { expect, test } from '@playwright/test';

/** Inputs the page feeds to GELU and gelu(x) = x · Φ(x) from PyTorch in float64 (torch.nn.functional.gelu). */
const GELU_CASES: ReadonlyArray<[x: number, y: number]> = [
  [-3, -0.00404969409],
  [-1, -0.158655254],
  [-0.5, -0.154268769],
  [0, 0],
  [0.5, 0.345731231],
  [1, 0.841344746],
  [3, 2.99595031],
];

/** f32 arithmetic and the erfc approximation in shaders/gelu.wgsl (error below 1.2e-7) stay well inside this. */
const GELU_TOLERANCE = 1e-5;

test('adapter name and GELU output', async ({ page }) => {
  await page.goto('/');

  const adapter = await page.evaluate(async () => {
    const found = await navigator.gpu?.requestAdapter();
    return found ? { vendor: found.info.vendor, architecture: found.info.architecture } : null;
  });
  expect(adapter, 'navigator.gpu.requestAdapter() in Chromium with --enable-unsafe-webgpu').not.toBeNull();

  const adapterName = page.getByTestId('adapter-name');
  await expect(adapterName).toBeVisible();
  expect((await adapterName.textContent())?.trim()).not.toBe('');
  await expect(page.getByTestId('webgpu-error')).toHaveCount(0);
  await expect(page.getByTestId('limit-maxStorageBufferBindingSize')).toContainText('bytes');

  const smoke = page.getByTestId('kernel-smoke');
  await expect(smoke).toHaveAttribute('data-status', 'done');
  const cells = smoke.getByTestId('gelu-output');
  await expect(cells).toHaveCount(GELU_CASES.length);

  for (const [i, [x, expected]] of GELU_CASES.entries()) {
    const value = Number(await cells.nth(i).getAttribute('data-value'));
    expect(Math.abs(value - expected), `gelu(${x}) = ${value}, expected ${expected}`).toBeLessThanOrEqual(GELU_TOLERANCE);
  }
});

test('no navigator.gpu shows how to enable WebGPU', async ({ page }) => {
  // Chrome without the feature has no `gpu` property on Navigator at all.
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('/');

  const error = page.getByTestId('webgpu-error');
  await expect(error).toContainText('navigator.gpu is undefined');
  await expect(error).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await expect(page.getByTestId('adapter-name')).toHaveCount(0);
  await expect(page.getByTestId('kernel-smoke')).toHaveCount(0);
});

test('no adapter shows how to enable WebGPU', async ({ page }) => {
  // A browser with WebGPU but a blocklisted or missing GPU resolves requestAdapter() with null.
  await page.addInitScript(() => {
    GPU.prototype.requestAdapter = () => Promise.resolve(null);
  });
  await page.goto('/');

  const error = page.getByTestId('webgpu-error');
  await expect(error).toContainText('requestAdapter() returned no adapter');
  await expect(error).toContainText('--enable-unsafe-webgpu');
  await expect(page.getByTestId('adapter-name')).toHaveCount(0);
});
