// Project files: a run saved to a project file and resumed takes exactly the steps the uninterrupted run
// takes (weights, optimiser state, step counter, schedule, dropout stream, BatchNorm statistics, batch
// order), on the CPU backend; optimiser state round-trips through the engine; and every kind of bad
// file is refused with a ModelFileError naming the file and the reason.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../../app/store/run';
import type { FromWorker, ModelSnapshot } from '../../../app/worker/protocol';
import { TrainingRun } from '../../../app/worker/training';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, type Design } from '../../../src/engine/graph';
import { compileDesign } from '../../../src/engine/model/graph-model';
import { Optimizer } from '../../../src/engine/optim/optimizer';
import { Trainer } from '../../../src/engine/train/trainer';
import { ModelFileError } from '../../../src/export/errors';
import {
  exportProject,
  parseProject,
  PROJECT_VERSION,
  type Project,
  type RunHistory,
} from '../../../src/export/project';
import { exportSafetensors, parseSafetensors } from '../../../src/export/safetensors';

/** Dense + BatchNorm + Dropout: resuming must carry weights, moving statistics and the dropout stream. */
function design(): Design {
  const b = new DesignBuilder('resume test');
  b.add('Input', { shape: [2] });
  b.add('Dense', { units: 12, activation: 'relu' });
  b.add('BatchNorm', {});
  b.add('Dropout', { rate: 0.2 });
  b.add('Dense', { units: 3, activation: 'softmax' });
  return b.build();
}

const DATA = { kind: 'synthetic', options: { kind: 'blobs', size: 150, noise: 0.2, seed: 5, classes: 3 } } as const;

const SETTINGS: TrainSettings = {
  ...DEFAULT_SETTINGS,
  optimizer: 'adam',
  learningRate: 0.01,
  schedule: 'cosine',
  l2: 0.001,
  batchSize: 20,
  epochs: 3,
  seed: 7,
};

const EMPTY_HISTORY: RunHistory = {
  trainLoss: { points: [{ x: 10, y: 0.5 }], bucket: 1, pending: { x: 0, y: 0, n: 0 } },
  trainAccuracy: { points: [{ x: 10, y: Number.NaN }], bucket: 1, pending: { x: 0, y: 0, n: 0 } },
  testLoss: { points: [], bucket: 1, pending: { x: 0, y: 0, n: 0 } },
  testAccuracy: { points: [], bucket: 1, pending: { x: 0, y: 0, n: 0 } },
  figures: { epoch: 1, step: 8, totalSteps: 24, samplesPerSecond: 100, elapsedMs: 50 },
};

/** Runs to the end, or stops after `stopAfterEpochs` epochs; returns the messages and the snapshot. */
async function train(settings: TrainSettings, opts: { stopAfterEpochs?: number; resume?: ModelSnapshot } = {}) {
  const messages: FromWorker[] = [];
  let run: TrainingRun | null = null;
  run = new TrainingRun(cpuBackend(), (m) => {
    messages.push(m);
    if (m.type === 'test-metrics' && m.epoch === opts.stopAfterEpochs) run!.stop();
  });
  const resume = opts.resume && { ...opts.resume, file: 'saved.safetensors' };
  await run.run(design(), settings, DATA, {}, resume);
  const failed = messages.find((m) => m.type === 'run-state' && m.state === 'failed');
  if (failed && failed.type === 'run-state') throw new Error(failed.message?.text);
  return { messages, snapshot: await run.snapshot() };
}

function project(s: ModelSnapshot): Project {
  return {
    design: s.design as Design,
    settings: s.settings as unknown as Project['settings'],
    tensors: s.tensors,
    optimizer: s.optimizer,
    progress: s.progress,
    history: EMPTY_HISTORY,
    data: { kind: 'synthetic', set: 'blobs', options: { size: 150, noise: 0.2, seed: 5, classes: 3 } },
  };
}

const parse = (bytes: Uint8Array, file = 'run.playground.safetensors') =>
  parseProject(bytes, { file, settingsDefaults: DEFAULT_SETTINGS });

