// Matmul GFLOP/s in Node on Dawn (SwiftShader where there is no GPU), beside a register-only vec4 FMA
// ceiling kernel measured in the same run, interleaved so that other processes' load hits every column
// alike. Used to choose the register tile (src/kernels/matmul.ts).
//   node bench/run-node.mjs bench/matmul-node.ts [--runs 5] [--tiles "reg auto (default),16x16 wg4x4 sg"]
//     [--shapes "mlp1,512^3"]
// The device gets the 'subgroups' feature where the adapter has it (acquireGpu asks for it), and the
// broadcasts run where probeMatmulSubgroups finds SwiftShader's 4-lane layout, as in the app.
import { acquireGpu } from '../src/engine/gpu/device';
import {
  matmulKey,
  matmulSubgroups,
  probeMatmulSubgroups,
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
  bias?: boolean;
  activation?: 'relu';
}

/**
 * The training shapes (MLP 784-500-10 at batch 100, forward with its fused bias + relu, dW and dX of both
 * layers; the classic CNN's 5408->128 dense layer at batch 128) and two square sizes. --shapes picks by
 * substring of the label.
 */
const SHAPES: Shape[] = [
  { label: 'mlp1 Y=XW 100x784x500 +bias relu', m: 100, k: 784, n: 500, bias: true, activation: 'relu' },
  { label: 'mlp1 dW 784x100x500 tA', m: 784, k: 100, n: 500, transA: true },
  { label: 'mlp2 Y 100x500x10 +bias', m: 100, k: 500, n: 10, bias: true },
  { label: 'mlp2 dW 500x100x10 tA', m: 500, k: 100, n: 10, transA: true },
  { label: 'mlp2 dX 100x10x500 tB', m: 100, k: 10, n: 500, transB: true },
  { label: 'Y=XW 128x784x500', m: 128, k: 784, n: 500 },
  { label: 'dW 784x128x500 tA', m: 784, k: 128, n: 500, transA: true },
  { label: 'dX 128x500x784 tB', m: 128, k: 500, n: 784, transB: true },
  { label: 'cnn Y 128x5408x128', m: 128, k: 5408, n: 128 },
  { label: 'cnn dW 5408x128x128 tA', m: 5408, k: 128, n: 128, transA: true },
  { label: 'cnn dX 128x128x5408 tB', m: 128, k: 128, n: 5408, transB: true },
  { label: '512^3', m: 512, k: 512, n: 512 },
  { label: '1024^3', m: 1024, k: 1024, n: 1024 },
];

type Tiles = Partial<MatmulTemplate>;
/** Named tile sets; any other "--tiles" entry is parsed by tileSet (e.g. "16x16 wg4x4 sg"). */
const TILE_SETS: Record<string, Tiles> = {
  'reg auto (default)': {},
  'reg auto without subgroups': { subgroups: false },
  'reg 8x16 wg8x8 (old default)': { rowsPerThread: 8, colsPerThread: 16 },
  'reg 8x16 chained a*b+c': { rowsPerThread: 8, colsPerThread: 16, chain: true, mulAdd: true },
  'reg 8x16 k8': { rowsPerThread: 8, colsPerThread: 16, tileK: 8 },
  'reg 16x16 wg4x4': { rowsPerThread: 16, colsPerThread: 16, workgroupX: 4, workgroupY: 4 },
  'reg 16x16 wg4x4 subgroups': { rowsPerThread: 16, colsPerThread: 16, workgroupX: 4, workgroupY: 4, subgroups: true },
  'reg 32x8 wg4x4 subgroups': { rowsPerThread: 32, colsPerThread: 8, workgroupX: 4, workgroupY: 4, subgroups: true },
  'reg 16x32': { rowsPerThread: 16, colsPerThread: 32 },
  'reg 24x16': { rowsPerThread: 24, colsPerThread: 16 },
  'shared 64x64': { variant: 'shared' },
};

/**
 * A tile set by name: one of TILE_SETS, or a spec such as "16x32 wg4x4 k8 ma ch sg" (rows x columns per
 * thread, workgroup, tileK 8, a*b+c instead of fma, chained, subgroup broadcasts of A). Named sets that
 * give a tile shape fix every parameter the shape would otherwise pick.
 */
