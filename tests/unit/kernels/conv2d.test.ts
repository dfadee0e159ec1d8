// conv2d kernels (forward gemm and direct, backward input, filter, bias) against the float64 reference in
// src/engine/ref/conv2d.ts, on seeded random shapes: odd sizes, stride 2, 'same' padding, 1 and 3+ input
// channels, channel counts that are not multiples of the tile or of 4. Outputs are poisoned with NaN first.
import { describe, expect, it } from 'vitest';
import {
  conv2dBackwardBias as refBackwardBias,
  conv2dBackwardFilter as refBackwardFilter,
  conv2dBackwardInput as refBackwardInput,
  conv2dForward as refForward,
} from '../../../src/engine/ref/conv2d';
import { conv2dGeometry, type Conv2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import {
  conv2d,
  conv2dBackwardBias,
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dWith,
  type Conv2dTemplate,
  WINDOW_MAX_TAPS,
} from '../../../src/kernels/conv2d';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, kernelHarness } from './buffer-kernel-harness';

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: [number, number];
  padding: Padding2d;
}

const CASES: Case[] = [
  { x: [2, 5, 7, 1], f: [3, 3, 1, 5], strides: [1, 1], padding: 'valid' },
  { x: [1, 9, 8, 3], f: [3, 3, 3, 8], strides: [2, 2], padding: 'same' },
  { x: [3, 6, 5, 4], f: [2, 3, 4, 6], strides: [2, 1], padding: 'valid' },
  { x: [2, 7, 7, 3], f: [5, 5, 3, 17], strides: [1, 1], padding: 'same' },
  { x: [1, 1, 1, 1], f: [1, 1, 1, 1], strides: [1, 1], padding: 'valid' },
  { x: [3, 11, 13, 1], f: [3, 3, 1, 32], strides: [1, 1], padding: 'valid' },
  // The classic CNN's first layer at batch 1 (26 output columns: 'lanes' edge tiles overhang the row).
  { x: [1, 28, 28, 1], f: [3, 3, 1, 32], strides: [1, 1], padding: 'valid' },
  // 33 channels: a second 'lanes' channel tile with one live channel; stride 2 with 'same' padding.
  { x: [3, 10, 9, 2], f: [3, 3, 2, 33], strides: [2, 2], padding: 'same' },
  // Stride 2 'valid' whose windows stop short of the bottom/right edge; 12 channels (a partial SIMD tile).
  { x: [3, 8, 9, 5], f: [3, 2, 5, 12], strides: [2, 2], padding: 'valid' },
  { x: [2, 7, 6, 32], f: [3, 3, 32, 7], strides: [1, 1], padding: 'same' },
  // 'window' at stride 2 'valid' (no sliding; the last windows stop short of the edges), 2 input channels.
  { x: [3, 9, 8, 2], f: [3, 3, 2, 4], strides: [2, 2], padding: 'valid' },
];

const abs = (a: Float32Array) => a.map(Math.abs);
/** f32 sums of K products: allow a few ulps of the sum of |terms| (the reference run on absolute values). */
const TOL = 2e-6;

