// TensorFlow.js export checked by its real consumer: @tensorflow/tfjs (cpu backend) loads model.json and
// weights.bin through its HTTP loader (served from memory) and must predict what our engine predicts
// (max abs difference <= 1e-4) for the seed MLP, the seed CNN, the residual template and a design with
// every layer type.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Design } from '../../../src/engine/graph';
import { exportTfjs, TFJS_WEIGHTS_FILE } from '../../../src/export/tfjs';
import { modelTensors } from '../../../src/export/tensors';
import { everyLayerDesign, templateDesign, trainedModel } from './models';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Loads the pair the way a web page does: fetch model.json, then the files its manifest names. */
function loadFromFiles(files: Record<string, Uint8Array | string>): Promise<tf.LayersModel> {
  const fetchFunc = async (url: RequestInfo | URL): Promise<Response> => {
    const name = String(url).split('/').pop()!;
    const body = files[name];
    if (body === undefined) return new Response('not found', { status: 404 });
    return new Response(typeof body === 'string' ? body : new Uint8Array(body));
  };
  return tf.loadLayersModel(tf.io.http('https://example.test/model/model.json', { fetchFunc }));
}

async function compare(design: Design, expectedClass: string): Promise<void> {
  const { model, trainer, inputs, count } = await trainedModel(design);
  const expected = await trainer.predict(inputs);
  const { modelJson, weightsBin } = exportTfjs(design, await modelTensors(model));
  expect(modelJson.modelTopology.class_name).toBe(expectedClass);
  const loaded = await loadFromFiles({ 'model.json': JSON.stringify(modelJson), [TFJS_WEIGHTS_FILE]: weightsBin });
  const x = tf.tensor(inputs, [count, ...model.inputShape]);
  const y = loaded.predict(x) as tf.Tensor;
  expect(y.shape).toEqual([count, ...model.outputShape]);
  const actual = (await y.data()) as Float32Array;
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(1e-4);
  tf.dispose([x, y]);
  loaded.dispose();
  model.dispose();
}

describe('TensorFlow.js export, loaded by @tensorflow/tfjs', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('the seed MLP (Sequential) predicts what our engine predicts on 100 MNIST test images', () =>
    compare(templateDesign('mlp'), 'Sequential'));
  it('the seed CNN (Sequential) agrees on 100 MNIST test images', () => compare(templateDesign('cnn'), 'Sequential'));
  it('the residual CNN (Functional, BatchNorm, Add) agrees on 100 MNIST test images', () =>
    compare(templateDesign('resnet'), 'Model'));
  it('a design with every layer type (Functional) agrees on 100 random inputs', () =>
    compare(everyLayerDesign(), 'Model'));
});

describe('TensorFlow.js export errors', () => {
  it('refuses missing or misshapen tensors and layers that share a name', () => {
    const design = templateDesign('xor');
    const kernel = { name: 'dense_1/kernel', shape: [2, 10], data: new Float32Array(20) };
    expect(() => exportTfjs(design, [kernel])).toThrow(/tensor "dense_1\/bias" is missing/);
    expect(() => exportTfjs(design, [{ ...kernel, shape: [10, 2] }])).toThrow(/"dense_1\/kernel" has shape \[10, 2\]/);
    const twins = { ...design, nodes: design.nodes.map((n) => (n.id === 'dense_2' ? { ...n, name: 'dense 1' } : n)) };
    expect(() => exportTfjs(twins, [kernel])).toThrow(/two layers are both named like "dense_1"/);
  });
});
