// Matmul GFLOP/s in Node on Dawn (SwiftShader where there is no GPU), beside a register-only vec4 FMA
// ceiling kernel measured in the same run, interleaved so that other processes' load hits every column
// alike. Used to choose the register tile (src/kernels/matmul.ts).
//   node bench/run-node.mjs bench/matmul-node.ts [--runs 5] [--tiles "reg 8x16 (default),shared 64x64"]
//     [--shapes 128x784x500,512]
import { acquireGpu } from '../src/engine/gpu/device';
import {
  matmulProgramFor,
  matmulTemplate,
  matmulWith,
  type MatmulTemplate,
  type MatmulVariant,
} from '../src/kernels/matmul';
import { KernelRuntime } from '../src/kernels/runtime';
import { nodeGpu } from '../tests/unit/helpers/webgpu';
import { randomF32 } from '../tests/unit/helpers/random';

interface Shape {
  label: string;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
}

/** The MLP's first layer at batch 128 (forward, dW, dX) and two square sizes. */
const SHAPES: Shape[] = [
  { label: 'Y = X W      128x784x500', m: 128, k: 784, n: 500 },
  { label: 'dW = X^T dY  784x128x500 (transA)', m: 784, k: 128, n: 500, transA: true },
  { label: 'dX = dY W^T  128x500x784 (transB)', m: 128, k: 500, n: 784, transB: true },
  { label: '512^3', m: 512, k: 512, n: 512 },
  { label: '1024^3', m: 1024, k: 1024, n: 1024 },
];

type Tiles = Partial<MatmulTemplate>;
const TILE_SETS: Record<string, Tiles> = {
  'reg 8x16 (default)': {},
  'reg 8x16 chained a*b+c': { chain: true, mulAdd: true },
  'reg 8x16 k8': { tileK: 8 },
  'reg 4x16': { rowsPerThread: 4, colsPerThread: 16 },
  'reg 8x8': { rowsPerThread: 8, colsPerThread: 8 },
  'reg 16x16': { rowsPerThread: 16, colsPerThread: 16 },
  'reg 16x16 chained a*b+c': { rowsPerThread: 16, colsPerThread: 16, chain: true, mulAdd: true },
  'reg 4x8': { rowsPerThread: 4, colsPerThread: 8 },
  'shared 64x64': { variant: 'shared' },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function buffer(device: GPUDevice, data: Float32Array): GPUBuffer {
  const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  new Float32Array(b.getMappedRange()).set(data);
  b.unmap();
  return b;
}

/**
 * Seconds of one submit of `count` calls of `record`, until the queue is done: wall time, and this
 * process's CPU time (SwiftShader runs the shaders on worker threads of this process), which other
 * processes' load on a shared machine disturbs far less than wall time.
 */
async function submitSeconds(
  device: GPUDevice,
  record: (pass: GPUComputePassEncoder) => void,
  count: number,
): Promise<{ wall: number; cpu: number }> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (let i = 0; i < count; i++) record(pass);
  pass.end();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** GFLOP/s by wall time and GFLOP per CPU-second, as medians over runs. */
function rates(flops: number, runs: { wall: number; cpu: number }[]): { wall: number; cpu: number } {
  return { wall: median(runs.map((r) => flops / r.wall / 1e9)), cpu: median(runs.map((r) => flops / r.cpu / 1e9)) };
}
const fmt = (r: { wall: number; cpu: number }) => `${r.wall.toFixed(2)} (${r.cpu.toFixed(2)}/cpu-s)`;

/** A register-only kernel: `chains` independent vec4 multiply-add chains per thread, no memory traffic. */
function fmaCeilingWgsl(iterations: number, chains: number): string {
  const s = ['@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;'];
  s.push('@compute @workgroup_size(64)', 'fn main(@builtin(global_invocation_id) gid: vec3<u32>) {');
  s.push('  let x = vec4<f32>(f32(gid.x) * 1e-9 + 0.999999);', '  let y = vec4<f32>(1e-7);');
  for (let c = 0; c < chains; c++) s.push(`  var c${c} = vec4<f32>(f32(${c}) + f32(gid.x));`);
  s.push(`  for (var i = 0u; i < ${iterations}u; i += 1u) {`);
  for (let c = 0; c < chains; c++) s.push(`    c${c} = c${c} * x + y;`);
  s.push('  }');
  s.push(`  out[gid.x] = ${Array.from({ length: chains }, (_, c) => `c${c}`).join(' + ')};`);
  s.push('}');
  return s.join('\n');
}

/** The ceiling kernel's dispatch and its flop count. */
async function ceilingKernel(device: GPUDevice, chains: number) {
  const iterations = 65536 / chains;
  const workgroups = 64;
  const threads = workgroups * 64;
  const module = device.createShaderModule({ code: fmaCeilingWgsl(iterations, chains) });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const out = device.createBuffer({ size: threads * 16, usage: GPUBufferUsage.STORAGE });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: out } }],
  });
  const record = (pass: GPUComputePassEncoder) => {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(workgroups);
  };
  await submitSeconds(device, record, 1);
  return { record, flops: threads * iterations * chains * 4 * 2 };
}

