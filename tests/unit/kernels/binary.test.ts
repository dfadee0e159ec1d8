import { describe, expect, it } from 'vitest';
import {
  binary,
  BINARY_OPS,
  binaryPrograms,
  collapseBroadcast,
  scalar,
  SCALAR_OPS,
  type BinaryOp,
  type ScalarOp,
} from '../../../src/kernels/binary';
import { randomF32, seededRandom } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, FOLDED_LENGTH, kernelHarness } from './buffer-kernel-harness';

const reference: { [Op in BinaryOp]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
  pow: Math.pow,
};
const scalarReference: { [Op in ScalarOp]: (x: number, v: number) => number } = {
  add: (x, v) => x + v,
  mul: (x, v) => x * v,
  rsub: (x, v) => v - x,
  pow: Math.pow,
};

/**
 * add/sub/mul are correctly rounded in f32 (1/2 ulp of the result), div 2.5 ulp; pow is
 * exp2(b log2 a) with log2's absolute error 2^-21 scaled by |b| <= 3 and exp2's 3 + 2|x| ulp: ~1e-6.
 */
const rtol: { [Op in BinaryOp]: number } = { add: 1e-7, sub: 1e-7, mul: 1e-7, div: 3e-7, max: 0, min: 0, pow: 1e-5 };

/** Row-major strides of `inShape` broadcast (numpy rules, aligned at the right) to `outShape`. */
function broadcastStrides(outShape: number[], inShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let step = 1;
  for (let k = 1; k <= inShape.length; k++) {
    const size = inShape[inShape.length - k];
    if (size !== 1) strides[outShape.length - k] = step;
    step *= size;
  }
  return strides;
}

interface Case {
  shape: number[];
  aShape: number[];
  bShape: number[];
  /** Optional explicit strides (a transposed view), overriding broadcastStrides. */
  aStrides?: number[];
}

const CASES: Case[] = [
  { shape: [1], aShape: [1], bShape: [1] },
  { shape: [7], aShape: [7], bShape: [7] },
  { shape: [13, 17], aShape: [13, 17], bShape: [17] },
  { shape: [5, 11], aShape: [5, 1], bShape: [1, 11] },
  { shape: [2, 3, 5, 7], aShape: [2, 1, 5, 1], bShape: [3, 1, 7] },
  { shape: [2, 3, 1, 4, 5, 3], aShape: [2, 3, 1, 4, 5, 3], bShape: [3, 1, 1, 5, 1] },
  { shape: [3, 2, 4, 3, 2, 5], aShape: [3, 1, 4, 1, 2, 1], bShape: [2, 1, 3, 1, 5] },
  // a is a [17, 13] buffer read transposed as [13, 17].
  { shape: [13, 17], aShape: [17, 13], bShape: [13, 1], aStrides: [1, 13] },
  { shape: [1031, 67], aShape: [1031, 67], bShape: [67] },
];

const size = (shape: number[]) => shape.reduce((p, s) => p * s, 1);

/** Operands for `op`: b kept away from 0 for div; pow mixes negative bases with integer exponents. */
function operands(op: BinaryOp, c: Case, seed: number): { a: Float32Array; b: Float32Array } {
  const a = randomF32(size(c.aShape), seed, -3, 3);
  const b = randomF32(size(c.bShape), seed + 1, -3, 3);
  if (op === 'div') b.forEach((v, i) => (b[i] = Math.sign(v || 1) * (0.25 + Math.abs(v))));
  if (op === 'pow') {
    const rand = seededRandom(seed + 2);
    b.forEach((v, i) => (b[i] = rand() < 0.5 ? Math.round(v) : v));
    if (a.length > 2) a[0] = 0;
    if (a.length > 5) a[4] = -2;
  }
  return { a, b };
}

/** Float64 reference: walks output coordinates, reading a and b through their strides. */
function referenceBinary(
  op: BinaryOp,
  shape: number[],
  a: Float32Array,
  aStrides: number[],
  b: Float32Array,
  bStrides: number[],
): Float64Array {
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    let rem = i;
    let ia = 0;
    let ib = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const coord = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
      ia += coord * aStrides[d];
      ib += coord * bStrides[d];
    }
    out[i] = reference[op](a[ia], b[ib]);
  }
  return out;
}

