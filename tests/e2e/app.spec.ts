import { expect, test } from '@playwright/test';

test('the app reports the WebGPU adapter it got and the limits the engine relies on', async ({ page }) => {
  // Pinned to WebGPU: on SwiftShader (CI) the automatic choice is WebAssembly.
  await page.goto('/?engine=webgpu#/engine');
  await expect(page.getByRole('heading', { name: 'Compute engine' })).toBeVisible();
  const adapterLine = page.getByTestId('adapter-line');
  // On a machine without a GPU Chromium's adapter is SwiftShader: "google / swiftshader".
  await expect(adapterLine).toHaveText(/WebGPU adapter: \S.* \/ \S+/);
  const limits = page.getByRole('table', { name: 'GPU limits the engine relies on' });
  await expect(limits.getByRole('row', { name: /maxStorageBufferBindingSize/ })).toContainText(/\d+(\.\d)? (MiB|GiB)/);
  await expect(page.getByTestId('engine-in-use')).toHaveText('Training on WebGPU');
  await expect(page.getByTestId('engine-badge')).toHaveText(/^WebGPU · set by URL/);
  await page.screenshot({ path: 'tests/e2e/screenshots/app-adapter.png', fullPage: true });
});

test('without WebGPU the app explains how to enable it and trains on WebAssembly', async ({ page }) => {
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
  await expect(notice).toContainText('trains on the WebAssembly engine instead');
  await expect(page.getByTestId('engine-in-use')).toHaveText(/Training on WebAssembly/);
  await expect(page.getByTestId('engine-why')).toContainText('this browser does not expose WebGPU');
  await expect(page.getByTestId('engine-badge')).toHaveText(/^WebAssembly · .* · no WebGPU$/);
  await page.screenshot({ path: 'tests/e2e/screenshots/app-no-webgpu.png', fullPage: true });
});
