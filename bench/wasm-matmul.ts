// WebAssembly matmul GFLOP/s on one core beside the same core's register-only FMA ceiling, measured in
// the same run, for each build this runtime validates (plain SIMD; relaxed SIMD where available), then
// the best build on N threads (every core up to 8), as total GFLOP/s and per thread against one core:
//   node --experimental-wasm-relaxed-simd bench/run-node.mjs bench/wasm-matmul.ts [--repeats 5]
// (Node 20 needs the flag for the relaxed build; Chromium and Node >= 22 have relaxed SIMD on.)
// Each figure is the median of `repeats` timings of >= 0.25 s each, timed in this process's CPU time
// (process.cpuUsage) rather than wall time: on a shared machine wall time also counts the time other
// processes hold the core. The spread (min-max) is printed too. The threaded figures are wall time (CPU
// time would add up the threads), so they need a quiet machine to mean anything.
import { conv2dGeometry } from '../src/engine/ref/shapes';
import { wasmCeilingModule } from './suite/ceilings';
import { loadWasmKernels, supportsRelaxedSimd, type WasmKernels, type WasmSimdLevel } from '../src/wasm/kernels';

interface MatmulCase {
  label: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** The MLP's forward (batch 128, 784 -> 500) and its two backward products, then square sizes. */
const CASES: MatmulCase[] = [
  { label: 'MLP fwd X W', m: 128, k: 784, n: 500, transA: false, transB: false },
  { label: 'MLP dW = X^T dY', m: 784, k: 128, n: 500, transA: true, transB: false },
  { label: 'MLP dX = dY W^T', m: 128, k: 500, n: 784, transA: false, transB: true },
  { label: '512^3', m: 512, k: 512, n: 512, transA: false, transB: false },
  { label: '1024^3', m: 1024, k: 1024, n: 1024, transA: false, transB: false },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds of CPU time this process has used (user + system). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * GFLOP/s samples of `run`, which does `flops` per call: each sample times enough calls for >= 0.25 s, by
 * `clock` (this process's CPU time by default; wall time for threaded runs).
 */
function sample(run: () => void, flops: number, repeats: number, clock: () => number = cpuMs): number[] {
  run();
  let calls = 1;
  for (;;) {
    const t0 = clock();
    for (let i = 0; i < calls; i++) run();
    if (clock() - t0 >= 50) break;
    calls *= 2;
  }
  calls = Math.max(1, Math.ceil(calls * 5));
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = clock();
    for (let i = 0; i < calls; i++) run();
    out.push((flops * calls) / ((clock() - t0) / 1000) / 1e9);
  }
  return out;
}

/** One core's register-only ceiling for the build at `level` (12 chains of relaxed_madd, or mul + add). */
function ceiling(level: WasmSimdLevel, repeats: number): number[] {
  const module = new WebAssembly.Module(wasmCeilingModule(12, level === 'relaxed'));
  const run = new WebAssembly.Instance(module).exports.run as (iterations: number) => number;
  const iterations = 2_000_000;
  return sample(() => void run(iterations), iterations * 96, repeats);
}

/** The classic Keras MNIST CNN's first layer (Conv2D 32 3x3 valid on 28x28x1) at batch 128: im2col + GEMM. */
function convCases(k: WasmKernels, repeats: number, clock: () => number = cpuMs): [string, number[]][] {
  const g = conv2dGeometry('conv2d_1', [128, 28, 28, 1], [3, 3, 1, 32]);
  const flops = 2 * g.batch * g.outH * g.outW * g.kh * g.kw * g.inC * g.outC;
  const x = k.alloc(g.batch * g.inH * g.inW * g.inC, 'x');
  const w = k.alloc(g.kh * g.kw * g.inC * g.outC, 'w');
  const y = k.alloc(g.batch * g.outH * g.outW * g.outC, 'y');
  k.arena.f32(x, g.batch * g.inH * g.inW * g.inC).fill(0.5);
  k.arena.f32(w, g.kh * g.kw * g.inC * g.outC).fill(0.25);
  k.arena.f32(y, g.batch * g.outH * g.outW * g.outC).fill(0.125);
  const shape = 'x 128x28x28x1, filter 3x3x1x32';
  const out: [string, number[]][] = [
    [
      `conv2d fwd ${shape}`,
      sample(() => k.conv2d({ x, filter: w, out: y, geometry: g, activation: 'relu' }), flops, repeats, clock),
    ],
    [
      `conv2d dFilter`,
      sample(() => k.conv2dBackwardFilter({ x, dy: y, dFilter: w, geometry: g }), flops, repeats, clock),
    ],
    [
      `conv2d dInput`,
      sample(() => k.conv2dBackwardInput({ dy: y, filter: w, dx: x, geometry: g }), flops, repeats, clock),
    ],
  ];
  for (const p of [x, w, y]) k.free(p);
  return out;
}

function fmt(samples: number[]): string {
  return `${median(samples).toFixed(1)} (${Math.min(...samples).toFixed(1)}-${Math.max(...samples).toFixed(1)})`;
}

export async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--repeats');
  const repeats = at >= 0 ? Number(args[at + 1]) : 5;
  const levels: WasmSimdLevel[] = supportsRelaxedSimd() ? ['simd', 'relaxed'] : ['simd'];
  console.log(`wasm matmul, ${new Date().toISOString()}, Node ${process.version}, median of ${repeats}`);
  if (levels.length === 1) console.log('relaxed SIMD not validated by this runtime: plain SIMD only');
  const rows: string[] = [];
  let ceil = 0;
  for (const level of levels) {
    const k = await loadWasmKernels({ simd: level, threads: 1 });
    const before = ceiling(level, repeats);
    const results = matmulCases(k, repeats, cpuMs);
    const convRows = convCases(k, repeats);
    const after = ceiling(level, repeats);
    ceil = median([...before, ...after]);
    rows.push(`| ${level} | 1 | FMA ceiling (register-only, 12 chains) | ${fmt([...before, ...after])} | 100% |`);
    for (const [label, s] of [...results, ...convRows]) {
      rows.push(`| ${level} | 1 | ${label} | ${fmt(s)} | ${((100 * median(s)) / ceil).toFixed(0)}% |`);
    }
  }
  // The last (best) build on every core up to 8, against the same build's one-core ceiling.
  const level = levels[levels.length - 1];
  const k = await loadWasmKernels({ simd: level });
  if (k.threads > 1) {
    const wall = () => performance.now();
    for (const [label, s] of [...matmulCases(k, repeats, wall), ...convCases(k, repeats, wall)]) {
      const perThread = (100 * median(s)) / k.threads / ceil;
      rows.push(`| ${level} | ${k.threads} | ${label} | ${fmt(s)} (wall) | ${perThread.toFixed(0)}% per thread |`);
    }
    k.stopThreads();
  } else {
    rows.push(`| ${level} | 1 | threaded figures not measured: ${k.singleThreadReason} | | |`);
  }
  console.log('| build | threads | case (m x k x n) | GFLOP/s median (min-max) | of one core |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

/** Every matmul case on `k`: label and GFLOP/s samples. */
function matmulCases(k: WasmKernels, repeats: number, clock: () => number): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const c of CASES) {
    const a = k.alloc(c.m * c.k, 'a');
    const b = k.alloc(c.k * c.n, 'b');
    const result = k.alloc(c.m * c.n, 'out');
    k.arena.f32(a, c.m * c.k).forEach((_, i, arr) => (arr[i] = Math.sin(i)));
    k.arena.f32(b, c.k * c.n).forEach((_, i, arr) => (arr[i] = Math.cos(i)));
    const { m, n, transA, transB } = c;
    const run = () => k.matmul({ a, b, out: result, m, k: c.k, n, transA, transB, activation: 'none' });
    const shape = `${c.m}x${c.k}x${c.n}${c.transA ? ' tA' : ''}${c.transB ? ' tB' : ''}`;
    out.push([`${c.label} ${shape}`, sample(run, 2 * c.m * c.k * c.n, repeats, clock)]);
    for (const p of [a, b, result]) k.free(p);
  }
  return out;
}
