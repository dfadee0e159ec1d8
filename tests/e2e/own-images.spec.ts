// A person's own images, end to end: a zip of two classes (bright squares and bright crosses, drawn here
// in Node) is chosen in the Data section, decoded in the browser, previewed per class, kept, and trained
// on with a small CNN until a confusion matrix shows. Bad zips get messages that name the class.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { shapePng, shapesZip } from '../unit/data/images-png';

const SHOTS = 'tests/e2e/screenshots';
const PER_CLASS = 60;

function shapesZipWithBrokenImage(): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < PER_CLASS; i++) {
    files[`shapes/squares/square-${i}.png`] = shapePng('square', i);
    files[`shapes/crosses/cross-${i}.png`] = shapePng('cross', i);
  }
  files['shapes/crosses/broken.png'] = new TextEncoder().encode('not really a png');
  files['shapes/README.txt'] = new TextEncoder().encode('two classes');
  return Buffer.from(zipSync(files, { level: 6 }));
}

async function chooseZip(page: Page, name: string, bytes: Buffer) {
  await page.getByLabel('Zip file of images').setInputFiles({ name, mimeType: 'application/zip', buffer: bytes });
}

/** Drops files on the drop zone as a person dragging them from a file manager would. */
async function dropFiles(page: Page, files: Array<{ name: string; bytes: Uint8Array }>) {
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const transfer = new DataTransfer();
      for (const { name, bytes } of list) transfer.items.add(new File([new Uint8Array(bytes)], name));
      return transfer;
    },
    files.map(({ name, bytes }) => ({ name, bytes: [...bytes] })),
  );
  await page
    .getByRole('group', { name: 'Drop a folder or .zip of images here' })
    .dispatchEvent('drop', { dataTransfer });
}

async function openOwnImages(page: Page) {
  await page.goto('/#/data');
  await expect(page.getByRole('heading', { name: 'Images from a folder or .zip' })).toBeVisible();
}

test('a zip of two image classes: preview, keep, train a small CNN, confusion matrix', async ({ page }) => {
  test.setTimeout(240_000);
  await openOwnImages(page);
  await chooseZip(page, 'shapes.zip', shapesZipWithBrokenImage());

  const classes = page.getByRole('table', { name: 'Images per class' });
  await expect(classes).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('image-summary')).toContainText(`${2 * PER_CLASS} images in 2 classes from shapes.zip`);
  await expect(page.getByTestId('image-summary')).toContainText('grayscale at 28×28 px');
  for (const name of ['crosses', 'squares']) {
    const row = classes.getByRole('row', { name: new RegExp(`^${name}`) });
    await expect(row.getByRole('cell').first()).toHaveText(String(PER_CLASS));
    await expect(row.getByRole('list', { name: `Examples of ${name}` }).getByRole('listitem')).toHaveCount(8);
  }
  // The broken image was decoded by the browser, failed, and is named; the text file is skipped too.
  const skipped = page.getByText(/2 files skipped \(1 could not be read as images\)/);
  await expect(skipped).toBeVisible();
  await skipped.click();
  await expect(page.getByText('shapes/crosses/broken.png')).toBeVisible();
  await page.getByRole('heading', { name: 'Classes' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/own-images-preview.png` });

  // RGB re-reads the same zip without choosing it again.
  await page.getByRole('radio', { name: 'RGB (3 channels)' }).check();
  await expect(page.getByTestId('image-summary')).toContainText('RGB at 28×28 px');
  await page.getByRole('radio', { name: 'Grayscale (1 channel)' }).check();
  await expect(page.getByTestId('image-summary')).toContainText('grayscale at 28×28 px');

  await page.getByRole('button', { name: 'Keep data set' }).click();
  await expect(page.getByRole('button', { name: 'Kept' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Kept data sets' }).getByRole('row', { name: /^shapes/ })).toContainText(
    '28×28×1',
  );

  // Keeping it chose it for training and fitted the design to it; start from the small CNN, fitted.
  const adapted = page.getByRole('status', { name: 'Design adapted to the data' });
  await expect(adapted).toContainText('Training on “shapes”');
  await adapted.getByRole('combobox', { name: 'Start from a template fitted to this data' }).selectOption({
    label: 'Small CNN',
  });
  await page.getByRole('tab', { name: 'Design' }).click();
  await expect(page.getByText('28×28×1').first()).toBeVisible();

  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('6');
  await page.getByLabel('Batch size', { exact: true }).fill('12');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 180_000 });

  // The test split holds 12 of each class (20%, stratified): the matrix is 2×2 over the class names and
  // its cells add up to 24.
  const matrix = page.getByRole('table', { name: /Confusion matrix/ });
  await expect(matrix).toBeVisible();
  await expect(matrix.getByRole('columnheader')).toHaveText(['true ╲ predicted', 'crosses', 'squares']);
  await expect(matrix.getByRole('rowheader')).toHaveText(['crosses', 'squares']);
  const cells = (await matrix.getByRole('cell').allTextContents()).map(Number);
  expect(cells).toHaveLength(4);
  expect(cells[0] + cells[1]).toBe(12);
  expect(cells[2] + cells[3]).toBe(12);
  await matrix.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/own-images-trained.png` });

  // Back in the Data section, the read images and their Kept state are still there.
  await page.getByRole('tab', { name: 'Data' }).click();
  await expect(page.getByTestId('image-summary')).toContainText(`${2 * PER_CLASS} images in 2 classes`);
  await expect(page.getByRole('button', { name: 'Kept' })).toBeDisabled();
});