describe('binary with broadcasting', () => {
  it('collapses size-1 axes and contiguous runs', () => {
    expect(collapseBroadcast([4, 5, 6], [30, 6, 1], [30, 6, 1])).toEqual({
      shape: [120],
      aStrides: [1],
      bStrides: [1],
    });
    expect(collapseBroadcast([4, 1, 6], [6, 6, 1], [0, 0, 1])).toEqual({
      shape: [4, 6],
      aStrides: [6, 1],
      bStrides: [0, 1],
    });
    expect(collapseBroadcast([1, 1], [1, 1], [0, 0])).toEqual({ shape: [1], aStrides: [0], bStrides: [0] });
    expect(collapseBroadcast([2, 3, 4], [0, 0, 1], [12, 4, 1])).toEqual({
      shape: [6, 4],
      aStrides: [0, 1],
      bStrides: [4, 1],
    });
  });

  for (const op of BINARY_OPS) {
    it(`${op} matches the float64 reference on ${CASES.length} shapes up to rank 6`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(binaryPrograms([op], [1, 2], []));
      const runs = CASES.map((c, k) => {
        const { a, b } = operands(op, c, 40 * k + op.length);
        const aStrides = c.aStrides ?? broadcastStrides(c.shape, c.aShape);
        const bStrides = broadcastStrides(c.shape, c.bShape);
        return {
          c,
          aStrides,
          bStrides,
          expected: referenceBinary(op, c.shape, a, aStrides, b, bStrides),
          buffers: {
            a: uploadBuffer(device, a),
            b: uploadBuffer(device, b),
            out: poisonedBuffer(device, size(c.shape)),
          },
        };
      });
      await run((pass) => {
        for (const r of runs)
          binary(rt, pass, { op, ...r.buffers, shape: r.c.shape, aStrides: r.aStrides, bStrides: r.bStrides });
      });
      for (const r of runs) {
        const got = await readF32(device, r.buffers.out);
        expectClosePerElement(got, r.expected, rtol[op], 1e-30, `${op} [${r.c.shape}]`);
        Object.values(r.buffers).forEach((buffer) => buffer.destroy());
      }
    });
  }

  it(`add with a broadcast scalar covers all ${FOLDED_LENGTH} elements of a folded grid`, async () => {
    const { device, rt, run } = await kernelHarness();
    const length = FOLDED_LENGTH;
    const a = randomF32(length, 9);
    const buffers = {
      a: uploadBuffer(device, a),
      b: uploadBuffer(device, new Float32Array([0.5])),
      out: poisonedBuffer(device, length),
    };
    await run((pass) => binary(rt, pass, { op: 'add', ...buffers, shape: [length], aStrides: [1], bStrides: [0] }));
    const got = await readF32(device, buffers.out);
    for (let i = 0; i < length; i++) {
      if (got[i] !== Math.fround(a[i] + 0.5)) throw new Error(`[${i}] got ${got[i]}, expected ${a[i] + 0.5}`);
    }
    Object.values(buffers).forEach((buffer) => buffer.destroy());
  });

  it('names the op and the shapes when the arguments do not fit', async () => {
    const { device, rt } = await kernelHarness();
    const [a, b, out] = [poisonedBuffer(device, 6), poisonedBuffer(device, 3), poisonedBuffer(device, 6)];
    const pass = {} as GPUComputePassEncoder;
    expect(() => binary(rt, pass, { op: 'add', a, b, out, shape: [2, 3], aStrides: [3, 1], bStrides: [1] })).toThrow(
      /binary add: shape and strides differ in rank \(shape \[2, 3\], aStrides \[3, 1\], bStrides \[1\]\)/,
    );
    expect(() => binary(rt, pass, { op: 'mul', a, b, out, shape: [2, 3], aStrides: [3, 1], bStrides: [3, 1] })).toThrow(
      /binary mul: buffer 'b' holds 3 elements .* needs 6/,
    );
    expect(() =>
      binary(rt, pass, { op: 'mod' as BinaryOp, a, b, out, shape: [1], aStrides: [1], bStrides: [1] }),
    ).toThrow(/binary: unknown op 'mod'/);
    const rank7 = { shape: [2, 2, 2, 2, 2, 2, 2], aStrides: [64, 32, 16, 8, 4, 2, 1], bStrides: [0, 1, 0, 1, 0, 1, 0] };
    const big = poisonedBuffer(device, 128);
    expect(() => binary(rt, pass, { op: 'add', a: big, b: big, out: poisonedBuffer(device, 128), ...rank7 })).toThrow(
      /binary add: rank 7 after collapsing exceeds 6/,
    );
  });
});

describe('scalar', () => {
  const sizes = [1, 5, 256, 1009, 70_001];
  const values: { [Op in ScalarOp]: number } = { add: -1.25, mul: 3.5, rsub: 2, pow: 3 };
  for (const op of SCALAR_OPS) {
    it(`${op} matches the float64 reference at sizes ${sizes.join(', ')}`, async () => {
      const { device, rt, run } = await kernelHarness();
      const xs = sizes.map((n, k) => randomF32(n, 7 * k + op.length, -3, 3));
      const buffers = xs.map((x) => ({ x: uploadBuffer(device, x), out: poisonedBuffer(device, x.length) }));
      await run((pass) =>
        xs.forEach((x, k) => scalar(rt, pass, { op, ...buffers[k], length: x.length, value: values[op] })),
      );
      for (const [k, x] of xs.entries()) {
        const expected = Array.from(x, (v) => scalarReference[op](v, values[op]));
        expectClosePerElement(
          await readF32(device, buffers[k].out),
          expected,
          op === 'pow' ? 1e-5 : 1e-7,
          1e-30,
          `${op} n=${x.length}`,
        );
        Object.values(buffers[k]).forEach((buffer) => buffer.destroy());
      }
    });
  }

  it('pow with a non-integer exponent: NaN for negative bases, 0 and inf at zero', async () => {
    const { device, rt, run } = await kernelHarness();
    const x = uploadBuffer(device, new Float32Array([-2, 0, 4, NaN]));
    const [half, negative] = [poisonedBuffer(device, 4), poisonedBuffer(device, 4)];
    await run((pass) => {
      scalar(rt, pass, { op: 'pow', x, out: half, length: 4, value: 0.5 });
      scalar(rt, pass, { op: 'pow', x, out: negative, length: 4, value: -1 });
    });
    expect(Array.from(await readF32(device, half))).toEqual([NaN, 0, 2, NaN]);
    expect(Array.from(await readF32(device, negative))).toEqual([-0.5, Infinity, 0.25, NaN]);
  });
});
