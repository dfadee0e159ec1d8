// matmul against a float64 CPU reference: every variant x transA x transB x bias/activation, on seeded
// random input, in shapes that are 1, primes, unaligned to 4 and not multiples of any tile.
import { describe, expect, it } from 'vitest';
import {
  matmul,
  matmulKey,
  matmulProgramFor,
  matmulPrograms,
  matmulSubgroups,
  probeMatmulSubgroups,
  matmulTemplate,
  matmulWith,
  type MatmulActivation,
  type MatmulTemplate,
  type MatmulVariant,
} from '../../../src/kernels/matmul';
import { KernelRuntime } from '../../../src/kernels/runtime';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { nodeGpu, poisonedBuffer, readF32, testGpu, uploadBuffer } from '../helpers/webgpu';

interface Epilogue {
  bias: boolean;
  activation: MatmulActivation;
}

/**
 * [m, k, n] and epilogue. Every (m, k, n) alignment class (multiple of 4 or not, which picks vec4 or scalar
 * loads and stores and the k % 4 tail) gets one epilogue, so each program compiles once (compiling is most
 * of this file's time on SwiftShader) while every epilogue meets both an aligned and an unaligned n.
 */
const CASES: { shape: [number, number, number]; epilogue: Epilogue }[] = [
  // nothing aligned: bias and relu, scalar everything, k tail
  ...(
    [
      [1, 1, 1],
      [1, 7, 3],
      [5, 3, 7],
      [13, 17, 19],
      [33, 65, 129],
    ] as [number, number, number][]
  ).map((shape) => ({ shape, epilogue: { bias: true, activation: 'relu' } as Epilogue })),
  // all aligned: bias only, vec4 everything
  { shape: [64, 64, 64], epilogue: { bias: true, activation: 'none' } },
  { shape: [128, 256, 96], epilogue: { bias: true, activation: 'none' } },
  // m and k aligned, n not (the MLP's output layer): plain product
  { shape: [100, 784, 10], epilogue: { bias: false, activation: 'none' } },
  // m and n aligned, k not: relu only
  { shape: [12, 5, 8], epilogue: { bias: false, activation: 'relu' } },
  // k aligned, m and n not, n wide enough for the 16-column tile: with subgroups, NN broadcasts A while
  // lanes past n and threads past m still run; bias and relu
  { shape: [37, 20, 41], epilogue: { bias: true, activation: 'relu' } },
];

/**
 * A device with the 'subgroups' feature where the adapter has it (SwiftShader does, with 4-lane subgroups):
 * the register variant's subgroup broadcasts run only there, once probeMatmulSubgroups has vouched for it. The
 * shared test device is never probed, so the cases that use it run the plain register tile.
 */
let subgroupDevice: Promise<GPUDevice | null> | undefined;
function subgroupGpu(): Promise<GPUDevice | null> {
  subgroupDevice ??= (async () => {
    const adapter = await nodeGpu().requestAdapter();
    if (!adapter?.features.has('subgroups')) return null;
    const device = await adapter.requestDevice({ requiredFeatures: ['subgroups'] });
    await probeMatmulSubgroups(device);
    return device;
  })();
  return subgroupDevice;
}

/** op(A) @ op(B) + bias, activation, in float64. */
function reference(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  [m, k, n]: [number, number, number],
  transA: boolean,
  transB: boolean,
  activation: MatmulActivation,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        sum += av * bv;
      }
      out[i * n + j] = activation === 'relu' ? Math.max(sum, 0) : sum;
    }
  }
  return out;
}

type Case = (typeof CASES)[number];

