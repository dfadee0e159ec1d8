import { expect, test } from '@playwright/test';

test('the app reports the WebGPU adapter it got and the limits the engine relies on', async ({ page }) => {
  await page.goto('/#/engine');
  await expect(page.getByRole('heading', { name: 'Compute engine' })).toBeVisible();
  const adapterLine = page.getByTestId('adapter-line');
  // On a machine without a GPU Chromium's adapter is SwiftShader: "google / swiftshader".
  await expect(adapterLine).toHaveText(/WebGPU adapter: \S.* \/ \S+/);
  const limits = page.getByRole('table', { name: 'GPU limits the engine relies on' });
  await expect(limits.getByRole('row', { name: /maxStorageBufferBindingSize/ })).toContainText(/\d+(\.\d)? (MiB|GiB)/);
  await expect(page.getByText('WebGPU', { exact: false }).first()).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/app-adapter.png', fullPage: true });
});

test('without WebGPU the app explains how to enable it and falls back to the CPU engine', async ({ page }) => {
  // Hide navigator.gpu in the page and in its workers before any script runs.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.route('**/*.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    const isWorker = route.request().url().includes('worker');
    const patched = isWorker
      ? `Object.defineProperty(WorkerNavigator.prototype, 'gpu', { get: () => undefined, configurable: true });\n${body}`
      : body;
    await route.fulfill({ response, body: patched });
  });
  await page.goto('/#/engine');
  const notice = page.getByRole('status').filter({ hasText: 'WebGPU is not available' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('--enable-unsafe-webgpu');
  await expect(notice).toContainText('CPU engine');
  await expect(page.getByText('CPU engine', { exact: true })).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/app-no-webgpu.png', fullPage: true });
});
