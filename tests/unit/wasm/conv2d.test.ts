// The wasm conv2d (NHWC input, HWIO filter) forward and both gradients against the float64 reference in
// src/engine/ref/conv2d.ts, on seeded random input: 1x1 cases, odd sizes, strides, 'same' and 'valid'
// padding, and a window large enough that the im2col chunks split the batch. Outputs poisoned with NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from '../../../src/engine/ref/conv2d';
import { conv2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import type { WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, poisoned, SIMD_LEVELS, upload } from './wasm-helpers';

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  padding: Padding2d;
}

const CASES: ConvCase[] = [
  { x: [1, 1, 1, 1], filter: [1, 1, 1, 1], strides: [1, 1], padding: 'valid' },
  { x: [2, 5, 7, 3], filter: [3, 3, 3, 4], strides: [1, 1], padding: 'same' },
  { x: [3, 28, 28, 1], filter: [3, 3, 1, 8], strides: [1, 1], padding: 'same' },
  { x: [2, 9, 11, 5], filter: [3, 2, 5, 7], strides: [2, 3], padding: 'valid' },
  { x: [1, 6, 6, 2], filter: [5, 5, 2, 3], strides: [2, 2], padding: 'same' },
  // 15 output pixels (not a multiple of the tile's rows) with K = 27; strided 'same' with 32 channels.
  { x: [1, 7, 5, 3], filter: [3, 3, 3, 16], strides: [1, 1], padding: 'valid' },
  { x: [2, 8, 8, 1], filter: [3, 3, 1, 32], strides: [2, 2], padding: 'same' },
  // K = 3*3*130 = 1170: 896 output pixels per im2col chunk, 961 pixels in all, so two chunks.
  { x: [1, 31, 31, 130], filter: [3, 3, 130, 2], strides: [1, 1], padding: 'same' },
];

describe.each(SIMD_LEVELS)('wasm conv2d (%s build)', (level) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level);
  });

  CASES.forEach((c, i) => {
    it(`x [${c.x}] filter [${c.filter}] strides [${c.strides}] ${c.padding}: forward and both gradients`, () => {
      const g = conv2dGeometry('conv', c.x, c.filter, { strides: c.strides, padding: c.padding });
      const xSize = g.batch * g.inH * g.inW * g.inC;
      const wSize = g.kh * g.kw * g.inC * g.outC;
      const ySize = g.batch * g.outH * g.outW * g.outC;
      const kSize = g.kh * g.kw * g.inC;
      const tol = { rtol: 1e-5, atol: 1e-6 * Math.sqrt(kSize) };
      const x = randomF32(xSize, 70 + i);
      const w = randomF32(wSize, 80 + i);
      const bias = randomF32(g.outC, 90 + i);
      const dyHost = randomF32(ySize, 100 + i);
      const xPtr = upload(k, x);
      const wPtr = upload(k, w);
      const dy = upload(k, dyHost);

      // Alternate cases run the fused relu epilogue.
      const relu = i % 2 === 1;
      const y = poisoned(k, ySize);
      k.conv2d({
        x: xPtr,
        filter: wPtr,
        bias: upload(k, bias),
        out: y,
        geometry: g,
        activation: relu ? 'relu' : 'none',
      });
      const expectedY = Array.from(conv2dForward(g, x, w, bias), (v) => (relu ? Math.max(v, 0) : v));
      expectAllClose(k.readF32(y, ySize), expectedY, tol);

      const dw = poisoned(k, wSize);
      k.conv2dBackwardFilter({ x: xPtr, dy, dFilter: dw, geometry: g });
      const rowsTol = { rtol: 1e-5, atol: 1e-6 * Math.sqrt(g.batch * g.outH * g.outW) };
      expectAllClose(k.readF32(dw, wSize), conv2dBackwardFilter(g, x, dyHost), rowsTol);

      const dx = poisoned(k, xSize);
      k.conv2dBackwardInput({ dy, filter: wPtr, dx, geometry: g });
      expectAllClose(k.readF32(dx, xSize), conv2dBackwardInput(g, dyHost, w), {
        rtol: 1e-5,
        atol: 1e-6 * Math.sqrt(wSize),
      });
    });
  });

  it('rejects geometry whose windows leave the padded input', () => {
    const g = conv2dGeometry('conv', [1, 5, 5, 1], [3, 3, 1, 1]);
    const x = k.alloc(25, 'x');
    const w = k.alloc(9, 'w');
    const y = k.alloc(100, 'y');
    expect(() => k.conv2d({ x, filter: w, out: y, geometry: { ...g, outH: 5 }, activation: 'none' })).toThrow(
      /conv2d x \[1,5,5,1\] window 3x3: output 5x3 needs windows beyond the padded input/,
    );
  });
});
