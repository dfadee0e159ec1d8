// The WebAssembly SIMD kernels (AssemblyScript, src/wasm/assembly/) behind typed, buffer-level wrappers
// that mirror the primitive arguments of src/engine/backend/backend.ts with storage = a byte offset into
// the kernels' memory, so a `wasm` backend is a thin table over `WasmKernels`.
//
// Two builds of the same sources (scripts/build-wasm.mjs): plain 128-bit SIMD, and relaxed SIMD (fused
// multiply-add in the matmul tile, up to 30% faster). The relaxed one is used only where the runtime
// validates it (Chromium yes; Node 20 only with --experimental-wasm-relaxed-simd). The .wasm files load
// through Vite's `new URL(..., import.meta.url)` asset handling in the browser and from disk in Node.
// Multi-threaded (threads.ts): the same sources built against a shared memory, one instance per worker
// thread; matmul, the convolutions and large element-wise ops run their `*Part` exports on every thread,
// each with its own matmul workspace and im2col chunk (a matmul hands its columns out as threads free up,
// matmulSharedPart, where it has enough of them).
import type { BinaryOp, PrimitiveArgs, ReduceOp, ScalarOp, UnaryOp } from '../engine/backend/backend';
import type * as FsPromises from 'node:fs/promises';
import type { Pool2dGeometry } from '../engine/ref/shapes';
import { WasmArena, WasmMemoryError } from './arena';
import { CONTROL_BYTES, ThreadPool, threadSupport } from './threads';

/** A buffer in the kernels' memory: its byte offset. */
export type WasmPtr = number;

/** A scratch buffer the kernels keep between calls and grow on demand (WasmKernels.grow). */
interface GrowingBuffer {
  ptr: WasmPtr | null;
  bytes: number;
}
export type WasmSimdLevel = 'relaxed' | 'simd';

type Args<P extends keyof PrimitiveArgs<WasmPtr>> = PrimitiveArgs<WasmPtr>[P];
/** The optimiser primitives without the webgpu backend's hyper buffer (wasm takes the numbers directly). */
type OptimArgs<P extends 'sgdUpdate' | 'adamUpdate' | 'rmspropUpdate'> = Omit<Args<P>, 'hyperStorage'>;

const SIMD_URL = new URL('./build/kernels-simd.wasm', import.meta.url);
const RELAXED_URL = new URL('./build/kernels-relaxed.wasm', import.meta.url);
const SIMD_SHARED_URL = new URL('./build/kernels-simd-shared.wasm', import.meta.url);
const RELAXED_SHARED_URL = new URL('./build/kernels-relaxed-shared.wasm', import.meta.url);

/** The exports the thread pool runs, by job code; each takes (..., thread, threads) last. */
const PARALLEL_EXPORTS = [
  'matmulPart',
  'conv2dPart',
  'conv2dBackwardFilterPart',
  'conv2dBackwardInputPart',
  'unaryPart',
  'unaryBackwardPart',
  'sgdUpdatePart',
  'adamUpdatePart',
  'rmspropUpdatePart',
  'matmulSharedPart',
  'maxPoolPart',
  'maxPoolBackwardPart',
];
const JOB_MATMUL = 0;
const JOB_CONV = 1;
const JOB_CONV_FILTER = 2;
const JOB_CONV_INPUT = 3;
const JOB_UNARY = 4;
const JOB_UNARY_BACKWARD = 5;
const JOB_SGD = 6;
const JOB_ADAM = 7;
const JOB_RMSPROP = 8;
const JOB_MATMUL_SHARED = 9;
const JOB_MAX_POOL = 10;
const JOB_MAX_POOL_BACKWARD = 11;
/** Most floats of per-piece partial sums the threaded filter gradient keeps (16 MiB). */
const MAX_FILTER_PARTIAL_FLOATS = 4 * 2 ** 20;
/**
 * Most bytes of packed A a threaded matmul keeps (matmulSharedBytes: about the size of A); a larger A
 * falls back to the fixed split, each thread packing its own blocks.
 */
const MAX_PACKED_BYTES = 64 * 2 ** 20;
/** Element-wise work counted per element against minParallelFlops: splits tensors of >= 128K elements. */
const ELEMENT_FLOPS = 8;
/** One thread's scratch: the matmul packing workspace (4.5 MiB) and an im2col chunk (4 MiB), rounded up. */
const THREAD_SCRATCH_BYTES = 9 * 2 ** 20;
/**
 * Below this many flops an op runs on the calling thread alone while the workers spin (a job shortly
 * after another); below COLD_FACTOR times it when they sleep, since waking them costs 100-250 us here.
 * Measured in Node on 2 threads (median per matmul, us, 1 thread / 2 threads): workers spinning
 * 0.5 MFlop 35 / 28, 1 MFlop 52 / 37, 2 MFlop 95 / 60; workers asleep 4 MFlop 151 / 232, 8 MFlop
 * 357 / 375, 78 MFlop 3100 / 1900.
 */
const DEFAULT_MIN_PARALLEL_FLOPS = 1 << 20;
const COLD_FACTOR = 16;

/** Op codes: the index of each name is the code the AssemblyScript kernels switch on. */
const UNARY_CODES: { [Op in UnaryOp]: number } = {
  relu: 0,
  leaky_relu: 1,
  sigmoid: 2,
  tanh: 3,
  exp: 4,
  log: 5,
  neg: 6,
  abs: 7,
  sqrt: 8,
  square: 9,
};
const BINARY_CODES: { [Op in BinaryOp]: number } = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, pow: 6 };
const SCALAR_CODES: { [Op in ScalarOp]: number } = { add: 0, mul: 1, rsub: 2, pow: 3 };
const REDUCE_CODES: { [Op in ReduceOp]: number } = { sum: 0, max: 1, mean: 2 };
const MAX_RANK = 6;
/**
 * conv2d's im2col chunk: 2^20 floats (4 MiB) = 3 640 output pixels of a 3x3x32 window, enough rows for the
 * matmul to run at full speed while staying far below a batch's whole im2col matrix.
 */
const CONV_CHUNK_FLOATS = 1 << 20;

