import { expect, test, type Page } from '@playwright/test';

// Trains through the UI as a person would: template, data, settings, Start; then reads what the page
// shows. Bounded: 2000 training images, one epoch, 500 test images, so it runs in about a minute on
// SwiftShader.

async function setNumber(page: Page, label: string, value: number) {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
}

async function openTemplate(page: Page, id: 'mlp' | 'xor' | 'cnn') {
  await page.goto('/#/design');
  await page.getByRole('combobox', { name: 'Load a template' }).selectOption(id);
}

test('train the MLP template on MNIST from the UI, then draw a digit', async ({ page }) => {
  test.setTimeout(240_000);
  await openTemplate(page, 'mlp');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /MNIST/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Training samples (0 = all)', 3000);
  await setNumber(page, 'Test samples (0 = all)', 500);
  await setNumber(page, 'Epochs', 1);
  await page.getByRole('button', { name: 'Start' }).click();

  await expect(page.getByRole('status', { name: /Run state: (Training|Starting)/ })).toBeVisible();
  // The loss chart gains points while it trains.
  const lossChart = page.getByRole('figure', { name: 'Loss' });
  await expect(lossChart.locator('.recharts-line-curve').first()).toBeVisible({ timeout: 120_000 });
  // The page answers a click during training: switching tabs renders the other section at once.
  const clickedAt = Date.now();
  await page.getByRole('tab', { name: 'Engine' }).click();
  await expect(page.getByRole('heading', { name: 'Compute engine' })).toBeVisible();
  const clickMs = Date.now() - clickedAt;
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 200_000 });

  const heading = page.getByRole('heading', { name: /Test set: .*% accurate/ });
  await expect(heading).toBeVisible();
  const accuracy = Number((await heading.textContent())!.match(/([\d.]+)%/)![1]);
  expect(accuracy).toBeGreaterThan(80);
  await expect(page.getByRole('table', { name: /Confusion matrix/ })).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/train-mnist-finished.png', fullPage: true });

  // Draw a "1": a vertical stroke.
  const pad = page.getByRole('img', { name: /Drawing pad/ });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.2 + 0.06 * i));
  await page.mouse.up();
  await expect(page.getByTestId('probability-0')).not.toHaveText('–');
  let sum = 0;
  for (let c = 0; c < 10; c++)
    sum += Number((await page.getByTestId(`probability-${c}`).textContent())!.replace('%', ''));
  expect(Math.abs(sum - 100)).toBeLessThan(0.6);
  await page.screenshot({ path: 'tests/e2e/screenshots/train-draw-digit.png', fullPage: true });
  test.info().annotations.push({ type: 'click-latency-ms', description: String(clickMs) });
});

test('Pause freezes the step count and Resume continues it', async ({ page }) => {
  test.setTimeout(180_000);
  await openTemplate(page, 'xor');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /XOR/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Epochs', 1000);
  await setNumber(page, 'Batch size', 10);
  await page.getByRole('button', { name: 'Start' }).click();
  const stepFigure = page.getByTestId('figure-step');
  await expect(stepFigure).not.toHaveText('0', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Paused' })).toBeVisible();
  await page.waitForTimeout(500);
  const frozen = await stepFigure.textContent();
  await page.waitForTimeout(1500);
  expect(await stepFigure.textContent()).toBe(frozen);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(stepFigure).not.toHaveText(frozen!, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Run state: Stopped' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: /Decision boundary/ })).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'tests/e2e/screenshots/train-xor-boundary.png', fullPage: true });
});

test('a diverging run stops with a message and keeps the last good weights', async ({ page }) => {
  test.setTimeout(180_000);
  await openTemplate(page, 'xor');
  // ?nanAtStep=N makes the inputs of step N NaN, so the loss becomes NaN through the real engine.
  await page.goto('/?nanAtStep=25#/design');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /XOR/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Epochs', 500);
  await setNumber(page, 'Batch size', 10);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Diverged' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('alert')).toContainText(/diverged .* NaN or infinite/);
  await expect(page.getByRole('alert')).toContainText(/last good weights are kept/);
  await page.screenshot({ path: 'tests/e2e/screenshots/train-diverged.png', fullPage: true });
});

test('a lost GPU device stops the run with a message, and Start trains again on a new device', async ({ page }) => {
  test.setTimeout(180_000);
  await openTemplate(page, 'xor');
  // ?loseDeviceAtStep=N destroys the worker's GPU device before step N, as a driver reset would
  // (?engine=webgpu: on SwiftShader the automatic choice is WebAssembly, which has no device to lose).
  await page.goto('/?engine=webgpu&loseDeviceAtStep=15#/design');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /XOR/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Epochs', 2);
  await setNumber(page, 'Batch size', 10);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Failed' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('alert')).toContainText(/GPU device was lost/);
  await expect(page.getByRole('alert')).toContainText(/Start training again/);
  await page.screenshot({ path: 'tests/e2e/screenshots/train-device-lost.png', fullPage: true });
  // The fault is one-shot: Start again, in the same page and worker, gets a new device and finishes.
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('2');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 120_000 });
  // Settings survive a reload.
  await page.reload();
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('2');
});

test('a run that fails before its first step leaves no model to draw against, and the pad says so', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openTemplate(page, 'mlp');
  // The device is lost before step 1: the run fails with no trained weights.
  await page.goto('/?engine=webgpu&loseDeviceAtStep=1#/design');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /MNIST/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Training samples (0 = all)', 1000);
  await setNumber(page, 'Test samples (0 = all)', 200);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Failed' })).toBeVisible({ timeout: 120_000 });
  const draw = page.getByRole('region', { name: 'Draw a digit' });
  await expect(draw).toContainText('Train a model on MNIST first');
  await expect(draw).not.toContainText('the current model answers');
});
