import { expect, test, type Page } from '@playwright/test';

// Your own table, end to end as a person does it: a CSV generated here (100 numeric inputs and a noisy
// linear target, like the classic Keras regression example) is chosen in the Data section, previewed,
// its target chosen and kept in the browser; using it fits the design (a 100-32-1 MSE network from the
// fitted template); training shows the test loss falling and the predicted-vs-true plot. A bad CSV shows
// its message naming the file and line.

const FEATURES = 100;
const ROWS = 1000;

/** A seeded generator (mulberry32), so the file is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** y = w·x + 0.1·noise over 100 inputs uniform in [-1, 1]. */
function regressionCsv(): string {
  const random = rng(7);
  const w = Array.from({ length: FEATURES }, () => random() * 2 - 1);
  const lines = [[...Array.from({ length: FEATURES }, (_, i) => `x${i + 1}`), 'y'].join(',')];
  for (let r = 0; r < ROWS; r++) {
    const x = Array.from({ length: FEATURES }, () => random() * 2 - 1);
    const y = x.reduce((s, v, i) => s + v * w[i], 0) + 0.1 * (random() * 2 - 1);
    lines.push([...x.map((v) => v.toFixed(4)), y.toFixed(4)].join(','));
  }
  return lines.join('\n') + '\n';
}

async function chooseCsv(page: Page, name: string, text: string) {
  await page.getByLabel('CSV or TSV file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
}

test('a CSV regression set: preview, keep, fit the design, train, test loss falls, scatter plot', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/#/data');
  await expect(page.getByText('the data never leaves your machine')).toBeVisible();
  await chooseCsv(page, 'keras-regression.csv', regressionCsv());

  const preview = page.getByRole('region', { name: 'First rows of keras-regression.csv' });
  await expect(preview).toBeVisible({ timeout: 30_000 });
  await expect(preview.getByRole('columnheader', { name: 'x1', exact: true })).toBeVisible();
  await expect(preview.getByRole('row')).toHaveCount(11);
  await expect(page.getByText(`${ROWS.toLocaleString('en-US')} rows × ${FEATURES + 1} columns`)).toBeVisible();

  await page.getByLabel('Target column (what the network predicts)').selectOption({ label: 'y' });
  await expect(page.getByTestId('table-task')).toContainText('Regression of “y”');
  await expect(page.getByText(`${FEATURES} inputs after encoding`)).toBeVisible();
  await preview.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'tests/e2e/screenshots/own-table-preview.png' });

  await page.getByLabel('Name', { exact: true }).fill('Keras regression');
  await page.getByRole('button', { name: 'Keep data set' }).click();
  const kept = page.getByRole('table', { name: 'Kept data sets' });
  const row = kept.getByRole('row', { name: /Keras regression/ });
  await expect(row).toContainText('regression of y');
  await expect(row).toContainText('1,000');
  await expect(row).toContainText(`${FEATURES} inputs`);

  // A reload keeps it (IndexedDB).
  await page.reload();
  await expect(
    page.getByRole('table', { name: 'Kept data sets' }).getByRole('row', { name: /Keras regression/ }),
  ).toBeVisible();

  await page.getByRole('button', { name: 'Use Keras regression' }).click();
  const note = page.getByRole('status', { name: 'Design adapted to the data' });
  await expect(note).toContainText('Training on “Keras regression”');
  await expect(note).toContainText(`shape 28×28×1 → ${FEATURES}`);
  await page.getByRole('heading', { name: 'Your data' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'tests/e2e/screenshots/own-table-kept.png' });
  await note.getByLabel('Start from a template fitted to this data').selectOption({ label: 'Small MLP n-32-k' });
  await expect(note).toContainText('Loaded the template “Small MLP n-32-k”');

  await page.getByRole('tab', { name: 'Design' }).click();
  await expect(page.getByLabel('Design name')).toHaveValue('MLP 100-32-1');
  // 100·32 + 32 + 32·1 + 1 parameters: Dense 32 relu, Dense 1 linear.
  await expect(page.getByTestId('total-params')).toHaveText('3,265');
  // A reload keeps the data choice (the kept set comes back from IndexedDB) and the fitted design.
  await page.reload();
  await expect(page.getByTestId('total-params')).toHaveText('3,265');

  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByText('on Keras regression')).toBeVisible();
  await page.getByLabel('Epochs', { exact: true }).fill('8');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByLabel('Learning rate', { exact: true }).fill('0.003');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 150_000 });

  // The data set's validation split is evaluated after every epoch, charted, and falls like the test loss.
  const validationText = await page.getByTestId('regression-validation-loss').textContent();
  const [firstValidation, lastValidation] = validationText!.split('→').map((s) => Number(s.trim()));
  expect(lastValidation).toBeLessThan(firstValidation * 0.5);
  await expect(page.getByRole('figure', { name: 'Loss' }).getByText('validation', { exact: true })).toBeVisible();
  const lossText = await page.getByTestId('regression-test-loss').textContent();
  const [first, last] = lossText!.split('→').map((s) => Number(s.trim()));
  expect(last).toBeLessThan(first * 0.5);
  const r2 = Number(await page.getByTestId('regression-r2').textContent());
  expect(r2).toBeGreaterThan(0.5);
  const plot = page.getByRole('figure', { name: 'Predicted against true y' });
  await expect(plot).toBeVisible();
  await expect(plot.getByText('true y', { exact: true })).toBeVisible();
  await expect(plot.getByText('predicted y', { exact: true })).toBeVisible();
  expect(await plot.locator('.recharts-scatter-symbol').count()).toBe(100);
  await page
    .getByRole('heading', { name: 'Test set: predicted against true y' })
    .evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'tests/e2e/screenshots/own-table-scatter.png' });
});