/**
 * How the matmul's 5 x 8 register tile loads its A values (setMatmulKernel in src/wasm/assembly/matmul.ts):
 * the faster one depends on the engine's wasm compiler (shuffles under V8's TurboFan, Node 20; splat loads
 * under Turboshaft, Chromium and Node >= 22), so loadWasmKernels times both once per process and build.
 * Both give bit-identical results.
 */
export type MatmulTile = 'shuffles' | 'splat loads';
export const MATMUL_TILES: readonly MatmulTile[] = ['shuffles', 'splat loads'];
/** The tile probe: a matmul whose A and B stay in L1, timed in alternating rounds: at least minRounds, and ms in all. */
const TILE_PROBE = { m: 40, k: 256, n: 64, callsPerSample: 16, minRounds: 6, ms: 40 } as const;
/** The tile each build got from its probe in this process (the probe runs once per build). */
const tileChoice = new Map<string, MatmulTile>();

/** The module's exports (see src/wasm/assembly/index.ts); bool parameters are passed as 0 / 1. */
interface KernelExports {
  heapBase(): number;
  relaxedSimd(): number;
  matmulWorkspaceBytes(): number;
  setMatmulKernel(kind: number): void;
  matmulSharedBytes(m: number, k: number, n: number, threads: number): number;
  matmul(
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    bias: number,
    relu: number,
    work: number,
  ): void;
  unary(op: number, x: number, out: number, length: number, alpha: number): void;
  unaryBackward(op: number, x: number, y: number, dy: number, dx: number, length: number, alpha: number): void;
  binary(op: number, a: number, b: number, out: number, rank: number, dims: number): void;
  scalar(op: number, x: number, out: number, length: number, value: number): void;
  fill(out: number, length: number, value: number): void;
  copy(src: number, dst: number, length: number): void;
  dropout(
    x: number,
    out: number,
    mask: number,
    length: number,
    threshold: number,
    scale: number,
    seed: number,
    step: number,
  ): void;
  reduce(op: number, x: number, out: number, outer: number, size: number, inner: number): void;
  softmax(x: number, out: number, rows: number, cols: number, log: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number, log: number): void;
  softmaxCrossEntropy(
    logits: number,
    labels: number,
    rows: number,
    cols: number,
    dlogits: number,
    lossPerRow: number,
    metrics: number,
    slot: number,
  ): void;
  sgdUpdate(
    param: number,
    grad: number,
    velocity: number,
    length: number,
    lr: number,
    l2: number,
    l1: number,
    momentum: number,
    nesterov: number,
  ): void;
  adamUpdate(
    param: number,
    grad: number,
    m: number,
    v: number,
    length: number,
    lr: number,
    l2: number,
    l1: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusBeta1Power: number,
    oneMinusBeta2Power: number,
    eps: number,
  ): void;
  rmspropUpdate(
    param: number,
    grad: number,
    meanSquare: number,
    length: number,
    lr: number,
    l2: number,
    l1: number,
    rho: number,
    oneMinusRho: number,
    eps: number,
  ): void;
  conv2d(
    g: number,
    x: number,
    w: number,
    bias: number,
    relu: number,
    y: number,
    cols: number,
    colsFloats: number,
    work: number,
  ): void;
  addPartials(dst: number, src: number, count: number, length: number): void;
  conv2dBackwardFilter(
    g: number,
    x: number,
    dy: number,
    dw: number,
    cols: number,
    colsFloats: number,
    work: number,
  ): void;
  conv2dBackwardInput(
    g: number,
    dy: number,
    w: number,
    dx: number,
    cols: number,
    colsFloats: number,
    work: number,
  ): void;
  maxPool(g: number, x: number, out: number, argmax: number): void;
  maxPoolBackward(g: number, dy: number, argmax: number, dx: number): void;
  maxPoolPart(g: number, x: number, out: number, argmax: number, thread: number, threads: number): void;
  maxPoolBackwardPart(g: number, dy: number, argmax: number, dx: number, thread: number, threads: number): void;
  avgPool(g: number, x: number, out: number): void;
  avgPoolBackward(g: number, dy: number, dx: number): void;
  batchNorm(
    x: number,
    gamma: number,
    beta: number,
    runningMean: number,
    runningVar: number,
    out: number,
    mean: number,
    invStd: number,
    rows: number,
    channels: number,
    epsilon: number,
    momentum: number,
    training: number,
    scratch: number,
  ): void;
  batchNormBackward(
    x: number,
    dy: number,
    gamma: number,
    mean: number,
    invStd: number,
    dx: number,
    dGamma: number,
    dBeta: number,
    rows: number,
    channels: number,
    training: number,
    scratch: number,
  ): void;
}

/** A 59-byte module whose one function uses f32x4.relaxed_madd: validates only where relaxed SIMD exists. */
const RELAXED_PROBE = (() => {
  const zeros = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b]; // f32x4.relaxed_madd; end
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b]; // () -> v128
  const functions = [0x03, 0x02, 0x01, 0x00];
  const code = [0x0a, body.length + 2, 0x01, body.length, ...body];
  return new Uint8Array([...header, ...types, ...functions, ...code]);
})();

/** True when this runtime accepts relaxed SIMD (checked by validating a tiny module, never assumed). */
export function supportsRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

