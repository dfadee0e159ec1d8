// The vision ops (conv2d, max/avg/global-average pooling, batch norm): gradients against central finite
// differences on the cpu backend (float64), and the webgpu backend against the cpu reference, forward and
// gradient, through the same checkOp helper as every other op.
import { describe, expect, it } from 'vitest';
import { tensorFrom, type Tensor } from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import { checkOp } from '../helpers/checkOp';
import { gradcheck, type GradInput } from '../helpers/gradcheck';

type Case = [string, (...inputs: Tensor[]) => Tensor, GradInput[]];

/** Batch norm with fresh running statistics on x's backend (their in-place update is checked in kernels/). */
function batchNorm(training: boolean) {
  return (x: Tensor, gamma: Tensor, beta: Tensor) => {
    const c = x.shape[x.rank - 1];
    const rm = tensorFrom(x.backend, Float32Array.from({ length: c }, (_, i) => 0.1 * i), [c]);
    const rv = tensorFrom(x.backend, Float32Array.from({ length: c }, (_, i) => 1 + 0.2 * i), [c]);
    return ops.batchNorm(x, gamma, beta, rm, rv, { training });
  };
}

const CASES: Case[] = [
  [
    'conv2d valid + bias',
    (x, w, b) => ops.conv2d(x, w, b),
    [{ shape: [2, 5, 6, 1] }, { shape: [3, 3, 1, 4] }, { shape: [4] }],
  ],
  [
    'conv2d same, stride 2, relu, 3 channels',
    (x, w, b) => ops.conv2d(x, w, b, { strides: [2, 2], padding: 'same', activation: 'relu' }),
    [{ shape: [1, 7, 5, 3] }, { shape: [3, 2, 3, 5] }, { shape: [5], lo: 0.5, hi: 1 }],
  ],
  [
    'conv2d without bias',
    (x, w) => ops.conv2d(x, w, null, { strides: [1, 2] }),
    [{ shape: [2, 4, 7, 2] }, { shape: [2, 3, 2, 3] }],
  ],
  // Distinct, well-separated values so a finite-difference step never changes which tap is the maximum.
  [
    'maxPool2d 2x2',
    (x) => ops.maxPool2d(x, { poolSize: [2, 2] }),
    [{ shape: [2, 6, 5, 3], data: Float32Array.from({ length: 180 }, (_, i) => ((i * 37) % 180) / 10) }],
  ],
  [
    'maxPool2d 3x3 stride 2 same',
    (x) => ops.maxPool2d(x, { poolSize: [3, 3], strides: [2, 2], padding: 'same' }),
    [{ shape: [1, 7, 7, 2], data: Float32Array.from({ length: 98 }, (_, i) => ((i * 53) % 98) / 10) }],
  ],
  ['avgPool2d 2x2', (x) => ops.avgPool2d(x, { poolSize: [2, 2] }), [{ shape: [2, 5, 7, 3] }]],
  [
    'avgPool2d 3x2 stride 1 same',
    (x) => ops.avgPool2d(x, { poolSize: [3, 2], strides: [1, 1], padding: 'same' }),
    [{ shape: [1, 4, 5, 2] }],
  ],
  ['globalAvgPool', (x) => ops.globalAvgPool(x), [{ shape: [3, 4, 5, 6] }]],
  ['batchNorm training (dense)', batchNorm(true), [{ shape: [6, 4] }, { shape: [4], lo: 0.5, hi: 1.5 }, { shape: [4] }]],
  [
    'batchNorm training (conv NHWC)',
    batchNorm(true),
    [{ shape: [2, 3, 3, 5] }, { shape: [5], lo: 0.5, hi: 1.5 }, { shape: [5] }],
  ],
  ['batchNorm evaluation', batchNorm(false), [{ shape: [5, 3] }, { shape: [3] }, { shape: [3] }]],
];

describe('vision op gradients match central finite differences (cpu, float64)', () => {
  for (const [name, f, specs] of CASES) {
    it(name, () => {
      expect(gradcheck(f, specs, { rtol: 1e-5, atol: 1e-7 }).checked).toBeGreaterThan(0);
    });
  }
});

describe('vision ops on webgpu match the cpu reference, forward and gradient', () => {
  for (const [name, f, specs] of CASES) {
    it(name, () => checkOp(name, f, specs, { rtol: 1e-4, atol: 1e-5 }));
  }
});

describe('vision op shape errors name the layer and the shapes', () => {
  it('conv2d channel mismatch and a window larger than the input', async () => {
    const { cpuBackend } = await import('../../../src/engine');
    const be = cpuBackend();
    const x = tensorFrom(be, new Float32Array(2 * 4 * 4 * 3), [2, 4, 4, 3]);
    const w = tensorFrom(be, new Float32Array(3 * 3 * 2 * 8), [3, 3, 2, 8]);
    expect(() => ops.conv2d(x, w, null, { layer: 'conv2d_1' })).toThrow(
      /conv2d_1: conv2d channel mismatch: input \[2, 4, 4, 3\] has 3 channels but filter \[3, 3, 2, 8\] expects 2/,
    );
    expect(() => ops.maxPool2d(x, { poolSize: [5, 5], layer: 'pool_1' })).toThrow(
      /pool_1: maxPool2d window 5x5 is larger than the valid-padded input 4x4/,
    );
  });
});
