import { describe, expect, it } from 'vitest';
import { unary, unaryBackward, unaryPrograms, UNARY_OPS, type UnaryOp } from '../../../src/kernels/unary';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, FOLDED_LENGTH, kernelHarness } from './buffer-kernel-harness';

const ALPHA = Math.fround(0.07);

/** Float64 reference of each op: forward from x, backward from x, y (the f32 forward output) and dy. */
const reference: {
  [Op in UnaryOp]: { f: (x: number) => number; df: (x: number, y: number, dy: number) => number };
} = {
  relu: { f: (x) => (x < 0 ? 0 : x), df: (x, _y, dy) => (x > 0 ? dy : 0) },
  leaky_relu: { f: (x) => (x < 0 ? ALPHA * x : x), df: (x, _y, dy) => (x > 0 ? dy : ALPHA * dy) },
  sigmoid: {
    f: (x) => 1 / (1 + Math.exp(-x)),
    // e / (1 + e)^2 rather than s (1 - s), which cancels in float64 too once s is within 1e-13 of 1.
    df: (x, _y, dy) => {
      const e = Math.exp(-Math.abs(x));
      return (dy * e) / (1 + e) ** 2;
    },
  },
  tanh: { f: Math.tanh, df: (x, _y, dy) => dy / Math.cosh(x) ** 2 },
  exp: { f: Math.exp, df: (_x, y, dy) => dy * y },
  log: { f: Math.log, df: (x, _y, dy) => dy / x },
  neg: { f: (x) => -x, df: (_x, _y, dy) => -dy },
  abs: { f: Math.abs, df: (x, _y, dy) => dy * Math.sign(x) },
  sqrt: { f: Math.sqrt, df: (_x, y, dy) => (dy * 0.5) / y },
  square: { f: (x) => x * x, df: (x, _y, dy) => 2 * x * dy },
};

/**
 * Input range, values that must appear (extremes, the polynomial/exp switch of tanh at 0.55, zero), and
 * tolerances. Rounding-only ops get 1-2 ulp (rtol 2e-7). exp, sigmoid and tanh go through WGSL's exp,
 * specified to 3 + 2|x| ulp (x up to 10 here: 23 ulp ~ 2.7e-6), so rtol 1e-5; log is specified to an
 * absolute 2^-21 near 1, hence its atol; sqrt is 2.5 ulp. atol 1e-30 admits results that underflow.
 */
const cases: {
  [Op in UnaryOp]: { lo: number; hi: number; specials: number[]; rtol: number; atol: number };
} = {
  relu: { lo: -4, hi: 4, specials: [0, -0, 1e-30, -1e-30], rtol: 0, atol: 0 },
  leaky_relu: { lo: -4, hi: 4, specials: [0, -0, -1e-3], rtol: 2e-7, atol: 0 },
  sigmoid: { lo: -8, hi: 8, specials: [0, 30, -30, 80, -80, 1e-6, -1e-6], rtol: 1e-5, atol: 1e-30 },
  tanh: {
    lo: -4,
    hi: 4,
    specials: [0, 1e-6, -1e-6, 0.5499, 0.5501, -0.55, 9, -9, 30, -80, 80],
    rtol: 1e-5,
    atol: 1e-30,
  },
  exp: { lo: -10, hi: 10, specials: [0, -80, 80, 1e-6], rtol: 1e-5, atol: 1e-30 },
  log: { lo: 0.01, hi: 6, specials: [1, 1.0001, 0.9999, 1e-20, 3e30], rtol: 1e-6, atol: 1e-6 },
  neg: { lo: -4, hi: 4, specials: [0, 3e38], rtol: 0, atol: 0 },
  abs: { lo: -4, hi: 4, specials: [0, -0, -3e38], rtol: 0, atol: 0 },
  sqrt: { lo: 0.01, hi: 100, specials: [1, 1e-20, 4, 3e30], rtol: 1e-6, atol: 0 },
  square: { lo: -4, hi: 4, specials: [0, -1e-10, 1e10], rtol: 2e-7, atol: 0 },
};

// Multiples of 4 run the vec4 programs (four elements per thread), the others the f32 ones.
const SIZES = [1, 4, 7, 100, 257, 4099, 4100, 65_537];

function inputFor(op: UnaryOp, length: number, seed: number): Float32Array {
  const { lo, hi, specials } = cases[op];
  const x = randomF32(length, seed, lo, hi);
  for (let i = 0; i < Math.min(length, specials.length); i++)
    x[i] = specials[(i + (length > 1 ? 1 : 0)) % specials.length];
  return x;
}

describe('unary forward', () => {
  for (const op of UNARY_OPS) {
    it(`${op} matches the float64 reference at sizes ${SIZES.join(', ')}`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(unaryPrograms([op]));
      const inputs = SIZES.map((length, s) => inputFor(op, length, 100 * s + op.length));
      const xs = inputs.map((x) => uploadBuffer(device, x));
      const outs = SIZES.map((length) => poisonedBuffer(device, length));
      await run((pass) =>
        SIZES.forEach((length, s) => unary(rt, pass, { op, x: xs[s], out: outs[s], length, alpha: ALPHA })),
      );
      for (const [s, x] of inputs.entries()) {
        const expected = Array.from(x, reference[op].f);
        expectClosePerElement(
          await readF32(device, outs[s]),
          expected,
          cases[op].rtol,
          cases[op].atol,
          `${op} n=${x.length}`,
        );
      }
      [...xs, ...outs].forEach((b) => b.destroy());
    });
  }
});

