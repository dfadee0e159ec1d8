// Every differentiable op's backward() against central finite differences (cpu backend, float64).
import { describe, expect, it } from 'vitest';
import * as ops from '../../../src/engine/ops';
import { gradcheck } from '../helpers/gradcheck';

const away = { lo: 0.2, hi: 1.5 }; // positive inputs (log, sqrt, div)

describe('gradients match central finite differences', () => {
  const cases: Array<[string, Parameters<typeof gradcheck>[0], Parameters<typeof gradcheck>[1]]> = [
    ['add (broadcast row)', ops.add, [{ shape: [3, 4] }, { shape: [4] }]],
    [
      'add (broadcast column, same tensor twice)',
      (a, b) => ops.add(ops.add(a, b), a),
      [{ shape: [3, 4] }, { shape: [3, 1] }],
    ],
    ['sub (broadcast both)', ops.sub, [{ shape: [2, 1, 3] }, { shape: [4, 1] }]],
    ['mul (broadcast scalar-like)', ops.mul, [{ shape: [5, 3] }, { shape: [1] }]],
    ['div', ops.div, [{ shape: [4, 3] }, { shape: [4, 3], ...away }]],
    ['div (broadcast)', ops.div, [{ shape: [2, 3] }, { shape: [3], ...away }]],
    ['addScalar / mulScalar', (x) => ops.mulScalar(ops.addScalar(x, 0.5), -2), [{ shape: [7] }]],
    ['matmul', (a, b) => ops.matmul(a, b), [{ shape: [3, 5] }, { shape: [5, 2] }]],
    ['matmul transA', (a, b) => ops.matmul(a, b, { transA: true }), [{ shape: [5, 3] }, { shape: [5, 2] }]],
    ['matmul transB', (a, b) => ops.matmul(a, b, { transB: true }), [{ shape: [3, 5] }, { shape: [2, 5] }]],
    [
      'matmul transA transB',
      (a, b) => ops.matmul(a, b, { transA: true, transB: true }),
      [{ shape: [5, 3] }, { shape: [2, 5] }],
    ],
    ['dense (linear)', (x, w, b) => ops.dense(x, w, b), [{ shape: [4, 3] }, { shape: [3, 5] }, { shape: [5] }]],
    [
      'dense (relu fused)',
      (x, w, b) => ops.dense(x, w, b, 'relu'),
      [{ shape: [4, 3] }, { shape: [3, 5] }, { shape: [5] }],
    ],
    ['biasAdd', ops.biasAdd, [{ shape: [4, 3] }, { shape: [3] }]],
    ['sum all', (x) => ops.sum(x), [{ shape: [3, 4] }]],
    ['sum axis 0', (x) => ops.sum(x, 0), [{ shape: [3, 4] }]],
    ['sum axis 1 keepDims', (x) => ops.sum(x, 1, true), [{ shape: [2, 3, 4] }]],
    ['mean all', (x) => ops.mean(x), [{ shape: [3, 4] }]],
    ['mean axis -1', (x) => ops.mean(x, -1), [{ shape: [2, 3, 4] }]],
    ['reshape', (x) => ops.mul(ops.reshape(x, [6, -1]), ops.reshape(x, [6, 2])), [{ shape: [3, 4] }]],
    ['relu', ops.relu, [{ shape: [4, 5] }]],
    ['leakyRelu', (x) => ops.leakyRelu(x, 0.1), [{ shape: [4, 5] }]],
    ['sigmoid', ops.sigmoid, [{ shape: [4, 5], lo: -3, hi: 3 }]],
    ['tanh', ops.tanh, [{ shape: [4, 5], lo: -2, hi: 2 }]],
    ['exp', ops.exp, [{ shape: [4, 5] }]],
    ['log', ops.log, [{ shape: [4, 5], ...away }]],
    ['neg', ops.neg, [{ shape: [3] }]],
    ['abs', ops.abs, [{ shape: [3, 3] }]],
    ['sqrt', ops.sqrt, [{ shape: [6], ...away }]],
    ['square', ops.square, [{ shape: [6] }]],
    ['softmax', ops.softmax, [{ shape: [3, 5], lo: -2, hi: 2 }]],
    ['logSoftmax', ops.logSoftmax, [{ shape: [3, 5], lo: -2, hi: 2 }]],
    [
      'softmaxCrossEntropy',
      (z, y) => ops.softmaxCrossEntropy(z, y),
      [
        { shape: [4, 5], lo: -2, hi: 2 },
        { shape: [4], dtype: 'i32', lo: 0, hi: 5 },
      ],
    ],
    ['mse', ops.mse, [{ shape: [4, 3] }, { shape: [4, 3] }]],
    [
      'bceWithLogits',
      ops.bceWithLogits,
      [
        { shape: [6, 2], lo: -3, hi: 3 },
        { shape: [6, 2], lo: 0, hi: 1 },
      ],
    ],
  ];
  for (const [name, f, specs] of cases) {
    it(name, () => {
      const result = gradcheck(f, specs);
      expect(result.checked).toBeGreaterThan(0);
    });
  }

  it('dropout: the gradient is the mask the forward used', () => {
    const result = gradcheck((x) => ops.dropout(x, 0.4, 1234, 5), [{ shape: [8, 9] }]);
    expect(result.checked).toBe(72);
  });
});