function tileSet(name: string): Tiles {
  const fixed: Tiles = { workgroupX: 8, workgroupY: 8, tileK: 4, chain: false, mulAdd: false, subgroups: false };
  const named = TILE_SETS[name];
  if (named) return named.rowsPerThread === undefined ? named : { ...fixed, ...named };
  const t: Tiles = { ...fixed };
  for (const token of name.trim().split(/\s+/)) {
    let g: RegExpMatchArray | null;
    if ((g = token.match(/^(?:reg)?(\d+)x(\d+)$/))) [t.rowsPerThread, t.colsPerThread] = [+g[1], +g[2]];
    else if ((g = token.match(/^wg(\d+)x(\d+)$/))) [t.workgroupX, t.workgroupY] = [+g[1], +g[2]];
    else if ((g = token.match(/^k(\d+)$/))) t.tileK = +g[1];
    else if (token === 'ma') t.mulAdd = true;
    else if (token === 'ch') t.chain = true;
    else if (token === 'sg') t.subgroups = true;
    else throw new Error(`unknown tile set or spec token "${token}" in "${name}"`);
  }
  return t;
}

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
  for (const name of tileNames) tileSet(name);
  const shapeFilter = opt('shapes', '');
  const ctx = await acquireGpu(nodeGpu());
  const { device } = ctx;
  // As the app's backend does: subgroup broadcasts only where the probe finds SwiftShader's 4-lane layout.
  await probeMatmulSubgroups(device);
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
  const compiled = new Set<string>();
  for (const shape of shapes) {
    const { m, k, n } = shape;
    const a = buffer(device, randomF32(m * k, 1));
    const b = buffer(device, randomF32(k * n, 2));
    const out = device.createBuffer({ size: m * n * 4, usage: GPUBufferUsage.STORAGE });
    const flops = 2 * m * k * n;
    // About a quarter of a second of work per submit at ~2 GFLOP/s.
    const reps = Math.max(1, Math.round(5e8 / flops));
    const bias = shape.bias ? buffer(device, randomF32(n, 3)) : undefined;
    const recorders: ((pass: GPUComputePassEncoder) => void)[] = [];
    const notes: string[] = [];
    for (const name of tileNames) {
      const tiles = tileSet(name);
      const variant: MatmulVariant = tiles.variant ?? 'register';
      const callArgs = { ...shape, a, b, out, bias, variant, subgroups: matmulSubgroups(device) };
      const template = matmulTemplate(callArgs, tiles);
      // Compile time (CPU seconds of this process: Dawn compiles on its own threads) of a program not
      // compiled before in this run; '-' when another column or shape already compiled it.
      const cpu0 = process.cpuUsage();
      const fresh = !compiled.has(matmulKey(template));
      compiled.add(matmulKey(template));
      await rt.warmUp([matmulProgramFor(template)]);
      const cpu = process.cpuUsage(cpu0);
      const compile = fresh ? `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s` : '-';
      notes.push(
        `${name}: ${template.rowsPerThread}x${template.colsPerThread} wg${template.workgroupX}x${template.workgroupY}, compile ${compile}`,
      );
      const record = (pass: GPUComputePassEncoder) => matmulWith(rt, pass, callArgs, tiles);
      await submitSeconds(device, record, 1);
      recorders.push(record);
    }
    console.log(`  ${shape.label}: ${notes.join('; ')}`);
    // Runs interleave the tiles (and the ceiling kernel) so that load from other processes hits all alike;
    // the first round is discarded (the first shape measured after compiling ran slow in it).
    const times: { wall: number; cpu: number }[][] = [...tileNames, 'ceiling'].map(() => []);
    for (let r = -1; r < runs; r++) {
      for (const [i, record] of recorders.entries()) {
        const t = await submitSeconds(device, record, reps);
        if (r >= 0) times[i].push({ wall: t.wall / reps, cpu: t.cpu / reps });
      }
      const t = await submitSeconds(device, ceiling.record, 1);
      if (r >= 0) times[recorders.length].push(t);
    }
    const row = [shape.label, ...times.map((t, i) => fmt(rates(i < recorders.length ? flops : ceiling.flops, t)))];
    console.log(`  ${row.join(' | ')}`);
    rows.push(row);
    a.destroy();
    b.destroy();
    out.destroy();
    bias?.destroy();
  }
  console.log('\n' + rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
  ctx.destroy();
}
