// The wasm element-wise kernels (unary + backward, binary with broadcasting, scalar, fill, copy, dropout)
// against float64 references on seeded random input, lengths that are 1, primes and not multiples of the
// four SIMD lanes, outputs poisoned with NaN, on every build this runtime runs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BinaryOp, ScalarOp, UnaryOp } from '../../../src/engine/backend/backend';
import { dropoutKeep, dropoutKey, dropoutThreshold } from '../../../src/engine/backend/cpu/dropout-hash';
import { mergeAxes, type WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, poisoned, SIMD_LEVELS, upload } from './wasm-helpers';

const LENGTHS = [1, 3, 4, 17, 1031];
const ALPHA = 0.1;

/** f(x) and f'(x) (given y = f(x)) in float64: the specification the kernels are checked against. */
const UNARY: { [Op in UnaryOp]: { f: (x: number) => number; df: (x: number, y: number) => number; positive?: true } } =
  {
    relu: { f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0) },
    leaky_relu: { f: (x) => (x > 0 ? x : ALPHA * x), df: (x) => (x > 0 ? 1 : ALPHA) },
    sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (_, y) => y * (1 - y) },
    tanh: { f: Math.tanh, df: (_, y) => 1 - y * y },
    exp: { f: Math.exp, df: (_, y) => y },
    log: { f: Math.log, df: (x) => 1 / x, positive: true },
    neg: { f: (x) => -x, df: () => -1 },
    abs: { f: Math.abs, df: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
    sqrt: { f: Math.sqrt, df: (_, y) => 0.5 / y, positive: true },
    square: { f: (x) => x * x, df: (x) => 2 * x },
  };

const BINARY: { [Op in BinaryOp]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
  pow: Math.pow,
};

const SCALAR: { [Op in ScalarOp]: (x: number, v: number) => number } = {
  add: (x, v) => x + v,
  mul: (x, v) => x * v,
  rsub: (x, v) => v - x,
  pow: (x, v) => Math.pow(x, v),
};

/** Row-major strides of `inShape` broadcast against `outShape` (0 where the input has size 1). */
function broadcastStrides(inShape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let d = inShape.length - 1; d >= 0; d--) {
    const od = outShape.length - inShape.length + d;
    strides[od] = inShape[d] === 1 ? 0 : stride;
    stride *= inShape[d];
  }
  return strides;
}

/** Output shape, then the two input shapes (numpy broadcasting). */
const BROADCAST_CASES: [number[], number[], number[]][] = [
  [[1], [1], [1]],
  [
    [2, 3, 5],
    [2, 3, 5],
    [2, 3, 5],
  ],
  [[7, 13], [7, 13], [13]],
  [
    [7, 13],
    [7, 1],
    [7, 13],
  ],
  [[5, 4], [1], [5, 4]],
  [
    [2, 3, 2, 3, 5, 3],
    [2, 1, 2, 3, 5, 3],
    [3, 1, 1, 3],
  ],
  [
    [128, 10],
    [128, 10],
    [1, 10],
  ],
];

