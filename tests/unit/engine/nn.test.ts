// Layers and models on the cpu backend: seeded initialisers with the intended variance, reproducible
// builds, weights in and out as Float32Arrays, shape errors that name the layer, dropout in train/eval.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  cpuBackend,
  Dense,
  Dropout,
  Flatten,
  initialValues,
  noGrad,
  Sequential,
  step,
  tensorFrom,
} from '../../../src/engine';

function stats(values: Float32Array) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, variance, max: values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) };
}

describe('initialisers', () => {
  const fanIn = 400;
  const fanOut = 100;
  const n = 40_000;
  for (const [init, variance] of [
    ['he-normal', 2 / fanIn],
    ['he-uniform', 2 / fanIn],
    ['glorot-normal', 2 / (fanIn + fanOut)],
    ['glorot-uniform', 2 / (fanIn + fanOut)],
  ] as const) {
    it(`${init} has mean 0 and variance ${variance.toPrecision(3)}, reproducibly`, () => {
      const values = initialValues(init, n, fanIn, fanOut, 9);
      const s = stats(values);
      expect(Math.abs(s.mean)).toBeLessThan(4 * Math.sqrt(variance / n));
      expect(s.variance / variance).toBeGreaterThan(0.96);
      expect(s.variance / variance).toBeLessThan(1.04);
      if (init.endsWith('uniform')) expect(s.max).toBeLessThanOrEqual(Math.sqrt(3 * variance));
      const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);
      expect(same(initialValues(init, n, fanIn, fanOut, 9), values)).toBe(true);
      expect(same(initialValues(init, n, fanIn, fanOut, 10), values)).toBe(false);
    });
  }
});

describe('Sequential', () => {
  const build = (seed = 5) =>
    new Sequential(
      [
        new Flatten(),
        new Dense({ units: 6, activation: 'relu', name: 'd1' }),
        new Dropout(0.5),
        new Dense({ units: 3, name: 'd2' }),
        new Activation('softmax'),
      ],
      [2, 4],
      cpuBackend(),
      seed,
    );

  it('builds shapes and parameters, and round-trips weights', async () => {
    const model = build();
    expect(model.outputShape).toEqual([3]);
    expect(model.parameterCount()).toBe(8 * 6 + 6 + 6 * 3 + 3);
    const weights = await model.getWeights();
    expect(weights.map((w) => [w.name, w.shape])).toEqual([
      ['d1/kernel', [8, 6]],
      ['d1/bias', [6]],
      ['d2/kernel', [6, 3]],
      ['d2/bias', [3]],
    ]);
    expect(await build().getWeights()).toEqual(weights);
    const other = build(6);
    expect((await other.getWeights())[0].data).not.toEqual(weights[0].data);
    other.setWeights(weights);
    expect(await other.getWeights()).toEqual(weights);
    expect(() => other.setWeights(weights.slice(1))).toThrow(/has 4 parameter tensors, got 3/);
    expect(() => other.setWeights([{ ...weights[0], data: new Float32Array(3) }, ...weights.slice(1)])).toThrow(
      /d1\/kernel \[8, 6\] needs 48 values, got 3/,
    );
  });

  it('names the layer and the shapes on a mismatch', () => {
    const model = build();
    const x = tensorFrom(cpuBackend(), new Float32Array(10), [2, 5]);
    expect(() => model.forward(x, { training: false, step: 0 })).toThrow(
      /model input \[2, 5\] does not match \[batch, 2, 4\]/,
    );
    const dense = new Dense({ units: 2, name: 'classifier' });
    dense.build([3], { backend: cpuBackend(), seed: 1 });
    expect(() => dense.forward(x, { training: false, step: 0 })).toThrow(
      /classifier: input \[2, 5\] does not match its 3 input features/,
    );
  });

  it('refuses a softmax before softmax-cross-entropy, which takes logits', async () => {
    const { Optimizer, Trainer } = await import('../../../src/engine');
    const model = build();
    expect(
      () => new Trainer(model, new Optimizer({ kind: 'adam', lr: 1e-3 }), { loss: 'softmax-cross-entropy' }),
    ).toThrow(/takes logits, but the model ends in a softmax \(layer "softmax"\)/);
  });

  it('applies dropout in training only, with a mask reproducible from (seed, step)', async () => {
    const backend = cpuBackend();
    const layer = new Dropout(0.5);
    layer.build([1000], { backend, seed: 77 });
    const x = tensorFrom(backend, new Float32Array(1000).fill(1), [1, 1000], { persistent: true });
    const run = (training: boolean, stepNumber: number) =>
      step(() => noGrad(() => layer.forward(x, { training, step: stepNumber }).keep()));
    const a = await run(true, 3).data();
    const b = await run(true, 3).data();
    const c = await run(true, 4).data();
    const evalOut = await run(false, 3).data();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a)).toEqual(new Set([0, 2]));
    const kept = a.filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(440);
    expect(kept).toBeLessThan(560);
    expect(Array.from(evalOut).every((v) => v === 1)).toBe(true);
  });
});
