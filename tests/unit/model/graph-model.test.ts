import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, analyzeDesign, templateById } from '../../../src/engine/graph';
import { compileDesign } from '../../../src/engine/model/graph-model';
import { Optimizer } from '../../../src/engine/optim/optimizer';
import { noGrad, step, tensorFrom } from '../../../src/engine/tensor';
import { Trainer } from '../../../src/engine/train/trainer';

const xorData = () => {
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = new Float32Array([0, 1, 1, 0]);
  return { x, y };
};

describe('compiling a design into a model', () => {
  it('builds the MLP template with the parameter count the designer shows, trained on logits', () => {
    const design = templateById('mlp')!.build();
    const model = compileDesign(design, cpuBackend(), { seed: 3 });
    expect(model.inputShape).toEqual([784]);
    expect(model.outputShape).toEqual([10]);
    expect(model.loss).toBe('softmax-cross-entropy');
    expect(model.parameterCount()).toBe(analyzeDesign(design).totalParams);
    expect(model.parameters().map((p) => p.name)).toEqual([
      'dense_1/kernel',
      'dense_1/bias',
      'dense_2/kernel',
      'dense_2/bias',
    ]);
    // The output Dense's softmax is left to the loss, so the Trainer accepts the model.
    expect(() => new Trainer(model, new Optimizer({ kind: 'adam', lr: 1e-3 }), { loss: model.loss })).not.toThrow();
  });

  it('trains the XOR template (sigmoid output, binary cross-entropy) to 100%', async () => {
    const model = compileDesign(templateById('xor')!.build(), cpuBackend(), { seed: 1 });
    expect(model.loss).toBe('bce-with-logits');
    const trainer = new Trainer(model, new Optimizer({ kind: 'adam', lr: 0.05 }), { loss: model.loss });
    const { x, y } = xorData();
    for (let i = 0; i < 300; i++) await trainer.trainStep(x, y);
    const result = await trainer.evaluate(x, y);
    expect(result.accuracy).toBe(1);
  });

  it('sums the branches of an Add, and sends gradient back through both', async () => {
    const b = new DesignBuilder('residual');
    const input = b.add('Input', { shape: [3] });
    const left = b.add('Dense', { units: 3, activation: 'linear', useBias: false }, { inputs: [input] });
    const sum = b.add('Add', {}, { inputs: [left, input] });
    b.add('Dense', { units: 1, activation: 'linear', useBias: false }, { inputs: [sum] });
    const backend = cpuBackend();
    const model = compileDesign(b.build(), backend, { seed: 2 });
    const [w1, w2] = (await model.getWeights()).map((w) => w.data);
    const x = new Float32Array([0.5, -1, 2]);
    // y = (x W1 + x) W2
    const hidden = [0, 1, 2].map((j) => x.reduce((s, xi, i) => s + xi * w1[i * 3 + j], 0) + x[j]);
    const expected = hidden.reduce((s, h, j) => s + h * w2[j], 0);
    const out = await noGrad(() =>
      step(() => model.forward(tensorFrom(backend, x, [1, 3]), { training: false, step: 0 }).keep()),
    ).data();
    expect(out[0]).toBeCloseTo(expected, 5);
    // Training moves both weight matrices: the gradient reaches the branch and the skip path's consumer.
    const trainer = new Trainer(model, new Optimizer({ kind: 'sgd', lr: 0.1 }), { loss: 'mse' });
    await trainer.trainStep(x, new Float32Array([1]));
    const [v1, v2] = (await model.getWeights()).map((w) => w.data);
    expect(v1.some((v, i) => v !== w1[i])).toBe(true);
    expect(v2.some((v, i) => v !== w2[i])).toBe(true);
  });

  it('concatenates branches on the channel axis and sends each its part of the gradient', async () => {
    const b = new DesignBuilder('concat');
    const input = b.add('Input', { shape: [2, 2, 1] });
    const left = b.add(
      'Conv2D',
      { filters: 2, kernelSize: 1, activation: 'linear', useBias: false },
      { inputs: [input] },
    );
    const right = b.add(
      'Conv2D',
      { filters: 3, kernelSize: 1, activation: 'linear', useBias: false },
      { inputs: [input] },
    );
    b.add('Concatenate', {}, { inputs: [left, right] });
    const backend = cpuBackend();
    const model = compileDesign(b.build(), backend, { seed: 4, loss: 'mse' });
    expect(model.outputShape).toEqual([2, 2, 5]);
    const [wl, wr] = (await model.getWeights()).map((w) => w.data);
    const x = new Float32Array([1, -2, 0.5, 3]);
    const out = await noGrad(() =>
      step(() => model.forward(tensorFrom(backend, x, [1, 2, 2, 1]), { training: false, step: 0 }).keep()),
    ).data();
    // 1x1 convolutions: pixel p, channel c is x[p] * w[c]; left's 2 channels first, then right's 3.
    const expected = [0, 1, 2, 3].flatMap((p) => [
      ...[0, 1].map((c) => x[p] * wl[c]),
      ...[0, 1, 2].map((c) => x[p] * wr[c]),
    ]);
    for (let i = 0; i < expected.length; i++) expect(out[i]).toBeCloseTo(expected[i], 5);
    // A target that only differs in the right branch's channels leaves the left filter's gradient zero.
    const target = Float32Array.from(expected);
    for (let p = 0; p < 4; p++) target[p * 5 + 2] += 1;
    const trainer = new Trainer(model, new Optimizer({ kind: 'sgd', lr: 0.1 }), { loss: 'mse' });
    await trainer.trainStep(x, target);
    const [vl, vr] = (await model.getWeights()).map((w) => w.data);
    expect([...vl]).toEqual([...wl]);
    expect(vr[0]).not.toBe(wr[0]);
  });

  it('refuses an invalid design with the reasons', () => {
    const b = new DesignBuilder('no output');
    b.add('Input', { shape: [4] });
    b.add('Conv2D');
    expect(() => compileDesign(b.build(), cpuBackend())).toThrow(/cannot be trained/);
  });
});
