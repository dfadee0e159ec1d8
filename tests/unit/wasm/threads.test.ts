// The multi-threaded wasm kernels: worker threads on one shared memory give the single-threaded results
// (matmul and the convolutions bit for bit; the filter gradient, whose threads sum their own bands of
// pixels and then add the partial sums, within 1e-6 of the largest element: a differently ordered f32 sum),
// the backend says how many threads it uses and why it uses one, and the thread count rule.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OptimHyper } from '../../../src/engine/backend/backend';
import { conv2dGeometry, pool2dGeometry } from '../../../src/engine/ref/shapes';
import { wasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { loadWasmKernels, type WasmKernels } from '../../../src/wasm/kernels';
import { decideThreads, MAX_DEFAULT_THREADS, WORKER_SPIN_MS } from '../../../src/wasm/threads';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, upload } from './wasm-helpers';

describe('threaded wasm kernels', () => {
  let single: WasmKernels;
  const pools: WasmKernels[] = [];
  beforeAll(async () => {
    await kernelsFor('simd'); // builds the .wasm if stale
    single = await loadWasmKernels({ threads: 1 });
    for (const threads of [2, 3]) pools.push(await loadWasmKernels({ threads, minParallelFlops: 0 }));
  });
  afterAll(() => {
    for (const k of pools) k.stopThreads();
  });

  it('start the asked number of threads on a shared memory', () => {
    expect(single.threads).toBe(1);
    expect(single.singleThreadReason).toBe('one thread was asked for');
    expect(pools.map((k) => k.threads)).toEqual([2, 3]);
    for (const k of pools) {
      expect(k.singleThreadReason).toBeNull();
      expect(k.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  });

  /** Throws naming the first element where `got` and `want` differ in any bit. */
  function expectIdentical(got: Float32Array, want: Float32Array): void {
    const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
    const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
    expect(a.length).toBe(b.length);
    const i = a.findIndex((v, j) => v !== b[j]);
    if (i >= 0) throw new Error(`element ${i}: threaded ${got[i]}, single-threaded ${want[i]}`);
  }

  /** Runs `op` with the same inputs on `k`; returns its output. */
  function run(k: WasmKernels, inputs: Float32Array[], outLength: number, op: (ptrs: number[], out: number) => void) {
    const ptrs = inputs.map((x) => upload(k, x));
    const out = upload(k, new Float32Array(outLength).fill(Number.NaN));
    op(ptrs, out);
    const result = k.readF32(out, outLength);
    for (const p of [...ptrs, out]) k.free(p);
    return result;
  }

  const shapes: [number, number, number][] = [
    [128, 784, 500],
    [784, 128, 500],
    // Too few column panels to hand out: the fixed split (along n, then along m).
    [3, 600, 2],
    [300, 70, 20],
    // Columns handed out as threads free up, A packed once by all of them.
    [37, 5, 1029],
    // Two K blocks by two N blocks.
    [61, 1030, 2060],
  ];
  for (const [m, k, n] of shapes) {
    for (const [transA, transB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      it(`matmul ${m}x${k}x${n}${transA ? ' transA' : ''}${transB ? ' transB' : ''} (bias, relu) is bit-identical`, () => {
        const inputs = [randomF32(m * k, 1), randomF32(k * n, 2), randomF32(n, 3)];
        const op = (kernels: WasmKernels) => (p: number[], out: number) =>
          kernels.matmul({ a: p[0], b: p[1], bias: p[2], out, m, k, n, transA, transB, activation: 'relu' });
        const want = run(single, inputs, m * n, op(single));
        for (const pool of pools) expectIdentical(run(pool, inputs, m * n, op(pool)), want);
      });
    }
  }

  for (const [label, x, f, strides, padding] of [
    ['MNIST first layer', [13, 28, 28, 1], [3, 3, 1, 32], [1, 1], 'valid'],
    ['strided same, 2 images', [2, 11, 9, 6], [3, 3, 6, 10], [2, 2], 'same'],
  ] as const) {
    it(`conv2d forward and gradients (${label}) match single-threaded`, () => {
      const g = conv2dGeometry('conv', [...x], [...f], { strides: [...strides], padding });
      const xLen = g.batch * g.inH * g.inW * g.inC;
      const wLen = g.kh * g.kw * g.inC * g.outC;
      const yLen = g.batch * g.outH * g.outW * g.outC;
      const xs = randomF32(xLen, 4);
      const ws = randomF32(wLen, 5);
      const dys = randomF32(yLen, 6);
      const forward = (k: WasmKernels) =>
        run(k, [xs, ws], yLen, ([px, pw], out) =>
          k.conv2d({ x: px, filter: pw, out, geometry: g, activation: 'none' }),
        );
      const dInput = (k: WasmKernels) =>
        run(k, [dys, ws], xLen, ([pdy, pw], dx) => k.conv2dBackwardInput({ dy: pdy, filter: pw, dx, geometry: g }));
      const dFilter = (k: WasmKernels) =>
        run(k, [xs, dys], wLen, ([px, pdy], dFilter) =>
          k.conv2dBackwardFilter({ x: px, dy: pdy, dFilter, geometry: g }),
        );
      const want = { forward: forward(single), dInput: dInput(single), dFilter: dFilter(single) };
      const largest = want.dFilter.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (const pool of pools) {
        expectIdentical(forward(pool), want.forward);
        expectIdentical(dInput(pool), want.dInput);
        expectAllClose(dFilter(pool), want.dFilter, { rtol: 1e-6, atol: 1e-6 * largest });
      }
    });
  }

  for (const [label, x, size, padding] of [
    ['the CNN layer, 2x2 / 2 valid', [13, 26, 26, 32], 2, 'valid'],
    ['3x3 / 2 same, odd channels', [5, 9, 7, 3], 3, 'same'],
  ] as const) {
    it(`max pool forward and backward (${label}) match single-threaded`, () => {
      const g = pool2dGeometry('pool', [...x], [size, size], { strides: [2, 2], padding });
      const xLen = g.batch * g.inH * g.inW * g.inC;
      const yLen = g.batch * g.outH * g.outW * g.inC;
      const [xs, dys] = [randomF32(xLen, 8), randomF32(yLen, 9)];
      const both = (k: WasmKernels) => {
        const [px, pdy] = [upload(k, xs), upload(k, dys)];
        const out = upload(k, new Float32Array(yLen).fill(Number.NaN));
        const argmax = upload(k, new Int32Array(yLen).fill(-7));
        const dx = upload(k, new Float32Array(xLen).fill(Number.NaN));
        k.maxPool({ x: px, out, argmax, geometry: g });
        k.maxPoolBackward({ dy: pdy, argmax, dx, geometry: g });
        const result = { out: k.readF32(out, yLen), argmax: k.readI32(argmax, yLen), dx: k.readF32(dx, xLen) };
        for (const p of [px, pdy, out, argmax, dx]) k.free(p);
        return result;
      };
      const want = both(single);
      for (const pool of pools) {
        const got = both(pool);
        expectIdentical(got.out, want.out);
        expect(got.argmax).toEqual(want.argmax);
        expectIdentical(got.dx, want.dx);
      }
    });
  }

  /** Every hyper-parameter the optimiser primitives read (each update uses its own). */
  const hyper: OptimHyper = {
    lr: 0.01,
    l2: 1e-3,
    l1: 1e-4,
    momentum: 0.9,
    nesterov: true,
    beta1: 0.9,
    beta2: 0.999,
    step: 1,
    beta1Power: 0.9,
    beta2Power: 0.999,
    rho: 0.9,
    eps: 1e-7,
  };
  const elementOps: [string, (k: WasmKernels, p: number[], length: number, out: number) => void][] = [
    ['tanh', (k, [x], length, out) => k.unary({ op: 'tanh', x, out, length, alpha: 0 })],
    [
      'leaky relu backward',
      (k, [x, y, dy], length, dx) => k.unaryBackward({ op: 'leaky_relu', x, y, dy, dx, length, alpha: 0.2 }),
    ],
    [
      'sgd with Nesterov momentum (param)',
      (k, [param, grad, velocity], length, out) => {
        k.sgdUpdate({ param, grad, velocity, length, hyper });
        k.copy({ src: param, dst: out, length });
      },
    ],
    [
      'adam (second moment)',
      (k, [param, grad, m, v], length, out) => {
        k.adamUpdate({ param, grad, m, v, length, hyper });
        k.copy({ src: v, dst: out, length });
      },
    ],
    [
      'rmsprop (param)',
      (k, [param, grad, meanSquare], length, out) => {
        k.rmspropUpdate({ param, grad, meanSquare, length, hyper });
        k.copy({ src: param, dst: out, length });
      },
    ],
  ];
  for (const length of [3, 1031]) {
    it(`element-wise ops and optimiser updates on ${length} elements are bit-identical`, () => {
      const inputs = [randomF32(length, 11), randomF32(length, 12), randomF32(length, 13, 0, 1), randomF32(length, 14)];
      for (const [name, op] of elementOps) {
        const want = run(single, inputs, length, (p, out) => op(single, p, length, out));
        for (const pool of pools) {
          try {
            expectIdentical(
              run(pool, inputs, length, (p, out) => op(pool, p, length, out)),
              want,
            );
          } catch (e) {
            throw new Error(`${name} on ${pool.threads} threads: ${(e as Error).message}`, { cause: e });
          }
        }
      }
    });
  }

  it("hands a matmul's columns out as threads free up where it has >= 4 panels per thread, else splits it fixed", () => {
    const k = pools[0];
    const pool = k['pool']!;
    const jobs: string[] = [];
    const original = pool.run.bind(pool);
    pool.run = (op: number, args: number[], threads?: number) => {
      jobs.push(pool['names'][op]);
      original(op, args, threads);
    };
    try {
      // 2 threads: 8 panels of 8 columns are enough (n = 57..64), 7 are not (n = 56).
      for (const n of [56, 57]) {
        const a = upload(k, randomF32(40 * 9, 1));
        const b = upload(k, randomF32(9 * n, 2));
        const out = upload(k, new Float32Array(40 * n));
        k.matmul({ a, b, out, m: 40, k: 9, n, transA: false, transB: false, activation: 'none' });
        for (const p of [a, b, out]) k.free(p);
      }
    } finally {
      pool.run = original;
    }
    expect(jobs).toEqual(['matmulPart', 'matmulSharedPart']);
  });

  it('a share that traps on a worker thread is an error on the calling thread, and the pool goes on', () => {
    const k = pools[0];
    const pool = k['pool']!;
    const a = upload(k, randomF32(1, 9));
    const b = upload(k, randomF32(16, 10));
    const work = k['workspace'];
    const stride = k['workspaceStride'];
    // out [1, 16] placed so that columns 0-7 (thread 0) lie inside the memory and column 15 (thread 1) past it.
    const out = k.memory.buffer.byteLength - 15 * 4;
    expect(() => pool.run(0, [a, b, out, 1, 1, 16, 0, 0, 0, 0, work, stride])).toThrow(
      /wasm thread pool: matmulPart failed on 1 worker thread/,
    );
    const c = upload(k, new Float32Array(16));
    k.matmul({ a, b, out: c, m: 1, k: 1, n: 16, transA: false, transB: false, activation: 'none' });
    const want = k.readF32(b, 16).map((v) => v * k.readF32(a, 1)[0]);
    expectIdentical(k.readF32(c, 16), want);
    for (const p of [a, b, c]) k.free(p);
  });

  it('splits a matmul at minParallelFlops while the workers spin, and at 16 times it while they sleep', async () => {
    const k = await loadWasmKernels({ threads: 2, minParallelFlops: 1000 });
    const pool = k['pool']!;
    let jobs = 0;
    const original = pool.run.bind(pool);
    pool.run = (...args: Parameters<typeof original>) => {
      jobs++;
      original(...args);
    };
    // The pool's clock, stopped: the workers count as spinning for 0.75 * WORKER_SPIN_MS after a job.
    let nowMs = 1e6;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => nowMs);
    try {
      // 2 * m * k * n flops: 5x10x9 is 900, 5x10x10 1000, 5x10x159 15 900, 5x10x160 16 000.
      for (const [n, asleep, pooled] of [
        [9, false, 0],
        [10, false, 1],
        [10, true, 0],
        [159, true, 0],
        [160, true, 1],
      ] as const) {
        // Each case starts right after a job (a 1x1x1 matmul on both threads), or long after one.
        const one = upload(k, new Float32Array([1]));
        const sink = upload(k, new Float32Array(1));
        original(0, [one, one, sink, 1, 1, 1, 0, 0, 0, 0, k['workspace'], k['workspaceStride']]);
        for (const p of [one, sink]) k.free(p);
        nowMs += asleep ? 1000 : 0.1 * WORKER_SPIN_MS;
        jobs = 0;
        const a = randomF32(5 * 10, 21);
        const b = randomF32(10 * n, 22);
        const op = (kernels: WasmKernels) => (p: number[], out: number) =>
          kernels.matmul({ a: p[0], b: p[1], out, m: 5, k: 10, n, transA: false, transB: false, activation: 'none' });
        expectIdentical(run(k, [a, b], 5 * n, op(k)), run(single, [a, b], 5 * n, op(single)));
        expect(jobs, `5x10x${n}, workers ${asleep ? 'asleep' : 'spinning'}`).toBe(pooled);
      }
    } finally {
      clock.mockRestore();
      k.stopThreads();
    }
  });

  it('stopping the threads leaves working single-threaded kernels', async () => {
    const k = await loadWasmKernels({ threads: 2, minParallelFlops: 0 });
    k.stopThreads();
    expect(k.threads).toBe(1);
    expect(k.singleThreadReason).toMatch(/stopped/);
    const a = randomF32(40 * 30, 7);
    const b = randomF32(30 * 20, 8);
    const op = (kernels: WasmKernels) => (p: number[], out: number) =>
      kernels.matmul({ a: p[0], b: p[1], out, m: 40, k: 30, n: 20, transA: false, transB: false, activation: 'none' });
    expectIdentical(run(k, [a, b], 800, op(k)), run(single, [a, b], 800, op(single)));
  });
});

describe('wasm backend thread count', () => {
  it('defaults to every core up to 8 in Node, and says why when it uses one', async () => {
    const b = await wasmBackend();
    const cores = os.availableParallelism();
    expect(b.threads).toBe(Math.min(cores, MAX_DEFAULT_THREADS));
    expect(b.singleThreadReason).toBe(cores > 1 ? null : 'this machine reports one core');
    b.destroy();
    const one = await wasmBackend({ threads: 1 });
    expect(one.threads).toBe(1);
    expect(one.singleThreadReason).toBe('one thread was asked for');
    one.destroy();
    await expect(wasmBackend({ threads: 0 })).rejects.toThrow(/threads must be an integer within \[1, 64\], got 0/);
  });

  it('follows the rule: isolation and shared memory first, then workers, then cores (capped at 8)', () => {
    const browser = { sharedArrayBuffer: true, node: false, worker: true, crossOriginIsolated: true, cores: 12 };
    expect(decideThreads(browser)).toEqual({ threads: 8 });
    expect(decideThreads({ ...browser, cores: 4 })).toEqual({ threads: 4 });
    expect(decideThreads({ ...browser, crossOriginIsolated: false, sharedArrayBuffer: false })).toEqual({
      threads: 1,
      reason: 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable',
    });
    expect(decideThreads({ ...browser, worker: false }).reason).toBe('this runtime cannot start workers');
    expect(decideThreads({ ...browser, cores: 1 }).reason).toBe('this machine reports one core');
    const node = { sharedArrayBuffer: true, node: true, worker: false, cores: 2 };
    expect(decideThreads(node)).toEqual({ threads: 2 });
    expect(decideThreads({ ...node, sharedArrayBuffer: false }).reason).toBe('this runtime has no SharedArrayBuffer');
  });
});
