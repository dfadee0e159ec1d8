// The wasm kernels' thread pool: `threads - 1` workers, each with its own instance of the shared-memory
// kernel build on the one WebAssembly.Memory of the calling thread's instance. A job (a `*Part` export and
// its numeric arguments) is posted through a control block in that memory: the caller writes the
// arguments, bumps the sequence number and wakes the workers (Atomics.notify; a worker spins for a job
// for WORKER_SPIN_MS after its last one before it sleeps), computes share 0 itself, then spins (after
// DONE_SPIN_MS: waits, Atomics.wait) until every worker has counted itself done. Calls stay synchronous,
// which the engine needs; Atomics.wait is allowed in workers and in Node, and the backend never runs on a
// page's main thread. Browser workers come from thread.worker.ts (a Vite module worker); Node uses worker_threads
// with thread-loop.ts's source as the worker's code.
import type * as WorkerThreads from 'node:worker_threads';
import type * as Os from 'node:os';
import { threadLoop, type ThreadInit } from './thread-loop';

/** Whether this thread may block in Atomics.wait: workers and Node may; a browser page's main thread not. */
const CAN_BLOCK = typeof window === 'undefined';

/** Most arguments a job may have (adamUpdatePart has 15 before thread and threads). */
const MAX_ARGS = 24;
/** Control block layout (see thread-loop.ts): 8 i32 then MAX_ARGS f64 arguments. */
export const CONTROL_BYTES = 32 + MAX_ARGS * 8;
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const OP = 3;
const ARGC = 4;
const THREADS = 5;
const QUIT = 6;
/**
 * How long a worker spins for the next job after one before it sleeps in Atomics.wait. The ops of a
 * training step come a fraction of a millisecond apart, and waking a sleeping thread (a futex wake; on a
 * virtual machine also the wake of an idle virtual core) costs 50-250 us here, more than a 2 MFlop
 * matmul's whole share (measured: 2 MFlop on 2 threads 142 us with sleeping workers, 60 us with spinning
 * ones, 95 us on one thread). Bounded, so that an idle pool gives its cores back.
 */
export const WORKER_SPIN_MS = 2;
/** How long the calling thread spins for the workers' shares before it sleeps. */
const DONE_SPIN_MS = 5;
/** A worker that has not finished its share in this long has died or hangs. */
const JOB_TIMEOUT_MS = 120_000;
/** Most threads the default picks: past this the kernels' memory bandwidth, not cores, limits. */
export const MAX_DEFAULT_THREADS = 8;

/** Why multi-threading is or is not available here. */
export interface ThreadSupport {
  /** Threads to use by default (1 when `reason` is set). */
  threads: number;
  /** Why the backend runs single-threaded, for people ("the page is not cross-origin isolated"). */
  reason?: string;
}

const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** What decides the thread count: read from the runtime by threadSupport(). */
export interface ThreadFacts {
  sharedArrayBuffer: boolean;
  /** Node (worker_threads) rather than a browser. */
  node: boolean;
  /** A browser's Worker constructor exists (in a worker, too). */
  worker: boolean;
  /** The browser's crossOriginIsolated (undefined in Node). */
  crossOriginIsolated?: boolean;
  cores: number;
}

const NOT_ISOLATED = 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable';

/** The default thread count for `facts`, and why it is 1 when it is. */
export function decideThreads(facts: ThreadFacts): ThreadSupport {
  if (!facts.node && facts.crossOriginIsolated !== true) return { threads: 1, reason: NOT_ISOLATED };
  if (!facts.sharedArrayBuffer) return { threads: 1, reason: 'this runtime has no SharedArrayBuffer' };
  if (!facts.node && !facts.worker) return { threads: 1, reason: 'this runtime cannot start workers' };
  if (facts.cores <= 1) return { threads: 1, reason: 'this machine reports one core' };
  return { threads: Math.min(facts.cores, MAX_DEFAULT_THREADS) };
}

/** Whether worker threads with a shared memory can run here, and how many cores there are. */
export async function threadSupport(): Promise<ThreadSupport> {
  const node = isNode();
  let cores = 1;
  if (node) {
    const osModule = 'node:os';
    const os = (await import(/* @vite-ignore */ osModule)) as typeof Os;
    cores = os.availableParallelism?.() ?? os.cpus().length;
  } else if (typeof navigator !== 'undefined') {
    cores = navigator.hardwareConcurrency || 1;
  }
  return decideThreads({
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined' && typeof Atomics !== 'undefined',
    node,
    worker: typeof Worker !== 'undefined',
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
    cores,
  });
}

/** The one thing the pool needs of a worker, in the browser and in Node. */
interface ThreadHandle {
  post(init: ThreadInit): void;
  terminate(): void;
}

/** Starts one worker and resolves once it has instantiated the kernels. */
async function startWorker(init: ThreadInit): Promise<ThreadHandle> {
  if (isNode()) return startNodeWorker(init);
  // Static options: Vite reads them when it bundles the worker.
  const worker = new Worker(new URL('./thread.worker.ts', import.meta.url), { type: 'module', name: 'wasm thread' });
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ ready?: boolean; error?: string }>) =>
      e.data.ready ? resolve() : reject(new Error(`wasm thread ${init.index}: ${e.data.error}`));
    worker.onerror = (e) => reject(new Error(`wasm thread ${init.index} failed to start: ${e.message}`));
    worker.postMessage(init);
  });
  return { post: (m) => worker.postMessage(m), terminate: () => worker.terminate() };
}

