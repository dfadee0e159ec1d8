// Batch-norm kernels against the reference in src/engine/ref/batchnorm.ts on seeded random [rows, channels]
// inputs (a dense layer's shape, and a conv output NHWC flattened), training and evaluation, forward and
// backward, including the running-average update. Outputs are poisoned with NaN first.
import { describe, expect, it } from 'vitest';
import { batchNormBackward as refBackward, batchNormForward as refForward } from '../../../src/engine/ref/batchnorm';
import { batchNormBackward, batchNormForward, batchNormPrograms } from '../../../src/kernels/batchnorm';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { kernelHarness } from './buffer-kernel-harness';

const CASES: [number, number][] = [
  [7, 3], // dense, odd
  [2 * 13 * 13, 32], // conv output [2, 13, 13, 32] flattened
  [1000, 5], // more rows than the 256-thread reduction
  [1, 1],
];

describe('batch norm kernels vs the reference', () => {
  for (const [n, [rows, channels]] of CASES.entries()) {
    for (const training of [true, false]) {
      it(`${training ? 'training' : 'evaluation'}: [${rows}, ${channels}] forward, running averages, backward`, async () => {
        const { device, rt, run } = await kernelHarness();
        await rt.warmUp(batchNormPrograms);
        // An offset mean checks the two-pass variance (no cancellation).
        const x = randomF32(rows * channels, 1000 + n, 2, 5);
        const dy = randomF32(rows * channels, 1100 + n);
        const gamma = randomF32(channels, 1200 + n, 0.5, 1.5);
        const beta = randomF32(channels, 1300 + n);
        const runningMean = randomF32(channels, 1400 + n);
        const runningVar = randomF32(channels, 1500 + n, 0.5, 2);
        const [epsilon, momentum] = [1e-3, 0.9];
        const b = {
          x: uploadBuffer(device, x),
          dy: uploadBuffer(device, dy),
          gamma: uploadBuffer(device, gamma),
          beta: uploadBuffer(device, beta),
          runningMean: uploadBuffer(device, runningMean),
          runningVar: uploadBuffer(device, runningVar),
          out: poisonedBuffer(device, rows * channels),
          mean: poisonedBuffer(device, channels),
          invStd: poisonedBuffer(device, channels),
          dx: poisonedBuffer(device, rows * channels),
          dGamma: poisonedBuffer(device, channels),
          dBeta: poisonedBuffer(device, channels),
        };
        await run((pass) => {
          batchNormForward(rt, pass, { ...b, rows, channels, epsilon, momentum, training });
          batchNormBackward(rt, pass, { ...b, rows, channels, training });
        });
        const refRunningMean = Float64Array.from(runningMean);
        const refRunningVar = Float64Array.from(runningVar);
        const f = refForward({
          x,
          gamma,
          beta,
          runningMean: refRunningMean,
          runningVar: refRunningVar,
          rows,
          channels,
          epsilon,
          momentum,
          training,
        });
        const g = refBackward({ x, dy, gamma, mean: f.mean, invStd: f.invStd, rows, channels, training });
        const read = (buffer: GPUBuffer) => readF32(device, buffer);
        expectAllClose(await read(b.mean), f.mean, { rtol: 1e-5, atol: 1e-6 });
        expectAllClose(await read(b.invStd), f.invStd, { rtol: 1e-4 });
        expectAllClose(await read(b.out), f.out, { rtol: 1e-4, atol: 1e-4 });
        expectAllClose(await read(b.runningMean), refRunningMean, { rtol: 1e-5, atol: 1e-6 });
        expectAllClose(await read(b.runningVar), refRunningVar, { rtol: 1e-4, atol: 1e-6 });
        // Sums over rows: tolerance grows with the row count.
        const atol = 2e-6 * rows;
        expectAllClose(await read(b.dBeta), g.dBeta, { rtol: 1e-4, atol });
        expectAllClose(await read(b.dGamma), g.dGamma, { rtol: 1e-4, atol });
        expectAllClose(await read(b.dx), g.dx, { rtol: 1e-3, atol: 1e-4 });
        for (const buffer of Object.values(b)) buffer.destroy();
      });
    }
  }

  it('rejects a buffer that is too small or a bad momentum, naming the kernel', async () => {
    const { device, rt } = await kernelHarness();
    const small = poisonedBuffer(device, 2);
    const big = poisonedBuffer(device, 100);
    const pass = {} as GPUComputePassEncoder;
    const args = {
      x: big,
      gamma: big,
      beta: big,
      runningMean: big,
      runningVar: big,
      out: big,
      mean: big,
      invStd: small,
    };
    expect(() =>
      batchNormForward(rt, pass, { ...args, rows: 10, channels: 3, epsilon: 1e-3, momentum: 0.99, training: true }),
    ).toThrow(/batchNormForward: buffer 'invStd' holds 2 elements .*needs 3/);
    expect(() =>
      batchNormForward(rt, pass, {
        ...args,
        invStd: big,
        rows: 10,
        channels: 3,
        epsilon: 1e-3,
        momentum: 2,
        training: true,
      }),
    ).toThrow(/batchNormForward: momentum must be in \[0, 1\], got 2/);
    small.destroy();
    big.destroy();
  });
});
