import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy, softmaxCrossEntropyPrograms } from '../../../src/kernels/softmax_ce';
import { randomF32, seededRandom } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, kernelHarness } from './buffer-kernel-harness';

/** Float64 reference: loss per row, gradient of the mean loss, and correct flags (first max wins). */
function referenceCe(z: Float32Array, labels: Int32Array, rows: number, cols: number) {
  const loss = new Float64Array(rows);
  const dlogits = new Float64Array(rows * cols);
  const p = new Float64Array(rows * cols);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const row = z.subarray(r * cols, (r + 1) * cols);
    let m = -Infinity;
    let argmax = 0;
    row.forEach((v, j) => {
      if (v > m) [m, argmax] = [v, j];
    });
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    loss[r] = Math.log(s) - (row[labels[r]] - m);
    for (let j = 0; j < cols; j++) {
      p[r * cols + j] = Math.exp(row[j] - m) / s;
      dlogits[r * cols + j] = (p[r * cols + j] - (j === labels[r] ? 1 : 0)) / rows;
    }
    if (argmax === labels[r]) correct++;
  }
  return { loss, dlogits, p, correct, lossSum: loss.reduce((a, b) => a + b, 0) };
}

/**
 * Logits in [-5, 5]; every third row pushed to +-80 (exp would overflow without the max shift); every
 * fourth row with a tie for the max at two columns; half the labels set to the row's first argmax so
 * both outcomes of the correct count are exercised.
 */
function batch(rows: number, cols: number, seed: number) {
  const z = randomF32(rows * cols, seed, -5, 5);
  const rand = seededRandom(seed + 1);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = z.subarray(r * cols, (r + 1) * cols);
    if (r % 3 === 1) row.forEach((v, j) => (row[j] = v > 0 ? 80 - v : -80 - v));
    if (r % 4 === 2 && cols > 3) {
      const top = Math.max(...row) + 1;
      row[cols - 1] = top;
      row[1] = top;
    }
    let first = 0;
    row.forEach((v, j) => {
      if (v > row[first]) first = j;
    });
    labels[r] = rand() < 0.5 ? first : Math.floor(rand() * cols);
    // A tied row labelled with the later of the two maxima must count as wrong.
    if (r % 8 === 2 && cols > 3) labels[r] = cols - 1;
  }
  return { z, labels };
}

// Thread-per-row shapes (cols < 1024) and workgroup-per-row shapes (cols >= 1024).
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 10],
  [7, 10],
  [100, 10],
  [257, 37],
  [13, 63],
  [3, 1000],
  [4, 1024],
  [2, 5003],
];

describe('softmax cross-entropy (fused)', () => {
  for (const [rows, cols] of SHAPES) {
    it(`matches the float64 reference for [${rows}, ${cols}] with logits up to +-80 and ties`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(softmaxCrossEntropyPrograms());
      const { z, labels } = batch(rows, cols, rows * 1000 + cols);
      const ref = referenceCe(z, labels, rows, cols);
      const logits = uploadBuffer(device, z);
      const labelBuffer = uploadBuffer(device, labels);
      const dlogits = poisonedBuffer(device, rows * cols);
      const lossPerRow = poisonedBuffer(device, rows);
      // Slot 1 starts from earlier totals; slot 0 must stay as it was.
      const metrics = uploadBuffer(device, new Float32Array([11, 12, 3.5, 4]));
      await run((pass) =>
        softmaxCrossEntropy(rt, pass, {
          logits,
          labels: labelBuffer,
          rows,
          cols,
          dlogits,
          lossPerRow,
          metrics,
          metricsSlot: 1,
        }),
      );
      // log(s) carries an absolute error of a few ulp of 1 (atol 1e-6); z_label - m is one rounding.
      expectClosePerElement(await readF32(device, lossPerRow), ref.loss, 1e-5, 1e-6, 'lossPerRow');
      // p = exp(z - m) / s to a few ulp relative; the one-hot subtraction adds 1 ulp of 1.
      const dTol = Array.from(ref.p, (p) => (1e-5 * p + 2e-7) / rows);
      expectClosePerElement(await readF32(device, dlogits), ref.dlogits, 0, dTol, 'dlogits');
      const got = await readF32(device, metrics);
      expect(Array.from(got.subarray(0, 2))).toEqual([11, 12]);
      expectClosePerElement([got[2]], [3.5 + ref.lossSum], 1e-5, 1e-6 * rows, 'metrics loss sum');
      expect(got[3]).toBe(4 + ref.correct);
      [logits, labelBuffer, dlogits, lossPerRow, metrics].forEach((b) => b.destroy());
    });
  }

  it('accumulates loss and correct count over several steps without readback', async () => {
    const { device, rt, run } = await kernelHarness();
    const [rows, cols] = [100, 10];
    const metrics = uploadBuffer(device, new Float32Array(4));
    const dlogits = poisonedBuffer(device, rows * cols);
    const lossPerRow = poisonedBuffer(device, rows);
    let [lossSum, correct] = [0, 0];
    for (let step = 0; step < 4; step++) {
      const { z, labels } = batch(rows, cols, 500 + step);
      const ref = referenceCe(z, labels, rows, cols);
      lossSum += ref.lossSum;
      correct += ref.correct;
      const logits = uploadBuffer(device, z);
      const labelBuffer = uploadBuffer(device, labels);
      await run((pass) =>
        softmaxCrossEntropy(rt, pass, { logits, labels: labelBuffer, rows, cols, dlogits, lossPerRow, metrics }),
      );
    }
    const got = await readF32(device, metrics);
    expectClosePerElement([got[0]], [lossSum], 1e-5, 0, 'loss over 4 steps');
    expect(Array.from(got.subarray(1))).toEqual([correct, 0, 0]);
    expect(correct).toBeGreaterThan(100);
    expect(correct).toBeLessThan(400);
  });

  it('gives NaN loss for a label outside [0, cols) and rejects mismatched buffers by name', async () => {
    const { device, rt, run } = await kernelHarness();
    const logits = uploadBuffer(device, new Float32Array([1, 2, 3, 3, 2, 1]));
    const labels = uploadBuffer(device, new Int32Array([2, 3]));
    const dlogits = poisonedBuffer(device, 6);
    const lossPerRow = poisonedBuffer(device, 2);
    await run((pass) => softmaxCrossEntropy(rt, pass, { logits, labels, rows: 2, cols: 3, dlogits, lossPerRow }));
    const loss = await readF32(device, lossPerRow);
    expect(loss[0]).toBeCloseTo(Math.log(Math.exp(-2) + Math.exp(-1) + 1), 6);
    expect(loss[1]).toBeNaN();
    const pass = {} as GPUComputePassEncoder;
    expect(() => softmaxCrossEntropy(rt, pass, { logits, labels, rows: 2, cols: 4, dlogits, lossPerRow })).toThrow(
      /softmaxCrossEntropy: buffer 'logits' holds 6 elements .* needs 8/,
    );
    expect(() =>
      softmaxCrossEntropy(rt, pass, {
        logits,
        labels,
        rows: 2,
        cols: 3,
        dlogits,
        lossPerRow,
        metrics: lossPerRow,
        metricsSlot: 1,
      }),
    ).toThrow(/buffer 'metrics' holds 2 elements .* needs 4/);
  });
});
