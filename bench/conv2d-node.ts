// conv2d kernels in Node on Dawn (SwiftShader where there is no GPU): pipeline compile time and run time of
// each forward variant (implicit GEMM vs tiled direct) and tile, and of the gradient kernels, on the classic
// CNN's first layer (batch 128, 28x28x1 -> 26x26x32, 3x3) and on multi-channel layers. Used to choose the
// algorithm and tiles in src/kernels/conv2d.ts.
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
  type Conv2dForwardVariant,
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

const FORWARD: { label: string; variant: Conv2dForwardVariant; tiles: Partial<Conv2dTemplate> }[] = [
  { label: 'gemm 4x8', variant: 'gemm', tiles: { rowsPerThread: 4, colsPerThread: 8 } },
  { label: 'gemm 4x16', variant: 'gemm', tiles: { rowsPerThread: 4, colsPerThread: 16 } },
  { label: 'gemm 8x8', variant: 'gemm', tiles: { rowsPerThread: 8, colsPerThread: 8 } },
  { label: 'gemm 8x16', variant: 'gemm', tiles: { rowsPerThread: 8, colsPerThread: 16 } },
  { label: 'direct 4x16', variant: 'direct', tiles: { rowsPerThread: 4, colsPerThread: 16 } },
  { label: 'direct 8x8', variant: 'direct', tiles: { rowsPerThread: 8, colsPerThread: 8 } },
  { label: 'direct 8x16', variant: 'direct', tiles: { rowsPerThread: 8, colsPerThread: 16 } },
];

const FILTER: { label: string; tiles: Partial<Conv2dTemplate> }[] = [
  { label: 'dW 4x8 wg64', tiles: { rowsPerThread: 4, colsPerThread: 8, workgroupSize: 64 } },
  { label: 'dW 2x16 wg64', tiles: { rowsPerThread: 2, colsPerThread: 16, workgroupSize: 64 } },
  { label: 'dW 8x8 wg32', tiles: { rowsPerThread: 8, colsPerThread: 8, workgroupSize: 32 } },
  { label: 'dW 4x16 wg32', tiles: { rowsPerThread: 4, colsPerThread: 16, workgroupSize: 32 } },
];

const INPUT: { label: string; tiles: Partial<Conv2dTemplate> }[] = [
  { label: 'dX 4x8', tiles: { rowsPerThread: 4, colsPerThread: 8 } },
  { label: 'dX 8x8', tiles: { rowsPerThread: 8, colsPerThread: 8 } },
  { label: 'dX 8x4', tiles: { rowsPerThread: 8, colsPerThread: 4 } },
];

function buffer(device: GPUDevice, data: Float32Array): GPUBuffer {
  const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(b, 0, data);
  return b;
}

interface Entry {
  label: string;
  flops: number;
  program?: Conv2dTemplate;
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
    if (only !== 'backward') {
      for (const f of FORWARD) {
        entries.push({
          label: `fwd ${f.label}`,
          flops,
          program: conv2dTemplate('forward', g, { bias: true, activation: 'relu', variant: f.variant }, f.tiles),
          record: (p) =>
            conv2dWith(rt, p, { ...g, x, filter: w, bias, out: y, activation: 'relu' }, f.variant, f.tiles),
          ms: [],
        });
      }
    }
    if (only !== 'forward') {
      for (const f of FILTER) {
        entries.push({
          label: f.label,
          flops,
          program: conv2dTemplate('backwardFilter', g, {}, f.tiles),
          record: (p) => conv2dBackwardFilter(rt, p, { ...g, x, dy: y, dFilter: dw }, f.tiles),
          ms: [],
        });
      }
      if (g.inC > 1) {
        for (const f of INPUT) {
          entries.push({
            label: f.label,
            flops,
            program: conv2dTemplate('backwardInput', g, {}, f.tiles),
            record: (p) => conv2dBackwardInput(rt, p, { ...g, dy: y, filter: w, dx }, f.tiles),
            ms: [],
          });
        }
      }
    }
    for (const e of entries) {
      if (!e.program) continue;
      const t0 = performance.now();
      await compilePipeline(device, conv2dProgramFor(e.program));
      await rt.warmUp([conv2dProgramFor(e.program)]);
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
