// The guided classic examples: each is a ready design, data set and training settings, with a few
// sentences on what it shows and the result it should reach. Results are what this project's engine
// measured, never numbers from elsewhere: the MNIST MLP and CNN figures come from the engine tests named
// in their text; the others from the worker's TrainingRun driven in Node with exactly these designs, data
// and settings (seed 1; reference CPU engine, the residual CNN on the WebAssembly engine), on 23 Nov 2026.
import { DesignBuilder, templateById, type Design } from '../../src/engine/graph';
import type { SyntheticSetKind } from '../../src/data/synthetic';
import type { SyntheticSettings } from '../store/data';
import type { TrainSettings } from '../store/run';

/** The data an example trains on: MNIST, or a synthetic set with its settings. */
export type ExampleData = { choice: 'mnist' } | { choice: SyntheticSetKind; synthetic: SyntheticSettings };

export interface Example {
  id: string;
  title: string;
  /** Two or three sentences: what the example shows and what to watch. */
  about: string;
  /** The result it should reach, and where that figure comes from. */
  result: string;
  design(): Design;
  data: ExampleData;
  /** Settings that differ from the defaults (the rest are reset to the defaults). */
  settings: Partial<TrainSettings>;
}

/** The overfitting example's network: far more weights than 100 noisy points need. */
function bigNet(name: string, dropout: number): Design {
  const b = new DesignBuilder(name);
  b.add('Input', { shape: [2] });
  b.add('Dense', { units: 128, activation: 'relu' });
  if (dropout > 0) b.add('Dropout', { rate: dropout });
  b.add('Dense', { units: 128, activation: 'relu' });
  if (dropout > 0) b.add('Dropout', { rate: dropout });
  b.add('Dense', { units: 2, activation: 'softmax' });
  return b.build();
}

/** Noisy XOR points; the examples below train on the first 100 of them. */
const NOISY_XOR: ExampleData = { choice: 'xor', synthetic: { size: 400, noise: 0.5, seed: 1, classes: 2 } };
const OVERFIT_SETTINGS: Partial<TrainSettings> = {
  optimizer: 'adam',
  learningRate: 0.003,
  batchSize: 10,
  epochs: 150,
  trainLimit: 100,
};

