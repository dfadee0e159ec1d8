// The wasm matmul against a float64 reference: every transA x transB combination and every epilogue,
// in shapes that are 1, primes, not multiples of the 4 x 8 tile, and larger than the KC / MC / NC blocks
// (k > 512 in several K blocks, m > 128, n > 2048), on both builds and with both register tiles (the
// loader picks the faster per engine; both must give the same bits). Outputs are poisoned with NaN first.
import { beforeAll, describe, expect, it } from 'vitest';
import { MATMUL_TILES, type WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, poisoned, SIMD_LEVELS, upload } from './wasm-helpers';

type Shape = [m: number, k: number, n: number];
const SHAPES: Shape[] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 3, 7],
  [4, 8, 8],
  [13, 17, 19],
  [33, 65, 129],
  [100, 784, 10],
  [7, 300, 9],
  [131, 260, 37],
  [3, 5, 2053],
  [9, 1100, 5],
  // Three M blocks and three K blocks: B panels packed at their first use in the first M block and reused.
  [263, 1030, 45],
];
const EPILOGUES = [
  { bias: false, relu: false },
  { bias: true, relu: true },
  { bias: true, relu: false },
  { bias: false, relu: true },
];

function reference(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  [m, k, n]: Shape,
  transA: boolean,
  transB: boolean,
  relu: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      }
      out[i * n + j] = relu ? Math.max(sum, 0) : sum;
    }
  }
  return out;
}

const BUILDS = SIMD_LEVELS.flatMap((level) => MATMUL_TILES.map((tile) => [level, tile] as const));

describe.each(BUILDS)('wasm matmul (%s build, %s tile)', (level, tile) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level, 1, tile);
  });

  it('runs the build and tile it was asked for', () => {
    expect(k.simd).toBe(level);
    expect(k.matmulTile).toBe(tile);
  });

  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the float64 reference, transA=${transA} transB=${transB}`, () => {
        SHAPES.forEach((shape, s) => {
          const [m, kk, n] = shape;
          const epilogue = EPILOGUES[(s + +transA + 2 * +transB) % EPILOGUES.length];
          const seed = 1000 * s + 10 * +transA + +transB;
          const a = randomF32(m * kk, seed);
          const b = randomF32(kk * n, seed + 1);
          const bias = epilogue.bias ? randomF32(n, seed + 2) : null;
          const out = poisoned(k, m * n);
          const aPtr = upload(k, a);
          const bPtr = upload(k, b);
          const biasPtr = bias ? upload(k, bias) : undefined;
          k.matmul({
            a: aPtr,
            b: bPtr,
            out,
            m,
            k: kk,
            n,
            transA,
            transB,
            bias: biasPtr,
            activation: epilogue.relu ? 'relu' : 'none',
          });
          const expected = reference(a, b, bias, shape, transA, transB, epilogue.relu);
          try {
            expectAllClose(k.readF32(out, m * n), expected, { rtol: 1e-5, atol: 1e-6 * Math.sqrt(kk) });
          } catch (error) {
            throw new Error(`[${shape}] ${JSON.stringify(epilogue)}: ${(error as Error).message}`, { cause: error });
          }
          for (const ptr of [out, aPtr, bPtr, biasPtr]) if (ptr !== undefined) k.free(ptr);
        });
      });
    }
  }

  it('rejects bad shapes, short buffers and an output that overlaps an input', () => {
    const a = k.alloc(6, 'a');
    const b = k.alloc(6, 'b');
    const out = k.alloc(4, 'out');
    const args = { a, b, out, m: 2, k: 3, n: 2, transA: false, transB: false, activation: 'none' as const };
    expect(() => k.matmul({ ...args, k: 0 })).toThrow(/wasm matmul \(m=2 k=0 n=2\): k must be >= 1/);
    expect(() => k.matmul({ ...args, n: 10 })).toThrow(/b \[3,10\] needs 30 elements but its buffer holds 16/);
    expect(() => k.matmul({ ...args, out: a, m: 1, n: 1, k: 1 })).toThrow(/out overlaps an input/);
    expect(() => k.matmul({ ...args, bias: 12345 })).toThrow(/bias \[2\] \(12345\) is not a live allocation/);
  });
});

describe('wasm matmul register tiles', () => {
  it('give the same bits, whichever the loader picks', async () => {
    const level = SIMD_LEVELS[SIMD_LEVELS.length - 1];
    const [byShuffles, bySplats, picked] = await Promise.all([
      kernelsFor(level, 1, 'shuffles'),
      kernelsFor(level, 1, 'splat loads'),
      kernelsFor(level),
    ]);
    expect(MATMUL_TILES).toContain(picked.matmulTile);
    for (const [m, kk, n] of [
      [37, 300, 45],
      [128, 784, 40],
    ]) {
      const a = randomF32(m * kk, m);
      const b = randomF32(kk * n, n);
      const outs = [byShuffles, bySplats, picked].map((k) => {
        const out = poisoned(k, m * n);
        k.matmul({
          a: upload(k, a),
          b: upload(k, b),
          out,
          m,
          k: kk,
          n,
          transA: false,
          transB: true,
          activation: 'none',
        });
        return new Uint32Array(k.readF32(out, m * n).buffer);
      });
      expect(outs[1]).toEqual(outs[0]);
      expect(outs[2]).toEqual(outs[0]);
    }
  });
});
