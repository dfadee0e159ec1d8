// The wasm reductions, softmax (+ backward) and fused softmax cross-entropy against float64 references
// on seeded random input, in shapes that are 1, primes and not multiples of the four SIMD lanes, outputs
// poisoned with NaN first, on every build this runtime runs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReduceOp } from '../../../src/engine/backend/backend';
import type { WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32, seededRandom } from '../helpers/random';
import { kernelsFor, poisoned, SIMD_LEVELS, upload } from './wasm-helpers';

/** [outer, size, inner]. */
const REDUCE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1000, 1],
  [3, 7, 1],
  [2, 5, 3],
  [4, 13, 8],
  [1, 128, 500],
  [5, 1, 7],
  [2, 17, 6],
  // More columns than one accumulator block (1024).
  [2, 3, 1500],
];
const SOFTMAX_SHAPES: [number, number][] = [
  [1, 1],
  [3, 10],
  [7, 13],
  [128, 10],
];

function reduceReference(op: ReduceOp, x: Float32Array, [outer, size, inner]: [number, number, number]): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'max' ? -Infinity : 0;
      for (let s = 0; s < size; s++) {
        const v = x[(o * size + s) * inner + i];
        acc = op === 'max' ? Math.max(acc, v) : acc + v;
      }
      out[o * inner + i] = op === 'mean' ? acc / size : acc;
    }
  }
  return out;
}

function softmaxRows(x: Float32Array, rows: number, cols: number, log: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    const max = Math.max(...row);
    const sum = row.reduce((acc, v) => acc + Math.exp(v - max), 0);
    row.forEach((v, c) => (out[r * cols + c] = log ? v - max - Math.log(sum) : Math.exp(v - max) / sum));
  }
  return out;
}

describe.each(SIMD_LEVELS)('wasm reductions and softmax (%s build)', (level) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level);
  });

  for (const op of ['sum', 'max', 'mean'] as ReduceOp[]) {
    it(`reduce ${op} over the middle axis matches float64`, () => {
      REDUCE_SHAPES.forEach((shape, i) => {
        const [outer, size, inner] = shape;
        const x = randomF32(outer * size * inner, 400 + i);
        const out = poisoned(k, outer * inner);
        k.reduce({ op, x: upload(k, x), out, outer, size, inner });
        expectAllClose(k.readF32(out, outer * inner), reduceReference(op, x, shape), { rtol: 1e-6, atol: 1e-7 });
      });
    });
  }

  for (const log of [false, true]) {
    it(`${log ? 'log-' : ''}softmax and its backward match float64`, () => {
      SOFTMAX_SHAPES.forEach(([rows, cols], i) => {
        const x = randomF32(rows * cols, 500 + i, -4, 4);
        const out = poisoned(k, rows * cols);
        k.softmax({ x: upload(k, x), out, rows, cols, log });
        const y = k.readF32(out, rows * cols);
        expectAllClose(y, softmaxRows(x, rows, cols, log), { rtol: 1e-5, atol: 1e-6 });

        const dyHost = randomF32(rows * cols, 600 + i);
        const dx = poisoned(k, rows * cols);
        k.softmaxBackward({ y: out, dy: upload(k, dyHost), dx, rows, cols, log });
        const expected = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          let dot = 0;
          for (let c = 0; c < cols; c++) dot += log ? dyHost[r * cols + c] : dyHost[r * cols + c] * y[r * cols + c];
          for (let c = 0; c < cols; c++) {
            const e = r * cols + c;
            expected[e] = log ? dyHost[e] - Math.exp(y[e]) * dot : y[e] * (dyHost[e] - dot);
          }
        }
        expectAllClose(k.readF32(dx, rows * cols), expected, { rtol: 1e-5, atol: 1e-6 });
      });
    });
  }

  it('softmax cross-entropy: loss, gradient of the mean loss, and metrics added at the slot', () => {
    SOFTMAX_SHAPES.forEach(([rows, cols], i) => {
      const logits = randomF32(rows * cols, 700 + i, -3, 3);
      const rand = seededRandom(800 + i);
      const labels = Int32Array.from({ length: rows }, () => Math.floor(rand() * cols));
      // A tie for the max in row 0 (first max wins) that the label sits on the second of.
      if (cols > 2) {
        logits[0] = 5;
        logits[1] = 5;
        labels[0] = 1;
      }
      const dlogits = poisoned(k, rows * cols);
      const lossPerRow = poisoned(k, rows);
      const metrics = upload(k, new Float32Array([9, 9, 0.5, 2]));
      k.softmaxCrossEntropy({
        logits: upload(k, logits),
        labels: upload(k, labels),
        rows,
        cols,
        dlogits,
        lossPerRow,
        metrics,
        metricsSlot: 1,
      });
      const p = softmaxRows(logits, rows, cols, false);
      const expectedLoss = Array.from(labels, (label, r) => -Math.log(p[r * cols + label]));
      const expectedGrad = Array.from(p, (v, e) => (v - (e % cols === labels[Math.floor(e / cols)] ? 1 : 0)) / rows);
      let correct = 0;
      for (let r = 0; r < rows; r++) {
        const row = Array.from(logits.subarray(r * cols, (r + 1) * cols));
        if (row.indexOf(Math.max(...row)) === labels[r]) correct++;
      }
      expectAllClose(k.readF32(lossPerRow, rows), expectedLoss, { rtol: 1e-5, atol: 1e-6 });
      expectAllClose(k.readF32(dlogits, rows * cols), expectedGrad, { rtol: 1e-5, atol: 1e-7 });
      const m = k.readF32(metrics, 4);
      expect(Array.from(m.subarray(0, 2))).toEqual([9, 9]);
      expectAllClose([m[2]], [0.5 + expectedLoss.reduce((a, b) => a + b, 0)], { rtol: 1e-5, atol: 1e-6 });
      expect(m[3]).toBe(2 + correct);
    });
  });

  it('softmax cross-entropy without metrics, and a label out of range gives NaN for that row only', () => {
    const logits = upload(k, randomF32(6, 1));
    const dlogits = poisoned(k, 6);
    const lossPerRow = poisoned(k, 2);
    k.softmaxCrossEntropy({
      logits,
      labels: upload(k, new Int32Array([1, 3])),
      rows: 2,
      cols: 3,
      dlogits,
      lossPerRow,
      metricsSlot: 0,
    });
    const loss = k.readF32(lossPerRow, 2);
    expect(Number.isFinite(loss[0])).toBe(true);
    expect(Number.isNaN(loss[1])).toBe(true);
    const grad = k.readF32(dlogits, 6);
    expect(grad.subarray(0, 3).every(Number.isFinite)).toBe(true);
    expect(grad.subarray(3).every(Number.isNaN)).toBe(true);
  });
});
