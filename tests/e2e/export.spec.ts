import { readFileSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { cpuBackend } from '../../src/engine/backend/cpu/cpu';
import { templateById } from '../../src/engine/graph';
import { compileDesign } from '../../src/engine/model/graph-model';
import { exportSafetensors } from '../../src/export/safetensors';
import { modelTensors } from '../../src/export/tensors';

// Export and import through the UI: train a small MNIST MLP, download every format, then import the
// weights and the project file into fresh pages (new browser contexts) and see the same test accuracy;
// resume the project's run; and each kind of bad file is refused with its message, changing nothing.

const TRAIN_SAMPLES = 1000;
const TEST_SAMPLES = 300;

async function setNumber(page: Page, label: string, value: number) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

/** Opens the Train section and limits the test set (an import evaluates on the current settings). */
async function limitTestSet(page: Page) {
  await page.getByRole('tab', { name: 'Train' }).click();
  await setNumber(page, 'Test samples (0 = all)', TEST_SAMPLES);
}

/** Downloads one export; returns its file name and where Playwright saved it. */
async function downloadExport(page: Page, label: RegExp) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: label }).click(),
  ]);
  const path = test.info().outputPath(download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path };
}

/** Imports `file` in the Export section, confirms, and returns the accuracy the page reports. */
async function importFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByRole('tab', { name: 'Export' }).click();
  await page.getByLabel('Model or project file').setInputFiles(file);
  await page.getByRole('button', { name: 'Replace and load' }).click();
  const result = page.getByRole('status', { name: 'Import result' });
  await expect(result).toBeVisible({ timeout: 90_000 });
  return Number((await result.textContent())!.match(/test accuracy ([\d.]+)%/)![1]);
}

test('export every format, import weights and a project into fresh pages, resume the run', async ({
  browser,
  page,
}) => {
  test.setTimeout(300_000);
  // Before training, nothing can be exported, and the section says why.
  await page.goto('/#/export');
  await expect(page.getByRole('status', { name: 'Why nothing can be exported' })).toContainText('No model yet');
  await expect(page.getByRole('button', { name: /Download Weights/ })).toBeDisabled();

  await page.goto('/#/design');
  await page.getByRole('combobox', { name: 'Load a template' }).selectOption('mlp');
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /MNIST/ }).check();
  await limitTestSet(page);
  await setNumber(page, 'Training samples (0 = all)', TRAIN_SAMPLES);
  await setNumber(page, 'Epochs', 1);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 150_000 });
  const heading = page.getByRole('heading', { name: /Test set: .*% accurate/ });
  const trained = Number((await heading.textContent())!.match(/([\d.]+)%/)![1]);
  const trainedStep = await page.getByTestId('figure-step').textContent();

  await page.getByRole('tab', { name: 'Export' }).click();
  const weights = await downloadExport(page, /Download Weights/);
  expect(weights.name).toMatch(/\.safetensors$/);
  const project = await downloadExport(page, /Download Project file/);
  expect(project.name).toMatch(/\.project\.safetensors$/);
  const onnx = await downloadExport(page, /Download ONNX/);
  expect(onnx.name).toMatch(/\.onnx$/);
  const tfjs = await downloadExport(page, /Download TensorFlow\.js/);
  expect(Object.keys(unzipSync(new Uint8Array(readFileSync(tfjs.path)))).sort()).toEqual(['model.json', 'weights.bin']);
  const pytorch = await downloadExport(page, /Download PyTorch/);
  const files = Object.keys(unzipSync(new Uint8Array(readFileSync(pytorch.path))));
  for (const f of ['model.py', 'train.py', 'README.md', 'requirements.txt', 'weights.safetensors']) {
    expect(files).toContain(f);
  }
  await expect(page.getByRole('status', { name: /Project file: export status/ })).toContainText('Saved');
  await page.screenshot({ path: 'tests/e2e/screenshots/export-section.png' });

  // Weights into a fresh page: the design comes from the file, the test accuracy is the same.
  const weightsContext = await browser.newContext();
  const fresh = await weightsContext.newPage();
  await fresh.goto('/#/train');
  await limitTestSet(fresh);
  expect(await importFile(fresh, weights.path)).toBe(trained);
  await fresh.getByRole('tab', { name: 'Train' }).click();
  await expect(fresh.getByRole('heading', { name: /Test set: .*% accurate/ })).toContainText(`${trained.toFixed(1)}%`);
  // The imported model answers a drawn digit.
  const pad = fresh.getByRole('img', { name: /Drawing pad/ });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await fresh.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
  await fresh.mouse.down();
  for (let i = 1; i <= 10; i++) await fresh.mouse.move(box.x + box.width / 2, box.y + box.height * (0.2 + 0.06 * i));
  await fresh.mouse.up();
  await expect(fresh.getByTestId('probability-0')).not.toHaveText('–');
  // The design came from the file; the fresh page's own design (the default CNN) is one Undo away.
  const designName = fresh.locator('.train-head strong').first();
  await expect(designName).toHaveText(templateById('mlp')!.build().name);
  await fresh.getByRole('tab', { name: 'Design' }).click();
  await fresh.getByRole('button', { name: 'Undo' }).click();
  await fresh.getByRole('tab', { name: 'Train' }).click();
  await expect(designName).toHaveText(templateById('cnn')!.build().name);
  await weightsContext.close();

  // The project into another fresh page: accuracy, charts and figures restored, then training resumes.
  const projectContext = await browser.newContext();
  const restored = await projectContext.newPage();
  await restored.goto('/#/export');
  expect(await importFile(restored, project.path)).toBe(trained);
  await restored.screenshot({ path: 'tests/e2e/screenshots/export-import-project.png' });
  const resume = restored.getByRole('button', { name: 'Resume training' });
  await expect(resume).toBeDisabled();
  await expect(restored.getByText(/completed all 1 of its epochs/)).toBeVisible();
  await restored.getByRole('tab', { name: 'Train' }).click();
  await expect(restored.getByTestId('figure-step')).toHaveText(trainedStep!);
  await expect(restored.getByRole('figure', { name: 'Loss' }).locator('.recharts-line-curve').first()).toBeVisible();
  await expect(restored.getByLabel('Training samples (0 = all)', { exact: true })).toHaveValue(String(TRAIN_SAMPLES));
  await setNumber(restored, 'Epochs', 2);
  await restored.getByRole('tab', { name: 'Export' }).click();
  await resume.click();
  await expect(restored.getByRole('status', { name: 'Run state: Finished' })).toBeVisible({ timeout: 150_000 });
  // Steps continue from the saved count: twice the first run's steps after the second epoch.
  const [done, total] = trainedStep!.split(' / ').map((s) => Number(s.replace(/,/g, '')));
  expect(done).toBe(total);
  await expect(restored.getByTestId('figure-step')).toHaveText(`${2 * done} / ${2 * total}`);
  await expect(restored.getByTestId('figure-epoch')).toHaveText('2 / 2');
  await projectContext.close();
});