async function readBytes(url: URL): Promise<ArrayBuffer> {
  if (url.protocol === 'file:') {
    // Node (tests, benchmarks): read from disk. The specifier is a variable so bundlers leave it alone.
    const fsModule = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof FsPromises;
    try {
      const bytes = await readFile(url);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    } catch (error) {
      throw new Error(
        `wasm kernels: cannot read ${url.pathname} (${(error as Error).message}); run \`npm run build:wasm\``,
        { cause: error },
      );
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wasm kernels: fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compile(level: WasmSimdLevel, shared: boolean): Promise<WebAssembly.Module> {
  const key = `${level}${shared ? '-shared' : ''}`;
  let module = compiled.get(key);
  if (!module) {
    const url = shared
      ? level === 'relaxed'
        ? RELAXED_SHARED_URL
        : SIMD_SHARED_URL
      : level === 'relaxed'
        ? RELAXED_URL
        : SIMD_URL;
    module = readBytes(url).then((bytes) => {
      if (!WebAssembly.validate(bytes)) {
        throw new Error(`wasm kernels: this runtime rejects the ${level} build (no WebAssembly SIMD?)`);
      }
      return WebAssembly.compile(bytes);
    });
    module.catch(() => compiled.delete(key));
    compiled.set(key, module);
  }
  return module;
}

export interface WasmKernelOptions {
  /** 'auto' (default): relaxed SIMD where the runtime validates it, else plain SIMD. */
  simd?: 'auto' | WasmSimdLevel;
  /** Upper bound of the kernels' memory; default 2048 MiB (the most 32-bit offsets address here). */
  maximumMemoryMiB?: number;
  /**
   * Threads for matmul and convolutions: default every core up to 8 where worker threads can share memory
   * (a cross-origin isolated page, or Node); 1 forces single-threaded. Where threads cannot run, the kernels
   * run single-threaded and `singleThreadReason` says why.
   */
  threads?: number;
  /**
   * Work (flops) below which a kernel runs on the calling thread alone, 16 times that while the workers
   * sleep (no job for 2 ms); tests pass 0 to split every op.
   */
  minParallelFlops?: number;
  /** The matmul tile to use; default: the faster of the two on this engine, timed once per process. */
  matmulTile?: MatmulTile;
}

/** Loads (once per process) and instantiates the kernels with a fresh memory and arena. */
export async function loadWasmKernels(options: WasmKernelOptions = {}): Promise<WasmKernels> {
  const wanted = options.simd ?? 'auto';
  const relaxedOk = supportsRelaxedSimd();
  if (wanted === 'relaxed' && !relaxedOk) {
    throw new Error('wasm kernels: relaxed SIMD requested but this runtime does not validate it');
  }
  const level: WasmSimdLevel = wanted === 'simd' || !relaxedOk ? 'simd' : 'relaxed';
  const maximumMiB = options.maximumMemoryMiB ?? 2048;
  if (!(maximumMiB >= 8 && maximumMiB <= 2048)) {
    throw new RangeError(`wasm kernels: maximumMemoryMiB must be within [8, 2048], got ${maximumMiB}`);
  }
  const asked = options.threads;
  if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1 && asked <= 64)) {
    throw new RangeError(`wasm kernels: threads must be an integer within [1, 64], got ${asked}`);
  }
  let threads = 1;
  let reason: string | null = null;
  if (asked === 1) {
    reason = 'one thread was asked for';
  } else {
    const support = await threadSupport();
    if (support.reason) reason = support.reason;
    else threads = asked ?? support.threads;
    // Each thread has its own matmul workspace and im2col chunk: keep them to a quarter of the memory.
    const fit = Math.max(1, Math.floor((maximumMiB * 2 ** 20) / 4 / THREAD_SCRATCH_BYTES));
    if (threads > fit) {
      threads = fit;
      if (fit === 1) reason = `the memory limit of ${maximumMiB} MiB leaves no room for per-thread scratch`;
    }
  }
  let memory: WebAssembly.Memory | null = null;
  if (threads > 1) {
    try {
      // A shared memory reserves its whole maximum up front, which a small address space may refuse.
      memory = new WebAssembly.Memory({ initial: 64, maximum: maximumMiB * 16, shared: true });
    } catch (error) {
      threads = 1;
      reason = `a ${maximumMiB} MiB shared memory could not be reserved (${(error as Error).message})`;
    }
  }
  const shared = memory !== null;
  memory ??= new WebAssembly.Memory({ initial: 64, maximum: maximumMiB * 16 });
  const module = await compile(level, shared);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_message: number, _file: number, line: number, column: number) {
        throw new Error(`wasm kernels aborted at line ${line}:${column}`);
      },
    },
  });
  const exports = instance.exports as unknown as KernelExports;
  const kernels = new WasmKernels(exports, memory, level, maximumMiB * 2 ** 20, threads, options.minParallelFlops);
  const buildKey = `${level}${shared ? '-shared' : ''}`;
  let tile = options.matmulTile ?? tileChoice.get(buildKey);
  if (!tile) {
    tile = kernels.fasterTile();
    tileChoice.set(buildKey, tile);
  }
  kernels.useTile(tile);
  if (shared) {
    try {
      const control = kernels.arena.alloc(CONTROL_BYTES, 'thread pool control block');
      const pool = await ThreadPool.start(
        threads,
        module,
        memory,
        control,
        instance.exports as Record<string, unknown>,
        PARALLEL_EXPORTS,
        [['setMatmulKernel', [MATMUL_TILES.indexOf(tile)]]],
      );
      kernels.usePool(pool);
    } catch (error) {
      kernels.usePool(null, `starting ${threads - 1} worker threads failed: ${(error as Error).message}`);
    }
  } else {
    kernels.usePool(null, reason);
  }
  return kernels;
}

function checkCount(op: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new RangeError(`wasm ${op}: ${what} must be a non-negative integer, got ${value}`);
  }
}

/**
 * The kernels with their memory and allocator. Every method takes byte offsets from `alloc` and element
 * counts; results are written in place before the method returns.
 */
export class WasmKernels {
  readonly arena: WasmArena;
  private readonly workspace: WasmPtr;
  /** 3 * MAX_RANK i32s: the binary kernel's shape and strides; also conv2d's 13 geometry fields. */
  private readonly dims: WasmPtr;
  /** conv2d's im2col chunk buffers (colsFloats per thread), allocated on first use and grown for larger filters. */
  private readonly cols: GrowingBuffer = { ptr: null, bytes: 0 };
  private colsFloats = 0;
  /** batchNorm's per-channel f64 sums. */
  private readonly channelSums: GrowingBuffer = { ptr: null, bytes: 0 };
  /** Bytes between one thread's matmul workspace and the next. */
  private readonly workspaceStride: number;
  /** The threaded filter gradient's per-piece partial sums (pieces - 1 of them). */
  private readonly partials: GrowingBuffer = { ptr: null, bytes: 0 };
  /** The threaded matmul's packed A (packedAFor). */
  private readonly packedA: GrowingBuffer = { ptr: null, bytes: 0 };
  /**
   * Three i32 counters, 64 bytes apart, that the threads of a job share: the convolutions hand out pieces
   * of work from the first (jobCounter), the threaded matmul uses all three (matmulSharedPart).
   */
  private readonly jobCounters: WasmPtr;
  private pool: ThreadPool | null = null;
  private readonly minParallelFlops: number;
  /** Threads the kernels use: 1, or the pool's size. */
  threads = 1;
  /** Why the kernels run single-threaded (null when multi-threaded). */
  singleThreadReason: string | null = null;
  /** The matmul's register tile (useTile). */
  matmulTile: MatmulTile = 'shuffles';

