// Pool kernels (max with argmax, average, global average; forward and backward) against the reference in
// src/engine/ref/pool.ts on seeded random NHWC inputs: odd sizes, stride 2, 'same' padding, overlapping
// windows, 1 and 3+ channels; channel counts divisible by 4 exercise the vec4 max-pool path. Outputs are poisoned with NaN first.
import { describe, expect, it } from 'vitest';
import {
  avgPoolBackward as refAvgPoolBackward,
  avgPoolForward as refAvgPool,
  globalAvgPoolBackward as refGlobalBackward,
  globalAvgPoolForward as refGlobal,
  maxPoolBackward as refMaxPoolBackward,
  maxPoolForward as refMaxPool,
} from '../../../src/engine/ref/pool';
import { pool2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import {
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool,
  maxPoolBackward,
  poolPrograms,
} from '../../../src/kernels/pool';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { kernelHarness, readI32 } from './buffer-kernel-harness';

interface Case {
  x: [number, number, number, number];
  pool: [number, number];
  strides: [number, number];
  padding: Padding2d;
}

const CASES: Case[] = [
  { x: [3, 26, 26, 5], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { x: [2, 7, 9, 1], pool: [3, 3], strides: [2, 2], padding: 'same' },
  { x: [1, 5, 6, 3], pool: [3, 2], strides: [1, 1], padding: 'valid' },
  { x: [2, 9, 5, 4], pool: [2, 3], strides: [2, 1], padding: 'same' },
  { x: [1, 1, 1, 1], pool: [1, 1], strides: [1, 1], padding: 'valid' },
  // channels % 4 == 0 takes the vec4 max-pool kernels; the cases above (1, 3, 5) take the scalar ones.
  { x: [3, 26, 26, 32], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { x: [1, 7, 9, 4], pool: [2, 2], strides: [2, 2], padding: 'valid' },
  { x: [3, 5, 7, 8], pool: [3, 3], strides: [1, 1], padding: 'valid' },
  { x: [1, 9, 7, 4], pool: [3, 2], strides: [2, 1], padding: 'same' },
  { x: [3, 13, 11, 8], pool: [3, 3], strides: [2, 2], padding: 'same' },
  { x: [1, 1, 1, 4], pool: [1, 1], strides: [1, 1], padding: 'valid' },
  // Windows that tile the input exactly take the scatter backward (the first vec4 case above does too).
  { x: [3, 6, 9, 8], pool: [2, 3], strides: [2, 3], padding: 'valid' },
];

describe('pool kernels vs the reference', () => {
  for (const [n, c] of CASES.entries()) {
    it(`max and average, forward and backward: x [${c.x}] pool ${c.pool} strides ${c.strides} ${c.padding}`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(poolPrograms);
      const g = pool2dGeometry('p', c.x, c.pool, { strides: c.strides, padding: c.padding });
      const inLength = g.batch * g.inH * g.inW * g.inC;
      const outLength = g.batch * g.outH * g.outW * g.inC;
      // Quantised values make ties common, so the first-maximum rule is exercised.
      const x = randomF32(inLength, 700 + n).map((v) => Math.round(v * 4) / 4);
      const dy = randomF32(outLength, 800 + n);
      const [xb, dyb] = [uploadBuffer(device, x), uploadBuffer(device, dy)];
      const maxOut = poisonedBuffer(device, outLength);
      const argmax = uploadBuffer(device, new Int32Array(outLength).fill(-7));
      const maxDx = poisonedBuffer(device, inLength);
      const avgOut = poisonedBuffer(device, outLength);
      const avgDx = poisonedBuffer(device, inLength);
      await run((pass) => {
        maxPool(rt, pass, { ...g, x: xb, out: maxOut, argmax });
        maxPoolBackward(rt, pass, { ...g, dy: dyb, argmax, dx: maxDx });
        avgPool(rt, pass, { ...g, x: xb, out: avgOut });
        avgPoolBackward(rt, pass, { ...g, dy: dyb, dx: avgDx });
      });
      const ref = refMaxPool(g, x);
      expect(Array.from(await readF32(device, maxOut, outLength))).toEqual(Array.from(ref.out));
      expect(Array.from(await readI32(device, argmax, outLength))).toEqual(Array.from(ref.argmax));
      expectAllClose(await readF32(device, maxDx, inLength), refMaxPoolBackward(g, dy, ref.argmax), { rtol: 1e-6 });
      expectAllClose(await readF32(device, avgOut, outLength), refAvgPool(g, x), { rtol: 1e-6 });
      expectAllClose(await readF32(device, avgDx, inLength), refAvgPoolBackward(g, dy), { rtol: 1e-6 });
      for (const b of [xb, dyb, maxOut, argmax, maxDx, avgOut, avgDx]) b.destroy();
    });
  }

  for (const [batch, pixels, channels] of [
    [3, 169, 32],
    [1, 1, 1],
    [2, 7, 5],
  ]) {
    it(`global average pool forward and backward: [${batch}, ${pixels} pixels, ${channels}]`, async () => {
      const { device, rt, run } = await kernelHarness();
      const x = randomF32(batch * pixels * channels, 900 + pixels);
      const dy = randomF32(batch * channels, 901 + pixels);
      const [xb, dyb] = [uploadBuffer(device, x), uploadBuffer(device, dy)];
      const out = poisonedBuffer(device, batch * channels);
      const dx = poisonedBuffer(device, x.length);
      await run((pass) => {
        globalAvgPool(rt, pass, { x: xb, out, batch, pixels, channels });
        globalAvgPoolBackward(rt, pass, { dy: dyb, dx, batch, pixels, channels });
      });
      expectAllClose(await readF32(device, out), refGlobal(x, batch, pixels, channels), { rtol: 1e-5, atol: 1e-6 });
      expectAllClose(await readF32(device, dx), refGlobalBackward(dy, batch, pixels, channels), { rtol: 1e-6 });
      for (const b of [xb, dyb, out, dx]) b.destroy();
    });
  }

  it('rejects buffers that are too small and geometry that does not fit, naming the kernel', async () => {
    const { device, rt } = await kernelHarness();
    const g = pool2dGeometry('p', [2, 6, 6, 3], [2, 2]);
    const small = poisonedBuffer(device, 5);
    const big = poisonedBuffer(device, 1000);
    const pass = {} as GPUComputePassEncoder;
    expect(() => maxPool(rt, pass, { ...g, x: big, out: big, argmax: small })).toThrow(
      /maxPool: buffer 'argmax' holds 5 elements .*needs 54/,
    );
    expect(() => avgPoolBackward(rt, pass, { ...g, outH: 5, dy: big, dx: big })).toThrow(
      /avgPoolBackward: output 5x3 does not fit input 6x6/,
    );
    expect(() => globalAvgPool(rt, pass, { x: big, out: big, batch: 0, pixels: 4, channels: 2 })).toThrow(
      /globalAvgPool: batch must be a whole number/,
    );
    small.destroy();
    big.destroy();
  });
});
