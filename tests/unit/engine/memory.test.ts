// Steady state allocates nothing: after warm-up, 200 training steps (with dropout, Adam and metric
// readbacks every 10 steps) create no GPUBuffer at all, counted by wrapping device.createBuffer.
// Also: one submit per step, and limits checked before any GPU work.
import { describe, expect, it } from 'vitest';
import { Dense, Dropout, Optimizer, Sequential, Trainer, tensorFrom } from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import { GpuLimitError } from '../../../src/engine/gpu/errors';
import { WebGpuBackend } from '../../../src/engine/backend/webgpu/webgpu';
import { randomF32 } from '../helpers/random';
import { testGpu } from '../helpers/webgpu';

describe('webgpu backend memory', () => {
  it('creates no GPUBuffer in 200 steady-state training steps, and submits once per step', async () => {
    const gpu = await testGpu();
    const backend = new WebGpuBackend(gpu);
    const model = new Sequential(
      [
        new Dense({ units: 64, activation: 'relu' }),
        new Dropout(0.2),
        new Dense({ units: 32, activation: 'tanh' }),
        new Dense({ units: 10 }),
      ],
      [50],
      backend,
      3,
    );
    const optimizer = new Optimizer({ kind: 'adam', lr: 1e-3, l2: 1e-4 });
    const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 10 });
    const batch = 32;
    const x = randomF32(batch * 50, 5);
    const y = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);

    for (let i = 0; i < 20; i++) await trainer.trainStep(x, y);
    await trainer.readMetrics();

    const device = gpu.device;
    const original = device.createBuffer.bind(device);
    let created = 0;
    device.createBuffer = (descriptor: GPUBufferDescriptor) => {
      created++;
      return original(descriptor);
    };
    const submitsBefore = backend.stats().submits;
    try {
      for (let i = 0; i < 200; i++) await trainer.trainStep(x, y);
      await trainer.readMetrics();
    } finally {
      device.createBuffer = original;
    }
    expect(created).toBe(0);
    expect(backend.stats().submits - submitsBefore).toBe(200);
    const reports = trainer.history;
    expect(reports.length).toBeGreaterThanOrEqual(22);
    expect(reports.every((r) => Number.isFinite(r.loss) && r.accuracy !== null)).toBe(true);
    // The labels are a fixed function of the row: the network memorises them.
    expect(reports[reports.length - 1].loss).toBeLessThan(reports[0].loss);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    backend.destroy();
  });

  it('refuses a tensor larger than maxStorageBufferBindingSize before any GPU work', async () => {
    const gpu = await testGpu();
    const backend = new WebGpuBackend(gpu);
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    const rows = Math.ceil(limit / 4 / 1000) + 1;
    const a = tensorFrom(backend, randomF32(rows, 1), [rows, 1], { persistent: true });
    const b = tensorFrom(backend, randomF32(1000, 2), [1, 1000], { persistent: true });
    const before = backend.stats();
    let error: unknown;
    try {
      ops.matmul(a, b);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GpuLimitError);
    expect((error as Error).message).toMatch(
      /tensor \[\d+, 1000\] f32 from matmul needs .*(maxStorageBufferBindingSize|maxBufferSize)/,
    );
    expect(backend.stats()).toEqual(before);
    a.dispose();
    b.dispose();
    backend.destroy();
  });
});