  constructor(
    private readonly ex: KernelExports,
    readonly memory: WebAssembly.Memory,
    /** Which build runs: 'relaxed' (fused multiply-add) or plain 'simd'. */
    readonly simd: WasmSimdLevel,
    maximumBytes: number,
    /** Threads that will run (each needs its own matmul workspace and im2col chunk). */
    private readonly maxThreads = 1,
    minParallelFlops = DEFAULT_MIN_PARALLEL_FLOPS,
  ) {
    this.arena = new WasmArena(memory, ex.heapBase(), maximumBytes);
    this.workspaceStride = Math.ceil(ex.matmulWorkspaceBytes() / 64) * 64;
    this.workspace = this.arena.alloc(this.workspaceStride * maxThreads, 'matmul packing workspaces');
    this.dims = this.arena.alloc(3 * MAX_RANK * 4, 'binary shape block');
    this.jobCounters = this.arena.alloc(192, 'thread job counters');
    this.minParallelFlops = minParallelFlops;
  }

  /** Sets the matmul tile on this instance (the pool's workers get it at start-up). */
  useTile(tile: MatmulTile): void {
    this.ex.setMatmulKernel(MATMUL_TILES.indexOf(tile));
    this.matmulTile = tile;
  }

  /**
   * Times the two matmul tiles on this thread, alternating (TILE_PROBE: A and B in L1, so only the inner
   * loop differs), and returns the faster by its best sample. The first rounds run the baseline compiler's
   * code for both alike; the best samples come after the optimising tier has taken over.
   */
  fasterTile(): MatmulTile {
    const { m, k, n, callsPerSample, minRounds, ms } = TILE_PROBE;
    const a = this.alloc(m * k, 'tile probe A');
    const b = this.alloc(k * n, 'tile probe B');
    const out = this.alloc(m * n, 'tile probe out');
    try {
      this.arena.f32(a, m * k).forEach((_, i, v) => (v[i] = ((i * 7) % 13) / 13 - 0.5));
      this.arena.f32(b, k * n).forEach((_, i, v) => (v[i] = ((i * 5) % 11) / 11 - 0.5));
      const best = MATMUL_TILES.map(() => Infinity);
      const started = performance.now();
      for (let round = 0; round < minRounds || performance.now() - started < ms; round++) {
        MATMUL_TILES.forEach((_, kind) => {
          this.ex.setMatmulKernel(kind);
          const t0 = performance.now();
          for (let i = 0; i < callsPerSample; i++) this.ex.matmul(a, b, out, m, k, n, 0, 0, 0, 0, this.workspace);
          best[kind] = Math.min(best[kind], performance.now() - t0);
        });
      }
      return MATMUL_TILES[best[1] < best[0] ? 1 : 0];
    } finally {
      this.free(a);
      this.free(b);
      this.free(out);
    }
  }

  /** Attaches the worker pool (or records why there is none). Called once by loadWasmKernels. */
  usePool(pool: ThreadPool | null, reason: string | null = null): void {
    this.pool = pool;
    this.threads = pool ? pool.size : 1;
    this.singleThreadReason = pool ? null : (reason ?? 'one thread was asked for');
  }

  /** Stops the worker threads; the kernels go on single-threaded on the calling thread. */
  stopThreads(): void {
    if (!this.pool) return;
    this.pool.destroy();
    this.usePool(null, 'the worker threads were stopped');
  }

  /** The pool when a kernel of `flops` is worth splitting, else null (see DEFAULT_MIN_PARALLEL_FLOPS). */
  private poolFor(flops: number): ThreadPool | null {
    const pool = this.pool;
    if (!pool || flops < this.minParallelFlops) return null;
    return pool.spinning || flops >= COLD_FACTOR * this.minParallelFlops ? pool : null;
  }

  /** Storage for `length` 4-byte elements (f32 or i32). */
  alloc(length: number, what: string): WasmPtr {
    checkCount('alloc', `element count of ${what}`, length);
    return this.arena.alloc(length * 4, what);
  }

  free(ptr: WasmPtr): void {
    this.arena.free(ptr);
  }

