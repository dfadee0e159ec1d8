// The body of one worker thread of the wasm kernels' thread pool (src/wasm/threads.ts): instantiates the
// shared-memory kernels on the pool's memory, then waits (Atomics.wait) for jobs that the calling thread
// posts in a control block in that memory, runs its share of each, and counts itself done.
// Self-contained on purpose: in Node the function's source text becomes the worker's code (no bundler,
// no TypeScript loader there), so it may use nothing from outside its own body.

/** What a worker receives in its first message. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block (see CONTROL in threads.ts). */
  control: number;
  /** This worker's thread index, 1..threads-1 (the calling thread is 0). */
  index: number;
  /** Export names by job code. */
  names: string[];
  /** How long the thread spins for the next job before it sleeps (WORKER_SPIN_MS in threads.ts). */
  spinMs: number;
  /** Exports to call once after instantiating, with their arguments (per-instance settings). */
  setup: [name: string, args: number[]][];
}

/** Instantiates, calls `ready`, then serves jobs until the pool sets its quit flag. Never returns before. */
export function threadLoop(init: ThreadInit, ready: () => void): void {
  // Control block: i32 [0] job sequence, [1] done count, [2] failures, [3] job code, [4] argument count,
  // [5] threads taking part, [6] quit; 24 f64 arguments from byte 32 (MAX_ARGS in threads.ts).
  const SEQ = 0;
  const DONE = 1;
  const FAILED = 2;
  const instance = new WebAssembly.Instance(init.module, {
    env: {
      memory: init.memory,
      abort() {
        throw new Error('wasm kernels aborted');
      },
    },
  });
  const exports = instance.exports as Record<string, (...args: number[]) => void>;
  for (const [name, args] of init.setup) exports[name](...args);
  const fns = init.names.map((name) => exports[name]);
  const i32 = new Int32Array(init.memory.buffer, init.control, 8);
  const f64 = new Float64Array(init.memory.buffer, init.control + 32, 24);
  // After a job the thread spins for the next one (init.spinMs) before it sleeps in Atomics.wait: see
  // WORKER_SPIN_MS in threads.ts for why.
  let seen = Atomics.load(i32, SEQ);
  ready();
  for (;;) {
    const spinUntil = performance.now() + init.spinMs;
    spin: for (;;) {
      for (let i = 0; i < 256; i++) if (Atomics.load(i32, SEQ) !== seen) break spin;
      if (performance.now() > spinUntil) {
        Atomics.wait(i32, SEQ, seen);
        break;
      }
    }
    const seq = Atomics.load(i32, SEQ);
    if (seq === seen) continue;
    seen = seq;
    if (Atomics.load(i32, 6) !== 0) return;
    const threads = i32[5];
    if (init.index < threads) {
      try {
        const args: number[] = [];
        for (let i = 0; i < i32[4]; i++) args.push(f64[i]);
        fns[i32[3]](...args, init.index, threads);
      } catch {
        Atomics.add(i32, FAILED, 1);
      }
    }
    Atomics.add(i32, DONE, 1);
    Atomics.notify(i32, DONE);
  }
}
