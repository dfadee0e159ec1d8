// data.safetensors: a person's own data set, in the form train.py reads it. Tensors (all float32, the
// only dtype our safetensors writer produces; train.py casts labels and indices to integers):
//   x          [count, ...sampleShape]  samples exactly as the model sees them (pixels already normalised);
//   labels     [count]                  the class of each sample (classification), or
//   targets    [count, ...targetShape]  the values to predict (regression);
//   train_idx, val_idx, test_idx [n]    row numbers of x in each split (val and test may be empty).
import { MNIST_MEAN, MNIST_STD } from '../../data/batches';
import { exportSafetensors, type NamedTensor } from '../safetensors';
import { PytorchExportError } from './errors';

export interface PytorchDataSet {
  name: string;
  /** Row-major samples [count, ...sampleShape]: model-ready floats, or image bytes when `pixels` is set. */
  x: Float32Array | Uint8Array;
  sampleShape: number[];
  /** `x` holds image bytes 0..255, normalised here exactly as the playground normalises images. */
  pixels?: boolean;
  /** Classification: the class of each sample, 0..classes-1. */
  labels?: ArrayLike<number>;
  /** Regression: row-major targets [count, ...targetShape]. */
  targets?: Float32Array;
  targetShape?: number[];
  trainIdx: ArrayLike<number>;
  valIdx?: ArrayLike<number>;
  testIdx?: ArrayLike<number>;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The largest whole number float32 holds exactly; labels and row numbers must stay below it. */
const MAX_EXACT_FLOAT32_INT = 2 ** 24;

/** Writes `data` as data.safetensors for train.py; throws PytorchExportError naming what does not fit. */
export function pytorchDataFile(data: PytorchDataSet): Uint8Array {
  const fail = (reason: string) => new PytorchExportError(`The data set "${data.name}" cannot be exported: ${reason}.`);
  const perSample = size(data.sampleShape);
  if (perSample < 1 || data.x.length % perSample !== 0) {
    throw fail(`its ${data.x.length} values do not make whole samples of ${data.sampleShape.join('×')}`);
  }
  const count = data.x.length / perSample;
  if (count >= MAX_EXACT_FLOAT32_INT) throw fail(`it has ${count} samples, more than ${MAX_EXACT_FLOAT32_INT - 1}`);
  if (!data.pixels && data.x instanceof Uint8Array) throw fail('its samples are bytes but `pixels` is not set');
  const x = data.pixels
    ? Float32Array.from(data.x, (b) => (b / 255 - MNIST_MEAN) / MNIST_STD)
    : (data.x as Float32Array);
  const tensors: NamedTensor[] = [{ name: 'x', shape: [count, ...data.sampleShape], data: x }];
  if ((data.labels === undefined) === (data.targets === undefined)) {
    throw fail('give either labels (classification) or targets (regression)');
  }
  if (data.labels) {
    if (data.labels.length !== count) throw fail(`it has ${count} samples but ${data.labels.length} labels`);
    const labels = Float32Array.from(data.labels);
    if (labels.some((v) => !Number.isInteger(v) || v < 0 || v >= MAX_EXACT_FLOAT32_INT)) {
      throw fail('a label is not a whole number of at least 0');
    }
    tensors.push({ name: 'labels', shape: [count], data: labels });
  } else {
    const targetShape = data.targetShape ?? [data.targets!.length / Math.max(1, count)];
    if (data.targets!.length !== count * size(targetShape)) {
      throw fail(
        `it has ${count} samples but ${data.targets!.length} target values for shape ${targetShape.join('×')}`,
      );
    }
    tensors.push({ name: 'targets', shape: [count, ...targetShape], data: data.targets! });
  }
  const splits: [string, ArrayLike<number> | undefined][] = [
    ['train_idx', data.trainIdx],
    ['val_idx', data.valIdx],
    ['test_idx', data.testIdx],
  ];
  if (data.trainIdx.length === 0) throw fail('train_idx is empty: there is nothing to train on');
  for (const [name, rows] of splits) {
    const values = Float32Array.from(rows ?? []);
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= count);
    if (bad >= 0) throw fail(`${name} holds ${values[bad]}, which is not a row of its ${count} samples`);
    tensors.push({ name, shape: [values.length], data: values });
  }
  return exportSafetensors(tensors, { content: 'dataset', name: data.name });
}