  write(ptr: WasmPtr, data: Float32Array | Int32Array): void {
    this.checkSpan('write', 'destination', ptr, data.length);
    new Uint8Array(this.memory.buffer, ptr, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  }

  /** A copy of `length` f32s at `ptr`. */
  readF32(ptr: WasmPtr, length: number): Float32Array {
    this.checkSpan('read', 'source', ptr, length);
    return this.arena.f32(ptr, length).slice();
  }

  /** A copy of `length` i32s at `ptr`. */
  readI32(ptr: WasmPtr, length: number): Int32Array {
    this.checkSpan('read', 'source', ptr, length);
    return this.arena.i32(ptr, length).slice();
  }

  /** out[m,n] = act(op(A) @ op(B) + bias); see PrimitiveArgs.matmul. `out` must not overlap a or b. */
  matmul({ a, b, out, m, k, n, transA, transB, bias, activation }: Args<'matmul'>): void {
    const shape = `m=${m} k=${k} n=${n}`;
    for (const [what, v] of [
      ['m', m],
      ['k', k],
      ['n', n],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`wasm matmul (${shape}): ${what} must be >= 1`);
    }
    this.checkSpan('matmul', `a [${transA ? `${k},${m}` : `${m},${k}`}]`, a, m * k);
    this.checkSpan('matmul', `b [${transB ? `${n},${k}` : `${k},${n}`}]`, b, k * n);
    this.checkSpan('matmul', `out [${m},${n}]`, out, m * n);
    if (bias !== undefined) this.checkSpan('matmul', `bias [${n}]`, bias, n);
    if (overlaps(out, m * n, a, m * k) || overlaps(out, m * n, b, k * n)) {
      throw new Error(`wasm matmul (${shape}): out overlaps an input`);
    }
    const relu = +(activation === 'relu');
    const pool = this.poolFor(2 * m * k * n);
    const packed = pool ? this.packedAFor(this.ex.matmulSharedBytes(m, k, n, pool.size)) : null;
    if (pool && packed !== null) {
      // Columns handed out as the threads free up, A packed once by all of them: see matmulSharedPart.
      this.arena.i32(this.jobCounters, 48).fill(0);
      const args = [a, b, out, m, k, n, +transA, +transB, bias ?? 0, relu];
      pool.run(JOB_MATMUL_SHARED, [...args, packed, this.jobCounters, this.workspace, this.workspaceStride]);
    } else if (pool) {
      const args = [a, b, out, m, k, n, +transA, +transB, bias ?? 0, relu, this.workspace, this.workspaceStride];
      pool.run(JOB_MATMUL, args);
    } else {
      this.ex.matmul(a, b, out, m, k, n, +transA, +transB, bias ?? 0, relu, this.workspace);
    }
  }

  /** out = f(x). */
  unary({ op, x, out, length, alpha }: Args<'unary'>): void {
    this.checkSpan(`unary ${op}`, 'x', x, length);
    this.checkSpan(`unary ${op}`, 'out', out, length);
    const pool = this.poolFor(length * ELEMENT_FLOPS);
    if (pool) pool.run(JOB_UNARY, [UNARY_CODES[op], x, out, length, alpha]);
    else this.ex.unary(UNARY_CODES[op], x, out, length, alpha);
  }

  /** dx = dy * f'(x), y = f(x). */
  unaryBackward({ op, x, y, dy, dx, length, alpha }: Args<'unaryBackward'>): void {
    for (const [what, ptr] of [
      ['x', x],
      ['y', y],
      ['dy', dy],
      ['dx', dx],
    ] as const) {
      this.checkSpan(`unaryBackward ${op}`, what, ptr, length);
    }
    const pool = this.poolFor(length * ELEMENT_FLOPS);
    if (pool) pool.run(JOB_UNARY_BACKWARD, [UNARY_CODES[op], x, y, dy, dx, length, alpha]);
    else this.ex.unaryBackward(UNARY_CODES[op], x, y, dy, dx, length, alpha);
  }

  /** out[i] = a[.] op b[.] over `shape` (rank <= 6) with element strides (0 on broadcast axes). */
  binary({ op, a, b, out, shape, aStrides, bStrides }: Args<'binary'>): void {
    const name = `binary ${op} [${shape.join(',')}]`;
    if (shape.length > MAX_RANK || aStrides.length !== shape.length || bStrides.length !== shape.length) {
      throw new RangeError(
        `wasm ${name}: rank must be <= ${MAX_RANK} with one stride per axis, got strides ` +
          `[${aStrides.join(',')}] and [${bStrides.join(',')}]`,
      );
    }
    shape.forEach((s, d) => checkCount(name, `shape[${d}]`, s));
    const total = shape.reduce((x, y) => x * y, 1);
    if (total === 0) return;
    const span = (strides: number[]) => 1 + shape.reduce((acc, s, d) => acc + (s - 1) * strides[d], 0);
    this.checkSpan(name, 'a', a, span(aStrides));
    this.checkSpan(name, 'b', b, span(bStrides));
    this.checkSpan(name, 'out', out, total);
    const merged = mergeAxes(shape, aStrides, bStrides);
    const rank = merged.shape.length;
    const dims = this.arena.i32(this.dims, 3 * rank);
    dims.set(merged.shape, 0);
    dims.set(merged.aStrides, rank);
    dims.set(merged.bStrides, 2 * rank);
    this.ex.binary(BINARY_CODES[op], a, b, out, rank, this.dims);
  }

  /** out = x op value (rsub: value - x). */
  scalar({ op, x, out, length, value }: Args<'scalar'>): void {
    this.checkSpan(`scalar ${op}`, 'x', x, length);
    this.checkSpan(`scalar ${op}`, 'out', out, length);
    this.ex.scalar(SCALAR_CODES[op], x, out, length, value);
  }

  /** Reduces the middle axis of x [outer, size, inner] into out [outer, inner]. */
  reduce({ op, x, out, outer, size, inner }: Args<'reduce'>): void {
    const name = `reduce ${op} [${outer},${size},${inner}]`;
    checkCount(name, 'outer', outer);
    checkCount(name, 'inner', inner);
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`wasm ${name}: size must be >= 1`);
    this.checkSpan(name, 'x', x, outer * size * inner);
    this.checkSpan(name, 'out', out, outer * inner);
    this.ex.reduce(REDUCE_CODES[op], x, out, outer, size, inner);
  }

  softmax({ x, out, rows, cols, log }: Args<'softmax'>): void {
    const name = `softmax [${rows},${cols}]`;
    this.checkSpan(name, 'x', x, rows * cols);
    this.checkSpan(name, 'out', out, rows * cols);
    this.ex.softmax(x, out, rows, cols, +log);
  }

  softmaxBackward({ y, dy, dx, rows, cols, log }: Args<'softmaxBackward'>): void {
    const name = `softmaxBackward [${rows},${cols}]`;
    for (const [what, ptr] of [
      ['y', y],
      ['dy', dy],
      ['dx', dx],
    ] as const)
      this.checkSpan(name, what, ptr, rows * cols);
    this.ex.softmaxBackward(y, dy, dx, rows, cols, +log);
  }

  /** Fused softmax cross-entropy; labels are i32; metrics (optional) accumulate [loss sum, correct] at slot. */
  softmaxCrossEntropy(args: Args<'softmaxCrossEntropy'>): void {
    const { logits, labels, rows, cols, dlogits, lossPerRow, metrics, metricsSlot } = args;
    const name = `softmaxCrossEntropy [${rows},${cols}]`;
    if (!(rows >= 1 && cols >= 1)) throw new RangeError(`wasm ${name}: rows and cols must be >= 1`);
    this.checkSpan(name, 'logits', logits, rows * cols);
    this.checkSpan(name, 'dlogits', dlogits, rows * cols);
    this.checkSpan(name, 'labels', labels, rows);
    this.checkSpan(name, 'lossPerRow', lossPerRow, rows);
    if (metrics !== undefined) this.checkSpan(name, 'metrics', metrics, 2 * metricsSlot + 2);
    this.ex.softmaxCrossEntropy(logits, labels, rows, cols, dlogits, lossPerRow, metrics ?? 0, metricsSlot);
  }

