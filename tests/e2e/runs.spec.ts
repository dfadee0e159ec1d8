import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// Two short XOR runs with different optimisers are kept; the Runs section overlays their curves, lists
// the optimiser as the setting that differs, and deletes one (the other survives a reload).

async function trainXor(page: Page, optimizer: 'sgd' | 'adam') {
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('combobox', { name: 'Optimiser' }).selectOption(optimizer);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 90_000 });
}

test('two XOR runs with SGD and Adam: overlay, differing setting, delete', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/#/examples');
  await page.getByRole('button', { name: 'Open XOR with a 2-10-1 sigmoid network' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await trainXor(page, 'sgd');
  await trainXor(page, 'adam');

  await page.getByRole('tab', { name: 'Runs' }).click();
  const table = page.getByRole('table', { name: 'Kept runs' });
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText('SGD');
  await expect(table).toContainText('Adam');
  await page.getByRole('checkbox', { name: /Select Run 1 / }).check();
  await page.getByRole('checkbox', { name: /Select Run 2 / }).check();

  const chart = page.getByRole('figure', { name: 'Loss of the selected runs' });
  await expect(chart).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/runs-compare.png', fullPage: true });
  // Per run a training line and a test line: four curves, both runs named in the legend.
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(4);
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Run 1 · XOR 2-10-1 (train)');
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Run 2 · XOR 2-10-1 (train)');
  // Labelled axes: "training step" across (as on the Train charts), "loss" up.
  await expect(chart.locator('text', { hasText: /^training step$/ })).toBeVisible();
  await expect(chart.locator('text', { hasText: /^loss$/ })).toBeVisible();
  const differ = page.getByRole('table', { name: 'Settings that differ' });
  await expect(differ.getByRole('row', { name: /Optimiser/ })).toContainText('SGD');
  await expect(differ.getByRole('row', { name: /Optimiser/ })).toContainText('Adam');
  await expect(differ).not.toContainText('Learning rate');

  // Export: the JSON holds the run's settings and curves; the CSV one row per curve point.
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Export Run 2 .* as JSON/ }).click(),
  ]);
  expect(json.suggestedFilename()).toBe('run-2-xor-2-10-1.json');
  const kept = JSON.parse(readFileSync(await json.path(), 'utf8'));
  expect(kept.run.settings.optimizer).toBe('adam');
  expect(kept.run.curves.trainLoss.length).toBeGreaterThan(0);
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Export the curves of Run 2 .* as CSV/ }).click(),
  ]);
  const rows = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n');
  expect(rows[0]).toBe('curve,step,value');
  expect(rows.filter((r) => r.startsWith('test loss,'))).toHaveLength(3);

  // Delete asks once more: "Keep it" (focused, so Enter twice deletes nothing) leaves the run, "Yes" removes it.
  await page.getByRole('button', { name: /Delete Run 1 / }).click();
  await expect(page.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(page.getByRole('button', { name: /Delete Run 1 / })).toBeFocused();
  await page.getByRole('button', { name: /Delete Run 1 / }).click();
  await page.getByRole('button', { name: /Yes, delete Run 1 / }).click();
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByRole('figure', { name: 'Loss of the selected runs' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('table', { name: 'Kept runs' }).locator('tbody tr')).toHaveCount(1);
  await expect(page.getByRole('table', { name: 'Kept runs' })).toContainText('Run 2');
});
