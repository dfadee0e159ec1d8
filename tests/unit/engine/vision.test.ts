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
  [
    'batchNorm training (dense)',
    batchNorm(true),
    [{ shape: [6, 4] }, { shape: [4], lo: 0.5, hi: 1.5 }, { shape: [4] }],
  ],
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

describe('vision layers', () => {
  it('build NHWC shapes and parameter counts, and name the layer on a bad shape', async () => {
    const { cpuBackend, Sequential, Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool, BatchNorm, Flatten, Dense } =
      await import('../../../src/engine');
    const be = cpuBackend();
    const model = new Sequential(
      [
        new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', strides: 2, activation: 'relu', name: 'c1' }),
        new BatchNorm({ name: 'bn1' }),
        new MaxPool2D({ poolSize: 2, name: 'p1' }),
        new Conv2D({ filters: 4, kernelSize: [2, 3], name: 'c2' }),
        new AvgPool2D({ poolSize: 1, name: 'p2' }),
        new GlobalAvgPool('gap'),
        new Dense({ units: 3 }),
      ],
      [15, 14, 2],
      be,
    );
    // 15x14 -same,s2-> 8x7x8 -pool 2-> 4x3x8 -2x3 valid-> 3x1x4 -> gap [4] -> [3]
    expect(model.outputShape).toEqual([3]);
    expect(model.parameterCount()).toBe(3 * 3 * 2 * 8 + 8 + 2 * 8 + 2 * 3 * 8 * 4 + 4 + 4 * 3 + 3);
    expect(() => new Sequential([new Conv2D({ filters: 4, kernelSize: 5, name: 'conv_big' })], [3, 3, 1], be)).toThrow(
      /layer 0 \(conv_big\): conv_big: conv2d window 5x5 is larger than the valid-padded input 3x3 \(input \[1, 3, 3, 1\]\)/,
    );
    expect(() => new Sequential([new Flatten(), new MaxPool2D({ name: 'p' })], [4, 4, 1], be)).toThrow(
      /layer 1 \(p\): p: maxPool2d expects an NHWC input/,
    );
    model.dispose();
  });

  it('BatchNorm updates its running statistics in training only and uses them in evaluation', async () => {
    const { cpuBackend, BatchNorm, Sequential, step } = await import('../../../src/engine');
    const be = cpuBackend();
    const bn = new BatchNorm({ momentum: 0.5, name: 'bn' });
    const model = new Sequential([bn], [2], be);
    const x = tensorFrom(be, Float32Array.from([1, 10, 3, 30]), [2, 2], { persistent: true });
    const run = (training: boolean) => step(() => model.forward(x, { training, step: 0 }).keep());
    const yTrain = await run(true).data();
    // Batch statistics: mean [2, 20], biased variance [1, 100]: y = (x - mean) / sqrt(var + 1e-3).
    expect(Array.from(yTrain).map((v) => Number(v.toFixed(3)))).toEqual([-1, -1, 1, 1]);
    const [mean, variance] = await Promise.all(bn.state().map((s) => s.value.data()));
    expect(Array.from(mean)).toEqual([1, 10]); // 0.5 * 0 + 0.5 * [2, 20]
    expect(Array.from(variance)).toEqual([1, 50.5]); // 0.5 * 1 + 0.5 * [1, 100]
    const yEval = await run(false).data();
    expect(yEval[1]).toBeCloseTo(0, 4); // (10 - 10) / sqrt(50.5 + 1e-3)
    expect(Array.from(await bn.state()[0].value.data())).toEqual([1, 10]);
    model.dispose();
  });
});

describe('designs with vision layers compile into models', () => {
  for (const id of ['cnn', 'lenet5', 'resnet']) {
    it(`the '${id}' template builds the shapes its design plans and takes a training step`, async () => {
      const { cpuBackend, Optimizer, Trainer } = await import('../../../src/engine');
      const { templateById } = await import('../../../src/engine/graph');
      const { compileDesign } = await import('../../../src/engine/model/graph-model');
      const be = cpuBackend();
      const model = compileDesign(templateById(id)!.build(), be, { seed: 1 });
      expect(model.outputShape).toEqual([10]);
      const batch = 2;
      const x = Float32Array.from({ length: batch * 784 }, (_, i) => (i % 17) / 17);
      const trainer = new Trainer(model, new Optimizer({ kind: 'adam', lr: 0.001 }), { loss: 'softmax-cross-entropy' });
      const before = (await model.getWeights())[0].data.slice();
      await trainer.trainStep(x, Int32Array.from([3, 7]));
      const after = (await model.getWeights())[0].data;
      expect(after.some((v, i) => v !== before[i])).toBe(true);
    });
  }
});
