// The wasm max / average pooling and batch norm kernels, forward and backward, against the float64
// references in src/engine/ref/ on seeded random input: windows that overlap, 'same' padding with
// partial windows, odd channel counts; outputs poisoned with NaN first; on every build this runtime runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForward } from '../../../src/engine/ref/batchnorm';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../../src/engine/ref/pool';
import { pool2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import type { WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, poisoned, SIMD_LEVELS, upload } from './wasm-helpers';

const POOLS: {
  x: [number, number, number, number];
  pool: [number, number];
  strides: [number, number];
  padding: Padding2d;
}[] = [
  { x: [1, 1, 1, 1], pool: [1, 1], strides: [1, 1], padding: 'valid' },
  { x: [2, 26, 26, 32], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { x: [3, 7, 5, 3], pool: [3, 3], strides: [2, 2], padding: 'same' },
  { x: [1, 9, 11, 5], pool: [3, 2], strides: [1, 1], padding: 'valid' },
  // Every window inside and whole channel vectors (the unchecked path), overlapping and not square.
  { x: [2, 8, 7, 8], pool: [3, 2], strides: [1, 2], padding: 'valid' },
];

const BATCH_NORMS: [rows: number, channels: number][] = [
  [1, 1],
  [7, 3],
  [128, 10],
  [338, 17],
];

describe.each(SIMD_LEVELS)('wasm pooling and batch norm (%s build)', (level) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level);
  });

  it('max pool: ties take the first tap and a NaN only where it is the first tap, like the reference', () => {
    for (const padding of ['valid', 'same'] as const) {
      const g = pool2dGeometry('pool', [2, 6, 6, 8], [2, 2], { strides: [2, 2], padding });
      const xSize = g.batch * g.inH * g.inW * g.inC;
      const ySize = g.batch * g.outH * g.outW * g.inC;
      // Values from {-1, 0, 1}: many ties; NaN at every 7th element (first taps and later ones alike).
      const x = randomF32(xSize, 77).map((v, j) => (j % 7 === 3 ? Number.NaN : Math.round(v)));
      const xPtr = upload(k, x);
      const out = poisoned(k, ySize);
      const argmax = upload(k, new Int32Array(ySize).fill(-7));
      k.maxPool({ x: xPtr, out, argmax, geometry: g });
      const ref = maxPoolForward(g, x);
      expect(Array.from(k.readF32(out, ySize))).toEqual(Array.from(ref.out));
      expect(k.readI32(argmax, ySize)).toEqual(ref.argmax);
    }
  });

  POOLS.forEach((c, i) => {
    it(`max and average pool x [${c.x}] window [${c.pool}] strides [${c.strides}] ${c.padding}`, () => {
      const g = pool2dGeometry('pool', c.x, c.pool, { strides: c.strides, padding: c.padding });
      const xSize = g.batch * g.inH * g.inW * g.inC;
      const ySize = g.batch * g.outH * g.outW * g.inC;
      const x = randomF32(xSize, 1100 + i);
      const dyHost = randomF32(ySize, 1200 + i);
      const xPtr = upload(k, x);
      const dy = upload(k, dyHost);

      const out = poisoned(k, ySize);
      const argmax = upload(k, new Int32Array(ySize).fill(-7));
      k.maxPool({ x: xPtr, out, argmax, geometry: g });
      const ref = maxPoolForward(g, x);
      expectAllClose(k.readF32(out, ySize), ref.out, { rtol: 0, atol: 0 });
      expect(k.readI32(argmax, ySize)).toEqual(ref.argmax);

      const dx = poisoned(k, xSize);
      k.maxPoolBackward({ dy, argmax, dx, geometry: g });
      expectAllClose(k.readF32(dx, xSize), maxPoolBackward(g, dyHost, ref.argmax), { rtol: 1e-6, atol: 1e-7 });

      const avg = poisoned(k, ySize);
      k.avgPool({ x: xPtr, out: avg, geometry: g });
      expectAllClose(k.readF32(avg, ySize), avgPoolForward(g, x), { rtol: 1e-5, atol: 1e-6 });
      const dxAvg = poisoned(k, xSize);
      k.avgPoolBackward({ dy, dx: dxAvg, geometry: g });
      expectAllClose(k.readF32(dxAvg, xSize), avgPoolBackward(g, dyHost), { rtol: 1e-5, atol: 1e-6 });
    });
  });

  for (const training of [true, false]) {
    it(`batch norm forward and backward, ${training ? 'training (batch statistics)' : 'inference (running averages)'}`, () => {
      BATCH_NORMS.forEach(([rows, channels], i) => {
        const x = randomF32(rows * channels, 1300 + i, -2, 3);
        const gamma = randomF32(channels, 1400 + i, 0.5, 1.5);
        const beta = randomF32(channels, 1500 + i);
        const runningMean0 = randomF32(channels, 1600 + i);
        const runningVar0 = randomF32(channels, 1700 + i, 0.5, 2);
        const dyHost = randomF32(rows * channels, 1800 + i);
        const common = { rows, channels, epsilon: 1e-3, momentum: 0.99, training };
        const ptrs = {
          x: upload(k, x),
          gamma: upload(k, gamma),
          beta: upload(k, beta),
          runningMean: upload(k, runningMean0),
          runningVar: upload(k, runningVar0),
          out: poisoned(k, rows * channels),
          mean: poisoned(k, channels),
          invStd: poisoned(k, channels),
        };
        k.batchNorm({ ...ptrs, ...common });
        const runningMean = Float64Array.from(runningMean0);
        const runningVar = Float64Array.from(runningVar0);
        const ref = batchNormForward({ x, gamma, beta, runningMean, runningVar, ...common });
        const tol = { rtol: 1e-5, atol: 1e-6 };
        expectAllClose(k.readF32(ptrs.out, rows * channels), ref.out, tol);
        expectAllClose(k.readF32(ptrs.mean, channels), ref.mean, tol);
        expectAllClose(k.readF32(ptrs.invStd, channels), ref.invStd, tol);
        expectAllClose(k.readF32(ptrs.runningMean, channels), runningMean, tol);
        expectAllClose(k.readF32(ptrs.runningVar, channels), runningVar, tol);

        const dx = poisoned(k, rows * channels);
        const dGamma = poisoned(k, channels);
        const dBeta = poisoned(k, channels);
        const dy = upload(k, dyHost);
        k.batchNormBackward({
          x: ptrs.x,
          dy,
          gamma: ptrs.gamma,
          mean: ptrs.mean,
          invStd: ptrs.invStd,
          dx,
          dGamma,
          dBeta,
          rows,
          channels,
          training,
        });
        const refBack = batchNormBackward({
          x,
          dy: dyHost,
          gamma,
          mean: k.readF32(ptrs.mean, channels),
          invStd: k.readF32(ptrs.invStd, channels),
          rows,
          channels,
          training,
        });
        const sumTol = { rtol: 1e-5, atol: 1e-6 * Math.sqrt(rows) };
        expectAllClose(k.readF32(dBeta, channels), refBack.dBeta, sumTol);
        expectAllClose(k.readF32(dGamma, channels), refBack.dGamma, sumTol);
        expectAllClose(k.readF32(dx, rows * channels), refBack.dx, sumTol);
      });
    });
  }
});
