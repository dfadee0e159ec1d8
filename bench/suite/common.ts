// What every benchmark shares: the measured shapes, the result record, the timing helpers and the seeded
// initial weights, so that each engine starts from the same numbers and is timed by the same rules.
// Runs in the browser page and in Node alike (no DOM, no Node APIs).

/** The engines (table columns), in table order. */
export const ENGINES = [
  'ours-webgpu',
  'ours-wasm',
  'ours-wasm-mt',
  'jax-webgpu',
  'jax-wasm',
  'tfjs-webgpu',
  'tfjs-cpu',
  'tfjs-wasm',
] as const;
export type EngineId = (typeof ENGINES)[number];

export const ENGINE_LABELS: Record<EngineId, string> = {
  'ours-webgpu': 'ours WebGPU',
  'ours-wasm': 'ours wasm 1 thread',
  'ours-wasm-mt': 'ours wasm N threads',
  'jax-webgpu': 'jax-js WebGPU',
  'jax-wasm': 'jax-js wasm',
  'tfjs-webgpu': 'TF.js WebGPU',
  'tfjs-cpu': 'TF.js cpu',
  'tfjs-wasm': 'TF.js wasm',
};

/** One cell: a measured value, or why there is none. */
export type Cell =
  | {
      value: number;
      note?: string;
      samples?: number;
      firstLoss?: number;
      lastLoss?: number;
      /** Threads the engine ran on, where it says (ours wasm): per-thread figures divide by it. */
      threads?: number;
      /** CPU figures: one core's wasm ceiling measured beside the timed samples (median, GFLOP/s). */
      ceilingBeside?: number;
      /** CPU figures: the median over timed samples of value / the ceiling bracketing that sample. */
      ofCeilingBeside?: number;
    }
  | { unavailable: string };

/** One row of the table; `unit` says how to read the values. */
export interface Row {
  id: string;
  label: string;
  unit: string;
  cells: Partial<Record<EngineId, Cell>>;
}

export interface MatmulShape {
  id: string;
  m: number;
  k: number;
  n: number;
}

export const MATMUL_SHAPES: MatmulShape[] = [
  { id: 'matmul-128x784x500', m: 128, k: 784, n: 500 },
  { id: 'matmul-512', m: 512, k: 512, n: 512 },
  { id: 'matmul-1024', m: 1024, k: 1024, n: 1024 },
  { id: 'matmul-2048', m: 2048, k: 2048, n: 2048 },
];

/** The classic CNN's first layer at batch 128: 28x28x1 -> 26x26x32, 3x3 valid, NHWC / HWIO. */
export const CONV = { batch: 128, inH: 28, inW: 28, inC: 1, outC: 32, kh: 3, kw: 3, outH: 26, outW: 26 } as const;

export const MLP_BATCH = 100;
export const CNN_BATCH = 128;
export const ADAM = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const;
export const SGD_LR = 0.01;

/** Limits that keep one run within ~15 minutes on a 2-core software adapter. */
export interface Budget {
  /**
   * Training: timed steps (the issue asks for the median of >= 20), and the seconds of timed steps a cell
   * may take at most; a cell that cannot time `trainSteps` steps within them has no figure (n/a, saying why).
   */
  trainSteps: number;
  trainWarmupSteps: number;
  trainSeconds: number;
  /** Kernels (matmul, conv): seconds of timed work per cell (after one warm-up call). */
  kernelSeconds: number;
}

/** 300 s covers 20 steps of the slowest cell measured here (TF.js WebGPU CNN on SwiftShader, ~10 s a step). */
export const DEFAULT_BUDGET: Budget = { trainSteps: 20, trainWarmupSteps: 2, trainSeconds: 300, kernelSeconds: 1.5 };
/** `--full`: no time cap on training cells. */
export const FULL_BUDGET: Budget = { trainSteps: 20, trainWarmupSteps: 3, trainSeconds: 1e9, kernelSeconds: 4 };
/**
 * `--quick`: a smoke test of the whole run (every cell measured, 3 timed steps each); its figures are not
 * the medians of 20 steps, so the runner prints them and writes nothing.
 */
export const QUICK_BUDGET: Budget = { trainSteps: 3, trainWarmupSteps: 1, trainSeconds: 60, kernelSeconds: 0.2 };

