import { describe, expect, it } from 'vitest';
import { batchNormBackward, batchNormForward } from '../../../src/engine/ref/batchnorm';
import { expectAllClose } from '../helpers/compare';
import { dot, expectGradientMatches, randomF64 } from './finite-diff';

describe('reference batch norm', () => {
  it('normalises each channel with batch statistics and updates the running averages', () => {
    const x = [1, 10, 3, 20, 5, 60]; // rows 3, channels 2
    const runningMean = new Float64Array([0, 1]);
    const runningVar = new Float64Array([1, 1]);
    const { out, mean, invStd } = batchNormForward({
      x,
      gamma: [1, 2],
      beta: [0, 1],
      runningMean,
      runningVar,
      rows: 3,
      channels: 2,
      epsilon: 0,
      momentum: 0.9,
      training: true,
    });
    expectAllClose(mean, [3, 30], { rtol: 1e-12 });
    // Biased variances 8/3 and 1400/3.
    expectAllClose(invStd, [1 / Math.sqrt(8 / 3), 1 / Math.sqrt(1400 / 3)], { rtol: 1e-12 });
    expectAllClose(runningMean, [0.3, 0.9 + 3], { rtol: 1e-12 });
    expectAllClose(runningVar, [0.9 + 0.1 * (8 / 3), 0.9 + 0.1 * (1400 / 3)], { rtol: 1e-12 });
    expectAllClose(
      out,
      [-2 * invStd[0], 1 - 40 * invStd[1], 0, 1 - 20 * invStd[1], 2 * invStd[0], 1 + 60 * invStd[1]],
      {
        rtol: 1e-12,
      },
    );
  });

  it('uses the running averages and leaves them alone in evaluation', () => {
    const runningMean = new Float64Array([1, -1]);
    const runningVar = new Float64Array([4, 0.25]);
    const { out } = batchNormForward({
      x: [3, 0, 5, -2],
      gamma: [1, 1],
      beta: [0, 0],
      runningMean,
      runningVar,
      rows: 2,
      channels: 2,
      epsilon: 0,
      momentum: 0.99,
      training: false,
    });
    expectAllClose(out, [1, 2, 2, -2], { rtol: 1e-12 });
    expect(Array.from(runningMean)).toEqual([1, -1]);
  });

  for (const training of [true, false]) {
    it(`gradients match central differences (${training ? 'training' : 'evaluation'})`, () => {
      const [rows, channels] = [7, 3];
      const x = randomF64(rows * channels, 80, -2, 2);
      const gamma = randomF64(channels, 81, 0.5, 1.5);
      const beta = randomF64(channels, 82);
      const r = randomF64(rows * channels, 83);
      const runningMean = randomF64(channels, 84);
      const runningVar = randomF64(channels, 85, 0.5, 2);
      const forward = () =>
        batchNormForward({
          x,
          gamma,
          beta,
          runningMean: runningMean.slice(),
          runningVar: runningVar.slice(),
          rows,
          channels,
          epsilon: 1e-3,
          momentum: 0.99,
          training,
        });
      const { mean, invStd } = forward();
      const grads = batchNormBackward({ x, dy: r, gamma, mean, invStd, rows, channels, training });
      const loss = () => dot(forward().out, r);
      expectGradientMatches(x, loss, grads.dx, { rtol: 1e-5, atol: 1e-7 });
      expectGradientMatches(gamma, loss, grads.dGamma, { rtol: 1e-5, atol: 1e-7 });
      expectGradientMatches(beta, loss, grads.dBeta, { rtol: 1e-5, atol: 1e-7 });
    });
  }
});
