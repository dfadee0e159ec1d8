// The op-check cases, as data: every op with its shapes (at least five each for the elementwise, matmul,
// reduction and row ops, including 1, primes and sizes that are not multiples of the kernels' tiles) and
// its tolerance. One source for the webgpu tests (tests/unit/engine/ops.test.ts, vision.test.ts) and the
// wasm test (tests/unit/wasm/ops.test.ts), which check each case against the cpu reference with checkOp.
import { tensorFrom, type Tensor } from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import type { GradInput } from './gradcheck';

/** An op applied to the tensors of one case's inputs. */
export type OpFn = (...inputs: Tensor[]) => Tensor;

/** One op's suite: the op and the inputs of each of its cases. */
export interface OpCase {
  /** The suite name (a test's describe block, or the test itself where there is one case). */
  name: string;
  f: OpFn;
  /** One list of input specs per case. */
  cases: GradInput[][];
  /** checkOp's tolerance on every backend; unset means checkOp's default (rtol 1e-5, atol 1e-6). */
  rtol?: number;
  atol?: number;
}

/** A case's test title: its input shapes, e.g. `[7,13] x [13,5]`. */
export function caseTitle(specs: GradInput[]): string {
  return specs.map((s) => JSON.stringify(s.shape)).join(' x ');
}

const positive = { lo: 0.1, hi: 2 };

/** Unary ops over element shapes, one of them past a 256-thread workgroup and not a multiple of it. */
const ELEMENT_SHAPES = [[1], [7], [3, 5], [257], [13, 31, 3]];
const unaryCases = (extra: Partial<GradInput> = {}) => ELEMENT_SHAPES.map((shape) => [{ shape, ...extra }]);

const broadcastCases: GradInput[][] = [
  [{ shape: [1] }, { shape: [1] }],
  [{ shape: [7] }, { shape: [7] }],
  [{ shape: [13, 5] }, { shape: [5] }],
  [{ shape: [3, 1, 7] }, { shape: [4, 1] }],
  [{ shape: [2, 3, 1, 5] }, { shape: [3, 11, 1] }],
  [{ shape: [300] }, { shape: [1] }],
];

// Matmul tiles are 64 x 128 outputs per workgroup on software adapters: cover below, at and past them.
const matmulShapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 13, 5],
  [64, 32, 128],
  [65, 33, 129],
  [100, 97, 10],
];
const denseCases = matmulShapes.map(([m, k, n]) => [{ shape: [m, k] }, { shape: [k, n] }, { shape: [n] }]);

const reduceCases = [[1], [7], [5, 13], [3, 4, 5], [600, 3], [2, 1031]].map((shape) => [{ shape }]);

const rowShapes = [
  [1, 1],
  [1, 10],
  [7, 3],
  [100, 10],
  [5, 257],
];

/** The elementwise, matmul, reduction and row ops (tests/unit/engine/ops.test.ts on webgpu). */
export const OP_CASES: OpCase[] = [
  { name: 'relu', f: ops.relu, cases: unaryCases() },
  { name: 'leakyRelu', f: (x) => ops.leakyRelu(x, 0.2), cases: unaryCases() },
  { name: 'sigmoid', f: ops.sigmoid, cases: unaryCases({ lo: -4, hi: 4 }) },
  { name: 'tanh', f: ops.tanh, cases: unaryCases({ lo: -3, hi: 3 }) },
  { name: 'exp', f: ops.exp, cases: unaryCases() },
  { name: 'log', f: ops.log, cases: unaryCases(positive) },
  {
    name: 'neg, abs, sqrt, square',
    f: (x) => ops.add(ops.sqrt(ops.abs(ops.neg(x))), ops.square(x)),
    cases: unaryCases(positive),
  },
  { name: 'add', f: ops.add, cases: broadcastCases },
  { name: 'sub', f: ops.sub, cases: broadcastCases },
  { name: 'mul', f: ops.mul, cases: broadcastCases },
  { name: 'div', f: ops.div, cases: broadcastCases.map(([a, b]) => [a, { ...b, ...positive }]) },
  { name: 'addScalar, mulScalar', f: (x) => ops.mulScalar(ops.addScalar(x, 0.25), -1.5), cases: unaryCases() },
  ...[
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ].map(([transA, transB]) => ({
    name: `matmul${transA ? ' transA' : ''}${transB ? ' transB' : ''}`,
    f: (a: Tensor, b: Tensor) => ops.matmul(a, b, { transA, transB }),
    cases: matmulShapes.map(([m, k, n]) => [{ shape: transA ? [k, m] : [m, k] }, { shape: transB ? [n, k] : [k, n] }]),
    atol: 1e-5,
  })),
  { name: 'dense (bias, linear)', f: (x, w, b) => ops.dense(x, w, b), cases: denseCases, atol: 1e-5 },
  { name: 'dense (bias + relu fused)', f: (x, w, b) => ops.dense(x, w, b, 'relu'), cases: denseCases, atol: 1e-5 },
  {
    name: 'biasAdd',
    f: ops.biasAdd,
    cases: [
      [{ shape: [1, 1] }, { shape: [1] }],
      [{ shape: [7, 3] }, { shape: [3] }],
      [{ shape: [2, 5, 13] }, { shape: [13] }],
      [{ shape: [100, 10] }, { shape: [10] }],
      [{ shape: [3, 257] }, { shape: [257] }],
    ],
  },
  { name: 'sum all', f: (x) => ops.sum(x), cases: reduceCases, atol: 1e-5 },
  { name: 'sum axis 0', f: (x) => ops.sum(x, 0), cases: reduceCases, atol: 1e-5 },
  { name: 'mean all', f: (x) => ops.mean(x), cases: reduceCases },
  { name: 'mean last axis', f: (x) => ops.mean(x, -1, true), cases: reduceCases },
  { name: 'reshape', f: (x) => ops.mul(ops.reshape(x, [-1]), ops.reshape(x, [-1])), cases: reduceCases },
  { name: 'softmax', f: ops.softmax, cases: rowShapes.map((shape) => [{ shape, lo: -3, hi: 3 }]) },
  { name: 'logSoftmax', f: ops.logSoftmax, cases: rowShapes.map((shape) => [{ shape, lo: -3, hi: 3 }]) },
  {
    name: 'softmaxCrossEntropy',
    f: (z, y) => ops.softmaxCrossEntropy(z, y),
    cases: rowShapes.map(([rows, cols]) => [
      { shape: [rows, cols], lo: -3, hi: 3 },
      { shape: [rows], dtype: 'i32' as const, lo: 0, hi: cols },
    ]),
  },
  { name: 'mse', f: ops.mse, cases: rowShapes.map((shape) => [{ shape }, { shape }]) },
  {
    name: 'bceWithLogits',
    f: ops.bceWithLogits,
    cases: rowShapes.map((shape) => [
      { shape, lo: -4, hi: 4 },
      { shape, lo: 0, hi: 1 },
    ]),
  },
  { name: 'dropout', f: (x) => ops.dropout(x, 0.3, 99, 7), cases: ELEMENT_SHAPES.map((shape) => [{ shape }]) },
];

