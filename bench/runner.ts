// The benchmark runner behind `npm run bench` (started by bench/bench.mjs):
//   browser (default): builds bench/index.html with bench/vite.config.ts into bench/dist, serves it on
//     localhost with the cross-origin isolation headers, opens it in headless Chromium with WebGPU and
//     waits for the page's single run of every measurement;
//   --node: runs our engines' part in this process on Dawn (bench/node.ts).
// In the browser run it also builds the app itself into bench/dist/app and measures the time from opening
// the page to the first completed training step, MNIST cached, for each of our engines (firstStepCells).
// Then prints the table, writes bench/results/latest.json (latest-node.json for --node) and replaces the
// matching section of docs/benchmarks.md.
// Options: --full (no time caps on training cells), --no-build (reuse bench/dist), --headed,
// --only ours,tfjs-wasm,jax (measure only engines whose id starts with one of these; for debugging),
// --quick (a smoke test of every cell, 3 timed training steps each and short kernel timings; like --only,
// it prints the table and writes nothing).
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), BENCH_PORT (default 4190),
// BENCH_WEBGPU_ADAPTER=default (let Chromium pick a hardware adapter instead of SwiftShader).
import { createServer, type Server } from 'node:http';
import { readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import type { Cell, EngineId } from './suite/common';
import type { BenchResults, Measured } from './suite/report';
import { buildResults, environmentText, markdown } from './suite/report';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const DIST = path.join(BENCH_DIR, 'dist');
/** The app, built for the page-open measurement (served under /app/ beside the bench page). */
const APP_DIST = path.join(DIST, 'app');
/** The whole page run: ~30 min on a loaded 2-core machine with every training cell at 20 timed steps. */
const PAGE_TIMEOUT_MS = 60 * 60_000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A static server for bench/dist with COOP/COEP (SharedArrayBuffer for the wasm engines' threads). */
async function serve(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rel = decodeURIComponent(url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname);
      const file = path.join(DIST, path.normalize(rel));
      const headers = {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      };
      if (!file.startsWith(DIST)) {
        res.writeHead(403, headers).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { ...headers, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404, headers).end('not found');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new Error(`bench: cannot listen on port ${port} (${(e as Error).message}); set BENCH_PORT`)),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

/** The app's page-open benchmark: opened this many times per engine, the median is reported. */
const FIRST_STEP_LOADS = 3;
const FIRST_STEP_MARK = 'playground:first-step';

/**
 * Page open -> first completed training step, MNIST cached, per engine. A first visit (WebAssembly) loads
 * the MLP template and MNIST and waits until the four files are in Cache Storage; then each engine's page
 * is opened FIRST_STEP_LOADS times with ?engine=..., Start is clicked as soon as it is enabled, and the
 * app's `playground:first-step` mark (set when the worker reports the first completed step) is read: its
 * startTime is ms since navigation start. The figure includes the runner's one click on Start.
 */
async function firstStepCells(browser: Browser, appUrl: string): Promise<Partial<Record<EngineId, Cell>>> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const cells: Partial<Record<EngineId, Cell>> = {};
  try {
    const setup = await context.newPage();
    await setup.goto(`${appUrl}?engine=wasm#/design`);
    await setup.getByRole('combobox', { name: 'Load a template' }).selectOption('mlp');
    await setup.getByRole('tab', { name: 'Data' }).click();
    await setup.getByRole('radio', { name: /MNIST/ }).check();
    await setup.getByRole('tab', { name: 'Train' }).click();
    await setup.getByLabel('Training samples (0 = all)', { exact: true }).fill('2000');
    await setup.getByLabel('Test samples (0 = all)', { exact: true }).fill('500');
    await setup.getByLabel('Epochs', { exact: true }).fill('1');
    await setup.getByRole('button', { name: 'Start', exact: true }).click();
    await setup.waitForFunction(async () => (await (await caches.open('mnist-v1')).keys()).length >= 4, null, {
      timeout: 300_000,
      polling: 500,
    });
    await setup.close();
    for (const [engine, id] of [
      ['webgpu', 'ours-webgpu'],
      ['wasm', 'ours-wasm'],
    ] as const) {
      const times: number[] = [];
      let used = '';
      try {
        for (let i = 0; i < FIRST_STEP_LOADS; i++) {
          const page = await context.newPage();
          await page.goto(`${appUrl}?engine=${engine}#/train`);
          await page.getByRole('button', { name: 'Start', exact: true }).click({ timeout: 60_000 });
          await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_STEP_MARK, {
            timeout: 180_000,
          });
          times.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0].startTime, FIRST_STEP_MARK));
          used = (await page.getByTestId('engine-badge').textContent()) ?? '';
          await page.close();
        }
        const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
        const ran = used.split(' · ')[0];
        // The app's wasm engine runs on every core where the page is isolated: its column says how many.
        const threads = Number(used.match(/(\d+) threads/)?.[1] ?? 1);
        const column: EngineId = id === 'ours-wasm' && threads > 1 ? 'ours-wasm-mt' : id;
        cells[column] = ran.toLowerCase().startsWith(engine === 'wasm' ? 'webassembly' : 'webgpu')
          ? { value: median, samples: times.length, note: `median of ${times.length} page loads`, threads }
          : { unavailable: `?engine=${engine} ran on "${used}" instead` };
        console.log(`[bench] first step, ${engine}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      } catch (e) {
        cells[id] = { unavailable: `page-open measurement failed: ${(e as Error).message.split('\n')[0]}` };
      }
    }
  } catch (e) {
    const why = `the app's first visit (MNIST into the cache) failed: ${(e as Error).message.split('\n')[0]}`;
    cells['ours-webgpu'] = { unavailable: why };
    cells['ours-wasm'] = { unavailable: why };
  } finally {
    await context.close();
  }
  return cells;
}

async function runInBrowser(
  full: boolean,
  quick: boolean,
  rebuild: boolean,
  headed: boolean,
  only: string | null,
): Promise<{ measured: Measured; chromium: string }> {
  if (rebuild || !(await stat(path.join(DIST, 'index.html')).catch(() => null))) {
    console.log('[bench] building the bench page (bench/vite.config.ts -> bench/dist)');
    await build({ configFile: path.join(BENCH_DIR, 'vite.config.ts'), logLevel: 'warn' });
  }
  const measureApp = !only || only.split(',').some((o) => 'ours'.startsWith(o) || o.startsWith('ours'));
  if (measureApp && (rebuild || !(await stat(path.join(APP_DIST, 'index.html')).catch(() => null)))) {
    console.log('[bench] building the app (vite.config.ts -> bench/dist/app) for the page-open time');
    await build({
      configFile: path.join(ROOT, 'vite.config.ts'),
      base: '/app/',
      logLevel: 'warn',
      build: { outDir: APP_DIST, emptyOutDir: true, reportCompressedSize: false },
    });
  }
  const port = Number(process.env.BENCH_PORT ?? 4190);
  const server = await serve(port);
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const adapterArgs = process.env.BENCH_WEBGPU_ADAPTER === 'default' ? [] : ['--use-webgpu-adapter=swiftshader'];
  const browser = await chromium.launch({
    executablePath,
    headless: !headed,
    args: [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      ...adapterArgs,
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('[bench]')) console.log(text);
      else if (msg.type() === 'error') console.log(`[page error] ${text.slice(0, 300)}`);
    });
    page.on('pageerror', (e) => console.log(`[page exception] ${e.message.slice(0, 300)}`));
    const query = new URLSearchParams();
    if (full) query.set('full', '1');
    if (quick) query.set('quick', '1');
    if (only) query.set('only', only);
    await page.goto(`http://localhost:${port}/?${query}`);
    await page.waitForFunction(() => window.__bench?.done === true, null, { timeout: PAGE_TIMEOUT_MS, polling: 1000 });
    const state = await page.evaluate(() => window.__bench);
    if (state.error || !state.result) throw new Error(`the bench page failed: ${state.error ?? 'no result'}`);
    await page.close();
    if (measureApp) {
      console.log('[bench] page open -> first training step (the app, MNIST cached)');
      state.result.cells['first-step'] = await firstStepCells(browser, `http://localhost:${port}/app/`);
    }
    return { measured: state.result, chromium: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model;
  if (model) return model.trim();
  try {
    return execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.*)/)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Replaces the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in docs/benchmarks.md. */
async function updateDocs(section: string, body: string): Promise<void> {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const start = `<!-- bench:${section}:start -->`;
  const end = `<!-- bench:${section}:end -->`;
  let text = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const block = `${start}\n\n${body}\n\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, text);
}

export async function main(args: string[]): Promise<number> {
  const node = args.includes('--node');
  const full = args.includes('--full');
  const quick = args.includes('--quick');
  const started = new Date();
  let measured: Measured;
  let chromium: string | null = null;
  if (node) {
    console.log('[bench] our engines in Node on Dawn');
    const { measureInNode } = await import('./node');
    measured = await measureInNode(full, quick);
  } else {
    const onlyAt = args.indexOf('--only');
    const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? null) : null;
    const got = await runInBrowser(full, quick, !args.includes('--no-build'), args.includes('--headed'), only);
    measured = got.measured;
    chromium = got.chromium;
  }
  const results: BenchResults = buildResults(measured, {
    date: started.toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    machine: {
      nproc: os.availableParallelism(),
      cpuModel: cpuModel(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      chromium,
      node: process.version,
    },
  });
  const table = markdown(results);
  const env = environmentText(results);
  console.log(`\n${env}\n\n${table}\n`);
  if (args.includes('--only') || quick) {
    const why = quick ? '--quick: smoke test' : '--only: partial run';
    console.log(`[bench] ${why}, bench/results and docs/benchmarks.md left as they were`);
    return 0;
  }
  await mkdir(path.join(BENCH_DIR, 'results'), { recursive: true });
  const jsonFile = path.join(BENCH_DIR, 'results', node ? 'latest-node.json' : 'latest.json');
  await writeFile(jsonFile, JSON.stringify(results, null, 2) + '\n');
  await updateDocs(node ? 'node' : 'browser', `${env}\n\n${table}`);
  console.log(`[bench] wrote ${path.relative(ROOT, jsonFile)} and docs/benchmarks.md`);
  return 0;
}