async function startNodeWorker(init: ThreadInit): Promise<ThreadHandle> {
  const moduleName = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ moduleName)) as typeof WorkerThreads;
  const source =
    `const { parentPort } = require('node:worker_threads');\n` +
    `const threadLoop = ${threadLoop.toString()};\n` +
    `parentPort.once('message', (init) => {\n` +
    `  try { threadLoop(init, () => parentPort.postMessage({ ready: true })); }\n` +
    `  catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); }\n` +
    `});\n`;
  const worker = new NodeWorker(source, { eval: true, name: `wasm thread ${init.index}` });
  worker.unref();
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready?: boolean; error?: string }) =>
      m.ready ? resolve() : reject(new Error(`wasm thread ${init.index}: ${m.error}`)),
    );
    worker.once('error', (e) => reject(new Error(`wasm thread ${init.index} failed to start: ${e.message}`)));
    worker.postMessage(init);
  });
  return { post: (m) => worker.postMessage(m), terminate: () => void worker.terminate() };
}

export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private destroyed = false;
  /** performance.now() when the last job finished: the workers spin for WORKER_SPIN_MS after it. */
  private lastJobEndMs = Number.NEGATIVE_INFINITY;

  private constructor(
    private readonly workers: ThreadHandle[],
    private readonly fns: ((...args: number[]) => void)[],
    private readonly names: string[],
    memory: WebAssembly.Memory,
    control: number,
  ) {
    this.i32 = new Int32Array(memory.buffer, control, 8);
    this.f64 = new Float64Array(memory.buffer, control + 32, MAX_ARGS);
  }

  /**
   * Starts `threads - 1` workers on `memory` (which must be shared) with `module` (the shared build).
   * `control` is CONTROL_BYTES of that memory; `names` the exports jobs may run, whose last two parameters
   * are (thread, threads); `exports` the calling thread's instance; `setup` the exports each worker calls
   * once after instantiating (settings the calling thread's instance already has).
   */
  static async start(
    threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    control: number,
    exports: Record<string, unknown>,
    names: string[],
    setup: ThreadInit['setup'] = [],
  ): Promise<ThreadPool> {
    new Int32Array(memory.buffer, control, 8).fill(0);
    const started = await Promise.allSettled(
      Array.from({ length: threads - 1 }, (_, i) =>
        startWorker({ module, memory, control, index: i + 1, names, spinMs: WORKER_SPIN_MS, setup }),
      ),
    );
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const w of workers) w.terminate();
      throw (failed as PromiseRejectedResult).reason;
    }
    const fns = names.map((name) => exports[name] as (...args: number[]) => void);
    return new ThreadPool(workers, fns, names, memory, control);
  }

  /**
   * Whether the workers are still spinning after the last job (with a margin), so that a job now starts
   * without waking them.
   */
  get spinning(): boolean {
    return performance.now() - this.lastJobEndMs < 0.75 * WORKER_SPIN_MS;
  }

  /** Threads in the pool, the calling thread included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs export `names[op]` with `args` then (thread, threads) on `threads` threads (<= size), the calling
   * thread taking share 0; returns when every share is done. Throws if a share failed.
   */
  run(op: number, args: number[], threads = this.size): void {
    if (this.destroyed) throw new Error('wasm thread pool: used after destroy()');
    if (args.length > MAX_ARGS) {
      throw new RangeError(`wasm thread pool: ${this.names[op]} has more than ${MAX_ARGS} arguments`);
    }
    const { i32, f64 } = this;
    for (let i = 0; i < args.length; i++) f64[i] = args[i];
    i32[OP] = op;
    i32[ARGC] = args.length;
    i32[THREADS] = threads;
    Atomics.store(i32, DONE, 0);
    Atomics.store(i32, FAILED, 0);
    Atomics.add(i32, SEQ, 1);
    Atomics.notify(i32, SEQ);
    let own: unknown = null;
    try {
      this.fns[op](...args, 0, threads);
    } catch (error) {
      own = error;
    }
    const want = this.workers.length;
    const started = performance.now();
    for (;;) {
      const done = Atomics.load(i32, DONE);
      if (done >= want) break;
      // The shares are equal, so the workers finish about when this thread does: spin for them rather
      // than sleep and pay a wake-up (see WORKER_SPIN_MS). A page's main thread may not block
      // (Atomics.wait throws there) and spins throughout; the app never runs the engine there.
      if (CAN_BLOCK && performance.now() - started > DONE_SPIN_MS) Atomics.wait(i32, DONE, done, 1000);
      if (performance.now() - started > JOB_TIMEOUT_MS) {
        throw new Error(`wasm thread pool: ${this.names[op]} did not finish on all threads within 2 minutes`);
      }
    }
    this.lastJobEndMs = performance.now();
    if (own) throw own;
    const failures = Atomics.load(i32, FAILED);
    if (failures > 0) {
      throw new Error(`wasm thread pool: ${this.names[op]} failed on ${failures} worker thread(s)`);
    }
  }

  /** Stops the workers. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    Atomics.store(this.i32, QUIT, 1);
    Atomics.add(this.i32, SEQ, 1);
    Atomics.notify(this.i32, SEQ);
    for (const w of this.workers) w.terminate();
  }
}
