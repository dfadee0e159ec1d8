// End-to-end training on small problems: XOR with a 2-10-1 network, binary cross-entropy from logits
// and Adam reaches 100% on both backends; the same seed gives the same initial weights everywhere.
import { describe, expect, it } from 'vitest';
import { cpuBackend, Dense, Dropout, Optimizer, Sequential, Trainer, type Backend } from '../../../src/engine';
import { expectAllClose } from '../helpers/compare';

const XOR_X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
const XOR_Y = new Float32Array([0, 1, 1, 0]);

async function trainXor(backend: Backend, steps: number) {
  const model = new Sequential(
    [new Dense({ units: 10, activation: 'tanh', name: 'hidden' }), new Dense({ units: 1, name: 'out' })],
    [2],
    backend,
    42,
  );
  const optimizer = new Optimizer({ kind: 'adam', lr: 0.05 });
  const trainer = new Trainer(model, optimizer, { loss: 'bce-with-logits', stepsPerReadback: 50 });
  const initial = await model.getWeights();
  for (let i = 0; i < steps; i++) await trainer.trainStep(XOR_X, XOR_Y);
  await trainer.readMetrics();
  const reports = trainer.history;
  const evaluation = await trainer.evaluate(XOR_X, XOR_Y);
  const probabilities = await trainer.predict(XOR_X);
  trainer.dispose();
  optimizer.dispose();
  model.dispose();
  return { initial, reports, evaluation, probabilities };
}

describe('XOR 2-10-1, sigmoid output, binary cross-entropy, Adam', () => {
  it('reaches 100% on the cpu backend', async () => {
    const { reports, evaluation, probabilities } = await trainXor(cpuBackend(), 300);
    expect(evaluation.accuracy).toBe(1);
    expect(evaluation.loss).toBeLessThan(0.1);
    expect(reports[0].loss).toBeGreaterThan(reports[reports.length - 1].loss);
    expect(Array.from(probabilities).map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });

  it('reaches 100% on the webgpu backend, from the same initial weights as the cpu', async () => {
    const { testWebGpuBackend } = await import('../helpers/checkOp');
    const gpu = await trainXor(await testWebGpuBackend(), 300);
    const cpu = await trainXor(cpuBackend(), 1);
    gpu.initial.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(cpu.initial[i].data)));
    expect(gpu.evaluation.accuracy).toBe(1);
    expect(gpu.evaluation.loss).toBeLessThan(0.1);
    expect(Array.from(gpu.probabilities).map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });
});

describe('training accuracy of a sigmoid output', () => {
  // With a learning rate too small to move the weights, the accuracy the trainer counts on the device
  // during steps must equal the fraction of predictions on the right side of 0.5, counted on the host.
  const run = async (backend: Backend) => {
    const { randomF32 } = await import('../helpers/random');
    const model = new Sequential(
      [new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 3 })],
      [5],
      backend,
      3,
    );
    const optimizer = new Optimizer({ kind: 'sgd', lr: 1e-30 });
    const trainer = new Trainer(model, optimizer, { loss: 'bce-with-logits', stepsPerReadback: 100 });
    const x = randomF32(40 * 5, 11);
    const y = Float32Array.from({ length: 120 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const p = await trainer.predict(x);
    const expected = p.reduce((n, v, i) => n + (v > 0.5 === y[i] > 0.5 ? 1 : 0), 0) / p.length;
    for (let i = 0; i < 3; i++) await trainer.trainStep(x, y);
    const report = (await trainer.readMetrics())!;
    const evaluation = await trainer.evaluate(x, y);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    return { expected, report, evaluation };
  };

  it('is counted on the device during training and evaluation (cpu)', async () => {
    const { expected, report, evaluation } = await run(cpuBackend());
    expect(expected).toBeGreaterThan(0.2);
    expect(expected).toBeLessThan(0.9);
    expect(report.accuracy).toBeCloseTo(expected, 6);
    expect(evaluation.accuracy).toBeCloseTo(expected, 6);
  });

  it('is counted on the device during training and evaluation (webgpu)', async () => {
    const { testWebGpuBackend } = await import('../helpers/checkOp');
    const { expected, report, evaluation } = await run(await testWebGpuBackend());
    expect(report.accuracy).toBeCloseTo(expected, 6);
    expect(evaluation.accuracy).toBeCloseTo(expected, 6);
  });
});

describe('a training step is the same computation on every backend', () => {
  it('five steps of a 20-16-5 softmax MLP with dropout and SGD+Nesterov give the cpu weights and metrics', async () => {
    const { testWebGpuBackend } = await import('../helpers/checkOp');
    const { randomF32 } = await import('../helpers/random');
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
      const evaluation = await trainer.evaluate(x, y);
      trainer.dispose();
      optimizer.dispose();
      model.dispose();
      return { report, weights, evaluation };
    };
    const gpu = await run(await testWebGpuBackend());
    const cpu = await run(cpuBackend());
    expect(gpu.report.samples).toBe(120);
    expect(gpu.report.loss).toBeCloseTo(cpu.report.loss, 4);
    expect(gpu.report.accuracy).toBe(cpu.report.accuracy);
    gpu.weights.forEach((w, i) => expectAllClose(w.data, cpu.weights[i].data, { rtol: 1e-4, atol: 1e-5 }));
    expect(gpu.evaluation.loss).toBeCloseTo(cpu.evaluation.loss, 4);
    expect(gpu.evaluation.accuracy).toBe(cpu.evaluation.accuracy);
  });
});

describe('trainEpoch', () => {
  it('covers every sample once in batches, shuffles from a seed, and stops on abort', async () => {
    const run = async (shuffleSeed: number | null, signal?: AbortSignal) => {
      const model = new Sequential([new Dense({ units: 3 })], [2], cpuBackend(), 1);
      const trainer = new Trainer(model, new Optimizer({ kind: 'sgd', lr: 0.1 }), {
        loss: 'softmax-cross-entropy',
        stepsPerReadback: 1,
      });
      const x = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i));
      const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);
      const steps = await trainer.trainEpoch(x, y, 4, { shuffleSeed, signal });
      await trainer.readMetrics();
      return { steps, samples: trainer.history.map((r) => r.samples), weights: (await model.getWeights())[0].data };
    };
    const ordered = await run(null);
    expect(ordered.steps).toBe(3);
    expect(ordered.samples).toEqual([4, 4, 2]);
    const shuffled = await run(5);
    expect(shuffled.samples).toEqual([4, 4, 2]);
    expect(Array.from(shuffled.weights)).not.toEqual(Array.from(ordered.weights));
    expect(Array.from((await run(5)).weights)).toEqual(Array.from(shuffled.weights));
    const aborted = new AbortController();
    aborted.abort();
    expect((await run(null, aborted.signal)).steps).toBe(0);
  });
});