test('bad files are refused with the file and the reason, and nothing changes', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/#/train');
  await limitTestSet(page);
  await page.getByRole('tab', { name: 'Export' }).click();
  const input = page.getByLabel('Model or project file');
  const refused = page.getByRole('alert', { name: 'Import refused' });
  const file = (name: string, bytes: Uint8Array) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(bytes),
  });

  const mlp = templateById('mlp')!.build();
  const good = exportSafetensors(
    [
      { name: 'dense_1/kernel', shape: [784, 128], data: new Float32Array(784 * 128) },
      { name: 'dense_1/bias', shape: [128], data: new Float32Array(128) },
    ],
    { design: JSON.stringify(mlp) },
  );
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated.safetensors', good.slice(0, good.length - 100), /truncated\.safetensors was not imported: .*truncated/],
    [
      'notes.safetensors',
      new TextEncoder().encode('just some text'),
      /notes\.safetensors was not imported: the header length says/,
    ],
    ['empty.safetensors', new Uint8Array(0), /empty\.safetensors was not imported: the file is empty/],
    [
      'nodesign.safetensors',
      exportSafetensors([{ name: 'w', shape: [1], data: new Float32Array(1) }], {}),
      /nodesign\.safetensors was not imported: its metadata holds no "design"/,
    ],
    [
      'badjson.safetensors',
      exportSafetensors([{ name: 'w', shape: [1], data: new Float32Array(1) }], { design: '{"nodes": [' }),
      /badjson\.safetensors was not imported: the design in its metadata is not valid JSON/,
    ],
    [
      'badproject.project.safetensors',
      exportSafetensors([{ name: 'model.w', shape: [1], data: new Float32Array(1) }], {
        format: 'webgpu-playground-project',
        project_version: '1',
        design: JSON.stringify(mlp),
        settings: '{',
      }),
      /badproject\.project\.safetensors was not imported: the "settings" part of its metadata is not valid JSON/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    await input.setInputFiles(file(name, bytes));
    await expect(refused).toContainText(message);
    await expect(refused).toContainText('Nothing in the current session was changed.');
  }

  // Dropped on the drop zone: the same checks.
  const dropped = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['{}'], 'dropped.safetensors'));
    return transfer;
  });
  await page
    .getByRole('group', { name: 'Drop a .safetensors or project file here' })
    .dispatchEvent('drop', { dataTransfer: dropped });
  await expect(refused).toContainText(/dropped\.safetensors was not imported: the file is 2 bytes long, too short/);

  // Oversized: refused from its size alone, before it is read (a sparse file takes no disk space).
  const big = test.info().outputPath('huge.safetensors');
  writeFileSync(big, '');
  await truncate(big, 300 * 1024 * 1024);
  await input.setInputFiles(big);
  await expect(refused).toContainText(/huge\.safetensors was not imported: the file is 300 MB, more than the 256 MB/);

  // Weights whose shapes do not fit the design in the file: checked by the engine after confirmation.
  const tensors = await modelTensors(compileDesign(mlp, cpuBackend()));
  const [rows, cols] = tensors[0].shape;
  tensors[0] = { ...tensors[0], shape: [cols, rows] };
  const wrong = exportSafetensors(tensors, { design: JSON.stringify(mlp) });
  await input.setInputFiles(file('wrong.safetensors', wrong));
  await page.getByRole('button', { name: 'Replace and load' }).click();
  await expect(refused).toContainText(
    new RegExp(`wrong\\.safetensors was not imported: tensor "${tensors[0].name}" has shape \\[${cols}, ${rows}\\]`),
    { timeout: 60_000 },
  );
  await page.screenshot({ path: 'tests/e2e/screenshots/export-refused.png' });
  await chooseTheme(page, 'Dark');
  await page.screenshot({ path: 'tests/e2e/screenshots/export-refused-dark.png' });
  await chooseTheme(page, 'Light');

  // Nothing changed: no model, the design is still the default one, the run never started.
  await expect(page.getByRole('status', { name: 'Why nothing can be exported' })).toContainText('No model yet');
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByRole('status', { name: 'Run state: Not started' })).toBeVisible();
});

/** Picks a colour theme from the header's theme menu (it closes after the choice). */
async function chooseTheme(page: Page, label: 'Light' | 'Dark'): Promise<void> {
  await page.getByRole('button', { name: /^Colour theme/ }).click();
  await page.getByRole('radiogroup', { name: 'Colour theme' }).getByRole('radio', { name: label }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', label.toLowerCase());
}
