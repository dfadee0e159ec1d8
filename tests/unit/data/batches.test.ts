import { describe, expect, it } from 'vitest';
import {
  Batcher,
  DataNotReadyError,
  MNIST_MEAN,
  MNIST_STD,
  splitIndices,
  trainingBatchers,
  type ImageSource,
} from '../../../src/data/batches';
import { makeSyntheticSet } from '../../../src/data/synthetic';
import { cutIdx } from './mnist-files';

/** The first `count` test-set digits as an image source; `arrived` lets a test simulate streaming. */
function mnistSource(count: number, arrived = count): ImageSource & { arrived: number } {
  const pixels = cutIdx('t10k-images-idx3-ubyte', count).subarray(16);
  const labels = cutIdx('t10k-labels-idx1-ubyte', count).subarray(8);
  return {
    kind: 'images',
    height: 28,
    width: 28,
    channels: 1,
    numClasses: 10,
    total: count,
    arrived,
    pixels: () => pixels,
    labels: () => labels,
    available() {
      return this.arrived;
    },
    complete() {
      return this.arrived === count;
    },
    error: () => null,
  };
}

/** Every row's source index over one epoch. */
function epochIndices(batcher: Batcher): number[] {
  const seen: number[] = [];
  for (let b = 0; b < batcher.batchesPerEpoch; b++) seen.push(...batcher.next().indices);
  return seen;
}

/** Reference shift: out(r, c) = in(r - dy, c - dx), zero outside. */
function shifted(image: Uint8Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(784);
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) {
      const sr = r - dy;
      const sc = c - dx;
      if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28) out[r * 28 + c] = image[sr * 28 + sc] / 255;
    }
  return out;
}

/** No ink within `px` pixels of the border. */
function hasMargin(image: Uint8Array, px: number): boolean {
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++)
      if (image[r * 28 + c] && (r < px || c < px || r >= 28 - px || c >= 28 - px)) return false;
  return true;
}

