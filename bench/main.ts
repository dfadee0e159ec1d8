// The benchmark page: every measurement in one page run, in order (ceilings, ours, TF.js, jax-js,
// ceilings again). `npm run bench` (bench/runner.ts) opens it in headless Chromium and collects
// `window.__bench` when `done`; `?full=1` lifts the time cap on training cells, `?quick=1` is a smoke test.
import { budgetFor, type Cell } from './suite/common';
import type { Measured } from './suite/report';
import { runSuite, type PeerCells } from './suite/run';

interface BenchState {
  done: boolean;
  result: Measured | null;
  error: string | null;
}

declare global {
  interface Window {
    __bench: BenchState;
  }
}

window.__bench = { done: false, result: null, error: null };
const log = document.getElementById('log')!;
const print = console.log.bind(console);
console.log = (...args: unknown[]) => {
  print(...args);
  log.textContent += args.map(String).join(' ') + '\n';
};

const query = new URLSearchParams(location.search);
/** `?full=1` lifts the time cap on training cells; `?quick=1` is the runner's smoke test (3 steps a cell). */
const budget = budgetFor({ full: query.has('full'), quick: query.has('quick') });
/** `?only=ours,tfjs-wasm,jax-webgpu`: measure only these (for debugging one engine; the runner's --only). */
const only = query.get('only')?.split(',') ?? null;
const wanted = (engine: string) => !only || only.some((o) => engine.startsWith(o));

/**
 * Page open -> first training step is measured on the app itself, by the runner after this page is done
 * (bench/runner.ts firstStepCells); this placeholder stands only where the runner skips it (--only).
 */
const firstStep: Cell = { unavailable: 'measured by the runner on the app itself, not in this page (skipped here)' };

async function main(): Promise<void> {
  const tfjsNote: string[] = [];
  const result = await runSuite({
    mode: 'browser',
    gpu: navigator.gpu,
    ours: wanted('ours'),
    budget,
    userAgent: navigator.userAgent,
    firstStep,
    peers: [
      {
        name: 'TF.js',
        run: async (shapes) => {
          const { measureTfjs } = await import('./suite/tfjs');
          const backends = (['webgpu', 'cpu', 'wasm'] as const).filter((b) => wanted(`tfjs-${b}`));
          const { cells, wasmFlavour } = await measureTfjs(shapes, budget, backends);
          tfjsNote.push(`TF.js wasm backend: ${wasmFlavour}`);
          const out: PeerCells = {};
          for (const [row, byBackend] of Object.entries(cells)) {
            out[row] = {};
            for (const [backend, cell] of Object.entries(byBackend)) {
              out[row][`tfjs-${backend}` as 'tfjs-webgpu'] = cell;
            }
          }
          return out;
        },
      },
      {
        name: 'jax-js',
        run: async (shapes) => {
          const { measureJax } = await import('./suite/jax');
          const devices = (['webgpu', 'wasm'] as const).filter((d) => wanted(`jax-${d}`));
          const cells = await measureJax(shapes, budget, devices);
          const out: PeerCells = {};
          for (const [row, byDevice] of Object.entries(cells)) {
            out[row] = {};
            for (const [device, cell] of Object.entries(byDevice)) out[row][`jax-${device}` as 'jax-wasm'] = cell;
          }
          return out;
        },
      },
    ],
  });
  result.notes.push(
    ...tfjsNote,
    `page is cross-origin isolated: ${crossOriginIsolated} (jax-js wasm is multi-threaded when SharedArrayBuffer exists; ` +
      `hardwareConcurrency ${navigator.hardwareConcurrency})`,
  );
  window.__bench.result = result;
}

main()
  .catch((e: unknown) => {
    window.__bench.error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  })
  .finally(() => {
    window.__bench.done = true;
  });