describe.each(SIMD_LEVELS)('wasm element-wise kernels (%s build)', (level) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level);
  });

  for (const op of Object.keys(UNARY) as UnaryOp[]) {
    it(`unary ${op} and its backward match float64`, () => {
      const spec = UNARY[op];
      LENGTHS.forEach((length, i) => {
        const x = spec.positive ? randomF32(length, 10 + i, 0.1, 3) : randomF32(length, 10 + i, -3, 3);
        const dyHost = randomF32(length, 50 + i);
        const xPtr = upload(k, x);
        const out = poisoned(k, length);
        k.unary({ op, x: xPtr, out, length, alpha: ALPHA });
        const y = k.readF32(out, length);
        expectAllClose(y, Array.from(x, spec.f), { rtol: 2e-6, atol: 1e-7 });

        const dy = upload(k, dyHost);
        const dx = poisoned(k, length);
        k.unaryBackward({ op, x: xPtr, y: out, dy, dx, length, alpha: ALPHA });
        const expected = Array.from(x, (xv, j) => dyHost[j] * spec.df(xv, y[j]));
        expectAllClose(k.readF32(dx, length), expected, { rtol: 1e-6, atol: 1e-7 });
      });
    });
  }

  for (const op of Object.keys(BINARY) as BinaryOp[]) {
    it(`binary ${op} broadcasts like numpy over ranks 1 to 6`, () => {
      BROADCAST_CASES.forEach(([shape, aShape, bShape], i) => {
        const aSize = aShape.reduce((x, y) => x * y, 1);
        const bSize = bShape.reduce((x, y) => x * y, 1);
        const lo = op === 'pow' ? 0.1 : -2;
        const a = randomF32(aSize, 100 + i, lo, 2);
        const b = randomF32(bSize, 200 + i, op === 'pow' ? -2 : lo, 2);
        if (op === 'div') b.forEach((v, j) => (b[j] = v < 0 ? v - 0.5 : v + 0.5));
        const aStrides = broadcastStrides(aShape, shape);
        const bStrides = broadcastStrides(bShape, shape);
        const total = shape.reduce((x, y) => x * y, 1);
        const out = poisoned(k, total);
        k.binary({ op, a: upload(k, a), b: upload(k, b), out, shape, aStrides, bStrides });
        const expected = new Float64Array(total);
        for (let flat = 0; flat < total; flat++) {
          let rest = flat;
          let ai = 0;
          let bi = 0;
          for (let d = shape.length - 1; d >= 0; d--) {
            const idx = rest % shape[d];
            rest = Math.floor(rest / shape[d]);
            ai += idx * aStrides[d];
            bi += idx * bStrides[d];
          }
          expected[flat] = BINARY[op](a[ai], b[bi]);
        }
        const rtol = op === 'pow' ? 2e-6 : 1e-7;
        expectAllClose(k.readF32(out, total), expected, { rtol, atol: 0 });
      });
    });
  }

  it('binary reads transposed (non-contiguous) inputs', () => {
    // out[i, j] = a^T[i, j] - b[i, j], with a stored [5, 3] and read with strides [1, 3].
    const a = randomF32(15, 7);
    const b = randomF32(15, 8);
    const out = poisoned(k, 15);
    k.binary({ op: 'sub', a: upload(k, a), b: upload(k, b), out, shape: [3, 5], aStrides: [1, 3], bStrides: [5, 1] });
    const expected = Array.from({ length: 15 }, (_, f) => a[(f % 5) * 3 + Math.floor(f / 5)] - b[f]);
    expectAllClose(k.readF32(out, 15), expected, { rtol: 1e-7, atol: 0 });
  });

  it('binary rejects a rank above 6 and strides that leave the buffer', () => {
    const p = k.alloc(16, 'p');
    const shape7 = [1, 1, 1, 1, 1, 1, 2];
    expect(() =>
      k.binary({ op: 'add', a: p, b: p, out: p, shape: shape7, aStrides: shape7, bStrides: shape7 }),
    ).toThrow(/rank must be <= 6/);
    expect(() =>
      k.binary({ op: 'add', a: p, b: p, out: p, shape: [4, 4], aStrides: [8, 1], bStrides: [4, 1] }),
    ).toThrow(/binary add \[4,4\]: a needs 28 elements but its buffer holds 16/);
  });

  for (const op of Object.keys(SCALAR) as ScalarOp[]) {
    it(`scalar ${op} matches float64`, () => {
      LENGTHS.forEach((length, i) => {
        const x = randomF32(length, 300 + i, op === 'pow' ? 0.1 : -2, 2);
        const value = op === 'pow' ? 1.7 : -0.75;
        const out = poisoned(k, length);
        k.scalar({ op, x: upload(k, x), out, length, value });
        expectAllClose(
          k.readF32(out, length),
          Array.from(x, (v) => SCALAR[op](v, value)),
          { rtol: op === 'pow' ? 2e-6 : 1e-7, atol: 0 },
        );
      });
    });
  }

  it('fill and copy write exactly `length` elements', () => {
    for (const length of LENGTHS) {
      const out = poisoned(k, length + 3);
      k.fill({ out, length, value: 2.5 });
      const got = k.readF32(out, length + 3);
      expect(Array.from(got.subarray(0, length))).toEqual(new Array(length).fill(2.5));
      expect(Array.from(got.subarray(length)).every(Number.isNaN)).toBe(true);
      const src = upload(k, randomF32(length, length));
      const dst = poisoned(k, length);
      k.copy({ src, dst, length });
      expect(k.readF32(dst, length)).toEqual(k.readF32(src, length));
    }
  });

  it('dropout keeps exactly the elements the cpu backend keeps, scaled by 1/(1-rate)', () => {
    for (const [length, rate, seed, step] of [
      [1, 0.5, 1, 0],
      [1031, 0.3, 42, 7],
      [4096, 0.9, 0xdeadbeef, 123456],
    ]) {
      const x = randomF32(length, seed);
      const out = poisoned(k, length);
      const mask = poisoned(k, length);
      k.dropout({ x: upload(k, x), out, mask, length, rate, seed, step });
      const scale = Math.fround(1 / (1 - rate));
      const key = dropoutKey(seed, step);
      const threshold = dropoutThreshold(rate);
      const expectedMask = Array.from(x, (_, i) => (dropoutKeep(key, i, threshold) ? scale : 0));
      expectAllClose(k.readF32(mask, length), expectedMask, { rtol: 1e-7, atol: 0 });
      expectAllClose(
        k.readF32(out, length),
        Array.from(x, (v, i) => v * expectedMask[i]),
        { rtol: 1e-6, atol: 0 },
      );
    }
  });
});

describe('mergeAxes', () => {
  it('merges axes contiguous in both inputs and drops size-1 axes', () => {
    expect(mergeAxes([128, 500], [500, 1], [500, 1])).toEqual({ shape: [64000], aStrides: [1], bStrides: [1] });
    expect(mergeAxes([128, 500], [500, 1], [0, 1])).toEqual({
      shape: [128, 500],
      aStrides: [500, 1],
      bStrides: [0, 1],
    });
    expect(mergeAxes([2, 1, 3], [3, 99, 1], [0, 7, 0])).toEqual({ shape: [6], aStrides: [1], bStrides: [0] });
    expect(mergeAxes([1, 1], [5, 5], [5, 5])).toEqual({ shape: [1], aStrides: [0], bStrides: [0] });
  });
});
