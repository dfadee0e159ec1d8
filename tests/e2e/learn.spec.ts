import { expect, test, type Page } from '@playwright/test';

// Explanations, ROC/AUC and themes, driven as a person would: info buttons beside the choices, the
// dialog they open (formula typeset by KaTeX, a live plot), Escape; the theme switch in the header.

async function setNumber(page: Page, label: string, value: number) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

test('the ReLU explanation shows its formula and its plot, and Escape closes it', async ({ page }) => {
  await page.goto('/#/design');
  const info = page.getByRole('button', { name: 'Explain ReLU' }).first();
  await info.click();
  const dialog = page.getByRole('dialog', { name: 'ReLU' });
  await expect(dialog).toBeVisible();
  // KaTeX output: the typeset HTML and the MathML that screen readers read.
  await expect(dialog.locator('.katex-html').first()).toBeVisible();
  await expect(dialog.locator('math').first()).toContainText('max');
  const plot = dialog.getByRole('img', { name: /relu and its derivative/ });
  await expect(plot).toBeVisible();
  await expect(plot.locator('path[data-series]')).toHaveCount(2);
  await expect(plot).toContainText('x (input)');
  await expect(dialog.getByText('Pitfall')).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/learn-relu.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(info).toBeFocused();
});

test('the schedule explanation plots the learning rate as the Train settings configure it', async ({ page }) => {
  await page.goto('/#/train');
  await page.getByRole('combobox', { name: 'Learning-rate schedule' }).selectOption('step');
  await setNumber(page, 'Learning rate', 0.1);
  await setNumber(page, 'Epochs', 4);
  await setNumber(page, 'Decay every (epochs)', 1);
  await setNumber(page, 'Decay factor', 0.5);
  await page.getByRole('button', { name: 'Explain Learning-rate schedule' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Learning-rate schedule' });
  const plot = dialog.getByRole('img', { name: /Learning rate over 4 epochs, step decay schedule/ });
  await expect(plot).toBeVisible();
  await expect(plot).toContainText('learning rate');
  await expect(plot).toContainText('epoch');
  await expect(dialog.getByText(/step decay from 0.1, [\d,]+ steps per epoch/)).toBeVisible();
  await page.screenshot({ path: 'tests/e2e/screenshots/learn-schedule.png' });
  await dialog.getByRole('button', { name: 'Close explanation' }).click();
  await expect(dialog).toBeHidden();
});

test('a dropout layer explains itself with a mask at its own rate', async ({ page }) => {
  await page.goto('/#/design');
  await page.getByRole('button', { name: 'Add Dropout' }).click();
  const inspector = page.getByRole('complementary', { name: /Dropout/ });
  await inspector.getByLabel('Rate', { exact: true }).fill('0.25');
  await inspector.getByRole('button', { name: 'Explain Dropout' }).click();
  const dialog = page.getByRole('dialog', { name: 'Dropout' });
  // Kept units are scaled by 1 / (1 - 0.25).
  const after = dialog.getByRole('img', { name: /^\d+ of 12 units kept, scaled by 1.33$/ });
  await expect(after).toBeVisible();
  await expect(dialog.getByText(/Rate p = 0.25: \d+ of 12 units kept/)).toBeVisible();
  const bars = async () => after.locator('.dropout-unit').evaluateAll((units) => units.map((u) => u.className));
  const first = await bars();
  // A new draw changes which units are dropped (draws are seeded, so this is the same on every run).
  let changed = false;
  for (let i = 0; i < 5 && !changed; i++) {
    await dialog.getByRole('button', { name: 'Draw a new mask' }).click();
    changed = JSON.stringify(await bars()) !== JSON.stringify(first);
  }
  expect(changed).toBe(true);
});

test('a binary model shows its ROC curve and AUC beside precision, recall and F1', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/#/design');
  await page.getByRole('combobox', { name: 'Load a template' }).selectOption('xor');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /XOR/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByText('Binary cross-entropy')).toBeVisible();
  await page.getByRole('combobox', { name: 'Optimiser' }).selectOption('adam');
  await setNumber(page, 'Learning rate', 0.05);
  await setNumber(page, 'Epochs', 20);
  await setNumber(page, 'Batch size', 20);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 150_000 });
  await expect(page.getByText('Class 1 (positive)')).toBeVisible();
  const figures = page.getByLabel('Precision, recall, F1 and AUC for class 1').getByRole('definition');
  await expect(figures).toHaveCount(4);
  for (let i = 0; i < 3; i++) await expect(figures.nth(i)).toHaveText(/^\d+(\.\d)?%$/);
  const roc = page.getByRole('img', { name: /ROC curve of class 1 against the rest, AUC (0|1)\.\d{3}/ });
  await expect(roc).toBeVisible();
  await expect(roc).toContainText('False positive rate');
  await expect(roc).toContainText('True positive rate');
  const auc = Number((await page.locator('.roc-auc').textContent())!);
  expect(auc).toBeGreaterThan(0.8);
  await page.locator('.roc').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'tests/e2e/screenshots/learn-roc.png' });
});

