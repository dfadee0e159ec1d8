// The seed MLP 784-500-10 (relu, Adam 0.001, batch 100) trained on the wasm backend in Node on the first
// 6000 MNIST training images, two passes in fixed order (the recipe of tests/unit/engine/mnist.test.ts),
// reaches >= 90% on the first 1000 test images, with matmul split over two worker threads.
// Prints samples/s (a figure, not a pass/fail criterion).
import { describe, expect, it } from 'vitest';
import { Dense, Optimizer, Sequential, Trainer } from '../../../src/engine';
import { wasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { loadMnist } from '../helpers/mnist';
import { kernelsFor } from './wasm-helpers';

describe('MNIST MLP on wasm', () => {
  it('784-500-10 reaches >= 90% test accuracy after 2 epochs on 6000 images', async () => {
    await kernelsFor('simd'); // builds the .wasm if stale
    const train = loadMnist('train', 6000, { standardise: true });
    const test = loadMnist('t10k', 1000, { standardise: true });
    // Two threads: the parallel matmul is bit-identical to the single-threaded one (threads.test.ts).
    const backend = await wasmBackend({ threads: 2 });
    expect(backend.threads).toBe(2);
    const model = new Sequential(
      [new Dense({ units: 500, activation: 'relu' }), new Dense({ units: 10 })],
      [784],
      backend,
      1,
    );
    const optimizer = new Optimizer({ kind: 'adam', lr: 0.001 });
    const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 20 });
    const started = performance.now();
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(await trainer.trainEpoch(train.images, train.labels, 100)).toBe(60);
    }
    await trainer.readMetrics();
    const trainSeconds = (performance.now() - started) / 1000;
    const result = await trainer.evaluate(test.images, test.labels, 500);
    const history = trainer.history;
    console.log(
      `MNIST 784-500-10 on wasm (${backend.simd}, ${backend.threads} threads): ${((2 * train.count) / trainSeconds).toFixed(0)} samples/s, ` +
        `train loss ${history[0].loss.toFixed(3)} -> ${history[history.length - 1].loss.toFixed(3)}, ` +
        `test accuracy ${(result.accuracy! * 100).toFixed(1)}%`,
    );
    expect(result.samples).toBe(1000);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    backend.destroy();
  }, 120_000);
});