  sgdUpdate({ param, grad, velocity, length, hyper }: OptimArgs<'sgdUpdate'>): void {
    this.checkSpan('sgdUpdate', 'param', param, length);
    this.checkSpan('sgdUpdate', 'grad', grad, length);
    if (velocity !== undefined) this.checkSpan('sgdUpdate', 'velocity', velocity, length);
    const { lr, l2, l1, momentum, nesterov } = hyper;
    const args = [param, grad, velocity ?? 0, length, lr, l2, l1, momentum, +nesterov];
    const pool = this.poolFor(length * ELEMENT_FLOPS);
    if (pool) pool.run(JOB_SGD, args);
    else this.ex.sgdUpdate(param, grad, velocity ?? 0, length, lr, l2, l1, momentum, +nesterov);
  }

  adamUpdate({ param, grad, m, v, length, hyper }: OptimArgs<'adamUpdate'>): void {
    for (const [what, ptr] of [
      ['param', param],
      ['grad', grad],
      ['m', m],
      ['v', v],
    ] as const) {
      this.checkSpan('adamUpdate', what, ptr, length);
    }
    const { lr, l2, l1, beta1, beta2, beta1Power, beta2Power, eps } = hyper;
    // Complements in f64 here: in f32 inside the kernel, 1 - f32(0.999) is 1.3e-5 off (relative).
    const args = [param, grad, m, v, length, lr, l2, l1, beta1, 1 - beta1, beta2, 1 - beta2];
    args.push(1 - beta1Power, 1 - beta2Power, eps);
    const pool = this.poolFor(length * ELEMENT_FLOPS);
    if (pool) pool.run(JOB_ADAM, args);
    else (this.ex.adamUpdate as (...a: number[]) => void)(...args);
  }

  rmspropUpdate({ param, grad, meanSquare, length, hyper }: OptimArgs<'rmspropUpdate'>): void {
    for (const [what, ptr] of [
      ['param', param],
      ['grad', grad],
      ['meanSquare', meanSquare],
    ] as const) {
      this.checkSpan('rmspropUpdate', what, ptr, length);
    }
    const { lr, l2, l1, rho, eps } = hyper;
    const pool = this.poolFor(length * ELEMENT_FLOPS);
    if (pool) pool.run(JOB_RMSPROP, [param, grad, meanSquare, length, lr, l2, l1, rho, 1 - rho, eps]);
    else this.ex.rmspropUpdate(param, grad, meanSquare, length, lr, l2, l1, rho, 1 - rho, eps);
  }

