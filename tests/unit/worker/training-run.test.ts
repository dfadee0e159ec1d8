// The training worker's run loop, driven in Node on the CPU backend with a synthetic set: what the
// page sees (posted messages) for a normal run, early stopping, and a design that does not fit the data.
import { describe, expect, it } from 'vitest';
import { TrainingRun } from '../../../app/worker/training';
import type { FromWorker } from '../../../app/worker/protocol';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../../app/store/run';
import type { Backend } from '../../../src/engine/backend/backend';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { wasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { templateById } from '../../../src/engine/graph';

async function runXor(
  settings: Partial<TrainSettings>,
  design = templateById('xor')!.build(),
  backend: Backend = cpuBackend(),
) {
  const messages: FromWorker[] = [];
  const run = new TrainingRun(backend, (m) => messages.push(m));
  await run.run(
    design,
    { ...DEFAULT_SETTINGS, batchSize: 20, ...settings },
    {
      kind: 'synthetic',
      options: { kind: 'xor', size: 200, noise: 0.1, seed: 3 },
    },
  );
  const states = messages.filter((m) => m.type === 'run-state');
  const epochs = messages.filter((m) => m.type === 'test-metrics');
  return { messages, states, epochs };
}

describe('TrainingRun', () => {
  it('trains every epoch, evaluates after each, and finishes', async () => {
    const { states, epochs, messages } = await runXor({ epochs: 3, learningRate: 0.05 });
    expect(states.map((s) => s.state)).toEqual(['starting', 'running', 'finished']);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(messages.some((m) => m.type === 'train-metrics' && Number.isFinite(m.loss))).toBe(true);
    // 2-D inputs: the decision boundary is posted.
    expect(messages.some((m) => m.type === 'boundary')).toBe(true);
  });

  it('stops early when validation loss stops improving', async () => {
    // A learning rate this small barely moves the loss, so with patience 1 the run stops long before 40 epochs.
    const { states, epochs, messages } = await runXor({
      epochs: 40,
      learningRate: 1e-6,
      optimizer: 'sgd',
      momentum: 0,
      validationSplit: 0.25,
      earlyStoppingPatience: 1,
    });
    const early = states.find((s) => s.message?.text.startsWith('Early stopping'));
    expect(early).toBeDefined();
    expect(epochs.length).toBeLessThan(40);
    // Every epoch's validation loss is posted, the one early stopping decided on included.
    const validation = messages.filter((m) => m.type === 'validation-metrics');
    expect(validation.map((m) => m.epoch)).toEqual(epochs.map((e) => e.epoch));
    expect(validation.every((m) => Number.isFinite(m.loss))).toBe(true);
    expect(states.at(-1)!.state).toBe('finished');
  });

  it('refuses a design whose input does not fit the data, naming both shapes and the fix', async () => {
    const { states } = await runXor({ epochs: 1 }, templateById('mlp')!.build());
    const failed = states.at(-1)!;
    expect(failed.state).toBe('failed');
    expect(failed.message!.text).toMatch(/Input takes 784 values per sample, but the data set has 2/);
    expect(failed.message!.hint).toMatch(/Input layer's shape to 2/);
  });

  it('refuses a model too large for the wasm memory before training, saying what to change', async () => {
    const backend = await wasmBackend({ threads: 1, maximumMemoryMiB: 64 });
    // 2 -> 65 536 -> 1 at batch 1000: the hidden activations alone are 262 MB, far over a 64 MiB memory.
    const design = templateById('xor')!.build();
    const hidden = design.nodes.find((n) => n.type === 'Dense' && n.settings.units !== 1)!;
    hidden.settings = { ...hidden.settings, units: 65_536 } as typeof hidden.settings;
    const { states, messages } = await runXor({ epochs: 1, batchSize: 1000 }, design, backend);
    backend.destroy();
    const failed = states.at(-1)!;
    expect(failed.state).toBe('failed');
    expect(failed.message!.text).toMatch(/This model at batch size 1000 needs about \d+ MiB of WebAssembly memory/);
    expect(failed.message!.hint).toMatch(/lower the batch size/);
    expect(messages.some((m) => m.type === 'train-metrics')).toBe(false);
  });
});