describe('conv2d kernels vs the reference', () => {
  for (const [n, c] of CASES.entries()) {
    const name = `x [${c.x}] filter [${c.f}] strides ${c.strides} ${c.padding}`;
    it(`forward (default, gemm, direct, window, small tiles), ${name}`, async () => {
      const { device, rt, run } = await kernelHarness();
      const g = conv2dGeometry('c', c.x, c.f, { strides: c.strides, padding: c.padding });
      const x = randomF32(g.batch * g.inH * g.inW * g.inC, 100 + n);
      const w = randomF32(g.kh * g.kw * g.inC * g.outC, 200 + n);
      const bias = randomF32(g.outC, 300 + n);
      const outLength = g.batch * g.outH * g.outW * g.outC;
      const expected = refForward(g, x, w, bias);
      const expectedRelu = expected.map((v) => Math.max(v, 0));
      const tol = refForward(g, abs(x), abs(w), abs(bias)).map((v) => TOL * v);
      const [xb, wb, bb] = [uploadBuffer(device, x), uploadBuffer(device, w), uploadBuffer(device, bias)];
      const outs = [0, 1, 2, 3, 4, 5, 6].map(() => poisonedBuffer(device, outLength));
      const small: Partial<Conv2dTemplate> = { rowsPerThread: 3, colsPerThread: 4 };
      // 'window' unrolls every tap: only for small filters (the default picks it exactly then).
      const window = g.kh * g.kw * g.inC <= WINDOW_MAX_TAPS;
      await run((pass) => {
        conv2d(rt, pass, { ...g, x: xb, filter: wb, bias: bb, out: outs[0], activation: 'relu' });
        conv2dWith(rt, pass, { ...g, x: xb, filter: wb, bias: bb, out: outs[1] }, 'direct');
        conv2dWith(rt, pass, { ...g, x: xb, filter: wb, out: outs[2] }, 'gemm', small);
        conv2dWith(rt, pass, { ...g, x: xb, filter: wb, bias: bb, out: outs[3], activation: 'relu' }, 'direct', small);
        conv2dWith(rt, pass, { ...g, x: xb, filter: wb, bias: bb, out: outs[4], activation: 'relu' }, 'gemm');
        if (window) {
          conv2dWith(rt, pass, { ...g, x: xb, filter: wb, bias: bb, out: outs[5], activation: 'relu' }, 'window');
          // 3-pixel row segments (most rows end in a short one), 2 channels per lane (8 per SIMD group).
          conv2dWith(rt, pass, { ...g, x: xb, filter: wb, out: outs[6] }, 'window', {
            rowsPerThread: 3,
            colsPerThread: 2,
            workgroupSize: 4,
          });
        }
      });
      const noBias = refForward(g, x, w, null);
      expectClosePerElement(await readF32(device, outs[0], outLength), expectedRelu, 1e-6, tol, 'gemm relu');
      expectClosePerElement(await readF32(device, outs[1], outLength), expected, 1e-6, tol, 'direct');
      expectClosePerElement(await readF32(device, outs[2], outLength), noBias, 1e-6, tol, 'gemm 3x4 tiles');
      expectClosePerElement(await readF32(device, outs[3], outLength), expectedRelu, 1e-6, tol, 'direct 3x4 relu');
      expectClosePerElement(await readF32(device, outs[4], outLength), expectedRelu, 1e-6, tol, 'gemm relu');
      if (window) {
        expectClosePerElement(await readF32(device, outs[5], outLength), expectedRelu, 1e-6, tol, 'window relu');
        expectClosePerElement(await readF32(device, outs[6], outLength), noBias, 1e-6, tol, 'window 3x2');
      }
      for (const b of [xb, wb, bb, ...outs]) b.destroy();
    });

    it(`backward input, filter and bias, ${name}`, async () => {
      const { device, rt, run } = await kernelHarness();
      const g = conv2dGeometry('c', c.x, c.f, { strides: c.strides, padding: c.padding });
      const x = randomF32(g.batch * g.inH * g.inW * g.inC, 400 + n);
      const w = randomF32(g.kh * g.kw * g.inC * g.outC, 500 + n);
      const dy = randomF32(g.batch * g.outH * g.outW * g.outC, 600 + n);
      const [xb, wb, dyb] = [uploadBuffer(device, x), uploadBuffer(device, w), uploadBuffer(device, dy)];
      const window = g.kh * g.kw * g.inC <= WINDOW_MAX_TAPS;
      const dx = poisonedBuffer(device, x.length);
      const dw = poisonedBuffer(device, w.length);
      const dwSmall = poisonedBuffer(device, w.length);
      const dxSmall = poisonedBuffer(device, x.length);
      const dwGemm = poisonedBuffer(device, w.length);
      const dwLanes = poisonedBuffer(device, w.length);
      const dwLanesSmall = poisonedBuffer(device, w.length);
      const dwWindow = poisonedBuffer(device, w.length);
      const dwWindowSmall = poisonedBuffer(device, w.length);
      const db = poisonedBuffer(device, g.outC);
      const rows = g.batch * g.outH * g.outW;
      await run((pass) => {
        conv2dBackwardInput(rt, pass, { ...g, dy: dyb, filter: wb, dx });
        conv2dBackwardInput(
          rt,
          pass,
          { ...g, dy: dyb, filter: wb, dx: dxSmall },
          { rowsPerThread: 5, colsPerThread: 4 },
        );
        conv2dBackwardFilter(rt, pass, { ...g, x: xb, dy: dyb, dFilter: dw });
        conv2dBackwardFilter(
          rt,
          pass,
          { ...g, x: xb, dy: dyb, dFilter: dwSmall },
          { rowsPerThread: 3, colsPerThread: 4, workgroupSize: 32 },
          'gemm',
        );
        conv2dBackwardFilter(rt, pass, { ...g, x: xb, dy: dyb, dFilter: dwGemm }, {}, 'gemm');
        conv2dBackwardFilter(rt, pass, { ...g, x: xb, dy: dyb, dFilter: dwLanes }, {}, 'lanes');
        // 4 filter rows x 3 channels per thread: edge tiles in both directions, many partial sums.
        conv2dBackwardFilter(
          rt,
          pass,
          { ...g, x: xb, dy: dyb, dFilter: dwLanesSmall },
          { rowsPerThread: 4, colsPerThread: 3, workgroupSize: 8 },
          'lanes',
        );
        if (window) {
          conv2dBackwardFilter(rt, pass, { ...g, x: xb, dy: dyb, dFilter: dwWindow }, {}, 'window');
          conv2dBackwardFilter(
            rt,
            pass,
            { ...g, x: xb, dy: dyb, dFilter: dwWindowSmall },
            { colsPerThread: 2, workgroupSize: 4 },
            'window',
          );
        }
        conv2dBackwardBias(rt, pass, { dy: dyb, dBias: db, rows, outC: g.outC });
      });
      const dxTol = refBackwardInput(g, abs(dy), abs(w)).map((v) => TOL * v);
      const dwTol = refBackwardFilter(g, abs(x), abs(dy)).map((v) => TOL * v);
      const dbTol = refBackwardBias(abs(dy), g.outC).map((v) => TOL * v);
      const dxRef = refBackwardInput(g, dy, w);
      const dwRef = refBackwardFilter(g, x, dy);
      expectClosePerElement(await readF32(device, dx, x.length), dxRef, 1e-6, dxTol, 'dx');
      expectClosePerElement(await readF32(device, dxSmall, x.length), dxRef, 1e-6, dxTol, 'dx 5x4 tiles');
      expectClosePerElement(await readF32(device, dw, w.length), dwRef, 1e-6, dwTol, 'dFilter');
      expectClosePerElement(await readF32(device, dwSmall, w.length), dwRef, 1e-6, dwTol, 'dFilter 3x4 tiles');
      expectClosePerElement(await readF32(device, dwGemm, w.length), dwRef, 1e-6, dwTol, 'dFilter gemm');
      expectClosePerElement(await readF32(device, dwLanes, w.length), dwRef, 1e-6, dwTol, 'dFilter lanes');
      expectClosePerElement(await readF32(device, dwLanesSmall, w.length), dwRef, 1e-6, dwTol, 'dFilter lanes 4x3');
      if (window) {
        expectClosePerElement(await readF32(device, dwWindow, w.length), dwRef, 1e-6, dwTol, 'dFilter window');
        expectClosePerElement(await readF32(device, dwWindowSmall, w.length), dwRef, 1e-6, dwTol, 'dFilter window x2');
      }
      expectClosePerElement(await readF32(device, db, g.outC), refBackwardBias(dy, g.outC), 1e-6, dbTol, 'dBias');
      for (const b of [
        xb,
        wb,
        dyb,
        dx,
        dw,
        dwSmall,
        dxSmall,
        dwGemm,
        dwLanes,
        dwLanesSmall,
        dwWindow,
        dwWindowSmall,
        db,
      ])
        b.destroy();
    });
  }

  it('rejects a buffer too small or a geometry that does not fit, naming the kernel', async () => {
    const { device, rt } = await kernelHarness();
    const g: Conv2dGeometry = conv2dGeometry('c', [2, 5, 5, 3], [3, 3, 3, 4]);
    const small = poisonedBuffer(device, 10);
    const big = poisonedBuffer(device, 1000);
    const pass = {} as GPUComputePassEncoder;
    expect(() => conv2d(rt, pass, { ...g, x: small, filter: big, out: big })).toThrow(
      /conv2d: buffer 'x' holds 10 elements .*needs 150/,
    );
    expect(() => conv2dBackwardFilter(rt, pass, { ...g, x: big, dy: big, dFilter: small })).toThrow(
      /conv2dBackwardFilter: buffer 'dFilter' holds 10 elements/,
    );
    expect(() => conv2dBackwardInput(rt, pass, { ...g, outH: 9, dy: big, filter: big, dx: big })).toThrow(
      /conv2dBackwardInput: output 9x3 does not fit input 5x5/,
    );
    small.destroy();
    big.destroy();
  });
});