/** Three well-separated species over four measurements and a colour category; seeded. */
function speciesCsv(): string {
  const random = rng(11);
  const lines = ['length,width,height,weight,colour,species'];
  const species = ['oak', 'pine', 'birch'];
  for (let r = 0; r < 300; r++) {
    const k = r % 3;
    const m = Array.from({ length: 4 }, (_, j) => (k * 2 + j * 0.5 + random()).toFixed(3));
    lines.push([...m, ['red', 'green'][r % 2], species[k]].join(','));
  }
  return lines.join('\n');
}

test('a CSV classification set trains to a confusion matrix with the class names', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/data');
  await chooseCsv(page, 'trees.csv', speciesCsv());
  await expect(page.getByTestId('table-task')).toContainText('Classification into 3 classes of “species”');
  await page.getByRole('button', { name: 'Keep data set' }).click();
  await page.getByRole('button', { name: 'Use trees' }).click();
  const note = page.getByRole('status', { name: 'Design adapted to the data' });
  await expect(note).toContainText('10 → 3 units');
  await note.getByLabel('Start from a template fitted to this data').selectOption({ label: 'Small MLP n-32-k' });
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('10');
  await page.getByLabel('Batch size', { exact: true }).fill('16');
  await page.getByLabel('Learning rate', { exact: true }).fill('0.01');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 100_000 });
  const heading = page.getByRole('heading', { name: /Test set: .*% accurate on 30 examples/ });
  await expect(heading).toBeVisible();
  expect(Number((await heading.textContent())!.match(/([\d.]+)%/)![1])).toBeGreaterThan(80);
  const matrix = page.getByRole('table', { name: /Confusion matrix/ });
  for (const name of ['birch', 'oak', 'pine']) await expect(matrix.getByText(name).first()).toBeVisible();

  // Deleting a kept set asks once more; Escape keeps it and gives focus back to Delete, "Yes" removes it.
  await page.getByRole('tab', { name: 'Data' }).click();
  const kept = page.getByRole('table', { name: 'Kept data sets' });
  await kept.getByRole('button', { name: 'Delete trees' }).click();
  await expect(kept.getByRole('group', { name: 'Delete trees?' })).toContainText('Delete it from this browser?');
  await page.keyboard.press('Escape');
  await expect(kept.getByRole('button', { name: 'Delete trees' })).toBeFocused();
  await kept.getByRole('button', { name: 'Delete trees' }).click();
  await kept.getByRole('button', { name: 'Yes, delete trees' }).click();
  await expect(page.getByText('No data set is kept yet.')).toBeVisible();
});

test('bad tables: a ragged row, text in a numeric column, another file type', async ({ page }) => {
  await page.goto('/#/data');
  await chooseCsv(page, 'ragged.csv', 'a,b,y\n1,2,3\n4,5\n6,7,8\n');
  const alert = page.locator('.table-import').getByRole('alert');
  await expect(alert).toContainText('ragged.csv, line 3: 2 fields, but the header (line 1) has 3.');
  await expect(page.getByRole('button', { name: 'Keep data set' })).toHaveCount(0);

  const rows = Array.from({ length: 20 }, (_, i) => `${i === 11 ? 'twelve' : i},${i % 2},${i * 3}`);
  await chooseCsv(page, 'people.csv', `age,flag,y\n${rows.join('\n')}\n`);
  const problems = page.getByRole('alert', { name: 'Problems with the table' });
  await expect(problems).toContainText('people.csv, line 13, column "age": "twelve" is not a number.');
  await expect(page.getByRole('button', { name: 'Keep data set' })).toBeDisabled();
  await problems.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: 'tests/e2e/screenshots/own-table-bad.png' });
  await page.getByLabel('Use of column age').selectOption('categorical');
  await expect(problems).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Keep data set' })).toBeEnabled();

  await page.getByLabel('CSV or TSV file').setInputFiles({
    name: 'photo.png',
    mimeType: 'image/png',
    buffer: Buffer.from([137, 80, 78, 71]),
  });
  await expect(page.locator('.table-import').getByRole('alert')).toContainText(
    'photo.png is not a CSV or TSV file (its type is .png).',
  );
});
