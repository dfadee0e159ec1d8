// Trained models for the export tests: a design compiled on the CPU backend with a fixed seed and trained
// a few Adam steps (so weights and BatchNorm statistics are not their initial values), with the inputs
// to compare predictions on and what our engine predicts for them.
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, templateById, type Design } from '../../../src/engine/graph';
import { compileDesign, type GraphModel } from '../../../src/engine/model/graph-model';
import { Optimizer } from '../../../src/engine/optim/optimizer';
import { Trainer } from '../../../src/engine/train/trainer';
import { loadModelTensors, modelTensors } from '../../../src/export/tensors';
import { loadMnist } from '../helpers/mnist';
import { seededRandom } from '../helpers/random';

export interface TrainedModel {
  design: Design;
  model: GraphModel;
  trainer: Trainer;
  /** Inputs to predict, [count, ...inputShape] flattened. */
  inputs: Float32Array;
  count: number;
}

/**
 * Every layer type and setting the exporters translate: strided 'same' convolution, BatchNorm on images
 * and on vectors, LeakyReLU, max and average pooling with 'same' padding (odd sizes, so the padding is
 * uneven), Concatenate, a bias-free convolution, Dropout, GlobalAvgPool and Flatten branches, Add, Tanh,
 * Sigmoid and a Softmax layer at the end.
 */
export function everyLayerDesign(): Design {
  const b = new DesignBuilder('Every layer');
  b.add('Input', { shape: [9, 9, 2] });
  b.add('Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'same', activation: 'tanh' });
  b.add('BatchNorm', { momentum: 0.5, epsilon: 0.01 });
  const act = b.add('LeakyReLU', { alpha: 0.2 });
  const max = b.add('MaxPool2D', { poolSize: 2, stride: 1, padding: 'same' }, { inputs: [act] });
  const avg = b.add('AvgPool2D', { poolSize: 3, stride: 1, padding: 'same' }, { inputs: [act], column: 1 });
  b.add('Concatenate', {}, { inputs: [max, avg] });
  b.add('AvgPool2D', { poolSize: 2, stride: 2, padding: 'same' });
  b.add('Conv2D', { filters: 3, kernelSize: 2, stride: 1, padding: 'valid', activation: 'sigmoid', useBias: false });
  const drop = b.add('Dropout', { rate: 0.3 });
  const pooled = b.add('GlobalAvgPool', {}, { inputs: [drop], column: 1 });
  b.add('Flatten', {}, { inputs: [drop] });
  b.add('Dense', { units: 6, activation: 'relu' });
  b.add('BatchNorm', { momentum: 0.5 });
  const dense = b.add('Dense', { units: 3, activation: 'tanh' });
  b.add('Add', {}, { inputs: [dense, pooled] });
  b.add('Sigmoid');
  b.add('Dense', { units: 4, activation: 'linear' });
  b.add('Softmax');
  return b.build();
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Compiles `design` (seed 7), trains `steps` Adam steps on 16 samples, sets random BatchNorm statistics
 * (unless `randomStats` is false),
 * and returns it with 100 inputs: the first 100 MNIST test images for 784-pixel inputs, deterministic
 * random values otherwise.
 */
export async function trainedModel(design: Design, steps = 1, { randomStats = true } = {}): Promise<TrainedModel> {
  const model = compileDesign(design, cpuBackend(), { seed: 7 });
  const trainer = new Trainer(model, new Optimizer({ kind: 'adam', lr: 0.01 }), { loss: model.loss });
  const perSample = size(model.inputShape);
  const classes = size(model.outputShape);
  const count = 100;
  const random = seededRandom(11);
  let inputs: Float32Array;
  let train: Float32Array;
  let labels: Int32Array | Float32Array =
    model.loss === 'softmax-cross-entropy'
      ? Int32Array.from({ length: 16 }, () => Math.floor(random() * classes))
      : Float32Array.from({ length: 16 * classes }, () => (random() < 0.5 ? 0 : 1));
  if (perSample === 784) {
    inputs = loadMnist('t10k', count).images;
    const batch = loadMnist('train', 16);
    train = batch.images;
    labels = batch.labels;
  } else {
    inputs = Float32Array.from({ length: count * perSample }, () => random() * 2 - 1);
    train = Float32Array.from({ length: 16 * perSample }, () => random() * 2 - 1);
  }
  for (let i = 0; i < steps; i++) await trainer.trainStep(train, labels);
  // One step moves BatchNorm's statistics only a little (momentum 0.99); random ones make an exporter
  // that ignored or swapped them fail clearly.
  const tensors = await modelTensors(model);
  for (const t of randomStats ? tensors : []) {
    if (t.name.endsWith('/moving_mean')) t.data = t.data.map(() => random() - 0.5);
    if (t.name.endsWith('/moving_variance')) t.data = t.data.map(() => 0.5 + random());
  }
  loadModelTensors(model, tensors);
  return { design, model, trainer, inputs, count };
}

export const templateDesign = (id: string): Design => templateById(id)!.build();
