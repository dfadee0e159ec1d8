// The op-check cases of the webgpu op tests (tests/unit/engine/ops.test.ts and vision.test.ts), the same
// ops and shapes, as data: the wasm backend is checked against the cpu reference on exactly these, single-
// and multi-threaded. Plus a few wasm-specific shapes past the kernels' 5 x 8 register tile and im2col
// chunking. (The webgpu tests could import these tables too; they keep their own copies for now.)
import { tensorFrom, type Tensor } from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import type { GradInput } from '../helpers/gradcheck';

type OpFn = (...inputs: Tensor[]) => Tensor;

export interface OpCase {
  /** The suite name, as in the webgpu tests. */
  name: string;
  f: OpFn;
  cases: GradInput[][];
  rtol?: number;
  atol?: number;
}

const positive = { lo: 0.1, hi: 2 };
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

const matmulShapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 13, 5],
  [64, 32, 128],
  [65, 33, 129],
  [100, 97, 10],
];
const denseCases = matmulShapes.map(([m, k, n]) => [{ shape: [m, k] }, { shape: [k, n] }, { shape: [n] }]);
const reduceShapes = [[1], [7], [5, 13], [3, 4, 5], [600, 3], [2, 1031]];
const rowShapes = [
  [1, 1],
  [1, 10],
  [7, 3],
  [100, 10],
  [5, 257],
];

/** tests/unit/engine/ops.test.ts's suites. */
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
  { name: 'sum all', f: (x) => ops.sum(x), cases: reduceShapes.map((shape) => [{ shape }]), atol: 1e-5 },
  { name: 'sum axis 0', f: (x) => ops.sum(x, 0), cases: reduceShapes.map((shape) => [{ shape }]), atol: 1e-5 },
  { name: 'mean all', f: (x) => ops.mean(x), cases: reduceShapes.map((shape) => [{ shape }]) },
  { name: 'mean last axis', f: (x) => ops.mean(x, -1, true), cases: reduceShapes.map((shape) => [{ shape }]) },
  {
    name: 'reshape',
    f: (x) => ops.mul(ops.reshape(x, [-1]), ops.reshape(x, [-1])),
    cases: reduceShapes.map((shape) => [{ shape }]),
  },
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

/** Batch norm with fresh running statistics on x's backend (as in vision.test.ts). */
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

/** tests/unit/engine/vision.test.ts's cases (one shape each there). */
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

/** Shapes that exercise the wasm kernels' own edges: register tiles, im2col chunks, many threads' splits. */
export const WASM_EXTRA_CASES: OpCase[] = [
  {
    name: 'matmul past one packing block (k > 512, m > 130)',
    f: (a, b) => ops.matmul(a, b),
    cases: [[{ shape: [141, 530] }, { shape: [530, 37] }]],
    atol: 1e-5,
  },
  {
    name: 'conv2d same + relu, 9x7 input',
    f: (x, w, b) => ops.conv2d(x, w, b, { padding: 'same', activation: 'relu' }),
    cases: [[{ shape: [5, 9, 7, 3] }, { shape: [3, 3, 3, 5] }, { shape: [5] }]],
    atol: 1e-5,
  },
  {
    name: 'conv2d strided valid',
    f: (x, w) => ops.conv2d(x, w, null, { strides: [2, 2] }),
    cases: [[{ shape: [3, 11, 9, 2] }, { shape: [3, 2, 2, 4] }]],
    atol: 1e-5,
  },
  { name: 'dropout, 1031 elements', f: (x) => ops.dropout(x, 0.3, 11, 5), cases: [[{ shape: [1031] }]] },
];
