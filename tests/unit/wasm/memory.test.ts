// The wasm backend's memory over a training run: 10 000 steps of a small network (threads splitting every
// matmul) and the memory, the arena's high-water mark and its claimed address space stop growing after
// warm-up; a model or batch too big for the memory limit is refused before training with a typed error
// that says how much it needs, the limit and what to do, and a step that runs out leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { Dense, Optimizer, Sequential, Trainer } from '../../../src/engine';
import { wasmBackend, type WasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { analyzeDesign, templateById } from '../../../src/engine/graph';
import { WasmMemoryError } from '../../../src/wasm/arena';
import { randomF32 } from '../helpers/random';
import { kernelsFor } from './wasm-helpers';

function mlp(backend: WasmBackend, inputs: number, hidden: number, seed = 1) {
  const model = new Sequential(
    [new Dense({ units: hidden, activation: 'relu' }), new Dense({ units: 10 })],
    [inputs],
    backend,
    seed,
  );
  const optimizer = new Optimizer({ kind: 'adam', lr: 1e-3 });
  const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 100 });
  const dispose = () => {
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
  };
  return { model, trainer, dispose };
}

describe('wasm memory over a training run', () => {
  it('10 000 Adam steps on two threads: memory and the arena high-water mark stop growing after warm-up', async () => {
    await kernelsFor('simd'); // builds the .wasm if stale
    const backend = await wasmBackend({ threads: 2, minParallelFlops: 0 });
    const arena = backend.kernels.arena;
    const { trainer, dispose } = mlp(backend, 12, 16);
    const x = randomF32(8 * 12, 3);
    const y = Int32Array.from({ length: 8 }, (_, i) => i % 10);
    for (let i = 0; i < 100; i++) await trainer.trainStep(x, y);
    const warm = {
      memory: backend.kernels.memory.buffer.byteLength,
      highWater: arena.highWaterBytes,
      top: arena.topBytes,
      inUse: arena.bytesInUse,
    };
    for (let i = 0; i < 9_900; i++) await trainer.trainStep(x, y);
    const report = await trainer.readMetrics();
    expect(report?.samples).toBeGreaterThan(0);
    expect({
      memory: backend.kernels.memory.buffer.byteLength,
      highWater: arena.highWaterBytes,
      top: arena.topBytes,
      inUse: arena.bytesInUse,
    }).toEqual(warm);
    dispose();
    backend.destroy();
  }, 60_000);
});

describe('a model or batch too large for wasm memory', () => {
  it('is refused before training with the MB it needs, the limit and what to do', async () => {
    await kernelsFor('simd');
    const backend = await wasmBackend({ threads: 1, maximumMemoryMiB: 64 });
    const design = templateById('mlp')!.build();
    const fits = analyzeDesign(design, { batchSize: 100, optimizerSlots: 2 }).memory.totalBytes;
    expect(() => backend.assertFits(fits, 'this model at batch 100')).not.toThrow();
    const big = analyzeDesign(design, { batchSize: 50_000, optimizerSlots: 2 }).memory.totalBytes;
    const mib = Math.ceil(big / 2 ** 20);
    expect(() => backend.assertFits(big, 'this model at batch 50000')).toThrow(WasmMemoryError);
    expect(() => backend.assertFits(big, 'this model at batch 50000')).toThrow(
      new RegExp(
        `^this model at batch 50000 needs about ${mib} MiB of WebAssembly memory \\(\\d+ MiB with the engine's ` +
          `own buffers\\), more than the wasm engine's limit of 64 MiB\\. Use a smaller batch size or smaller layers`,
      ),
    );
    backend.destroy();
  });

  it('a step that runs out of memory throws a WasmMemoryError and leaves the backend as it was', async () => {
    await kernelsFor('simd');
    const backend = await wasmBackend({ threads: 1, maximumMemoryMiB: 32 });
    const arena = backend.kernels.arena;
    const before = arena.bytesInUse;
    const { trainer, dispose } = mlp(backend, 784, 500);
    const withModel = arena.bytesInUse;
    const batch = 4000;
    const x = randomF32(batch * 784, 5);
    const y = Int32Array.from({ length: batch }, (_, i) => i % 10);
    const error = await trainer.trainStep(x, y).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WasmMemoryError);
    expect((error as Error).message).toMatch(
      /cannot allocate [\d.]+ MiB for .*limit 32\.0 MiB: use a smaller batch size/,
    );
    expect(arena.bytesInUse).toBe(withModel);
    // A batch that fits trains on the same model.
    await trainer.trainStep(x.subarray(0, 100 * 784), y.subarray(0, 100));
    expect((await trainer.readMetrics())?.samples).toBe(100);
    dispose();
    expect(arena.bytesInUse).toBe(before);
    backend.destroy();
  });
});
