// Collecting a compiled model's tensors (parameters and BatchNorm statistics) and writing them back:
// a trained model survives a safetensors round trip into a fresh model exactly, and tensors that do not
// fit are refused before anything is written.
import { describe, expect, it } from 'vitest';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { compileDesign } from '../../../src/engine/model/graph-model';
import { Optimizer } from '../../../src/engine/optim/optimizer';
import { Trainer } from '../../../src/engine/train/trainer';
import { ModelFileError } from '../../../src/export/errors';
import {
  designFromSafetensors,
  exportSafetensors,
  parseSafetensors,
  safetensorsMetadata,
  type NamedTensor,
} from '../../../src/export/safetensors';
import { loadModelTensors, modelTensors } from '../../../src/export/tensors';
import { everyLayerDesign, trainedModel } from './models';

describe('the tensors of a compiled model', () => {
  it('lists every parameter and the BatchNorm moving statistics, layer by layer, as trained', async () => {
    const { model } = await trainedModel(everyLayerDesign(), 1, { randomStats: false });
    const tensors = await modelTensors(model);
    expect(tensors.map((t) => `${t.name} [${t.shape.join(', ')}]`)).toEqual([
      'conv2d_1/kernel [3, 3, 2, 4]',
      'conv2d_1/bias [4]',
      'batchnorm_1/gamma [4]',
      'batchnorm_1/beta [4]',
      'batchnorm_1/moving_mean [4]',
      'batchnorm_1/moving_variance [4]',
      'conv2d_2/kernel [2, 2, 8, 3]',
      'dense_1/kernel [12, 6]',
      'dense_1/bias [6]',
      'batchnorm_2/gamma [6]',
      'batchnorm_2/beta [6]',
      'batchnorm_2/moving_mean [6]',
      'batchnorm_2/moving_variance [6]',
      'dense_2/kernel [6, 3]',
      'dense_2/bias [3]',
      'dense_3/kernel [3, 4]',
      'dense_3/bias [4]',
    ]);
    // Training moved the statistics away from their start (zeros and ones).
    const byName = new Map(tensors.map((t) => [t.name, t.data]));
    for (const bn of ['batchnorm_1', 'batchnorm_2']) {
      expect(byName.get(`${bn}/moving_mean`)!.some((v) => v !== 0)).toBe(true);
      expect(byName.get(`${bn}/moving_variance`)!.some((v) => v !== 1)).toBe(true);
    }
    model.dispose();
  });

  it('survive a safetensors file: a fresh model loaded from it predicts exactly what the trained one did', async () => {
    const design = everyLayerDesign();
    const { model, trainer, inputs } = await trainedModel(design);
    const expected = await trainer.predict(inputs);
    const parsed = parseSafetensors(exportSafetensors(await modelTensors(model), safetensorsMetadata(design)));
    const fresh = compileDesign(designFromSafetensors(parsed), cpuBackend(), { seed: 99 });
    const freshTrainer = new Trainer(fresh, new Optimizer({ kind: 'adam', lr: 0.01 }), { loss: fresh.loss });
    expect(await freshTrainer.predict(inputs)).not.toEqual(expected);
    loadModelTensors(fresh, parsed.tensors);
    expect(await freshTrainer.predict(inputs)).toEqual(expected);
    model.dispose();
    fresh.dispose();
  });
});

describe('loading tensors that do not fit', () => {
  async function setup() {
    const design = everyLayerDesign();
    const source = await trainedModel(design, 1);
    const tensors = await modelTensors(source.model);
    source.model.dispose();
    const target = compileDesign(design, cpuBackend(), { seed: 5 });
    const before = await modelTensors(target);
    return { tensors, target, before };
  }

  const cases: [string, (t: NamedTensor[]) => NamedTensor[], RegExp][] = [
    [
      'a wrong shape',
      (t) => t.map((x) => (x.name === 'dense_1/kernel' ? { ...x, shape: [6, 12] } : x)),
      /"dense_1\/kernel" has shape \[6, 12\] \(72 values\) but this design needs \[12, 6\]/,
    ],
    [
      'a missing tensor',
      (t) => t.filter((x) => x.name !== 'batchnorm_2/moving_variance'),
      /lacks 1 tensor this design needs: batchnorm_2\/moving_variance/,
    ],
    [
      'an unknown tensor',
      (t) => [...t, { name: 'conv2d_2/bias', shape: [3], data: new Float32Array(3) }],
      /1 tensor this design does not have: conv2d_2\/bias/,
    ],
    ['a tensor given twice', (t) => [...t, t[0]], /"conv2d_1\/kernel" appears twice/],
    [
      'a non-finite value',
      (t) =>
        t.map((x) =>
          x.name === 'dense_3/bias' ? { ...x, data: Float32Array.from(x.data, (v, i) => (i === 3 ? NaN : v)) } : x,
        ),
      /"dense_3\/bias" holds NaN at index 3/,
    ],
    [
      'data shorter than the shape',
      (t) => t.map((x) => (x.name === 'dense_2/bias' ? { ...x, data: x.data.subarray(1) } : x)),
      /"dense_2\/bias" has shape \[3\] \(2 values\)/,
    ],
  ];

  it.each(cases)('refuses %s, naming the tensor, and changes nothing', async (_what, corrupt, reason) => {
    const { tensors, target, before } = await setup();
    let error: unknown;
    try {
      // The bad tensors sit late in the list, so checking while writing would already have changed the model.
      loadModelTensors(target, corrupt(tensors), 'run.safetensors');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).reason).toMatch(reason);
    expect((error as ModelFileError).file).toBe('run.safetensors');
    expect(await modelTensors(target)).toEqual(before);
    target.dispose();
  });
});
