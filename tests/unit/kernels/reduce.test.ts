import { describe, expect, it } from 'vitest';
import { reduce, REDUCE_OPS, reduceParts, reducePrograms, type ReduceOp } from '../../../src/kernels/reduce';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, kernelHarness } from './buffer-kernel-harness';

interface Shape {
  outer: number;
  size: number;
  inner: number;
}

// Single-pass shapes (short rows or many outputs) and two-pass shapes whose partials go through the
// scratch buffer, with inner > 1 in both kinds; inner a multiple of 4 runs the vec4 programs (single
// pass: 4, 8, 500; two passes: 4, 32 as a conv bias gradient, 12).
const SHAPES: Shape[] = [
  { outer: 1, size: 1, inner: 4 },
  { outer: 3, size: 5, inner: 8 },
  { outer: 2, size: 3001, inner: 4 },
  { outer: 1, size: 30_976, inner: 32 },
  { outer: 7, size: 1031, inner: 12 },
  { outer: 1, size: 1, inner: 1 },
  { outer: 1, size: 7, inner: 1 },
  { outer: 3, size: 5, inner: 7 },
  { outer: 13, size: 257, inner: 1 },
  { outer: 1, size: 100, inner: 500 },
  { outer: 5003, size: 3, inner: 1 },
  { outer: 1, size: 1000, inner: 1 },
  { outer: 2, size: 4099, inner: 3 },
  { outer: 3, size: 70_001, inner: 2 },
  { outer: 1, size: 20_011, inner: 101 },
];

/** Float64 reference, and per output the sum of |terms|, which bounds the rounding error of any sum order. */
function referenceReduce(op: ReduceOp, x: Float32Array, { outer, size, inner }: Shape) {
  const out = new Float64Array(outer * inner);
  const magnitude = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'max' ? -Infinity : 0;
      let abs = 0;
      for (let j = 0; j < size; j++) {
        const v = x[(o * size + j) * inner + i];
        acc = op === 'max' ? Math.max(acc, v) : acc + v;
        abs += Math.abs(v);
      }
      out[o * inner + i] = op === 'mean' ? acc / size : acc;
      magnitude[o * inner + i] = op === 'mean' ? abs / size : abs;
    }
  }
  return { out, magnitude };
}

describe('reduce', () => {
  it('splits long rows with few outputs into about sqrt(size) partials', () => {
    expect(reduceParts(500, 100)).toBe(1);
    expect(reduceParts(5003, 3)).toBe(1);
    expect(reduceParts(1, 1000)).toBe(1);
    expect(reduceParts(6, 70_001)).toBe(265);
    expect(reduceParts(101, 20_011)).toBe(142);
    expect(reduceParts(20_000, 5000)).toBe(1);
    expect(reduceParts(1000, 1_000_000)).toBe(65);
  });

  for (const op of REDUCE_OPS) {
    it(`${op} matches the float64 reference on ${SHAPES.length} shapes`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(reducePrograms());
      const runs = SHAPES.map((shape, k) => {
        const x = randomF32(shape.outer * shape.size * shape.inner, 31 * k + op.length, -1, 1);
        return { shape, x, xb: uploadBuffer(device, x), out: poisonedBuffer(device, shape.outer * shape.inner) };
      });
      await run((pass) => runs.forEach((r) => reduce(rt, pass, { op, x: r.xb, out: r.out, ...r.shape })));
      for (const r of runs) {
        const { out, magnitude } = referenceReduce(op, r.x, r.shape);
        // max is exact. A sum's rounding error is at most (terms added in sequence) * eps * sum|x|;
        // blocks of 64 and <= 300 partials keep that under ~400 eps, so 1e-6 * sum|x| bounds it
        // (the float64 reference sums the f32 inputs exactly enough to be the truth here).
        const atol = op === 'max' ? 0 : magnitude.map((m) => 1e-6 * m);
        expectClosePerElement(
          await readF32(device, r.out),
          out,
          op === 'max' ? 0 : 2e-7,
          atol,
          `${op} ${JSON.stringify(r.shape)}`,
        );
        r.xb.destroy();
        r.out.destroy();
      }
    });
  }

  it('sums 16.8M elements into one (4097 partials, then their sum)', async () => {
    const { device, rt, run } = await kernelHarness();
    const shape = { outer: 1, size: 65535 * 256 + 4099, inner: 1 };
    const x = randomF32(shape.size, 77, 0, 1);
    const xb = uploadBuffer(device, x);
    const out = poisonedBuffer(device, 2);
    await run((pass) => reduce(rt, pass, { op: 'sum', x: xb, out, ...shape }));
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += x[i];
    const got = await readF32(device, out);
    expectClosePerElement([got[0]], [sum], 1e-6, 0, 'sum');
    expect(got[1]).toBeNaN();
    [xb, out].forEach((b) => b.destroy());
  });

  it('names the op and argument when shapes do not fit', async () => {
    const { device, rt } = await kernelHarness();
    const [x, out] = [poisonedBuffer(device, 10), poisonedBuffer(device, 2)];
    const pass = {} as GPUComputePassEncoder;
    expect(() => reduce(rt, pass, { op: 'sum', x, out, outer: 2, size: 6, inner: 1 })).toThrow(
      /reduce sum: buffer 'x' holds 10 elements .* needs 12/,
    );
    expect(() => reduce(rt, pass, { op: 'prod' as ReduceOp, x, out, outer: 1, size: 1, inner: 1 })).toThrow(
      /reduce: unknown op 'prod'/,
    );
  });
});