export const EXAMPLES: readonly Example[] = [
  {
    id: 'xor',
    title: 'XOR with a 2-10-1 sigmoid network',
    about:
      'No straight line separates XOR’s classes, so a network without a hidden layer cannot learn it. Ten sigmoid hidden units bend the decision boundary around the four quadrants; watch it form on the plot.',
    result:
      'Our engine measured 99% test accuracy (test loss 0.044) after the 40 epochs, with these settings and seed.',
    design: () => templateById('xor')!.build(),
    data: { choice: 'xor', synthetic: { size: 400, noise: 0.1, seed: 1, classes: 2 } },
    settings: { optimizer: 'adam', learningRate: 0.05, batchSize: 20, epochs: 40 },
  },
  {
    id: 'regression',
    title: 'Regression: 100-32-1 with mean squared error',
    about:
      'The classic Keras regression network: 100 inputs, 32 ReLU units and one linear output, trained with mean squared error on a target that is mostly a weighted sum of the inputs. With 3,265 weights and 2000 samples, watch the training loss fall below the test loss.',
    result:
      'Our engine measured a test loss (mean squared error) of 0.17 after 30 epochs, down from 1.30 after the first; the training loss ended near 0.03.',
    design: () => templateById('table-mlp')!.build(),
    data: { choice: 'regression100', synthetic: { size: 2000, noise: 0.2, seed: 1, classes: 2 } },
    settings: { optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 30 },
  },
  {
    id: 'mnist-mlp',
    title: 'MNIST: the 784-500-10 MLP',
    about:
      'One hidden layer of 500 ReLU units on the flattened 28×28 digits, Adam with learning rate 0.001 and batches of 100. It trains on the first 6000 training images for two epochs and is tested on the first 1000 test images, a short run.',
    result:
      'Our engine measured 91.6% test accuracy for this setup (784-500-10, Adam 0.001, batch 100, 2 epochs on 6000 images; tests/unit/engine/mnist.test.ts requires ≥ 90%).',
    design: () => templateById('mlp')!.build(),
    data: { choice: 'mnist' },
    settings: { optimizer: 'adam', learningRate: 0.001, batchSize: 100, epochs: 2, trainLimit: 6000, testLimit: 1000 },
  },
  {
    id: 'mnist-cnn',
    title: 'MNIST: the classic Keras CNN',
    about:
      'Conv2D 32 3×3 ReLU, MaxPool 2×2, Flatten, Dense 128 ReLU, Dense 10 softmax, with Adam and batches of 128: the network of the Keras MNIST example. Convolutions share weights across the image, so it learns from fewer images than the MLP.',
    result:
      'Our engine measured 91.0% test accuracy after 6 epochs on the first 2000 training images (1000 test images; tests/unit/engine/mnist-cnn.test.ts).',
    design: () => templateById('cnn')!.build(),
    data: { choice: 'mnist' },
    settings: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 6, trainLimit: 2000, testLimit: 1000 },
  },
  {
    id: 'resnet',
    title: 'A residual CNN',
    about:
      'A convolution, then a residual block: two convolutions and a BatchNorm whose output is added back onto the block’s input, so the block learns a correction to its input rather than a whole new mapping. Skip connections like this are what let very deep networks train.',
    result:
      'Our engine measured 82.9% test accuracy after 10 epochs on the first 2000 training images (1000 test images); it climbs more slowly than the plain CNN, and with global average pooling only 16 numbers per image reach the output layer.',
    design: () => templateById('resnet')!.build(),
    data: { choice: 'mnist' },
    settings: { optimizer: 'adam', learningRate: 0.003, batchSize: 32, epochs: 10, trainLimit: 2000, testLimit: 1000 },
  },
  {
    id: 'overfit',
    title: 'Overfitting, shown',
    about:
      'Two hidden layers of 128 units learn just 100 noisy XOR points for 150 epochs. The training accuracy climbs towards 100% while the test loss turns and rises: the network memorises the noise. Watch the decision boundary bend around single noisy points.',
    result:
      'Our engine measured: training accuracy about 97% at the end; the test loss was lowest (0.38) at epoch 9 and 0.68 after epoch 150, while test accuracy stayed near 85%.',
    design: () => bigNet('Overfitting 2-128-128-2', 0),
    data: NOISY_XOR,
    settings: OVERFIT_SETTINGS,
  },
  {
    id: 'overfit-cured',
    title: 'Overfitting, cured with dropout and L2',
    about:
      'The same network, data and epochs, with dropout (rate 0.5) after each hidden layer and L2 weight decay 0.003. Both hold the weights back from fitting single points, so the test loss stays lower. Compare the two runs in the Runs section.',
    result:
      'Our engine measured a test loss of 0.36 after epoch 150 (0.68 without the cure), training accuracy about 95% and test accuracy near 85%.',
    design: () => bigNet('Overfitting cured 2-128-128-2 + dropout', 0.5),
    data: NOISY_XOR,
    settings: { ...OVERFIT_SETTINGS, l2: 0.003 },
  },
  {
    id: 'early-stopping',
    title: 'Early stopping on validation loss',
    about:
      'The overfitting network again, with a quarter of its 100 training points held out for validation. When the validation loss has not improved for 10 epochs, training stops, long before the 150 epochs it was given, and before the test loss climbs far.',
    result:
      'Our engine stopped this run after 14 of the 150 epochs; the test loss then was 0.51, against 0.68 after all 150 epochs of the overfitting example.',
    design: () => bigNet('Early stopping 2-128-128-2', 0),
    data: NOISY_XOR,
    settings: { ...OVERFIT_SETTINGS, validationSplit: 0.25, earlyStoppingPatience: 10 },
  },
];

export function exampleById(id: string): Example | undefined {
  return EXAMPLES.find((e) => e.id === id);
}
