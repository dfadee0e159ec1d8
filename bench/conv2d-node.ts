// conv2d kernels in Node on Dawn (SwiftShader where there is no GPU): pipeline compile time and run time of
// each forward and dW variant ('gemm', 'window', 'lanes', and the engine's default) and tile, and of dX, on
// the classic CNN's first layer (batch 128, 28x28x1 -> 26x26x32, 3x3) and on multi-channel layers. Used to
// choose the algorithm and tiles in src/kernels/conv2d.ts.
//   node bench/run-node.mjs bench/conv2d-node.ts [--rounds 5] [--only forward|backward] [--layer 0|1|2]
import { acquireGpu } from '../src/engine/gpu/device';
import { compilePipeline } from '../src/engine/gpu/pipeline';
import { conv2dGeometry, type Conv2dGeometry } from '../src/engine/ref/shapes';
import {
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dProgramFor,
  conv2dTemplate,
  conv2dWith,
  type Conv2dVariant,
  WINDOW_MAX_TAPS,
  type Conv2dTemplate,
} from '../src/kernels/conv2d';
import { matmul, matmulProgramFor, matmulTemplate } from '../src/kernels/matmul';
import { KernelRuntime } from '../src/kernels/runtime';
import { randomF32 } from '../tests/unit/helpers/random';
import { nodeGpu } from '../tests/unit/helpers/webgpu';

interface Layer {
  label: string;
  g: Conv2dGeometry;
}

const LAYERS: Layer[] = [
  { label: 'classic conv1 128x28x28x1 -> 26x26x32 3x3', g: conv2dGeometry('c', [128, 28, 28, 1], [3, 3, 1, 32]) },
  {
    label: '32x32x32x3 -> 32x32x16 3x3 same',
    g: conv2dGeometry('c', [32, 32, 32, 3], [3, 3, 3, 16], { padding: 'same' }),
  },
  { label: '32x13x13x32 -> 11x11x64 3x3', g: conv2dGeometry('c', [32, 13, 13, 32], [3, 3, 32, 64]) },
];

// variant undefined: the default the engine gets for this layer (conv2dVariant).
const FORWARD: { label: string; variant?: Conv2dVariant; tiles: Partial<Conv2dTemplate> }[] = [
  { label: 'gemm 8x8 (default before window)', variant: 'gemm', tiles: { rowsPerThread: 8, colsPerThread: 8 } },
  { label: 'default', tiles: {} },
  // 'window': pixels per SIMD group (a loop along the row) x channels per lane.
  { label: 'window 32x8', variant: 'window', tiles: { rowsPerThread: 32, colsPerThread: 8 } },
  { label: 'window 32x4', variant: 'window', tiles: { rowsPerThread: 32, colsPerThread: 4 } },
  {
    label: 'window 32x8 guarded stores',
    variant: 'window',
    tiles: { rowsPerThread: 32, colsPerThread: 8, nAligned: false },
  },
];

const FILTER: { label: string; variant?: Conv2dVariant; tiles: Partial<Conv2dTemplate> }[] = [
  {
    label: 'dW gemm 8x8 wg32 (default before)',
    variant: 'gemm',
    tiles: { rowsPerThread: 8, colsPerThread: 8, workgroupSize: 32 },
  },
  { label: 'dW default', tiles: {} },
  // 'lanes': filter rows per SIMD group x channels per lane.
  { label: 'dW lanes 9x8 wg16', variant: 'lanes', tiles: { rowsPerThread: 9, colsPerThread: 8, workgroupSize: 16 } },
  {
    label: 'dW window x8 wg16 guarded stores',
    variant: 'window',
    tiles: { colsPerThread: 8, workgroupSize: 16, nAligned: false },
  },
  // 'window': every filter row x channels per lane.
  { label: 'dW window x8 wg16', variant: 'window', tiles: { colsPerThread: 8, workgroupSize: 16 } },
  { label: 'dW window x4 wg16', variant: 'window', tiles: { colsPerThread: 4, workgroupSize: 16 } },
];

const INPUT: { label: string; tiles: Partial<Conv2dTemplate> }[] = [
  { label: 'dX 4x8', tiles: { rowsPerThread: 4, colsPerThread: 8 } },
  { label: 'dX 8x8', tiles: { rowsPerThread: 8, colsPerThread: 8 } },
  { label: 'dX 8x4', tiles: { rowsPerThread: 8, colsPerThread: 4 } },
];

/** dW 'lanes' and 'window' add the reduction of their partial sums. */
function filterPrograms(t: Conv2dTemplate, g: Conv2dGeometry): Conv2dTemplate[] {
  return t.variant === 'gemm' ? [t] : [t, conv2dTemplate('backwardFilterReduce', g)];
}

function buffer(device: GPUDevice, data: Float32Array): GPUBuffer {
  const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, data);
  return b;
}

