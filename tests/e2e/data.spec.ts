// The Data section driven as a person would: watch MNIST stream in (stalled), draw a batch before the
// download ends, reload and get it from the cache, recover from a corrupted file, explore synthetic sets.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { cutIdx, withU32 } from '../unit/data/mnist-files';

const SHOTS = 'tests/e2e/screenshots';

async function progressValue(page: Page): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: 'MNIST download progress' }).getAttribute('aria-valuenow'));
}

async function trainingImagesReady(page: Page): Promise<number> {
  const text = (await page.getByTestId('mnist-available').textContent()) ?? '';
  return Number(text.match(/^([\d,]+) of 60,000/)?.[1].replace(/,/g, '') ?? NaN);
}

/**
 * Serves train-images-idx3-ubyte.gz like a slow connection that stalls: the first third at once, the rest
 * only when the test calls release(). The page's request is redirected here by page.route, so the
 * browser streams a real, partly-arrived body; nothing depends on timing.
 */
async function stalledTrainImages(): Promise<{
  url: string;
  requests: () => number;
  release: () => void;
  close: () => Promise<void>;
}> {
  const gz = readFileSync(join('public', 'mnist', 'train-images-idx3-ubyte.gz'));
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': String(gz.length),
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    });
    res.write(gz.subarray(0, Math.floor(gz.length / 3)));
    void released.then(() => res.end(gz.subarray(Math.floor(gz.length / 3))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/train-images-idx3-ubyte.gz`,
    requests: () => requests,
    release,
    close: () => {
      release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('MNIST streams with progress, is usable before the download ends, and reloads from the cache', async ({
  page,
}) => {
  const stalled = await stalledTrainImages();
  await page.route('**/mnist/train-images-idx3-ubyte.gz', (route) => route.continue({ url: stalled.url }));
  await page.goto('/#/data');
  const bar = page.getByRole('progressbar', { name: 'MNIST download progress' });
  await expect(bar).toBeVisible();

  // A third of the training images has arrived and the rest is held back: they are usable already.
  await expect.poll(() => trainingImagesReady(page)).toBeGreaterThan(10_000);
  const midway = await progressValue(page);
  expect(midway).toBeGreaterThan(0);
  expect(midway).toBeLessThan(100);
  await expect(page.getByText('Loading…')).toBeVisible();
  await page.getByRole('button', { name: 'Draw a batch' }).click();
  // The Train section's batch size (100 by default), not a size of the preview's own.
  await expect(page.getByTestId('batch-summary')).toContainText(/Batch of 100: x \[100, 28, 28, 1\] float32/);
  await expect(page.getByTestId('batch-summary')).toContainText(/sampled from the [\d,]+ images that have arrived/);
  expect(await trainingImagesReady(page)).toBeLessThan(60_000);
  await expect(
    page.getByRole('list', { name: 'First training images with their labels' }).getByRole('listitem'),
  ).toHaveCount(40);
  await expect(page.getByRole('listitem', { name: 'Image 0: 5' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/data-mnist-streaming.png`, fullPage: true });
  expect(stalled.requests()).toBe(1);
  stalled.release();

  // Later readings rise until the whole set is in and verified.
  await expect.poll(() => progressValue(page), { timeout: 60_000 }).toBeGreaterThan(midway);
  await expect(page.getByText('Downloaded and verified')).toBeVisible({ timeout: 60_000 });
  expect(await progressValue(page)).toBe(100);
  await expect(page.getByTestId('mnist-available')).toContainText(
    '60,000 of 60,000 training images and 10,000 of 10,000',
  );
  const counts = page.getByRole('table', { name: 'Training images per digit' });
  await expect(counts.getByRole('row', { name: /^0 5,923/ })).toBeVisible();
  await expect(counts.getByRole('row', { name: /^9 5,949/ })).toBeVisible();
  await page.getByRole('button', { name: 'Draw a batch' }).click();
  await expect(page.getByTestId('batch-summary')).toContainText('epoch 1, step 1');
  await page.screenshot({ path: `${SHOTS}/data-mnist-loaded.png`, fullPage: true });

  // A reload reads all four files from Cache Storage: no request for a .gz, even with the network refusing them.
  await page.unrouteAll();
  await stalled.close();
  const gzRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.gz')) gzRequests.push(request.url());
  });
  await page.route('**/*.gz', (route) => route.abort('internetdisconnected'));
  await page.reload();
  await expect(page.getByText('Loaded from cache')).toBeVisible({ timeout: 30_000 });
  expect(gzRequests).toEqual([]);
  await expect(page.getByTestId('mnist-available')).toContainText('60,000 of 60,000 training images');
  await expect(page.getByRole('table', { name: 'MNIST files' }).getByText('cache')).toHaveCount(4);
  await page.screenshot({ path: `${SHOTS}/data-mnist-cache.png` });
});