export async function main(args: string[]): Promise<void> {
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const runs = Number(opt('runs', '5'));
  const tileNames = opt('tiles', 'all') === 'all' ? Object.keys(TILE_SETS) : opt('tiles', '').split(',');
  const shapeFilter = opt('shapes', '');
  const ctx = await acquireGpu(nodeGpu());
  const { device } = ctx;
  const rt = new KernelRuntime(device, (e) => {
    throw e;
  });
  console.log(`adapter: ${ctx.summary.vendor} / ${ctx.summary.architecture} / ${ctx.summary.description}`);
  console.log(
    `date: ${new Date().toISOString()}, median of ${runs} submits, GFLOP/s by wall time (GFLOP per CPU-second)`,
  );
  // The ceiling kernel's best chain count (independent accumulators) depends on how SwiftShader keeps
  // them in registers: measure 1..16, interleaved, and keep the fastest.
  const chainCounts = [1, 2, 4, 8, 16];
  const kernels = await Promise.all(chainCounts.map((chains) => ceilingKernel(device, chains)));
  const chainRuns: { wall: number; cpu: number }[][] = chainCounts.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, kernel] of kernels.entries()) chainRuns[i].push(await submitSeconds(device, kernel.record, 1));
  }
  const chainRates = chainRuns.map((runsOf, i) => rates(kernels[i].flops, runsOf));
  console.log(`FMA ceiling by chain count: ${chainCounts.map((c, i) => `${c}: ${fmt(chainRates[i])}`).join(', ')}`);
  const best = chainRates.map((r) => r.cpu);
  const ceiling = kernels[best.indexOf(Math.max(...best))];
  const shapes = SHAPES.filter((s) => !shapeFilter || shapeFilter.split(',').some((f) => s.label.includes(f)));
  const rows: string[][] = [['shape', ...tileNames, 'FMA ceiling (same window)']];
  for (const shape of shapes) {
    const { m, k, n } = shape;
    const a = buffer(device, randomF32(m * k, 1));
    const b = buffer(device, randomF32(k * n, 2));
    const out = device.createBuffer({ size: m * n * 4, usage: GPUBufferUsage.STORAGE });
    const flops = 2 * m * k * n;
    // About a quarter of a second of work per submit at ~2 GFLOP/s.
    const reps = Math.max(1, Math.round(5e8 / flops));
    const recorders: ((pass: GPUComputePassEncoder) => void)[] = [];
    for (const name of tileNames) {
      const tiles = TILE_SETS[name];
      const variant: MatmulVariant = tiles.variant ?? 'register';
      const callArgs = { a, b, out, m, k, n, transA: shape.transA, transB: shape.transB, variant };
      await rt.warmUp([matmulProgramFor(matmulTemplate(callArgs, tiles))]);
      const record = (pass: GPUComputePassEncoder) => matmulWith(rt, pass, callArgs, tiles);
      await submitSeconds(device, record, 1);
      recorders.push(record);
    }
    // Runs interleave the tiles (and the ceiling kernel) so that load from other processes hits all alike.
    const times: { wall: number; cpu: number }[][] = [...tileNames, 'ceiling'].map(() => []);
    for (let r = 0; r < runs; r++) {
      for (const [i, record] of recorders.entries()) {
        const t = await submitSeconds(device, record, reps);
        times[i].push({ wall: t.wall / reps, cpu: t.cpu / reps });
      }
      times[recorders.length].push(await submitSeconds(device, ceiling.record, 1));
    }
    const row = [shape.label, ...times.map((t, i) => fmt(rates(i < recorders.length ? flops : ceiling.flops, t)))];
    console.log(`  ${row.join(' | ')}`);
    rows.push(row);
    a.destroy();
    b.destroy();
    out.destroy();
  }
  console.log('\n' + rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  ctx.destroy();
}
