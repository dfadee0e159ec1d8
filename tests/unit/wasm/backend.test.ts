// The wasm backend through the engine: each op (forward and the gradient of every input) against the cpu
// reference from the same seeded inputs (the shared runOp helper, allocations poisoned with NaN), and
// training steps of small networks that must give the cpu backend's weights and metrics.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cpuBackend,
  Dense,
  Dropout,
  Optimizer,
  PRIMITIVES,
  Sequential,
  Trainer,
  type Backend,
  type Tensor,
} from '../../../src/engine';
import { wasmBackend, type WasmBackend } from '../../../src/engine/backend/wasm/wasm';
import * as ops from '../../../src/engine/ops';
import { expectAllClose } from '../helpers/compare';
import { runOp } from '../helpers/checkOp';
import type { GradInput } from '../helpers/gradcheck';
import { randomF32 } from '../helpers/random';
import { kernelsFor } from './wasm-helpers';

type OpFn = (...inputs: Tensor[]) => Tensor;

const CASES: [string, OpFn, GradInput[], number?][] = [
  ['relu', ops.relu, [{ shape: [13, 31, 3] }]],
  ['sigmoid', ops.sigmoid, [{ shape: [257], lo: -4, hi: 4 }]],
  ['log', ops.log, [{ shape: [7], lo: 0.1, hi: 2 }]],
  ['add broadcast', ops.add, [{ shape: [2, 3, 1, 5] }, { shape: [3, 11, 1] }]],
  ['div broadcast', ops.div, [{ shape: [13, 5] }, { shape: [5], lo: 0.1, hi: 2 }]],
  ['matmul', (a, b) => ops.matmul(a, b), [{ shape: [65, 33] }, { shape: [33, 129] }], 1e-5],
  [
    'matmul transA transB',
    (a, b) => ops.matmul(a, b, { transA: true, transB: true }),
    [{ shape: [13, 7] }, { shape: [5, 13] }],
    1e-5,
  ],
  [
    'dense + relu',
    (x, w, b) => ops.dense(x, w, b, 'relu'),
    [{ shape: [100, 97] }, { shape: [97, 10] }, { shape: [10] }],
    1e-5,
  ],
  ['sum axis 0', (x) => ops.sum(x, 0), [{ shape: [128, 10] }]],
  ['mean', (x) => ops.mean(x), [{ shape: [3, 1001] }]],
  ['logSoftmax', ops.logSoftmax, [{ shape: [7, 13] }]],
  [
    'softmax cross-entropy',
    (z, y) => ops.softmaxCrossEntropy(z, y),
    [{ shape: [9, 10] }, { shape: [9], dtype: 'i32', data: Int32Array.from({ length: 9 }, (_, i) => (i * 7) % 10) }],
  ],
  ['dropout', (x) => ops.dropout(x, 0.3, 11, 5), [{ shape: [1031] }]],
  [
    'conv2d same + relu',
    (x, w, b) => ops.conv2d(x, w, b, { padding: 'same', activation: 'relu' }),
    [{ shape: [2, 9, 7, 3] }, { shape: [3, 3, 3, 5] }, { shape: [5] }],
    1e-5,
  ],
  [
    'conv2d strided valid',
    (x, w) => ops.conv2d(x, w, null, { strides: [2, 2] }),
    [{ shape: [1, 11, 9, 2] }, { shape: [3, 2, 2, 4] }],
    1e-5,
  ],
  ['maxPool2d', (x) => ops.maxPool2d(x, { poolSize: [2, 2] }), [{ shape: [2, 8, 6, 3] }]],
  [
    'avgPool2d same',
    (x) => ops.avgPool2d(x, { poolSize: [3, 3], strides: [2, 2], padding: 'same' }),
    [{ shape: [1, 7, 5, 4] }],
  ],
  ['globalAvgPool', (x) => ops.globalAvgPool(x), [{ shape: [2, 5, 5, 6] }]],
  [
    'batchNorm training',
    (x, g, b, m, v) => ops.batchNorm(x, g, b, m, v, { training: true }),
    [
      { shape: [12, 5] },
      { shape: [5], lo: 0.5, hi: 1.5 },
      { shape: [5] },
      { shape: [5], check: false },
      { shape: [5], lo: 0.5, hi: 2, check: false },
    ],
    1e-5,
  ],
];

describe('wasm backend', () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    await kernelsFor('simd'); // builds the .wasm if stale
    wasm = await wasmBackend({ poison: true });
  });

  it('implements every primitive', () => {
    for (const p of PRIMITIVES) expect(typeof wasm.run[p]).toBe('function');
    expect(wasm.name).toBe('wasm');
  });

  for (const [name, f, specs, atol] of CASES) {
    it(`${name} on ${specs.map((s) => JSON.stringify(s.shape)).join(' x ')}: output and gradients match cpu`, async () => {
      const reference = await runOp(cpuBackend({ poison: true }), f, specs);
      const got = await runOp(wasm, f, specs);
      const tol = { rtol: 1e-5, atol: atol ?? 1e-6 };
      expectAllClose(got.output, reference.output, tol);
      reference.grads.forEach((g, i) => {
        if (g) expectAllClose(got.grads[i]!, g, tol);
      });
    });
  }

  it('five steps of a 20-16-5 softmax MLP with dropout and SGD+Nesterov give the cpu weights and metrics', async () => {
    const run = async (backend: Backend) => {
      const model = new Sequential(
        [new Dense({ units: 16, activation: 'relu' }), new Dropout(0.25), new Dense({ units: 5 })],
        [20],
        backend,
        8,
      );
      const optimizer = new Optimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, l2: 1e-3 });
      const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 5 });
      const x = randomF32(24 * 20, 4);
      const y = Int32Array.from({ length: 24 }, (_, i) => (i * 3) % 5);
      for (let i = 0; i < 5; i++) await trainer.trainStep(x, y);
      const report = (await trainer.readMetrics())!;
      const weights = await model.getWeights();
      trainer.dispose();
      optimizer.dispose();
      model.dispose();
      return { report, weights };
    };
    const got = await run(wasm);
    const cpu = await run(cpuBackend());
    expect(got.report.samples).toBe(120);
    expect(got.report.loss).toBeCloseTo(cpu.report.loss, 4);
    expect(got.report.accuracy).toBe(cpu.report.accuracy);
    got.weights.forEach((w, i) => expectAllClose(w.data, cpu.weights[i].data, { rtol: 1e-4, atol: 1e-5 }));
  });

  it('a repeated Adam training step allocates no new wasm memory', async () => {
    const model = new Sequential(
      [new Dense({ units: 32, activation: 'relu' }), new Dense({ units: 10 })],
      [64],
      wasm,
      3,
    );
    const optimizer = new Optimizer({ kind: 'adam', lr: 1e-3 });
    const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 50 });
    const x = randomF32(50 * 64, 9);
    const y = Int32Array.from({ length: 50 }, (_, i) => i % 10);
    for (let i = 0; i < 5; i++) await trainer.trainStep(x, y);
    const reserved = wasm.kernels.arena.bytesReserved;
    const inUse = wasm.kernels.arena.bytesInUse;
    for (let i = 0; i < 200; i++) await trainer.trainStep(x, y);
    expect(wasm.kernels.arena.bytesReserved).toBe(reserved);
    expect(wasm.kernels.arena.bytesInUse).toBe(inUse);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
  });
});