describe('Batcher', () => {
  it('covers every sample exactly once per epoch, in a new permutation each epoch', () => {
    const source = mnistSource(103);
    const batcher = new Batcher(source, { batchSize: 10, seed: 7 });
    expect(batcher.batchesPerEpoch).toBe(11);
    const first = epochIndices(batcher);
    const second = epochIndices(batcher);
    for (const epoch of [first, second]) expect([...epoch].sort((a, b) => a - b)).toEqual([...Array(103).keys()]);
    expect(first).not.toEqual(second);
    expect(first).not.toEqual([...Array(103).keys()]);
    const third = batcher.next();
    expect(third.epoch).toBe(3);
    expect(third.step).toBe(0);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const source = mnistSource(64);
    const run = (seed: number) => {
      const batcher = new Batcher(source, { batchSize: 16, seed, augment: { maxShiftPx: 2 } });
      const xs: number[] = [];
      for (let i = 0; i < 6; i++) xs.push(...batcher.next().x.subarray(0, 1600));
      return xs;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('writes one contiguous NHWC float block and Int32 labels, reusing the same arrays every batch', () => {
    const source = mnistSource(50);
    const batcher = new Batcher(source, { batchSize: 8, seed: 1 });
    const a = batcher.next();
    const { x, labels } = a;
    expect(x).toBeInstanceOf(Float32Array);
    expect(x.length).toBe(8 * 28 * 28 * 1);
    expect(labels).toBeInstanceOf(Int32Array);
    expect(batcher.sampleShape).toEqual([28, 28, 1]);
    for (let r = 0; r < 8; r++) {
      const s = a.indices[r];
      expect(labels[r]).toBe(source.labels()[s]);
      for (const p of [0, 300, 407, 783]) expect(x[r * 784 + p]).toBe(Math.fround(source.pixels()[s * 784 + p] / 255));
    }
    const b = batcher.next();
    expect(b.x).toBe(x);
    expect(b.labels).toBe(labels);
  });

  it('gives the last batch of an epoch the remainder, or skips it with dropRemainder', () => {
    const source = mnistSource(20);
    const keep = new Batcher(source, { batchSize: 8 });
    expect([keep.next().size, keep.next().size, keep.next().size, keep.next().size]).toEqual([8, 8, 4, 8]);
    const drop = new Batcher(source, { batchSize: 8, dropRemainder: true });
    expect(drop.batchesPerEpoch).toBe(2);
    const epochs = [0, 1, 2].map(() => {
      const b = drop.next();
      return [b.size, b.epoch];
    });
    expect(epochs).toEqual([
      [8, 1],
      [8, 1],
      [8, 2],
    ]);
  });

  it('normalises to [0, 1], or by mean and standard deviation', () => {
    const source = mnistSource(10);
    const unit = new Batcher(source, { batchSize: 10, shuffle: false }).next();
    expect(Math.min(...unit.x)).toBe(0);
    expect(Math.max(...unit.x)).toBe(1);
    const standard = new Batcher(source, {
      batchSize: 10,
      shuffle: false,
      normalize: { mean: MNIST_MEAN, std: MNIST_STD },
    }).next();
    for (const p of [0, 200, 5000]) {
      expect(standard.x[p]).toBeCloseTo((unit.x[p] - MNIST_MEAN) / MNIST_STD, 5);
    }
  });

  it('shifts images by at most 2 px, keeping the pixel mass of digits with a 2 px margin', () => {
    const source = mnistSource(200);
    const batcher = new Batcher(source, { batchSize: 100, seed: 11, augment: { maxShiftPx: 2 } });
    const shifts = new Set<string>();
    let massChecked = 0;
    for (let b = 0; b < 2; b++) {
      const batch = batcher.next();
      for (let r = 0; r < batch.size; r++) {
        const image = source.pixels().subarray(batch.indices[r] * 784, (batch.indices[r] + 1) * 784);
        const out = batch.x.subarray(r * 784, (r + 1) * 784);
        // MNIST centres digits by their centre of mass, so a few reach the border; those lose ink when shifted.
        if (hasMargin(image, 2)) {
          const mass = image.reduce((a, v) => a + v / 255, 0);
          expect(out.reduce((a, v) => a + v, 0)).toBeCloseTo(mass, 3);
          massChecked++;
        }
        let match = '';
        for (let dy = -2; dy <= 2 && !match; dy++)
          for (let dx = -2; dx <= 2 && !match; dx++) {
            const ref = shifted(image, dx, dy);
            if (ref.every((v, i) => Math.abs(v - out[i]) < 1e-6)) match = `${dx},${dy}`;
          }
        expect(match, `row ${r} is not a shift of its source image by at most 2 px`).not.toBe('');
        shifts.add(match);
      }
    }
    expect(shifts.size).toBe(25);
    expect(massChecked).toBeGreaterThan(150);
  });

  it('while a source streams, draws only from what has arrived, then switches to full epochs', () => {
    const source = mnistSource(100, 0);
    const batcher = new Batcher(source, { batchSize: 32, seed: 2 });
    expect(batcher.ready()).toBe(false);
    expect(() => batcher.next()).toThrow(DataNotReadyError);
    source.arrived = 10;
    const early = batcher.next();
    expect(early.streaming).toBe(true);
    expect(early.epoch).toBe(0);
    expect(Math.max(...early.indices)).toBeLessThan(10);
    source.arrived = 100;
    expect(epochIndices(batcher).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });

  it('splits off a seeded validation set, disjoint from training, batched in order without augmentation', () => {
    const { train, validation } = splitIndices(1000, 0.1, 4);
    expect(validation.length).toBe(100);
    expect(train.length).toBe(900);
    expect(new Set([...train, ...validation]).size).toBe(1000);
    expect(splitIndices(1000, 0.1, 4).validation).toEqual(validation);
    expect(splitIndices(1000, 0.1, 5).validation).not.toEqual(validation);

    const source = mnistSource(60);
    const pair = trainingBatchers(source, {
      batchSize: 5,
      seed: 9,
      validationFraction: 0.25,
      augment: { maxShiftPx: 2 },
    });
    const val = pair.validation!;
    expect(val.epochSize).toBe(15);
    const valIndices = epochIndices(val);
    expect(valIndices).toEqual([...valIndices].sort((a, b) => a - b));
    const trainIndices = epochIndices(pair.train);
    expect(trainIndices.length).toBe(45);
    expect(trainIndices.filter((i) => valIndices.includes(i))).toEqual([]);
    const first = val.next();
    expect(first.x.subarray(0, 784)).toEqual(shifted(source.pixels().subarray(first.indices[0] * 784), 0, 0));
    expect(trainingBatchers(source, { batchSize: 5 }).validation).toBeNull();
  });

  it('batches synthetic tables: features, labels and regression targets', () => {
    const xor = makeSyntheticSet({ kind: 'xor', size: 30, noise: 0, seed: 1 });
    const batch = new Batcher(xor, { batchSize: 7, seed: 1 }).next();
    expect(batch.x.length).toBe(14);
    for (let r = 0; r < 7; r++) {
      expect(batch.x[2 * r]).toBe(xor.x[2 * batch.indices[r]]);
      expect(batch.labels[r]).toBe(xor.labels![batch.indices[r]]);
    }
    const sine = makeSyntheticSet({ kind: 'sine', size: 30, noise: 0.2, seed: 1 });
    const reg = new Batcher(sine, { batchSize: 5 }).next();
    expect(reg.labels.length).toBe(0);
    expect(Array.from(reg.targets)).toEqual(Array.from(reg.indices, (i) => sine.targets![i]));
  });

  it('rejects bad options with a clear error', () => {
    const source = mnistSource(10);
    expect(() => new Batcher(source, { batchSize: 0 })).toThrow(/batch size must be a positive integer, got 0/);
    expect(() => new Batcher(source, { batchSize: 2, augment: { maxShiftPx: 1.5 } })).toThrow(/maxShiftPx/);
    const table = makeSyntheticSet({ kind: 'circles', size: 10, noise: 0, seed: 1 });
    expect(() => new Batcher(table, { batchSize: 2, augment: { maxShiftPx: 2 } })).toThrow(/image data sets only/);
    expect(() => splitIndices(10, 1)).toThrow(/validation fraction/);
  });
});