test('a folder chosen with the folder picker, read as RGB at 32×32, trains a CNN on 3 channels', async ({ page }) => {
  test.setTimeout(180_000);
  const root = test.info().outputPath('my-shapes');
  for (const [name, shape] of [
    ['crosses', 'cross'],
    ['squares', 'square'],
  ] as const) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(root, name, `${i}.png`), shapePng(shape, i));
  }
  await openOwnImages(page);
  await page.getByRole('combobox', { name: 'Size' }).selectOption('32');
  await page.getByRole('radio', { name: 'RGB (3 channels)' }).check();
  await page.getByLabel('Folder of images').setInputFiles(root);
  await expect(page.getByTestId('image-summary')).toContainText('10 images in 2 classes from folder my-shapes/');
  await expect(page.getByTestId('image-summary')).toContainText('RGB at 32×32 px');
  await expect(page.getByText('32×32×3 · 31 KB')).toBeVisible();

  // RGB reaches the convolution as 3 channels: the fitted small CNN trains on it to the end (the test
  // split holds one image of each class).
  await page.getByRole('button', { name: 'Keep data set' }).click();
  const adapted = page.getByRole('status', { name: 'Design adapted to the data' });
  await adapted.getByRole('combobox', { name: 'Start from a template fitted to this data' }).selectOption({
    label: 'Small CNN',
  });
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Batch size', { exact: true }).fill('4');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('heading', { name: /Test set: .*% accurate on 2 examples/ })).toBeVisible();
});

test('bad zips are refused with the class named', async ({ page }) => {
  await openOwnImages(page);
  const oneExample = zipSync({
    'set/a/1.png': shapePng('square', 1),
    'set/a/2.png': shapePng('square', 2),
    'set/lonely/only.png': shapePng('cross', 1),
  });
  await chooseZip(page, 'lonely.zip', Buffer.from(oneExample));
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Class "lonely" has only one image (set/lonely/only.png)');
  await expect(alert).toContainText('Add more images of "lonely"');

  const emptyClass = zipSync({
    'set/a/1.png': shapePng('square', 1),
    'set/a/2.png': shapePng('square', 2),
    'set/b/1.png': shapePng('cross', 1),
    'set/b/2.png': shapePng('cross', 2),
    'set/nothing/': new Uint8Array(),
  });
  await chooseZip(page, 'empty.zip', Buffer.from(emptyClass));
  await expect(alert).toContainText('Class folder "nothing" in empty.zip has no PNG or JPEG images.');

  await chooseZip(page, 'fake.zip', Buffer.from('this is text, not a zip'));
  await expect(alert).toContainText('fake.zip is not a readable .zip archive');

  // Dropping: a text file is neither a folder nor a zip; a dropped zip is read like a chosen one.
  await dropFiles(page, [{ name: 'notes.txt', bytes: new TextEncoder().encode('hello') }]);
  await expect(alert).toContainText('notes.txt is neither a folder nor a .zip file');
  await dropFiles(page, [{ name: 'dropped.zip', bytes: shapesZip(3) }]);
  await expect(page.getByTestId('image-summary')).toContainText('6 images in 2 classes from dropped.zip');
  await expect(alert).toHaveCount(0);
  await chooseZip(page, 'fake.zip', Buffer.from('this is text, not a zip'));
  await page.screenshot({ path: `${SHOTS}/own-images-error.png` });
});