/** Batch norm with fresh running statistics on x's backend (their in-place update is checked in kernels/). */
function batchNorm(training: boolean): OpFn {
  return (x: Tensor, gamma: Tensor, beta: Tensor) => {
    const c = x.shape[x.rank - 1];
    const rm = tensorFrom(
      x.backend,
      Float32Array.from({ length: c }, (_, i) => 0.1 * i),
      [c],
    );
    const rv = tensorFrom(
      x.backend,
      Float32Array.from({ length: c }, (_, i) => 1 + 0.2 * i),
      [c],
    );
    return ops.batchNorm(x, gamma, beta, rm, rv, { training });
  };
}

/**
 * The vision ops (conv2d, max/avg/global-average pooling, batch norm; tests/unit/engine/vision.test.ts),
 * one case each. No tolerance here: the webgpu test sets its own looser one, the wasm test checks these
 * at checkOp's default.
 */
export const VISION_CASES: OpCase[] = [
  {
    name: 'conv2d valid + bias',
    f: (x, w, b) => ops.conv2d(x, w, b),
    cases: [[{ shape: [2, 5, 6, 1] }, { shape: [3, 3, 1, 4] }, { shape: [4] }]],
  },
  {
    name: 'conv2d same, stride 2, relu, 3 channels',
    f: (x, w, b) => ops.conv2d(x, w, b, { strides: [2, 2], padding: 'same', activation: 'relu' }),
    cases: [[{ shape: [1, 7, 5, 3] }, { shape: [3, 2, 3, 5] }, { shape: [5], lo: 0.5, hi: 1 }]],
  },
  {
    name: 'conv2d without bias',
    f: (x, w) => ops.conv2d(x, w, null, { strides: [1, 2] }),
    cases: [[{ shape: [2, 4, 7, 2] }, { shape: [2, 3, 2, 3] }]],
  },
  // Distinct, well-separated values so a finite-difference step never changes which tap is the maximum.
  {
    name: 'maxPool2d 2x2',
    f: (x) => ops.maxPool2d(x, { poolSize: [2, 2] }),
    cases: [[{ shape: [2, 6, 5, 3], data: Float32Array.from({ length: 180 }, (_, i) => ((i * 37) % 180) / 10) }]],
  },
  {
    name: 'maxPool2d 3x3 stride 2 same',
    f: (x) => ops.maxPool2d(x, { poolSize: [3, 3], strides: [2, 2], padding: 'same' }),
    cases: [[{ shape: [1, 7, 7, 2], data: Float32Array.from({ length: 98 }, (_, i) => ((i * 53) % 98) / 10) }]],
  },
  { name: 'avgPool2d 2x2', f: (x) => ops.avgPool2d(x, { poolSize: [2, 2] }), cases: [[{ shape: [2, 5, 7, 3] }]] },
  {
    name: 'avgPool2d 3x2 stride 1 same',
    f: (x) => ops.avgPool2d(x, { poolSize: [3, 2], strides: [1, 1], padding: 'same' }),
    cases: [[{ shape: [1, 4, 5, 2] }]],
  },
  { name: 'globalAvgPool', f: (x) => ops.globalAvgPool(x), cases: [[{ shape: [3, 4, 5, 6] }]] },
  {
    name: 'batchNorm training (dense)',
    f: batchNorm(true),
    cases: [[{ shape: [6, 4] }, { shape: [4], lo: 0.5, hi: 1.5 }, { shape: [4] }]],
  },
  {
    name: 'batchNorm training (conv NHWC)',
    f: batchNorm(true),
    cases: [[{ shape: [2, 3, 3, 5] }, { shape: [5], lo: 0.5, hi: 1.5 }, { shape: [5] }]],
  },
  { name: 'batchNorm evaluation', f: batchNorm(false), cases: [[{ shape: [5, 3] }, { shape: [3] }, { shape: [3] }]] },
];