/** Runs every case in one submit and compares each output element with the reference. */
async function runCases(
  device: GPUDevice,
  variant: MatmulVariant,
  transA: boolean,
  transB: boolean,
  cases: Case[],
  tiles?: Partial<MatmulTemplate>,
): Promise<void> {
  const rt = new KernelRuntime(device, (e) => {
    throw e;
  });
  const seedBase = 1000 * Number(transA) + 100 * Number(transB) + (variant === 'shared' ? 10_000 : 0);
  const runs = cases.map(({ shape, epilogue }, i) => {
    const [m, k, n] = shape;
    const a = randomF32(m * k, seedBase + 3 * i + 1);
    const b = randomF32(k * n, seedBase + 3 * i + 2);
    const bias = epilogue.bias ? randomF32(n, seedBase + 3 * i + 3) : null;
    return {
      shape,
      epilogue,
      a,
      b,
      bias,
      out: poisonedBuffer(device, m * n),
      buffers: { a: uploadBuffer(device, a), b: uploadBuffer(device, b), bias: bias && uploadBuffer(device, bias) },
    };
  });
  await rt.warmUp(
    runs.map((r) =>
      matmulProgramFor(
        matmulTemplate(
          {
            m: r.shape[0],
            k: r.shape[1],
            n: r.shape[2],
            transA,
            transB,
            activation: r.epilogue.activation,
            variant,
            bias: r.epilogue.bias || undefined,
            subgroups: matmulSubgroups(device),
          },
          tiles,
        ),
      ),
    ),
  );
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (const r of runs) {
    const [m, k, n] = r.shape;
    matmulWith(
      rt,
      pass,
      {
        a: r.buffers.a,
        b: r.buffers.b,
        out: r.out,
        bias: r.buffers.bias ?? undefined,
        m,
        k,
        n,
        transA,
        transB,
        activation: r.epilogue.activation,
        variant,
      },
      tiles,
    );
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  expect(error?.message ?? null).toBeNull();
  for (const r of runs) {
    const expected = reference(r.a, r.b, r.bias, r.shape, transA, transB, r.epilogue.activation);
    const actual = await readF32(device, r.out, expected.length);
    const label = `${variant} [${r.shape}] transA=${transA} transB=${transB} bias=${r.epilogue.bias} ${r.epilogue.activation}`;
    // f32 accumulation error grows like sqrt(k) for random-sign terms of magnitude <= 1.
    const atol = 1e-6 * Math.sqrt(r.shape[1]);
    try {
      expectAllClose(actual, expected, { rtol: 1e-5, atol });
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`, { cause: e });
    }
    for (const buf of [r.out, r.buffers.a, r.buffers.b, r.buffers.bias]) buf?.destroy();
  }
}

describe('matmul', () => {
  for (const variant of ['register', 'shared'] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${variant}: transA=${transA} transB=${transB}, every shape and epilogue`, async () => {
          const { device } = await testGpu();
          await runCases(device, variant, transA, transB, CASES);
        });
      }
    }
  }

  it('uses subgroup broadcasts only after the probe found the 4-lane layout (SwiftShader has it)', async (ctx) => {
    const adapter = await nodeGpu().requestAdapter();
    if (!adapter) return ctx.skip();
    // A device without the 'subgroups' feature: the probe says no, and so does every later call.
    const plain = await adapter.requestDevice();
    expect(matmulSubgroups(plain)).toBe(false);
    expect(await probeMatmulSubgroups(plain)).toBe(false);
    expect(matmulSubgroups(plain)).toBe(false);
    plain.destroy();
    const sgDevice = await subgroupGpu();
    if (!sgDevice) return ctx.skip();
    if (adapter.info.architecture === 'swiftshader') expect(matmulSubgroups(sgDevice)).toBe(true);
  });

  // The same shapes on a device with 4-lane subgroups, where the register variant broadcasts A (NN with k
  // aligned, transA with m aligned) and threads past the matrix keep running until their stores.
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`register with subgroups: transA=${transA} transB=${transB}, every shape and epilogue`, async (ctx) => {
        const device = await subgroupGpu();
        if (!device) return ctx.skip();
        await runCases(device, 'register', transA, transB, CASES);
      });
    }
  }

  it('is correct with the other register tiles the benchmark compares', async (ctx) => {
    const { device } = await testGpu();
    // k = 65 and 12 run the 8-deep loop, the 4-deep loop and the scalar tail.
    const shapes: Case[] = [CASES[4], { shape: [20, 12, 24], epilogue: { bias: false, activation: 'none' } }];
    for (const tiles of [
      { rowsPerThread: 8, colsPerThread: 16, workgroupX: 8, workgroupY: 8, chain: false },
      { rowsPerThread: 4, colsPerThread: 8, chain: true, mulAdd: true },
      { rowsPerThread: 4, colsPerThread: 8, tileK: 8, chain: true, mulAdd: false },
      { rowsPerThread: 3, colsPerThread: 4, workgroupX: 4, workgroupY: 2 },
    ]) {
      await runCases(device, 'register', true, true, shapes, tiles);
    }
    const sgDevice = await subgroupGpu();
    if (!sgDevice || !matmulSubgroups(sgDevice)) return ctx.skip();
    // 32 rows per thread: eight broadcast row groups; k = 12 also runs the 4-deep loop after the 8-deep one;
    // and the unchained multiply-adds with broadcasts.
    const sgShapes: Case[] = [{ shape: [100, 12, 36], epilogue: { bias: true, activation: 'relu' } }];
    for (const tiles of [
      { rowsPerThread: 32, colsPerThread: 8, tileK: 8, subgroups: true },
      { rowsPerThread: 16, colsPerThread: 16, chain: false, subgroups: true },
    ]) {
      for (const transA of [false, true]) await runCases(sgDevice, 'register', transA, false, sgShapes, tiles);
    }
  });

  it('picks the tile from the shape and keys programs by every template parameter', async () => {
    const { device } = await testGpu();
    const base = matmulTemplate({ m: 8, k: 8, n: 8 });
    const keys = new Set<string>();
    const changes: Partial<MatmulTemplate>[] = [
      {},
      { variant: 'shared' },
      { rowsPerThread: 4 },
      { colsPerThread: 8 },
      { workgroupX: 8 },
      { workgroupY: 8 },
      { tileK: 8 },
      { transA: true },
      { transB: true },
      { mAligned: false },
      { kAligned: false },
      { nAligned: false },
      { bias: true },
      { activation: 'relu' },
      { chain: false },
      { mulAdd: true },
      { subgroups: true },
    ];
    for (const change of changes) keys.add(matmulKey({ ...base, ...change }));
    expect(keys.size).toBe(changes.length);

    // Wide outputs get 16 columns per thread, the MLP's 10-way layer 4; subgroups only where A is read as
    // vec4 (k aligned, or m aligned when transposed) and the device has them.
    const tile = (t: MatmulTemplate) => `${t.rowsPerThread}x${t.colsPerThread} sg${+t.subgroups}`;
    expect(tile(matmulTemplate({ m: 100, k: 784, n: 500, subgroups: true }))).toBe('16x16 sg1');
    expect(tile(matmulTemplate({ m: 100, k: 500, n: 10, subgroups: true }))).toBe('16x4 sg1');
    expect(tile(matmulTemplate({ m: 100, k: 10, n: 500, transB: true, subgroups: true }))).toBe('16x16 sg0');
    expect(tile(matmulTemplate({ m: 500, k: 100, n: 10, transA: true, subgroups: true }))).toBe('16x4 sg1');
    expect(tile(matmulTemplate({ m: 13, k: 100, n: 10, transA: true, subgroups: true }))).toBe('16x4 sg0');
    expect(tile(matmulTemplate({ m: 100, k: 784, n: 500 }))).toBe('16x16 sg0');
    expect(matmulTemplate({ m: 100, k: 784, n: 500, variant: 'shared', subgroups: true }).subgroups).toBe(false);

    // The warm-up list names the programs matmul() dispatches on that device.
    expect(matmulPrograms(device, true)).toHaveLength(6);
    for (const gpuDevice of [device, await subgroupGpu()]) {
      if (!gpuDevice) continue;
      const use = { m: 100, k: 500, n: 10, bias: true, activation: 'relu' as const };
      const expected = matmulKey(matmulTemplate({ ...use, subgroups: matmulSubgroups(gpuDevice) }));
      expect(matmulPrograms(gpuDevice, true, [use]).map((p) => p.key)).toEqual([expected]);
    }
    expect(
      matmulPrograms(device, false, [{ m: 100, k: 784, n: 500, bias: true, activation: 'relu' }])[0].key,
    ).toContain('shared');
  });

  it('rejects bad shapes and undersized buffers with the op and the shapes', async () => {
    const { device } = await testGpu();
    const rt = new KernelRuntime(device);
    const small = uploadBuffer(device, new Float32Array(6));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    expect(() => matmul(rt, pass, { a: small, b: small, out: small, m: 0, k: 2, n: 3 })).toThrow(
      /matmul\(m=0, k=2, n=3\): m must be an integer >= 1/,
    );
    expect(() => matmul(rt, pass, { a: small, b: small, out: small, m: 2, k: 4, n: 3, transB: true })).toThrow(
      /matmul\(m=2, k=4, n=3, transB\): a \[2,4\] needs 32 bytes, its binding has 24/,
    );
    expect(() =>
      matmul(rt, pass, { a: small, b: small, out: { buffer: small, offset: 0, size: 8 }, m: 2, k: 1, n: 3 }),
    ).toThrow(/out \[2,3\] needs 24 bytes, its binding has 8/);
    pass.end();
    small.destroy();
  });
});