interface Entry {
  label: string;
  flops: number;
  /** Programs compiled (and timed) before the runs. */
  programs?: Conv2dTemplate[];
  record: (p: GPUComputePassEncoder) => void;
  ms: number[];
}

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 5;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : 'all';
  const layerFilter = args.includes('--layer') ? Number(args[args.indexOf('--layer') + 1]) : -1;
  const ctx = await acquireGpu(nodeGpu());
  const { device } = ctx;
  console.log(
    `adapter: ${ctx.summary.vendor} / ${ctx.summary.architecture}; ${rounds} rounds, every variant once per round ` +
      '(interleaved, so load from other processes hits all alike); best and median per variant',
  );
  const rt = new KernelRuntime(device, (e) => console.error(e));

  const runOnce = async (record: (p: GPUComputePassEncoder) => void) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    record(pass);
    pass.end();
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };

  // Calibration in the same run: the tuned matmul on the MLP's first layer (128x784x500, 100 MFLOP).
  const [m, k, n] = [128, 784, 500];
  const ma = buffer(device, randomF32(m * k, 5));
  const mb = buffer(device, randomF32(k * n, 6));
  const mo = buffer(device, new Float32Array(m * n));
  await rt.warmUp([matmulProgramFor(matmulTemplate({ m, k, n }))]);

  for (const [li, { label, g }] of LAYERS.entries()) {
    if (layerFilter >= 0 && li !== layerFilter) continue;
    const flops = 2 * g.batch * g.outH * g.outW * g.outC * g.kh * g.kw * g.inC;
    console.log(`\n${label}: ${(flops / 1e6).toFixed(0)} MFLOP per kernel`);
    const x = buffer(device, randomF32(g.batch * g.inH * g.inW * g.inC, 1));
    const w = buffer(device, randomF32(g.kh * g.kw * g.inC * g.outC, 2));
    const bias = buffer(device, randomF32(g.outC, 3));
    const y = buffer(device, randomF32(g.batch * g.outH * g.outW * g.outC, 4));
    const dx = buffer(device, new Float32Array(g.batch * g.inH * g.inW * g.inC));
    const dw = buffer(device, new Float32Array(g.kh * g.kw * g.inC * g.outC));
    const entries: Entry[] = [
      {
        label: 'matmul 128x784x500 (calibration)',
        flops: 2 * m * k * n,
        record: (p) => matmul(rt, p, { a: ma, b: mb, out: mo, m, k, n }),
        ms: [],
      },
    ];
    const windowFits = g.kh * g.kw * g.inC <= WINDOW_MAX_TAPS;
    if (only !== 'backward') {
      for (const f of FORWARD) {
        if (f.variant === 'window' && !windowFits) continue; // 'window' takes small filters only
        entries.push({
          label: `fwd ${f.label}`,
          flops,
          programs: [conv2dTemplate('forward', g, { bias: true, activation: 'relu', variant: f.variant }, f.tiles)],
          record: (p) =>
            conv2dWith(rt, p, { ...g, x, filter: w, bias, out: y, activation: 'relu' }, f.variant, f.tiles),
          ms: [],
        });
      }
    }
    if (only !== 'forward') {
      for (const f of FILTER) {
        if (f.variant === 'window' && !windowFits) continue; // 'window' takes small filters only
        entries.push({
          label: f.label,
          flops,
          programs: filterPrograms(conv2dTemplate('backwardFilter', g, { variant: f.variant }, f.tiles), g),
          record: (p) => conv2dBackwardFilter(rt, p, { ...g, x, dy: y, dFilter: dw }, f.tiles, f.variant),
          ms: [],
        });
      }
      if (g.inC > 1) {
        for (const f of INPUT) {
          entries.push({
            label: f.label,
            flops,
            programs: [conv2dTemplate('backwardInput', g, {}, f.tiles)],
            record: (p) => conv2dBackwardInput(rt, p, { ...g, dy: y, filter: w, dx }, f.tiles),
            ms: [],
          });
        }
      }
    }
    for (const e of entries) {
      if (!e.programs) continue;
      const t0 = performance.now();
      for (const t of e.programs) await compilePipeline(device, conv2dProgramFor(t));
      await rt.warmUp(e.programs.map(conv2dProgramFor));
      console.log(`  compiled ${e.label.padEnd(34)} in ${(performance.now() - t0).toFixed(0)} ms`);
      await runOnce(e.record);
    }
    for (let r = 0; r < rounds; r++) for (const e of entries) e.ms.push(await runOnce(e.record));
    for (const e of entries) {
      e.ms.sort((a, b) => a - b);
      const best = e.ms[0];
      const median = e.ms[Math.floor(e.ms.length / 2)];
      console.log(
        `  ${e.label.padEnd(34)} best ${best.toFixed(1).padStart(8)} ms  median ${median.toFixed(1).padStart(8)} ms  ` +
          `${(e.flops / best / 1e6).toFixed(2).padStart(6)} GFLOP/s (best)`,
      );
    }
    for (const b of [x, w, bias, y, dx, dw]) b.destroy();
  }
  ctx.destroy();
}
