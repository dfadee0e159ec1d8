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

test('at 1024 px no section scrolls sideways, and every section has one h1', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.goto('/#/design');
  // The badge's reason gives way on narrow windows but stays in its accessible name.
  await expect(page.getByTestId('engine-badge')).toHaveAttribute('aria-label', /^Engine: ./);
  for (const tab of ['Design', 'Data', 'Train', 'Runs', 'Examples', 'Export', 'Engine']) {
    await page.getByRole('tab', { name: tab }).click();
    await expect(page.getByRole('tabpanel')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${tab} is ${overflow}px wider than the window`).toBeLessThanOrEqual(0);
    // One h1 per section (the designer's is for screen readers only: the canvas needs the room).
    await expect(page.getByRole('tabpanel').getByRole('heading', { level: 1 })).toHaveCount(1);
  }
  // Before a run the Train charts say why they are empty.
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByRole('figure', { name: 'Loss' })).toContainText('No points yet: press Start to train.');
});
