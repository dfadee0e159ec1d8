import { expect, test, type Page } from '@playwright/test';
import { EXAMPLES } from '../../app/examples/examples';

// Opens each guided example from the Examples section and starts it: the design, data and settings
// arrive in Train in one go, the first metrics appear, and Stop ends the run (or it has already finished).

async function startAndStop(page: Page) {
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('figure-step')).not.toHaveText('0', { timeout: 90_000 });
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  // A fast example can finish between the first metrics and the click (Stop is then disabled): either
  // end is fine, and the state below says which.
  await stop.click({ timeout: 5_000 }).catch(() => undefined);
  await expect(page.getByRole('status', { name: /Run state: (Stopped|Finished)/ })).toBeVisible({ timeout: 60_000 });
}

test('the Examples section shows every example with its text, result and an Open button', async ({ page }) => {
  await page.goto('/#/examples');
  for (const example of EXAMPLES) {
    const card = page.getByRole('article', { name: example.title });
    await expect(card).toContainText('Result to expect');
    await expect(card.getByRole('button', { name: `Open ${example.title}` })).toBeEnabled();
  }
  await page.screenshot({ path: 'tests/e2e/screenshots/examples.png', fullPage: true });
});

test('opening an example keeps the previous design in undo history', async ({ page }) => {
  await page.goto('/#/design');
  await page.getByRole('combobox', { name: 'Load a template' }).selectOption('lenet5');
  await page.getByRole('tab', { name: 'Examples' }).click();
  await page.getByRole('button', { name: 'Open XOR with a 2-10-1 sigmoid network' }).click();
  await expect(page).toHaveURL(/#\/train$/);
  await expect(page.locator('.train-head')).toContainText('XOR 2-10-1');
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('40');
  await page.getByRole('tab', { name: 'Design' }).click();
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.locator('.train-head')).toContainText('LeNet-5');
});

for (const example of EXAMPLES) {
  test(`open and start the example "${example.title}"`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.goto('/#/examples');
    await page.getByRole('button', { name: `Open ${example.title}` }).click();
    await expect(page).toHaveURL(/#\/train$/);
    await expect(page.locator('.train-head')).toContainText(example.design().name);
    const settings = example.settings;
    if (settings.epochs) await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue(String(settings.epochs));
    if (settings.batchSize)
      await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue(String(settings.batchSize));
    await startAndStop(page);
  });
}

test('the 100-input regression set is previewed as a table of its first samples', async ({ page }) => {
  await page.goto('/#/data');
  await page.getByRole('radio', { name: /100 inputs \(regression\)/ }).check();
  const table = page.getByRole('table', { name: 'First samples of the data set' });
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(8);
  await expect(page.getByRole('figure', { name: /Scatter plot/ })).toHaveCount(0);
  await page.screenshot({ path: 'tests/e2e/screenshots/data-regression100.png', fullPage: true });
});