describe('project file: exact resume', () => {
  it('a run saved after one epoch and resumed from the file ends with the same weights as the uninterrupted run', async () => {
    const whole = await train(SETTINGS);
    const first = await train(SETTINGS, { stopAfterEpochs: 1 });
    expect(first.snapshot.progress.epoch).toBe(1);
    expect(first.snapshot.progress.stepCount).toBe(first.snapshot.progress.batchesDrawn);
    expect(first.snapshot.optimizer!.params.length).toBeGreaterThan(0);

    const file = exportProject(project(first.snapshot));
    const loaded = parse(file);
    expect(loaded.settings).toEqual(SETTINGS);
    expect(loaded.progress).toEqual(first.snapshot.progress);
    expect(loaded.history.trainAccuracy.points[0].y).toBeNaN();
    const resumed = await train(SETTINGS, {
      resume: { ...first.snapshot, tensors: loaded.tensors, optimizer: loaded.optimizer, progress: loaded.progress },
    });

    // The resumed run evaluates epochs 2 and 3 with exactly the uninterrupted run's numbers.
    const tests = (ms: FromWorker[]) =>
      ms.filter((m) => m.type === 'test-metrics').map((m) => [m.step, m.epoch, m.loss]);
    expect(tests(resumed.messages)).toEqual(tests(whole.messages).slice(1));
    expect(resumed.snapshot.progress).toEqual(whole.snapshot.progress);
    const names = whole.snapshot.tensors.map((t) => t.name);
    expect(names).toContain('batchnorm_1/moving_mean');
    expect(resumed.snapshot.tensors.map((t) => t.name)).toEqual(names);
    whole.snapshot.tensors.forEach((t, i) => expect(resumed.snapshot.tensors[i].data).toEqual(t.data));
    whole.snapshot.optimizer!.params.forEach((p, i) =>
      expect(resumed.snapshot.optimizer!.params[i].slots).toEqual(p.slots),
    );
  });

  it('the optimiser state round-trips mid-epoch: the next step is identical (SGD with Nesterov momentum)', async () => {
    const backend = cpuBackend();
    const make = () => {
      const model = compileDesign(design(), backend, { seed: 3 });
      const config = {
        kind: 'sgd' as const,
        lr: 0.1,
        momentum: 0.9,
        nesterov: true,
        schedule: { kind: 'step' as const, stepSize: 2, gamma: 0.5 },
      };
      const optimizer = new Optimizer(config);
      return { model, optimizer, trainer: new Trainer(model, optimizer, { loss: model.loss }) };
    };
    const x = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7));
    const y = Int32Array.from({ length: 20 }, (_, i) => i % 3);
    const a = make();
    for (let i = 0; i < 3; i++) await a.trainer.trainStep(x, y);
    const state = await a.optimizer.exportState(a.model.parameters());
    expect(state.stepCount).toBe(3);
    expect(Object.keys(state.params[0].slots)).toEqual(['velocity']);

    const b = make();
    b.model.setWeights(await a.model.getWeights());
    for (const [i, s] of b.model.state().entries()) {
      b.model.backend.write(s.value.storage, await a.model.state()[i].value.data());
    }
    b.optimizer.importState(b.model.parameters(), state);
    expect(b.optimizer.learningRate).toBe(a.optimizer.learningRate);
    await a.trainer.trainStep(x, y);
    await b.trainer.trainStep(x, y);
    const wa = await a.model.getWeights();
    const wb = await b.model.getWeights();
    wa.forEach((w, i) => expect(wb[i].data).toEqual(w.data));
  });

  it('importState refuses a state that does not fit and changes nothing', async () => {
    const backend = cpuBackend();
    const model = compileDesign(design(), backend, { seed: 3 });
    const optimizer = new Optimizer({ kind: 'adam', lr: 0.01 });
    const params = model.parameters();
    const good = {
      kind: 'adam' as const,
      stepCount: 4,
      params: [
        {
          name: params[0].name,
          shape: [...params[0].value.shape],
          slots: { m: new Float32Array(params[0].value.size), v: new Float32Array(params[0].value.size) },
        },
      ],
    };
    expect(() => optimizer.importState(params, { ...good, kind: 'sgd' })).toThrow(/saved by sgd/);
    expect(() => optimizer.importState(params, { ...good, params: [{ ...good.params[0], shape: [1, 2] }] })).toThrow(
      /in the state/,
    );
    expect(() =>
      optimizer.importState(params, { ...good, params: [{ ...good.params[0], name: 'nope/kernel' }] }),
    ).toThrow(/no parameter "nope\/kernel"/);
    expect(optimizer.stepCount).toBe(0);
    optimizer.importState(params, good);
    expect(optimizer.stepCount).toBe(4);
  });
});

