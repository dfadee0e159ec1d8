import { describe, expect, it } from 'vitest';
import { softmax, softmaxBackward, softmaxPrograms } from '../../../src/kernels/softmax';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, kernelHarness } from './buffer-kernel-harness';

// Thread-per-row shapes (cols < 1024) and workgroup-per-row shapes (cols >= 1024). A workgroup per
// row costs milliseconds on SwiftShader, so the folded row grid (> 65535 rows) is not exercised here.
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 10],
  [7, 13],
  [128, 10],
  [3, 63],
  [70_001, 2],
  [5, 1023],
  [3, 1024],
  [2, 4099],
];

/** Float64 reference of softmax / log-softmax per row, and of the backward pass from f32 y and dy. */
function referenceForward(x: Float32Array, rows: number, cols: number, log: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    for (let j = 0; j < cols; j++) out[r * cols + j] = log ? row[j] - m - Math.log(s) : Math.exp(row[j] - m) / s;
  }
  return out;
}

function referenceBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number, log: boolean) {
  const dx = new Float64Array(rows * cols);
  const scale = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    let accAbs = 0;
    for (let j = r * cols; j < (r + 1) * cols; j++) {
      acc += log ? dy[j] : dy[j] * y[j];
      accAbs += Math.abs(log ? dy[j] : dy[j] * y[j]);
    }
    for (let j = r * cols; j < (r + 1) * cols; j++) {
      const p = log ? Math.exp(y[j]) : y[j];
      dx[j] = log ? dy[j] - p * acc : y[j] * (dy[j] - acc);
      // The row sum carries ~eps * sum|terms| error, which reaches dx through a factor p.
      scale[j] = Math.abs(dy[j]) + p * accAbs;
    }
  }
  return { dx, scale };
}

describe('softmax and log-softmax', () => {
  for (const log of [false, true]) {
    const name = log ? 'log-softmax' : 'softmax';
    it(`${name} forward matches the float64 reference on ${SHAPES.length} shapes, logits up to +-80`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(softmaxPrograms());
      const runs = SHAPES.map(([rows, cols], k) => {
        const x = randomF32(rows * cols, 7 * k + (log ? 1 : 0), -6, 6);
        // Row 0 at +-80 would overflow exp without the max shift.
        for (let j = 0; j < cols; j++) x[j] = j % 2 ? 80 - j * 1e-3 : -80;
        return { rows, cols, x, xb: uploadBuffer(device, x), out: poisonedBuffer(device, rows * cols) };
      });
      await run((pass) =>
        runs.forEach((r) => softmax(rt, pass, { x: r.xb, out: r.out, rows: r.rows, cols: r.cols, log })),
      );
      for (const r of runs) {
        // exp to a few ulp and a row sum of positive terms: rtol 1e-5. log-softmax: x - m is one rounding
        // (relative to |x - m| <= 160) and log(s) an absolute 2^-21, hence atol 2e-6 + rtol 1e-6.
        const [rtol, atol] = log ? [1e-6, 2e-6] : [1e-5, 1e-30];
        expectClosePerElement(
          await readF32(device, r.out),
          referenceForward(r.x, r.rows, r.cols, log),
          rtol,
          atol,
          `${name} [${r.rows}, ${r.cols}]`,
        );
        [r.xb, r.out].forEach((b) => b.destroy());
      }
    });

    it(`${name} backward matches the float64 reference on ${SHAPES.length} shapes`, async () => {
      const { device, rt, run } = await kernelHarness();
      const runs = SHAPES.map(([rows, cols], k) => {
        const y = Float32Array.from(referenceForward(randomF32(rows * cols, 11 * k, -4, 4), rows, cols, log));
        const dy = randomF32(rows * cols, 13 * k + 1, -1, 1);
        const buffers = {
          y: uploadBuffer(device, y),
          dy: uploadBuffer(device, dy),
          dx: poisonedBuffer(device, rows * cols),
        };
        return { rows, cols, y, dy, buffers };
      });
      await run((pass) =>
        runs.forEach((r) => softmaxBackward(rt, pass, { ...r.buffers, rows: r.rows, cols: r.cols, log })),
      );
      for (const r of runs) {
        const { dx, scale } = referenceBackward(r.y, r.dy, r.rows, r.cols, log);
        const atol = scale.map((s) => 1e-6 * s);
        expectClosePerElement(await readF32(device, r.buffers.dx), dx, 1e-6, atol, `${name}' [${r.rows}, ${r.cols}]`);
        Object.values(r.buffers).forEach((b) => b.destroy());
      }
    });
  }

  it('rejects mismatched buffers, naming the kernel', async () => {
    const { device, rt } = await kernelHarness();
    const [x, out] = [poisonedBuffer(device, 6), poisonedBuffer(device, 6)];
    const pass = {} as GPUComputePassEncoder;
    expect(() => softmax(rt, pass, { x, out, rows: 2, cols: 4 })).toThrow(
      /softmax: buffer 'x' holds 6 elements .* needs 8/,
    );
    expect(() => softmax(rt, pass, { x, out, rows: 2, cols: 0, log: true })).toThrow(/logSoftmax: cols must be/);
    expect(() => softmaxBackward(rt, pass, { y: x, dy: out, dx: out, rows: 2, cols: 3 })).toThrow(
      /softmaxBackward: dx must not/,
    );
  });
});