describe('unary backward', () => {
  for (const op of UNARY_OPS) {
    it(`${op} gives dx = dy * f'(x) at sizes ${SIZES.join(', ')}`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(unaryPrograms([op]));
      const xs = SIZES.map((length, s) => inputFor(op, length, 200 * s + op.length));
      const ys = xs.map((x) => Float32Array.from(x, reference[op].f));
      const dys = SIZES.map((length, s) => randomF32(length, 300 * s + 1, -2, 2));
      const buffers = SIZES.map((length, s) => ({
        x: uploadBuffer(device, xs[s]),
        y: uploadBuffer(device, ys[s]),
        dy: uploadBuffer(device, dys[s]),
        dx: poisonedBuffer(device, length),
      }));
      await run((pass) =>
        SIZES.forEach((length, s) => unaryBackward(rt, pass, { op, ...buffers[s], length, alpha: ALPHA })),
      );
      for (const [s, x] of xs.entries()) {
        const expected = Array.from(x, (xi, i) => reference[op].df(xi, ys[s][i], dys[s][i]));
        const got = await readF32(device, buffers[s].dx);
        expectClosePerElement(got, expected, Math.max(cases[op].rtol, 2e-7), cases[op].atol, `${op}' n=${x.length}`);
      }
      buffers.forEach((b) => Object.values(b).forEach((buffer) => buffer.destroy()));
    });
  }
});

describe('unary vec4 programs', () => {
  for (const op of UNARY_OPS) {
    it(`${op}: four elements per thread give the same bits as one (forward and backward)`, async () => {
      const { device, rt, run } = await kernelHarness();
      // 4100 elements take the vec4 programs, the first 4099 of the same buffers the f32 ones.
      const x = inputFor(op, 4100, 7 * op.length);
      const buffers = {
        x: uploadBuffer(device, x),
        y: uploadBuffer(device, Float32Array.from(x, reference[op].f)),
        dy: uploadBuffer(device, randomF32(4100, 11, -2, 2)),
      };
      const outs = [0, 1, 2, 3].map(() => poisonedBuffer(device, 4100));
      await run((pass) => {
        unary(rt, pass, { op, x: buffers.x, out: outs[0], length: 4100, alpha: ALPHA });
        unary(rt, pass, { op, x: buffers.x, out: outs[1], length: 4099, alpha: ALPHA });
        unaryBackward(rt, pass, { op, ...buffers, dx: outs[2], length: 4100, alpha: ALPHA });
        unaryBackward(rt, pass, { op, ...buffers, dx: outs[3], length: 4099, alpha: ALPHA });
      });
      const [vecF, oneF, vecB, oneB] = await Promise.all(outs.map((b) => readF32(device, b)));
      for (const [vec, one, what] of [
        [vecF, oneF, 'forward'],
        [vecB, oneB, 'backward'],
      ] as const) {
        for (let i = 0; i < 4099; i++) {
          if (!Object.is(vec[i], one[i])) throw new Error(`${op} ${what} [${i}]: vec4 ${vec[i]}, f32 ${one[i]}`);
        }
        expect(Number.isNaN(one[4099])).toBe(true); // the f32 run stopped at its length
        expect(Number.isNaN(vec[4099])).toBe(Number.isNaN(what === 'forward' ? reference[op].f(x[4099]) : 0));
      }
      [...Object.values(buffers), ...outs].forEach((b) => b.destroy());
    });
  }
});

describe('unary on a folded grid', () => {
  it(`relu covers all ${FOLDED_LENGTH} elements (more workgroups than one grid dimension holds)`, async () => {
    const { device, rt, run } = await kernelHarness();
    const length = FOLDED_LENGTH;
    const x = randomF32(length, 5);
    const xb = uploadBuffer(device, x);
    const out = poisonedBuffer(device, length);
    await run((pass) => unary(rt, pass, { op: 'relu', x: xb, out, length }));
    const got = await readF32(device, out);
    for (let i = 0; i < length; i++) {
      const y = x[i] < 0 ? 0 : x[i];
      if (got[i] !== y) throw new Error(`[${i}] got ${got[i]}, expected ${y}`);
    }
    [xb, out].forEach((b) => b.destroy());
  });

  it('propagates NaN through relu and rejects bad arguments by name', async () => {
    const { device, rt, run } = await kernelHarness();
    const x = uploadBuffer(device, new Float32Array([NaN, -1, 2]));
    const out = poisonedBuffer(device, 3);
    await run((pass) => unary(rt, pass, { op: 'relu', x, out, length: 3 }));
    expect(Array.from(await readF32(device, out))).toEqual([NaN, 0, 2]);
    const pass = {} as GPUComputePassEncoder;
    expect(() => unary(rt, pass, { op: 'gelu' as UnaryOp, x, out, length: 3 })).toThrow(/unary: unknown op 'gelu'/);
    expect(() => unary(rt, pass, { op: 'exp', x, out: x, length: 3 })).toThrow(/unary exp: out must not be/);
    expect(() => unary(rt, pass, { op: 'exp', x, out, length: 4 })).toThrow(/unary exp: buffer 'x' holds 3/);
  });
});
