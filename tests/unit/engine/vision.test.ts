// The vision ops (conv2d, max/avg/global-average pooling, batch norm): gradients against central finite
// differences on the cpu backend (float64), and the webgpu backend against the cpu reference, forward and
// gradient, through the same checkOp helper as every other op, on the shared cases of
// tests/unit/helpers/op-cases.ts; then the vision ops' shape errors, layers and templates.
import { describe, expect, it } from 'vitest';
import { tensorFrom } from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import { checkOp } from '../helpers/checkOp';
import { gradcheck } from '../helpers/gradcheck';
import { caseTitle, VISION_CASES } from '../helpers/op-cases';

/** The vision gradients against float64 finite differences on the cpu (gradcheck's default: 1e-6, 1e-8). */
const CPU_GRADCHECK_TOLERANCE = { rtol: 1e-5, atol: 1e-7 };
/** The webgpu vision kernels against the cpu (the wasm test holds the same cases to checkOp's default). */
const WEBGPU_TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

/** Each vision case as one test, titled by its op (and its shapes, should an op get more than one). */
const VISION_TESTS = VISION_CASES.flatMap(({ name, f, cases }) =>
  cases.map((specs) => ({
    title: cases.length > 1 ? `${name} on ${caseTitle(specs)}` : name,
    name,
    f,
    specs,
  })),
);

describe('vision op gradients match central finite differences (cpu, float64)', () => {
  for (const { title, f, specs } of VISION_TESTS) {
    it(title, () => {
      expect(gradcheck(f, specs, CPU_GRADCHECK_TOLERANCE).checked).toBeGreaterThan(0);
    });
  }
});

describe('vision ops on webgpu match the cpu reference, forward and gradient', () => {
  for (const { title, name, f, specs } of VISION_TESTS) {
    it(title, () => checkOp(name, f, specs, WEBGPU_TOLERANCE));
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
