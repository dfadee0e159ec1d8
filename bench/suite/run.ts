// One benchmark run, the same in the page and in Node: the ceilings (at the start and again at the end,
// so the table shows how much the machine's load moved them), our engines, then the peers the caller
// passes in (browser only). Returns everything measured; the runner adds the machine and writes it out.
import { gpuCeilings, wasmCeiling } from './ceilings';
import { MATMUL_SHAPES, now, progress, type Budget, type Cell, type EngineId, type MatmulShape } from './common';
import { measureOurs } from './ours';
import type { Ceilings, Measured } from './report';

export type PeerCells = Record<string, Partial<Record<EngineId, Cell>>>;

export interface SuiteOptions {
  mode: 'browser' | 'node';
  gpu: GPU | undefined;
  /** Measure our engines (false only when debugging a peer). */
  ours: boolean;
  budget: Budget;
  userAgent: string;
  /** Peer measurements, run after ours (each gets the shapes to measure). */
  peers: { name: string; run: (shapes: MatmulShape[]) => Promise<PeerCells> }[];
  /**
   * Page open -> first training step: measured on the app itself by the browser runner (bench/runner.ts),
   * which replaces this row; here only the reason where it is not measured (Node, a partial run).
   */
  firstStep: Cell;
}

async function ceilingSample(
  gpu: GPU | undefined,
  seconds: number,
  when: string,
): Promise<Ceilings['samples'][number] & { errors: string[]; wasmKind?: string; software?: boolean }> {
  const sample: Ceilings['samples'][number] & { errors: string[]; wasmKind?: string; software?: boolean } = {
    when,
    errors: [],
  };
  try {
    const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    const info = adapter.info;
    const software =
      Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
      /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
    const device = await adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
    });
    try {
      const g = await gpuCeilings(device, seconds, software);
      sample.gpuFmaGflops = g.fmaGflops;
      sample.gpuCopyGBs = g.copyGBs;
      sample.software = software;
    } finally {
      device.destroy();
    }
  } catch (e) {
    sample.errors.push(`GPU ceilings: ${(e as Error).message}`);
  }
  try {
    const w = await wasmCeiling(seconds / 2);
    sample.wasmFmaGflops = w.gflops;
    sample.wasmKind = w.relaxed ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add (no relaxed SIMD here)';
  } catch (e) {
    sample.errors.push(`wasm ceiling: ${(e as Error).message}`);
  }
  return sample;
}

function best(
  samples: Ceilings['samples'],
  key: 'gpuFmaGflops' | 'gpuCopyGBs' | 'wasmFmaGflops',
  errors: string[],
): Cell {
  const values = samples.map((s) => s[key]).filter((v): v is number => v !== undefined);
  return values.length ? { value: Math.max(...values) } : { unavailable: errors.join('; ') || 'not measured' };
}

export async function runSuite(options: SuiteOptions): Promise<Measured> {
  const started = now();
  const notes: string[] = [];
  progress('ceilings (start)');
  const first = await ceilingSample(options.gpu, 4, 'start');
  const software = first.software ?? true;
  const shapes = MATMUL_SHAPES.filter((s) => s.m < 2048 || !software);
  if (software) notes.push('2048^3 matmul skipped: the adapter is a software rasteriser');

  const cells: Record<string, Partial<Record<EngineId, Cell>>> = {};
  const merge = (row: string, engine: EngineId, cell: Cell | undefined) => {
    if (cell) (cells[row] ??= {})[engine] = cell;
  };
  const ours = options.ours
    ? await measureOurs({ gpu: options.gpu, budget: options.budget, shapes })
    : { cells: {}, adapter: null };
  for (const [row, byEngine] of Object.entries(ours.cells)) {
    merge(row, 'ours-webgpu', byEngine.webgpu);
    merge(row, 'ours-wasm', byEngine.wasm);
    merge(row, 'ours-wasm-mt', byEngine.wasmThreads);
  }
  for (const peer of options.peers) {
    progress(`${peer.name}`);
    try {
      for (const [row, byEngine] of Object.entries(await peer.run(shapes))) {
        for (const [engine, cell] of Object.entries(byEngine)) merge(row, engine as EngineId, cell);
      }
    } catch (e) {
      notes.push(`${peer.name} stopped: ${(e as Error).message}`);
    }
  }
  merge('first-step', 'ours-webgpu', options.firstStep);

  progress('ceilings (end)');
  const last = await ceilingSample(options.gpu, 4, 'end');
  const samples = [first, last].map(({ when, gpuFmaGflops, gpuCopyGBs, wasmFmaGflops }) => ({
    when,
    gpuFmaGflops,
    gpuCopyGBs,
    wasmFmaGflops,
  }));
  const errors = [...first.errors, ...last.errors];
  return {
    mode: options.mode,
    adapter: ours.adapter as Record<string, unknown> | null,
    userAgent: options.userAgent,
    cells,
    ceilings: {
      gpuFmaGflops: best(samples, 'gpuFmaGflops', errors),
      gpuCopyGBs: best(samples, 'gpuCopyGBs', errors),
      wasmFmaGflops: best(samples, 'wasmFmaGflops', errors),
      samples,
      wasmKind: first.wasmKind ?? last.wasmKind ?? 'SIMD',
    },
    notes,
    elapsedSeconds: (now() - started) / 1000,
  };
}