test('a corrupted or missing file shows what is wrong, and Retry loads it once it is fixed', async ({ page }) => {
  // A gzip file whose idx header has the labels' magic number in the images file.
  const badImages = gzipSync(withU32(cutIdx('t10k-images-idx3-ubyte', 10_000), 0, 2049));
  await page.route('**/mnist/t10k-images-idx3-ubyte.gz', (route) =>
    route.fulfill({ status: 200, contentType: 'application/gzip', body: badImages }),
  );
  await page.goto('/#/data');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('t10k-images-idx3-ubyte.gz is damaged: bad magic number 2049');
  const files = page.getByRole('table', { name: 'MNIST files' });
  await expect(files.getByRole('row', { name: /Test images/ })).toContainText('Failed');
  await expect(page.getByTestId('mnist-available')).toContainText('0 of 60,000 training images and 0 of 10,000');
  await page.screenshot({ path: `${SHOTS}/data-mnist-error.png`, fullPage: true });

  // A 404 is named with its file and status.
  await page.unroute('**/mnist/t10k-images-idx3-ubyte.gz');
  await page.route('**/mnist/t10k-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(alert).toContainText(/Could not download t10k-images-idx3-ubyte\.gz: the server answered 404/);

  // Truncated gzip: cut in half.
  const goodImages = gzipSync(cutIdx('t10k-images-idx3-ubyte', 10_000));
  await page.unroute('**/mnist/t10k-images-idx3-ubyte.gz');
  await page.route('**/mnist/t10k-images-idx3-ubyte.gz', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'application/gzip',
      body: goodImages.subarray(0, goodImages.length >> 1),
    }),
  );
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(alert).toContainText(/t10k-images-idx3-ubyte\.gz (is not valid gzip data or was cut short|is damaged)/);

  // Served intact (as plain gzip bytes, so the page's DecompressionStream unpacks it), Retry succeeds.
  await page.unroute('**/mnist/t10k-images-idx3-ubyte.gz');
  await page.route('**/mnist/t10k-images-idx3-ubyte.gz', (route) =>
    route.fulfill({ status: 200, contentType: 'application/gzip', body: goodImages }),
  );
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByText('Downloaded and verified')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('mnist-available')).toContainText('10,000 of 10,000 test images');
});

test('synthetic sets: choose one, change noise, size and seed, and see the points', async ({ page }) => {
  await page.goto('/#/data');
  await page.getByRole('radio', { name: 'Two spirals' }).check();
  const plot = page.getByRole('figure', { name: 'Scatter plot of the Two spirals data set' });
  await expect(plot).toBeVisible();
  await expect(plot.getByText('x₁ (first input)')).toBeVisible();
  await expect(plot.getByText('x₂ (second input)')).toBeVisible();
  const points = plot.locator('.recharts-scatter-symbol');
  await expect(points).toHaveCount(400);

  await page.getByRole('combobox', { name: 'Samples' }).selectOption('1000');
  await expect(points).toHaveCount(1000);
  const before = await points.first().locator('path').getAttribute('transform');
  await page.getByRole('button', { name: 'New seed' }).click();
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('2');
  await page.getByRole('slider', { name: 'Noise' }).fill('30');
  await expect(page.getByText('30%', { exact: true })).toBeVisible();
  expect(await points.first().locator('path').getAttribute('transform')).not.toBe(before);
  await page.screenshot({ path: `${SHOTS}/data-spirals.png`, fullPage: true });

  await page.getByRole('radio', { name: 'Gaussian blobs' }).check();
  await page.getByRole('combobox', { name: 'Classes' }).selectOption('5');
  await expect(page.getByText('5 classes · 1,000 points')).toBeVisible();
  await expect(page.getByRole('figure', { name: /Gaussian blobs/ }).locator('.recharts-legend-item')).toHaveCount(5);
  await page.screenshot({ path: `${SHOTS}/data-blobs.png`, fullPage: true });

  await page.getByRole('radio', { name: 'Sine (regression)' }).check();
  const sine = page.getByRole('figure', { name: /Sine/ });
  await expect(sine.getByText('y (target)')).toBeVisible();
  await expect(sine.locator('.recharts-scatter-symbol')).toHaveCount(1000);
  await page.screenshot({ path: `${SHOTS}/data-sine.png`, fullPage: true });

  await page.getByRole('radio', { name: 'Plane (regression)' }).check();
  const plane = page.getByRole('figure', { name: /Plane/ });
  await expect(plane.getByText('x₂ (second input)')).toBeVisible();
  await expect(plane.locator('.recharts-scatter-symbol')).toHaveCount(1000);
  await expect(page.getByText('Colour shows the target y')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/data-plane.png`, fullPage: true });

  // A reload keeps the choice and its settings.
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Plane (regression)' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Samples' })).toHaveValue('1000');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('2');
  await expect(page.getByText('30%', { exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByText('on Plane (regression)')).toBeVisible();
});
