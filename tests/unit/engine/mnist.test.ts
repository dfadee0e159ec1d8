// The seed MLP 784-500-10 (relu, Adam 0.001, batch 100) trained on WebGPU in Node on the first 6000
// MNIST training images (2 epochs, fixed order) reaches >= 90% on the first 1000 test images.
import { describe, expect, it } from 'vitest';
import { Dense, Optimizer, Sequential, Trainer } from '../../../src/engine';
import { WebGpuBackend } from '../../../src/engine/backend/webgpu/webgpu';
import { loadMnist } from '../helpers/mnist';
import { testGpu } from '../helpers/webgpu';

describe('MNIST MLP on webgpu', () => {
  it('784-500-10 reaches >= 90% test accuracy after 2 epochs on 6000 images', async () => {
    // Pixels standardised with the training mean and deviation, as the usual MNIST recipes do.
    const train = loadMnist('train', 6000, { standardise: true });
    const test = loadMnist('t10k', 1000, { standardise: true });
    const backend = new WebGpuBackend(await testGpu());
    const model = new Sequential(
      [new Dense({ units: 500, activation: 'relu' }), new Dense({ units: 10 })],
      [784],
      backend,
      1,
    );
    const optimizer = new Optimizer({ kind: 'adam', lr: 0.001 });
    const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 20 });
    const batch = 100;
    const started = performance.now();
    for (let epoch = 0; epoch < 2; epoch++) {
      expect(await trainer.trainEpoch(train.images, train.labels, batch)).toBe(60);
    }
    await trainer.readMetrics();
    const trainSeconds = (performance.now() - started) / 1000;
    const result = await trainer.evaluate(test.images, test.labels, 500);
    const history = trainer.history;
    console.log(
      `MNIST 784-500-10 on ${backend.gpu.summary.vendor}/${backend.gpu.summary.architecture}: ` +
        `${((2 * train.count) / trainSeconds).toFixed(0)} samples/s, train loss ${history[0].loss.toFixed(3)} -> ` +
        `${history[history.length - 1].loss.toFixed(3)}, test accuracy ${(result.accuracy! * 100).toFixed(1)}%`,
    );
    expect(result.samples).toBe(1000);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(history[history.length - 1].accuracy).toBeGreaterThan(0.85);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    backend.destroy();
  }, 240_000);
});