describe('project file: bad files are refused with the file and the reason', () => {
  async function goodProject(): Promise<{ p: Project; bytes: Uint8Array }> {
    const first = await train({ ...SETTINGS, epochs: 1 });
    const p = project(first.snapshot);
    return { p, bytes: exportProject(p) };
  }

  /** The ModelFileError parse throws, with its file checked. */
  function refusal(bytes: Uint8Array, opts: { maxBytes?: number } = {}): ModelFileError {
    try {
      parseProject(bytes, { file: 'bad.safetensors', settingsDefaults: DEFAULT_SETTINGS, ...opts });
    } catch (e) {
      expect(e).toBeInstanceOf(ModelFileError);
      expect((e as ModelFileError).file).toBe('bad.safetensors');
      expect((e as ModelFileError).message).toMatch(/^bad\.safetensors: /);
      return e as ModelFileError;
    }
    throw new Error('the file was accepted');
  }

  /** The project's container with one metadata entry replaced. */
  function withMetadata(bytes: Uint8Array, key: string, value: string): Uint8Array {
    const parsed = parseSafetensors(bytes);
    return exportSafetensors(parsed.tensors, { ...parsed.metadata, [key]: value });
  }

  it('truncated, malformed and oversized files', async () => {
    const { bytes } = await goodProject();
    expect(refusal(bytes.slice(0, bytes.length - 10)).reason).toMatch(/truncated/);
    expect(refusal(bytes.slice(0, 5)).reason).toMatch(/too short/);
    expect(refusal(new TextEncoder().encode('{"design": "not a binary file at all"}')).reason).toMatch(
      /truncated or not a safetensors file|not a JSON object/,
    );
    const oversized = refusal(bytes, { maxBytes: 1000 });
    expect(oversized.reason).toMatch(/more than the 0\.0 MB this page reads/);
  });

  it('a weights file that is not a project, and a newer version', async () => {
    const { p, bytes } = await goodProject();
    const weights = exportSafetensors(p.tensors, { design: JSON.stringify(p.design) });
    expect(refusal(weights).reason).toMatch(/not a project file/);
    expect(refusal(withMetadata(bytes, 'project_version', String(PROJECT_VERSION + 1))).reason).toMatch(
      /newer version/,
    );
  });

  it('JSON that does not parse, and JSON parts of the wrong shape', async () => {
    const { bytes } = await goodProject();
    expect(refusal(withMetadata(bytes, 'history', '{"trainLoss": [')).reason).toMatch(
      /"history" part of its metadata is not valid JSON/,
    );
    expect(refusal(withMetadata(bytes, 'design', '{"nodes": 3}')).reason).toMatch(/design in it is not valid/);
    expect(refusal(withMetadata(bytes, 'settings', '{"learningRate": "fast"}')).reason).toMatch(
      /setting "learningRate" is "fast", not a number/,
    );
    expect(refusal(withMetadata(bytes, 'progress', '{"stepCount": -1}')).reason).toMatch(/progress/);
    expect(refusal(withMetadata(bytes, 'data', '{"kind": "imagenet"}')).reason).toMatch(/names no data set/);
  });

  it('optimiser state that does not belong to the model', async () => {
    const { p } = await goodProject();
    const bad: Project = {
      ...p,
      optimizer: {
        ...p.optimizer!,
        params: [
          { ...p.optimizer!.params[0], shape: [5, 5], slots: { m: new Float32Array(25), v: new Float32Array(25) } },
        ],
      },
    };
    expect(refusal(exportProject(bad)).reason).toMatch(/has shape \[5, 5\] but/);
  });

  it('weights of the wrong shape for the design are refused on load, and the current model is kept', async () => {
    const { p } = await goodProject();
    const run = new TrainingRun(cpuBackend(), () => undefined);
    const first = await run.load(p.design, SETTINGS, DATA, p.tensors, undefined, 'good.safetensors');
    expect(first.test!.samples).toBeGreaterThan(0);
    const before = await run.snapshot();
    const wrong = p.tensors.map((t, i) => (i === 0 ? { ...t, shape: [3, 12], data: new Float32Array(36) } : t));
    await expect(run.load(p.design, SETTINGS, DATA, wrong, undefined, 'wrong.safetensors')).rejects.toThrow(
      /wrong\.safetensors: tensor "dense_1\/kernel" has shape \[3, 12\]/,
    );
    // A design (from a file) that does not fit the data in use: the data set is what to change.
    const three = new DesignBuilder('three inputs');
    three.add('Input', { shape: [3] });
    three.add('Dense', { units: 3, activation: 'softmax' });
    const misfit = run.load(three.build(), SETTINGS, DATA, [], undefined, 'three.safetensors');
    await expect(misfit).rejects.toThrow(/Input takes 3 values per sample, but the data set has 2/);
    await expect(misfit).rejects.toHaveProperty(
      'hint',
      expect.stringMatching(/Choose the data set the model was trained on/),
    );
    const after = await run.snapshot();
    after.tensors.forEach((t, i) => expect(t.data).toEqual(before.tensors[i].data));
  });
});

describe('Export section files', () => {
  it('the PyTorch zip for a synthetic set carries data.safetensors with the train and test rows', async () => {
    const { buildExport } = await import('../../../app/export/exports');
    const { unzipSync } = await import('fflate');
    const first = await train({ ...SETTINGS, epochs: 1 });
    const file = buildExport('pytorch', first.snapshot, {
      kind: 'synthetic',
      set: 'blobs',
      options: { size: 150, noise: 0.2, seed: 5, classes: 3 },
    });
    expect(file.name).toBe('resume-test-pytorch.zip');
    const files = unzipSync(file.bytes);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.md',
        'data.safetensors',
        'design.json',
        'model.py',
        'requirements.txt',
        'train.py',
        'weights.safetensors',
      ].sort(),
    );
    const data = parseSafetensors(files['data.safetensors']);
    const byName = new Map(data.tensors.map((t) => [t.name, t]));
    expect(byName.get('x')!.shape).toEqual([150 + 100, 2]);
    expect(byName.get('train_idx')!.shape).toEqual([150]);
    expect(byName.get('test_idx')!.data[0]).toBe(150);
    expect(Array.from(byName.get('labels')!.data.slice(0, 4))).toEqual([0, 1, 2, 0]);
    const weights = parseSafetensors(files['weights.safetensors']);
    expect(weights.tensors.map((t) => t.name)).toEqual(first.snapshot.tensors.map((t) => t.name));
  });
});
