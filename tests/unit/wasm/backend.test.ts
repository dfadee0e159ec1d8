// The wasm backend through the engine: every primitive present, and training steps of small networks that
// must give the cpu backend's weights and metrics (each op against the cpu reference: ops.test.ts).
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
} from '../../../src/engine';
import { wasmBackend, type WasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor } from './wasm-helpers';

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
