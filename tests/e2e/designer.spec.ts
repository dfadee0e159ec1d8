import type { Locator, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

const shot = (name: string) => `tests/e2e/screenshots/designer-${name}.png`;

/** A layer on the canvas, found by the name it shows. */
function layerNode(page: Page, name: string): Locator {
  return page
    .locator('.react-flow__node')
    .filter({ has: page.locator('.layer-node-name', { hasText: new RegExp(`^${name}$`) }) });
}

/** Drags with the real mouse, in small steps, as a person would. */
async function mouseDrag(page: Page, from: Locator, to: { x: number; y: number } | Locator) {
  const a = (await from.boundingBox())!;
  const b = 'x' in to ? { x: to.x, y: to.y, width: 0, height: 0 } : (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function connect(page: Page, from: string, to: string) {
  await mouseDrag(
    page,
    layerNode(page, from).locator('.react-flow__handle-bottom'),
    layerNode(page, to).locator('.react-flow__handle-top'),
  );
}

test('drag a Conv2D onto the canvas, connect it, see shapes and errors update, and find it all after a reload', async ({
  page,
}) => {
  await page.goto('/#/design');
  const summary = page.getByTestId('design-summary');
  // The first visit shows the classic small CNN.
  await expect(page.getByTestId('total-params')).toHaveText('693,962');
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');
  await page.screenshot({ path: shot('cnn') });

  // Remove the first convolution: click it, press Delete.
  await layerNode(page, 'Conv2D 1').click();
  await page.keyboard.press('Delete');
  await expect(layerNode(page, 'Conv2D 1')).toHaveCount(0);
  await expect(layerNode(page, 'MaxPool2D 1')).toContainText('MaxPool2D has no input');
  await expect(layerNode(page, 'MaxPool2D 1').getByTestId('output-shape')).toHaveText('?');

  // Drag a Conv2D from the palette onto an empty part of the canvas.
  const canvas = page.getByTestId('designer-canvas');
  const box = (await canvas.boundingBox())!;
  await mouseDrag(page, page.getByRole('button', { name: 'Add Conv2D' }), {
    x: box.x + box.width * 0.78,
    y: box.y + box.height * 0.3,
  });
  const conv = layerNode(page, 'Conv2D 1');
  await expect(conv).toBeVisible();
  await expect(conv).toContainText('Not connected to anything');
  await expect(conv).toHaveAttribute('aria-invalid', 'true');

  // Connect Input → Conv2D → MaxPool2D by dragging between handles: every shape downstream updates.
  await connect(page, 'Input 1', 'Conv2D 1');
  await expect(conv.getByTestId('output-shape')).toHaveText('26×26×32');
  await connect(page, 'Conv2D 1', 'MaxPool2D 1');
  await expect(layerNode(page, 'MaxPool2D 1').getByTestId('output-shape')).toHaveText('13×13×32');
  await expect(layerNode(page, 'Flatten 1').getByTestId('output-shape')).toHaveText('5408');
  await expect(layerNode(page, 'Dense 1')).toContainText('692,352 params');
  await expect(page.getByTestId('total-params')).toHaveText('693,962');
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');
  await expect(conv).not.toHaveAttribute('aria-invalid', 'true');

  // The inspector edits the selected layer, checking each field as it is typed.
  await conv.click();
  const filters = page.getByLabel('Filters');
  await filters.fill('abc');
  await expect(filters).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'Filters must be a number' })).toBeVisible();
  await filters.fill('16');
  await expect(filters).not.toHaveAttribute('aria-invalid', 'true');
  await expect(conv.getByTestId('output-shape')).toHaveText('26×26×16');
  await expect(layerNode(page, 'Flatten 1').getByTestId('output-shape')).toHaveText('2704');
  await expect(page.getByTestId('total-params')).toHaveText((160 + 2704 * 128 + 128 + 1290).toLocaleString('en-US'));

  // An invalid connection: Input straight into the first Dense, which already has an input.
  await connect(page, 'Input 1', 'Dense 1');
  const dense = layerNode(page, 'Dense 1');
  await expect(dense).toHaveAttribute('aria-invalid', 'true');
  await expect(dense.getByTestId('layer-error')).toHaveText(
    /Dense takes one input but 2 layers feed it \(Flatten 1, Input 1\)/,
  );
  await expect(page.getByTestId('design-status')).toHaveText('1 problem');
  await expect(summary.getByTestId('design-errors')).toContainText('Dense 1: Dense takes one input');
  await expect(dense.locator('.layer-node')).toHaveCSS('border-top-color', 'rgb(201, 42, 42)');
  await page.screenshot({ path: shot('invalid-connection') });

  // Undo and redo (keyboard) take the connection away and back.
  await page.getByRole('button', { name: 'Undo' }).focus();
  await page.keyboard.press('Control+z');
  await expect(dense).not.toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Control+Shift+z');
  await expect(dense).toHaveAttribute('aria-invalid', 'true');

  // A reload keeps the design, the invalid connection included.
  await page.reload();
  await expect(layerNode(page, 'Conv2D 1').getByTestId('output-shape')).toHaveText('26×26×16');
  await expect(layerNode(page, 'Dense 1').getByTestId('layer-error')).toHaveText(
    /Dense takes one input but 2 layers feed it/,
  );
  await expect(page.getByTestId('design-status')).toHaveText('1 problem');
});