/** The budget a run's flags ask for. */
export function budgetFor({ full, quick }: { full: boolean; quick: boolean }): Budget {
  return quick ? QUICK_BUDGET : full ? FULL_BUDGET : DEFAULT_BUDGET;
}

export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Most warm-up calls timePerRep makes, and the share of its budget they may take. */
const WARMUP_CALLS = 20;
const WARMUP_SHARE = 0.1;

/** What timePerRep measured: the median seconds per repetition and the samples behind it. */
export interface RepTiming {
  seconds: number;
  samples: number;
  reps: number;
  /** Seconds per repetition of each kept sample. */
  perSample: number[];
  /** With `beside`: the ceiling bracketing each kept sample (mean of the samples before and after). */
  besides?: number[];
}

/**
 * Times `run(reps)`, which must do `reps` repetitions and resolve only when their results are complete
 * (synchronised with the device). Warm-up: one call of 1 rep (compiles pipelines, allocates), then more
 * while they fit in a tenth of the budget, up to WARMUP_CALLS: JIT-compiled code (wasm kernels, and the
 * worker threads' copies of them, tier up after some calls; so does the JavaScript around GPU dispatches)
 * should be measured in its steady state, for every engine alike. Then samples of `reps` chosen so a
 * sample takes ~budget/3, up to 3 samples within `seconds`. Returns the median seconds per repetition.
 * `beside`, where given, samples a ceiling (wasmCeilingSampler) before the first timed sample and after
 * each one, so each sample has the ceiling of its own moment.
 */
export async function timePerRep(
  run: (reps: number) => Promise<void>,
  seconds: number,
  beside?: () => number,
): Promise<RepTiming> {
  let t0 = now();
  await run(1);
  for (let calls = 1; calls < WARMUP_CALLS && (now() - t0) / 1000 < WARMUP_SHARE * seconds; calls++) await run(1);
  const ceilings: number[] = [];
  if (beside) ceilings.push(beside());
  t0 = now();
  await run(1);
  const one = Math.max((now() - t0) / 1000, 1e-6);
  const perSample: number[] = [one];
  if (beside) ceilings.push(beside());
  const reps = Math.max(1, Math.min(64, Math.round(seconds / 3 / one)));
  const started = now();
  while (one * 2 <= seconds && perSample.length < 4 && (now() - started) / 1000 + reps * one < seconds) {
    t0 = now();
    await run(reps);
    perSample.push((now() - t0) / 1000 / reps);
    if (beside) ceilings.push(beside());
  }
  const besides = beside ? perSample.map((_, i) => (ceilings[i] + ceilings[i + 1]) / 2) : undefined;
  // The single-rep sample includes per-call latency the batched samples amortise: drop it when others exist.
  const from = perSample.length > 1 ? 1 : 0;
  const kept = perSample.slice(from);
  return {
    seconds: median(kept),
    samples: kept.length,
    reps: from ? reps : 1,
    perSample: kept,
    besides: besides?.slice(from),
  };
}

/**
 * A GFLOP/s cell from timePerRep; where the ceiling was sampled beside it, also that ceiling and the
 * median of each sample's ratio to its own bracketing ceiling (what the "/ ceiling" rows of CPU engines use).
 */
export function gflopsCell(flops: number, t: RepTiming, note?: string): Cell {
  const cell: Cell = { value: flops / t.seconds / 1e9, samples: t.samples, note };
  if (t.besides) {
    const besides = t.besides;
    cell.ceilingBeside = median(besides);
    cell.ofCeilingBeside = median(t.perSample.map((s, i) => flops / s / 1e9 / besides[i]));
  }
  return cell;
}

/**
 * Training throughput: `warmup` steps, then `trainSteps` timed steps (each resolving only once its loss is
 * known, i.e. synchronised). Samples/s is the batch over the median step; `samples` is the number of timed
 * steps. A cell that passes `trainSeconds` before its `trainSteps` steps gets no figure (the median must
 * come from that many steps), only the reason with what it did time.
 */
