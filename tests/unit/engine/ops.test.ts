// Every op on the webgpu backend against the cpu reference, forward and gradient, in at least five
// shapes each, including 1, primes and sizes that are not multiples of the kernels' tiles.
import { describe, it } from 'vitest';
import * as ops from '../../../src/engine/ops';
import type { Tensor } from '../../../src/engine';
import { checkOp } from '../helpers/checkOp';
import type { GradInput } from '../helpers/gradcheck';

type OpFn = (...inputs: Tensor[]) => Tensor;

const positive = { lo: 0.1, hi: 2 };

/** Unary ops over element shapes, one of them past a 256-thread workgroup and not a multiple of it. */
const ELEMENT_SHAPES = [[1], [7], [3, 5], [257], [13, 31, 3]];

function suite(name: string, f: OpFn, cases: GradInput[][], options?: Parameters<typeof checkOp>[3]) {
  describe(name, () => {
    for (const specs of cases) {
      it(specs.map((s) => JSON.stringify(s.shape)).join(' x '), () => checkOp(name, f, specs, options));
    }
  });
}

const unaryCases = (extra: Partial<GradInput> = {}) => ELEMENT_SHAPES.map((shape) => [{ shape, ...extra }]);

suite('relu', ops.relu, unaryCases());
suite('leakyRelu', (x) => ops.leakyRelu(x, 0.2), unaryCases());
suite('sigmoid', ops.sigmoid, unaryCases({ lo: -4, hi: 4 }));
suite('tanh', ops.tanh, unaryCases({ lo: -3, hi: 3 }));
suite('exp', ops.exp, unaryCases());
suite('log', ops.log, unaryCases(positive));
suite('neg, abs, sqrt, square', (x) => ops.add(ops.sqrt(ops.abs(ops.neg(x))), ops.square(x)), unaryCases(positive));

const broadcastCases: GradInput[][] = [
  [{ shape: [1] }, { shape: [1] }],
  [{ shape: [7] }, { shape: [7] }],
  [{ shape: [13, 5] }, { shape: [5] }],
  [{ shape: [3, 1, 7] }, { shape: [4, 1] }],
  [{ shape: [2, 3, 1, 5] }, { shape: [3, 11, 1] }],
  [{ shape: [300] }, { shape: [1] }],
];
suite('add', ops.add, broadcastCases);
suite('sub', ops.sub, broadcastCases);
suite('mul', ops.mul, broadcastCases);
suite(
  'div',
  ops.div,
  broadcastCases.map(([a, b]) => [a, { ...b, ...positive }]),
);
suite('addScalar, mulScalar', (x) => ops.mulScalar(ops.addScalar(x, 0.25), -1.5), unaryCases());

// Matmul tiles are 64 x 128 outputs per workgroup on software adapters: cover below, at and past them.
const matmulShapes: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 13, 5],
  [64, 32, 128],
  [65, 33, 129],
  [100, 97, 10],
];
for (const [transA, transB] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
]) {
  suite(
    `matmul${transA ? ' transA' : ''}${transB ? ' transB' : ''}`,
    (a, b) => ops.matmul(a, b, { transA, transB }),
    matmulShapes.map(([m, k, n]) => [{ shape: transA ? [k, m] : [m, k] }, { shape: transB ? [n, k] : [k, n] }]),
    { rtol: 1e-5, atol: 1e-5 },
  );
}
const denseCases = matmulShapes.map(([m, k, n]) => [{ shape: [m, k] }, { shape: [k, n] }, { shape: [n] }]);
suite('dense (bias, linear)', (x, w, b) => ops.dense(x, w, b), denseCases, { atol: 1e-5 });
suite('dense (bias + relu fused)', (x, w, b) => ops.dense(x, w, b, 'relu'), denseCases, { atol: 1e-5 });
suite('biasAdd', ops.biasAdd, [
  [{ shape: [1, 1] }, { shape: [1] }],
  [{ shape: [7, 3] }, { shape: [3] }],
  [{ shape: [2, 5, 13] }, { shape: [13] }],
  [{ shape: [100, 10] }, { shape: [10] }],
  [{ shape: [3, 257] }, { shape: [257] }],
]);

const reduceShapes = [[1], [7], [5, 13], [3, 4, 5], [600, 3], [2, 1031]];
suite(
  'sum all',
  (x) => ops.sum(x),
  reduceShapes.map((shape) => [{ shape }]),
  { atol: 1e-5 },
);
suite(
  'sum axis 0',
  (x) => ops.sum(x, 0),
  reduceShapes.map((shape) => [{ shape }]),
  { atol: 1e-5 },
);
suite(
  'mean all',
  (x) => ops.mean(x),
  reduceShapes.map((shape) => [{ shape }]),
);
suite(
  'mean last axis',
  (x) => ops.mean(x, -1, true),
  reduceShapes.map((shape) => [{ shape }]),
);
suite(
  'reshape',
  (x) => ops.mul(ops.reshape(x, [-1]), ops.reshape(x, [-1])),
  reduceShapes.map((shape) => [{ shape }]),
);

const rowShapes = [
  [1, 1],
  [1, 10],
  [7, 3],
  [100, 10],
  [5, 257],
];
suite(
  'softmax',
  ops.softmax,
  rowShapes.map((shape) => [{ shape, lo: -3, hi: 3 }]),
);
suite(
  'logSoftmax',
  ops.logSoftmax,
  rowShapes.map((shape) => [{ shape, lo: -3, hi: 3 }]),
);
suite(
  'softmaxCrossEntropy',
  (z, y) => ops.softmaxCrossEntropy(z, y),
  rowShapes.map(([rows, cols]) => [
    { shape: [rows, cols], lo: -3, hi: 3 },
    { shape: [rows], dtype: 'i32' as const, lo: 0, hi: cols },
  ]),
);
suite(
  'mse',
  ops.mse,
  rowShapes.map((shape) => [{ shape }, { shape }]),
);
suite(
  'bceWithLogits',
  ops.bceWithLogits,
  rowShapes.map((shape) => [
    { shape, lo: -4, hi: 4 },
    { shape, lo: 0, hi: 1 },
  ]),
);
suite(
  'dropout',
  (x) => ops.dropout(x, 0.3, 99, 7),
  ELEMENT_SHAPES.map((shape) => [{ shape }]),
);