test('a multi-class model shows one-vs-rest AUC per class', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/#/design');
  await page.getByRole('combobox', { name: 'Load a template' }).selectOption('mlp');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /MNIST/ }).check();
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Training samples (0 = all)', 1000);
  await setNumber(page, 'Test samples (0 = all)', 300);
  await setNumber(page, 'Epochs', 1);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 150_000 });
  const table = page.getByRole('table', { name: 'Precision, recall, F1 and one-vs-rest AUC per class' });
  await expect(table.getByRole('columnheader', { name: /AUC \(one-vs-rest\)/ })).toBeVisible();
  // Ten classes and the macro average, each with an AUC in [0, 1] (a class absent from 300 samples would say "undefined").
  const cells = table.locator('tbody tr td:nth-child(5)');
  await expect(cells).toHaveCount(11);
  for (const text of await cells.allTextContents()) expect(text).toMatch(/^(0\.\d{3}|1\.000|undefined)$/);
  await expect(page.getByText('Class 1 (positive)')).toHaveCount(0);
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'tests/e2e/screenshots/learn-auc-per-class.png' });
});

for (const theme of ['light', 'dark'] as const) {
  test(`the ${theme} theme: Design and Train sections`, async ({ page }) => {
    await page.goto('/#/design');
    const label = theme === 'light' ? 'Light' : 'Dark';
    await page.getByRole('button', { name: /^Colour theme/ }).click();
    await page.getByRole('radiogroup', { name: 'Colour theme' }).getByRole('radio', { name: label }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    // Choosing closes the menu and gives focus back to the button, which names the choice.
    await expect(page.getByRole('radiogroup', { name: 'Colour theme' })).toBeHidden();
    await expect(page.getByRole('button', { name: `Colour theme: ${label}` })).toBeFocused();
    await page.getByRole('combobox', { name: 'Load a template' }).selectOption('cnn');
    await page.screenshot({ path: `tests/e2e/screenshots/theme-${theme}-design.png` });
    await page.getByRole('tab', { name: 'Train' }).click();
    await page.screenshot({ path: `tests/e2e/screenshots/theme-${theme}-train.png` });
    // The choice persists across a reload.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.getByRole('button', { name: `Colour theme: ${label}` }).click();
    await expect(page.getByRole('radio', { name: label })).toBeChecked();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('radiogroup', { name: 'Colour theme' })).toBeHidden();
  });
}

test('System follows the colour scheme the browser prefers', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/#/design');
  await page.getByRole('button', { name: 'Colour theme: System' }).click();
  await expect(page.getByRole('radio', { name: 'System' })).toBeChecked();
  await page.screenshot({
    path: 'tests/e2e/screenshots/theme-menu.png',
    clip: { x: 640, y: 0, width: 640, height: 200 },
  });
  await page.keyboard.press('Escape');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});