export async function trainThroughput(
  stepOnce: () => Promise<number>,
  batch: number,
  budget: Budget,
): Promise<{ cell: Cell; losses: number[] }> {
  const losses: number[] = [];
  // Warm-up (pipeline compilation, allocation); a second warm-up step only when the first was quick.
  for (let i = 0; i < budget.trainWarmupSteps; i++) {
    const t0 = now();
    losses.push(await stepOnce());
    if ((now() - t0) / 1000 > budget.trainSeconds / 4) break;
  }
  const times: number[] = [];
  const started = now();
  while (times.length < budget.trainSteps) {
    const t0 = now();
    losses.push(await stepOnce());
    times.push((now() - t0) / 1000);
    if ((now() - started) / 1000 > budget.trainSeconds) break;
  }
  const last = losses[losses.length - 1];
  if (!Number.isFinite(last)) return { cell: { unavailable: `loss became ${last} (diverged or broken)` }, losses };
  if (times.length < budget.trainSteps) {
    const unavailable =
      `only ${times.length} of ${budget.trainSteps} timed steps within the ${budget.trainSeconds} s cap ` +
      `(median step ${median(times).toFixed(2)} s); \`npm run bench -- --full\` lifts the cap`;
    return { cell: { unavailable }, losses };
  }
  return {
    cell: { value: batch / median(times), samples: times.length, firstLoss: losses[0], lastLoss: last },
    losses,
  };
}

/** Rejects when `promise` has not settled within `seconds` (the work itself cannot be cancelled). */
export function withTimeout<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A measurement that takes longer than this is abandoned (a hang must not stop the whole run). */
const CELL_TIMEOUT_SECONDS = 420;

/** Wraps a measurement: an exception or a hang becomes an "unavailable" cell with its message. */
export async function attempt(what: string, fn: () => Promise<Cell>): Promise<Cell> {
  try {
    return await withTimeout(fn(), CELL_TIMEOUT_SECONDS, what);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { unavailable: `${what} failed: ${message.split('\n')[0].slice(0, 200)}` };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Seeded data and weights (mulberry32 + Box-Muller), identical for every engine.

export { mulberry32 as rng } from '../../src/data/random';
import { mulberry32 as rng } from '../../src/data/random';

export function uniform(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** He-normal: N(0, 2 / fanIn). */
export function heNormal(length: number, fanIn: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(length);
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < length; i += 2) {
    const u = Math.max(r(), 1e-12);
    const v = r();
    const mag = std * Math.sqrt(-2 * Math.log(u));
    out[i] = mag * Math.cos(2 * Math.PI * v);
    if (i + 1 < length) out[i + 1] = mag * Math.sin(2 * Math.PI * v);
  }
  return out;
}

export function labels(length: number, classes: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length }, () => Math.floor(r() * classes));
}

/** A named weight in Keras order: dense kernels [in, out], conv filters HWIO [kh, kw, inC, outC]. */
export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** MLP 784-500(relu)-10, He-normal kernels, zero biases. */
export function mlpWeights(): Weight[] {
  return [
    { name: 'dense1/kernel', shape: [784, 500], data: heNormal(784 * 500, 784, 11) },
    { name: 'dense1/bias', shape: [500], data: new Float32Array(500) },
    { name: 'dense2/kernel', shape: [500, 10], data: heNormal(500 * 10, 500, 12) },
    { name: 'dense2/bias', shape: [10], data: new Float32Array(10) },
  ];
}

/** Classic CNN: conv 3x3x1x32 relu, max-pool 2x2, flatten (NHWC order: 13*13*32), dense 128 relu, dense 10. */
export function cnnWeights(): Weight[] {
  return [
    { name: 'conv/kernel', shape: [3, 3, 1, 32], data: heNormal(9 * 32, 9, 21) },
    { name: 'conv/bias', shape: [32], data: new Float32Array(32) },
    { name: 'dense1/kernel', shape: [5408, 128], data: heNormal(5408 * 128, 5408, 22) },
    { name: 'dense1/bias', shape: [128], data: new Float32Array(128) },
    { name: 'dense2/kernel', shape: [128, 10], data: heNormal(128 * 10, 128, 23) },
    { name: 'dense2/bias', shape: [10], data: new Float32Array(10) },
  ];
}

/** A synthetic MNIST-shaped batch: pixels in [0, 1), labels in [0, 10). Speed does not depend on values. */
export function batchData(batch: number, seed: number): { x: Float32Array; y: Int32Array } {
  return { x: uniform(batch * 784, seed, 0, 1), y: labels(batch, 10, seed + 1) };
}

/** A progress line (the runner prints the page's console). */
export function progress(message: string): void {
  const seconds = ((now() - PROGRESS_START) / 1000).toFixed(0).padStart(4);
  console.log(`[bench] ${seconds} s  ${message}`);
}
const PROGRESS_START = now();