  /** Inverted dropout: the same keep decisions as the cpu and webgpu backends (hash of seed, step, index). */
  dropout({ x, out, mask, length, rate, seed, step }: Args<'dropout'>): void {
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`wasm dropout: rate must be in [0, 1), got ${rate}`);
    for (const [what, ptr] of [
      ['x', x],
      ['out', out],
      ['mask', mask],
    ] as const)
      this.checkSpan('dropout', what, ptr, length);
    // The u32 threshold below which an element drops, as in src/engine/backend/cpu/dropout-hash.ts.
    const threshold = Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32));
    this.ex.dropout(x, out, mask, length, threshold >>> 0, 1 / (1 - rate), seed >>> 0, step >>> 0);
  }

  fill({ out, length, value }: Args<'fill'>): void {
    this.checkSpan('fill', 'out', out, length);
    this.ex.fill(out, length, value);
  }

  copy({ src, dst, length }: Args<'copy'>): void {
    this.checkSpan('copy', 'src', src, length);
    this.checkSpan('copy', 'dst', dst, length);
    this.ex.copy(src, dst, length);
  }

  /** out [batch, outH, outW, outC] = act(conv2d(x NHWC, filter [kh, kw, inC, outC] HWIO) + bias). */
  conv2d({ x, filter, bias, out, geometry: g, activation }: Args<'conv2d'>): void {
    const name = this.windowSetup('conv2d', g, g.outC);
    this.checkSpan(name, 'x', x, g.batch * g.inH * g.inW * g.inC);
    this.checkSpan(name, 'filter', filter, g.kh * g.kw * g.inC * g.outC);
    if (bias !== undefined) this.checkSpan(name, 'bias', bias, g.outC);
    this.checkSpan(name, 'out', out, g.batch * g.outH * g.outW * g.outC);
    const cols = this.im2colBuffer(g.kh * g.kw * g.inC);
    const relu = +(activation === 'relu');
    const pool = this.poolFor(convFlops(g));
    if (pool) {
      const args = [this.dims, x, filter, bias ?? 0, relu, out, cols, this.colsFloats, this.workspace];
      pool.run(JOB_CONV, [...args, this.workspaceStride, this.jobCounter()]);
    } else {
      this.ex.conv2d(this.dims, x, filter, bias ?? 0, relu, out, cols, this.colsFloats, this.workspace);
    }
  }

  /** dFilter [kh, kw, inC, outC] = sum over pixels of x-patch^T dy (overwrites dFilter). */
  conv2dBackwardFilter({ x, dy, dFilter, geometry: g }: Args<'conv2dBackwardFilter'>): void {
    const name = this.windowSetup('conv2dBackwardFilter', g, g.outC);
    this.checkSpan(name, 'x', x, g.batch * g.inH * g.inW * g.inC);
    this.checkSpan(name, 'dy', dy, g.batch * g.outH * g.outW * g.outC);
    this.checkSpan(name, 'dFilter', dFilter, g.kh * g.kw * g.inC * g.outC);
    const cols = this.im2colBuffer(g.kh * g.kw * g.inC);
    const pool = this.poolFor(convFlops(g));
    if (pool) {
      const size = g.kh * g.kw * g.inC * g.outC;
      const pixels = g.batch * g.outH * g.outW;
      // Pieces handed out as threads free up, each summed into its own slot: up to 8 per thread, fewer
      // where the slots would pass MAX_FILTER_PARTIAL_FLOATS, at least one per thread.
      const perThread = Math.max(1, Math.min(8, Math.floor(MAX_FILTER_PARTIAL_FLOATS / size / pool.size)));
      const perPiece = Math.ceil(pixels / (perThread * pool.size));
      const pieces = Math.ceil(pixels / perPiece);
      const partials = this.partialSums(size * Math.max(1, pieces - 1));
      const args = [this.dims, x, dy, dFilter, partials, pieces, cols, this.colsFloats, this.workspace];
      pool.run(JOB_CONV_FILTER, [...args, this.workspaceStride, this.jobCounter()]);
      this.ex.addPartials(dFilter, partials, pieces - 1, size);
    } else {
      this.ex.conv2dBackwardFilter(this.dims, x, dy, dFilter, cols, this.colsFloats, this.workspace);
    }
  }

  /** dx [batch, inH, inW, inC] = the adjoint of conv2d applied to dy (overwrites dx). */
  conv2dBackwardInput({ dy, filter, dx, geometry: g }: Args<'conv2dBackwardInput'>): void {
    const name = this.windowSetup('conv2dBackwardInput', g, g.outC);
    this.checkSpan(name, 'dy', dy, g.batch * g.outH * g.outW * g.outC);
    this.checkSpan(name, 'filter', filter, g.kh * g.kw * g.inC * g.outC);
    this.checkSpan(name, 'dx', dx, g.batch * g.inH * g.inW * g.inC);
    const cols = this.im2colBuffer(g.kh * g.kw * g.inC);
    const pool = this.poolFor(convFlops(g));
    if (pool) {
      const args = [this.dims, dy, filter, dx, cols, this.colsFloats, this.workspace, this.workspaceStride];
      pool.run(JOB_CONV_INPUT, [...args, this.jobCounter()]);
    } else {
      this.ex.conv2dBackwardInput(this.dims, dy, filter, dx, cols, this.colsFloats, this.workspace);
    }
  }

  /**
   * The pool for a max-pool job, whose threads take whole images (none for one image): an input element
   * counts as ELEMENT_FLOPS of work, as in element-wise ops.
   */
  private imagesPool(g: Args<'maxPool'>['geometry']): ThreadPool | null {
    return g.batch > 1 ? this.poolFor(g.batch * g.inH * g.inW * g.inC * ELEMENT_FLOPS) : null;
  }

  /** out = max over each window's in-bounds taps; argmax (i32) = flat index into x of the first maximum. */
  maxPool({ x, out, argmax, geometry: g }: Args<'maxPool'>): void {
    const name = this.windowSetup('maxPool', g, g.inC);
    this.checkSpan(name, 'x', x, g.batch * g.inH * g.inW * g.inC);
    this.checkSpan(name, 'out', out, g.batch * g.outH * g.outW * g.inC);
    this.checkSpan(name, 'argmax', argmax, g.batch * g.outH * g.outW * g.inC);
    const pool = this.imagesPool(g);
    if (pool) pool.run(JOB_MAX_POOL, [this.dims, x, out, argmax]);
    else this.ex.maxPool(this.dims, x, out, argmax);
  }

  /** dx = 0; dx[argmax[o]] += dy[o] (argmax from maxPool: each output's maximum lies in its own image). */
  maxPoolBackward({ dy, argmax, dx, geometry: g }: Args<'maxPoolBackward'>): void {
    const name = this.windowSetup('maxPoolBackward', g, g.inC);
    this.checkSpan(name, 'dy', dy, g.batch * g.outH * g.outW * g.inC);
    this.checkSpan(name, 'argmax', argmax, g.batch * g.outH * g.outW * g.inC);
    this.checkSpan(name, 'dx', dx, g.batch * g.inH * g.inW * g.inC);
    const pool = this.imagesPool(g);
    if (pool) pool.run(JOB_MAX_POOL_BACKWARD, [this.dims, dy, argmax, dx]);
    else this.ex.maxPoolBackward(this.dims, dy, argmax, dx);
  }

  /** out = mean of each window's in-bounds taps. */
  avgPool({ x, out, geometry: g }: Args<'avgPool'>): void {
    const name = this.windowSetup('avgPool', g, g.inC);
    this.checkSpan(name, 'x', x, g.batch * g.inH * g.inW * g.inC);
    this.checkSpan(name, 'out', out, g.batch * g.outH * g.outW * g.inC);
    this.ex.avgPool(this.dims, x, out);
  }

  /** dx = 0; each in-bounds tap of window o gets dy[o] / (its window's tap count). */
  avgPoolBackward({ dy, dx, geometry: g }: Args<'avgPoolBackward'>): void {
    const name = this.windowSetup('avgPoolBackward', g, g.inC);
    this.checkSpan(name, 'dy', dy, g.batch * g.outH * g.outW * g.inC);
    this.checkSpan(name, 'dx', dx, g.batch * g.inH * g.inW * g.inC);
    this.ex.avgPoolBackward(this.dims, dy, dx);
  }

  /** Batch norm over x [rows, channels]; see PrimitiveArgs.batchNorm (running averages updated in place). */
  batchNorm(a: Args<'batchNorm'>): void {
    const { rows, channels } = a;
    const name = `batchNorm [${rows},${channels}]`;
    this.checkSpan(name, 'x', a.x, rows * channels);
    this.checkSpan(name, 'out', a.out, rows * channels);
    const perChannel = [
      ['gamma', a.gamma],
      ['beta', a.beta],
      ['runningMean', a.runningMean],
      ['runningVar', a.runningVar],
      ['mean', a.mean],
      ['invStd', a.invStd],
    ] as const;
    for (const [what, ptr] of perChannel) this.checkSpan(name, what, ptr, channels);
    this.ex.batchNorm(
      a.x,
      a.gamma,
      a.beta,
      a.runningMean,
      a.runningVar,
      a.out,
      a.mean,
      a.invStd,
      rows,
      channels,
      a.epsilon,
      a.momentum,
      +a.training,
      this.channelScratch(channels),
    );
  }

  /** dx, dGamma, dBeta of batchNorm from dy and the statistics the forward pass used. */
  batchNormBackward(a: Args<'batchNormBackward'>): void {
    const { rows, channels } = a;
    const name = `batchNormBackward [${rows},${channels}]`;
    for (const [what, ptr] of [
      ['x', a.x],
      ['dy', a.dy],
      ['dx', a.dx],
    ] as const)
      this.checkSpan(name, what, ptr, rows * channels);
    const perChannel = [
      ['gamma', a.gamma],
      ['mean', a.mean],
      ['invStd', a.invStd],
      ['dGamma', a.dGamma],
      ['dBeta', a.dBeta],
    ] as const;
    for (const [what, ptr] of perChannel) this.checkSpan(name, what, ptr, channels);
    this.ex.batchNormBackward(
      a.x,
      a.dy,
      a.gamma,
      a.mean,
      a.invStd,
      a.dx,
      a.dGamma,
      a.dBeta,
      rows,
      channels,
      +a.training,
      this.channelScratch(channels),
    );
  }

  /**
   * Checks a convolution or pooling geometry and writes it to the parameter block (13 i32s; pooling passes
   * its channel count as outC). Returns the op's name with its shapes, for error messages.
   */
  private windowSetup(op: string, g: Pool2dGeometry, outC: number): string {
    const name = `${op} x [${g.batch},${g.inH},${g.inW},${g.inC}] window ${g.kh}x${g.kw}`;
    const fields = [
      g.batch,
      g.inH,
      g.inW,
      g.inC,
      outC,
      g.kh,
      g.kw,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.outH,
      g.outW,
    ];
    const positive = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12];
    fields.forEach((v, i) => {
      if (!Number.isInteger(v) || v < (positive.includes(i) ? 1 : 0)) {
        throw new RangeError(`wasm ${name}: bad geometry ${JSON.stringify({ ...g, outC })}`);
      }
    });
    if (
      (g.outH - 1) * g.strideH + g.kh > g.inH + g.padTop + g.padBottom ||
      (g.outW - 1) * g.strideW + g.kw > g.inW + g.padLeft + g.padRight
    ) {
      throw new RangeError(`wasm ${name}: output ${g.outH}x${g.outW} needs windows beyond the padded input`);
    }
    this.arena.i32(this.dims, fields.length).set(fields);
    return name;
  }

  /** The first counter of jobCounters, zeroed for the next job: its address. */
  private jobCounter(): WasmPtr {
    this.arena.i32(this.jobCounters, 1)[0] = 0;
    return this.jobCounters;
  }

  /**
   * Room for a threaded matmul's packed A (`bytes`; 0 when the product is not split that way), grown on
   * demand and kept; null where there is none, or it would pass MAX_PACKED_BYTES or the memory limit: the
   * matmul then splits the fixed way (matmulPart).
   */
  private packedAFor(bytes: number): WasmPtr | null {
    if (bytes === 0 || bytes > MAX_PACKED_BYTES) return null;
    try {
      return this.grow(this.packedA, bytes, 'matmul packed A');
    } catch (error) {
      if (error instanceof WasmMemoryError) return null;
      throw error;
    }
  }

  /** `floats` of scratch for the filter gradient's per-piece partial sums. */
  private partialSums(floats: number): WasmPtr {
    return this.grow(this.partials, floats * 4, 'conv2d filter gradient partial sums');
  }

  /**
   * The im2col chunk buffers, one per thread (thread t's at cols + t * colsFloats floats), each at least
   * CONV_CHUNK_FLOATS and one window row of `kSize` floats.
   */
  private im2colBuffer(kSize: number): WasmPtr {
    const wanted = Math.max(CONV_CHUNK_FLOATS, kSize);
    const floats = Math.max(this.colsFloats, wanted);
    const cols = this.grow(this.cols, floats * 4 * this.maxThreads, 'conv2d im2col chunks');
    this.colsFloats = floats;
    return cols;
  }

  /** 2 * channels f64 of scratch for batch norm's per-channel sums. */
  private channelScratch(channels: number): WasmPtr {
    return this.grow(this.channelSums, 16 * channels, 'batchNorm channel sums');
  }

  /**
   * `buffer`'s storage, reallocated when it holds fewer than `bytes` (the old storage freed first, so that
   * a failed allocation leaves none behind), else kept as it is.
   */
  private grow(buffer: GrowingBuffer, bytes: number, what: string): WasmPtr {
    if (buffer.ptr === null || buffer.bytes < bytes) {
      if (buffer.ptr !== null) this.arena.free(buffer.ptr);
      buffer.ptr = null;
      buffer.bytes = 0;
      buffer.ptr = this.arena.alloc(bytes, what);
      buffer.bytes = bytes;
    }
    return buffer.ptr;
  }

  /** Throws naming the op and operand unless `length` elements at `ptr` lie inside one allocation. */
  private checkSpan(op: string, what: string, ptr: WasmPtr, length: number): void {
    checkCount(op, `length of ${what}`, length);
    const size = this.arena.sizeOf(ptr);
    if (size === undefined) {
      throw new Error(`wasm ${op}: ${what} (${ptr}) is not a live allocation of these kernels`);
    }
    if (length * 4 > size) {
      throw new RangeError(`wasm ${op}: ${what} needs ${length} elements but its buffer holds ${size / 4}`);
    }
  }
}

/** Multiply-adds of a convolution (the same for its two gradients), times two. */
function convFlops(g: Pool2dGeometry & { outC: number }): number {
  return 2 * g.batch * g.outH * g.outW * g.kh * g.kw * g.inC * g.outC;
}

function overlaps(p: number, lengthP: number, q: number, lengthQ: number): boolean {
  return p < q + 4 * lengthQ && q < p + 4 * lengthP;
}

/**
 * Drops size-1 axes and merges neighbours that are contiguous in the output and in both inputs, so the
 * kernel's innermost loop is as long as possible ([128, 500] + [500] stays 2-D; [128, 500] + [128, 500]
 * becomes one axis of 64 000).
 */
export function mergeAxes(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const s: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = s.length - 1;
    if (last >= 0 && as[last] === aStrides[d] * size && bs[last] === bStrides[d] * size) {
      s[last] *= size;
      as[last] = aStrides[d];
      bs[last] = bStrides[d];
    } else {
      s.push(size);
      as.push(aStrides[d]);
      bs.push(bStrides[d]);
    }
  });
  if (s.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return { shape: s, aStrides: as, bStrides: bs };
}