test('dropping a layer onto a connection inserts it there', async ({ page }) => {
  // The per-buffer size check below is WebGPU's (the wasm engine checks its total memory at Start instead).
  await page.goto('/?engine=webgpu#/design');
  await expect(page.getByTestId('total-params')).toHaveText('693,962');
  const edge = page.getByRole('group', { name: 'Connection from MaxPool2D 1 to Flatten 1' });
  const path = edge.locator('.react-flow__edge-interaction');
  await mouseDrag(page, page.getByRole('button', { name: 'Add Conv2D' }), path);
  const conv = layerNode(page, 'Conv2D 2');
  await expect(conv.getByTestId('output-shape')).toHaveText('11×11×32');
  await expect(layerNode(page, 'Flatten 1').getByTestId('output-shape')).toHaveText('3872');
  await expect(page.getByTestId('total-params')).toHaveText(
    (320 + 9248 + 3872 * 128 + 128 + 1290).toLocaleString('en-US'),
  );
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');

  // A batch too large for one GPU buffer (the adapter's limit, or WebGPU's default) marks the layer.
  await page.getByLabel('Batch size').fill('65536');
  await expect(layerNode(page, 'Conv2D 1').getByTestId('layer-error')).toContainText(
    'Too large for the GPU: its output at batch 65536',
  );
  await page.getByLabel('Batch size').fill('64');
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');
  // One batch size: the designer's estimate is for the batch that training uses, and back.
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('64');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByRole('tab', { name: 'Design' }).click();
  await expect(page.getByLabel('Batch size')).toHaveValue('32');

  // Multi-select: Shift-drag a box around two layers, Delete removes both, one undo brings both back.
  const first = (await layerNode(page, 'Conv2D 2').boundingBox())!;
  const last = (await layerNode(page, 'Flatten 1').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(first.x - 20, first.y - 10);
  await page.mouse.down();
  await page.mouse.move(last.x + last.width + 20, last.y + last.height + 10, { steps: 10 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.getByText('2 layers and 3 connections selected.')).toBeVisible();
  await page.keyboard.press('Delete');
  await expect(page.locator('.react-flow__node')).toHaveCount(5);
  await page.keyboard.press('Control+z');
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');
});

test('build a network with the keyboard alone', async ({ page }) => {
  await page.goto('/#/design');
  await page.getByRole('button', { name: 'New' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__node')).toHaveCount(1);

  // The new design's Input is selected: palette buttons add layers after it, one after another.
  await page.getByRole('button', { name: /^Add Dense/ }).focus();
  await page.keyboard.press('Enter');
  const dense1 = layerNode(page, 'Dense 1');
  await expect(dense1.getByTestId('layer-error')).toHaveText(
    'Dense expects a flat input, but gets 28×28×1: add a Flatten (or GlobalAvgPool) layer before it',
  );
  await page.keyboard.press('Control+z');
  await expect(dense1).toHaveCount(0);

  // Select the Input by keyboard (focus it, Enter), then add Flatten, Dense, Dense.
  await page.locator('.react-flow__node').first().focus();
  await page.keyboard.press('Enter');
  for (const type of ['Flatten', 'Dense', 'Dense']) {
    await page.getByRole('button', { name: new RegExp(`^Add ${type}`) }).focus();
    await page.keyboard.press('Enter');
  }
  await expect(layerNode(page, 'Flatten 1').getByTestId('output-shape')).toHaveText('784');
  await expect(layerNode(page, 'Dense 2').getByTestId('output-shape')).toHaveText('128');
  // Dense 2 is selected (the last one added): make it the 10-way softmax output.
  const units = page.getByLabel('Units', { exact: true });
  await units.fill('10');
  await page.getByLabel('Activation', { exact: true }).selectOption('softmax');
  await expect(layerNode(page, 'Dense 2').getByTestId('output-shape')).toHaveText('10');
  await expect(page.getByTestId('total-params')).toHaveText((784 * 128 + 128 + 128 * 10 + 10).toLocaleString('en-US'));

  // Connect and disconnect with the inspector: feed Flatten into Dense 2 as well (invalid), then undo it.
  await page.getByLabel('Connect input from').selectOption({ label: 'Flatten 1' });
  await page.getByRole('button', { name: 'Connect input' }).press('Enter');
  await expect(layerNode(page, 'Dense 2')).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Disconnect Flatten 1 from Dense 2' }).press('Enter');
  await expect(layerNode(page, 'Dense 2')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');

  // Delete a selected layer with the Delete key.
  await layerNode(page, 'Dense 2').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  await expect(layerNode(page, 'Dense 2')).toHaveCount(0);
  await expect(page.getByTestId('total-params')).toHaveText((784 * 128 + 128).toLocaleString('en-US'));
  await page.screenshot({ path: shot('keyboard') });
});

test('templates, a share link, and importing a broken file', async ({ page }) => {
  await page.goto('/#/design');
  await page.getByLabel('Load a template').selectOption({ label: 'Small residual CNN' });
  await expect(page.locator('.react-flow__node')).toHaveCount(9);
  await expect(layerNode(page, 'Add 1').getByTestId('output-shape')).toHaveText('14×14×16');
  await expect(page.getByTestId('design-status')).toHaveText('Valid: ready to train');
  await page.screenshot({ path: shot('residual') });

  await page.getByLabel('Load a template').selectOption({ label: 'LeNet-5' });
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await page.getByRole('button', { name: 'Share link' }).click();
  const link = await page.getByLabel('Share link', { exact: true }).inputValue();
  expect(link).toMatch(/\?design=[A-Za-z0-9_-]+#\/design$/);

  await page.getByLabel('Load a template').selectOption({ label: 'XOR net 2-10-1' });
  await expect(page.getByTestId('total-params')).toHaveText('41');
  await page.goto(link);
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await expect(page.getByRole('status').filter({ hasText: 'Opened the shared design "LeNet-5"' })).toBeVisible();
  expect(page.url()).not.toContain('design=');

  // Export writes the design as a JSON file; importing that file brings it back.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('LeNet-5.json');
  const exported = await file.path().then((p) => readFile(p, 'utf8'));
  expect(JSON.parse(exported)).toMatchObject({ version: 1, name: 'LeNet-5' });
  await page.getByLabel('Load a template').selectOption({ label: 'XOR net 2-10-1' });
  await expect(page.getByTestId('total-params')).toHaveText('41');
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'LeNet-5.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await expect(layerNode(page, 'AvgPool2D 2').getByTestId('output-shape')).toHaveText('5×5×16');

  await page.getByTestId('import-file').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ version: 1, name: 'x', nodes: [{ id: 'a', type: 'LSTM' }], edges: [] })),
  });
  await expect(page.getByRole('alert')).toContainText(
    'Could not import broken.json: nodes[0].type "LSTM" is not a layer type',
  );
  await expect(page.getByTestId('total-params')).toHaveText('61,706');
  await page.screenshot({ path: shot('import-error') });
});
