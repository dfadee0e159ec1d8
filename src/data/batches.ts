// Turns a data set (MNIST images or a synthetic table) into training batches: a seeded shuffle per epoch,
// pixels normalised to floats, optional random shifts, integer labels. Each batch is one contiguous
// Float32Array (NHWC [batch, 28, 28, 1] == [batch, 784] for MNIST) plus one Int32Array, reused from batch
// to batch, so the engine does one buffer write per batch and the steady state allocates nothing.
import { mulberry32, randomInt, shuffleInPlace, type Rng } from './random';

/** Images stored as bytes, one per pixel (MNIST). The first available() samples are usable. */
export interface ImageSource {
  readonly kind: 'images';
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  /** Samples once complete. */
  readonly total: number;
  /** [total * height * width * channels] bytes, sample-major, NHWC. */
  pixels(): Uint8Array;
  /** [total] class indices. */
  labels(): Uint8Array;
  /** Samples usable now: grows while a download streams, equals total once complete. */
  available(): number;
  complete(): boolean;
  /** Set when the source failed; batching stops with this error. */
  error(): Error | null;
}

/** Real-valued feature rows (synthetic sets): classification (labels) or regression (targets). */
export interface TableSource {
  readonly kind: 'table';
  readonly features: number;
  /** Classes for classification; 0 for regression. */
  readonly numClasses: number;
  /** Values per regression target row; 0 for classification. */
  readonly targetSize: number;
  readonly total: number;
  /** [total * features], row-major. */
  readonly x: Float32Array;
  readonly labels: Int32Array | null;
  readonly targets: Float32Array | null;
  available(): number;
  complete(): boolean;
  error(): Error | null;
}

export type SampleSource = ImageSource | TableSource;

/** The feature shape of one sample: [h, w, c] for images, [features] for tables. */
export function sampleShape(source: SampleSource): number[] {
  return source.kind === 'images' ? [source.height, source.width, source.channels] : [source.features];
}

/** One batch. Its arrays are owned by the Batcher and overwritten by the next call to next(). */
export interface Batch {
  /** Inputs [size, ...sampleShape], row-major, one contiguous block. */
  x: Float32Array;
  /** Class indices [size] for classification; empty for regression. */
  labels: Int32Array;
  /** Regression targets [size, targetSize]; empty for classification. */
  targets: Float32Array;
  /** Which source samples the rows are (for previews and checks). */
  indices: Int32Array;
  /** Rows in this batch: batchSize, or fewer for an epoch's last batch when dropRemainder is off. */
  size: number;
  /** 1-based number of the full pass this batch belongs to; 0 while the source is still streaming. */
  epoch: number;
  /** Index of the batch within its epoch (or since streaming began). */
  step: number;
  /** Drawn with replacement from the samples that have arrived so far; not part of an epoch. */
  streaming: boolean;
}

/** MNIST's pixel statistics over the training set (of x / 255), for mean/std normalisation. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

export interface BatcherOptions {
  batchSize: number;
  seed?: number;
  /** Reshuffle every epoch (default true). Validation and test batchers set false. */
  shuffle?: boolean;
  /** Images: 'unit' maps bytes to [0, 1] (default); {mean, std} then standardises (x/255 - mean) / std. */
  normalize?: 'unit' | { mean: number; std: number };
  /**
   * Images: shift each sample by a random whole number of pixels in [-maxShiftPx, maxShiftPx] on each axis,
   * and with `flip`, mirror it left to right with probability 1/2.
   */
  augment?: { maxShiftPx: number; flip?: boolean } | null;
  /** Skip an epoch's last, smaller batch (default false: every sample is seen once per epoch). */
  dropRemainder?: boolean;
  /** The samples this batcher draws from, ascending (a split from splitIndices); default all. */
  indices?: Int32Array;
}

export class DataNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataNotReadyError';
  }
}

export class Batcher {
  readonly batchSize: number;
  readonly sampleSize: number;
  readonly sampleShape: number[];
  private readonly indices: Int32Array;
  private readonly order: Int32Array;
  private readonly shuffleRng: Rng;
  private readonly augmentRng: Rng;
  private readonly byteToFloat = new Float32Array(256);
  private readonly full: Batch;
  private remainder: Batch | null = null;
  private epoch = 0;
  private cursor = 0;
  private streamingStep = 0;

  constructor(
    readonly source: SampleSource,
    private readonly options: BatcherOptions,
  ) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`Batcher: batch size must be a positive integer, got ${batchSize}.`);
    }
    if (options.augment && source.kind !== 'images') {
      throw new RangeError('Batcher: shift and flip augmentation apply to image data sets only.');
    }
    const maxShift = options.augment?.maxShiftPx ?? 0;
    if (maxShift < 0 || !Number.isInteger(maxShift)) {
      throw new RangeError(`Batcher: maxShiftPx must be a non-negative integer, got ${maxShift}.`);
    }
    this.batchSize = batchSize;
    this.sampleShape = sampleShape(source);
    this.sampleSize = this.sampleShape.reduce((a, b) => a * b, 1);
    this.indices = options.indices ?? Int32Array.from({ length: source.total }, (_, i) => i);
    for (let i = 1; i < this.indices.length; i++) {
      if (this.indices[i] <= this.indices[i - 1]) throw new RangeError('Batcher: indices must be strictly ascending.');
    }
    if (this.indices.length && this.indices[this.indices.length - 1] >= source.total) {
      throw new RangeError(`Batcher: index ${this.indices[this.indices.length - 1]} is outside the data set.`);
    }
    this.order = new Int32Array(this.indices.length);
    const seed = options.seed ?? 0;
    this.shuffleRng = mulberry32(seed);
    this.augmentRng = mulberry32(seed ^ 0x5bd1e995);
    const norm = options.normalize ?? 'unit';
    for (let b = 0; b < 256; b++) {
      this.byteToFloat[b] = norm === 'unit' ? b / 255 : (b / 255 - norm.mean) / norm.std;
    }
    this.full = this.makeBatch(batchSize);
  }

  /** Samples per full epoch. */
  get epochSize(): number {
    return this.indices.length;
  }

  get batchesPerEpoch(): number {
    const n = this.indices.length / this.batchSize;
    return this.options.dropRemainder ? Math.floor(n) : Math.ceil(n);
  }

  /** How many of this batcher's samples have arrived. */
  availableSamples(): number {
    const available = this.source.available();
    return this.source.complete() ? this.indices.length : upperBound(this.indices, available);
  }

  /** At least one sample is in, so next() will return a batch. */
  ready(): boolean {
    return !this.source.error() && this.availableSamples() > 0;
  }

  /**
   * The next batch. While the source streams, rows are drawn at random from what has arrived (epoch 0);
   * once it is complete, each epoch is a fresh seeded permutation and covers every sample exactly once.
   */
  next(): Batch {
    const error = this.source.error();
    if (error) throw error;
    if (!this.source.complete()) return this.nextStreaming();
    if (this.epoch === 0 || this.cursor >= this.order.length || this.remainderSkipped()) this.startEpoch();
    const size = Math.min(this.batchSize, this.order.length - this.cursor);
    const batch = size === this.batchSize ? this.full : this.remainderBatch(size);
    for (let r = 0; r < size; r++) batch.indices[r] = this.order[this.cursor + r];
    batch.epoch = this.epoch;
    batch.step = Math.floor(this.cursor / this.batchSize);
    batch.streaming = false;
    this.cursor += size;
    this.fill(batch);
    return batch;
  }

  private remainderSkipped(): boolean {
    return !!this.options.dropRemainder && this.order.length - this.cursor < this.batchSize;
  }

  private startEpoch(): void {
    if (this.indices.length === 0 || (this.options.dropRemainder && this.indices.length < this.batchSize)) {
      throw new DataNotReadyError(
        `Batcher: ${this.indices.length} samples cannot fill a batch of ${this.batchSize} with dropRemainder on.`,
      );
    }
    this.order.set(this.indices);
    if (this.options.shuffle ?? true) shuffleInPlace(this.order, this.shuffleRng);
    this.epoch++;
    this.cursor = 0;
  }

  private nextStreaming(): Batch {
    const usable = this.availableSamples();
    if (usable === 0) throw new DataNotReadyError('No samples have arrived yet; wait until ready() is true.');
    const batch = this.full;
    for (let r = 0; r < this.batchSize; r++) batch.indices[r] = this.indices[randomInt(this.shuffleRng, usable)];
    batch.epoch = 0;
    batch.step = this.streamingStep++;
    batch.streaming = true;
    this.fill(batch);
    return batch;
  }

  private makeBatch(size: number): Batch {
    const source = this.source;
    return {
      x: new Float32Array(size * this.sampleSize),
      labels: new Int32Array(source.numClasses > 0 ? size : 0),
      targets: new Float32Array(source.kind === 'table' ? size * source.targetSize : 0),
      indices: new Int32Array(size),
      size,
      epoch: 0,
      step: 0,
      streaming: false,
    };
  }

  private remainderBatch(size: number): Batch {
    if (this.remainder?.size !== size) this.remainder = this.makeBatch(size);
    return this.remainder;
  }

  private fill(batch: Batch): void {
    const source = this.source;
    if (source.kind === 'images') this.fillImages(batch, source);
    else this.fillTable(batch, source);
  }

  private fillImages(batch: Batch, source: ImageSource): void {
    const pixels = source.pixels();
    const labels = source.labels();
    const lut = this.byteToFloat;
    const n = this.sampleSize;
    const { height, width, channels } = source;
    const maxShift = this.options.augment?.maxShiftPx ?? 0;
    const flips = this.options.augment?.flip ?? false;
    const x = batch.x;
    for (let r = 0; r < batch.size; r++) {
      const s = batch.indices[r];
      batch.labels[r] = labels[s];
      const src = s * n;
      const dst = r * n;
      const dx = maxShift ? randomInt(this.augmentRng, 2 * maxShift + 1) - maxShift : 0;
      const dy = maxShift ? randomInt(this.augmentRng, 2 * maxShift + 1) - maxShift : 0;
      // Drawn only when flips are on, so shift-only batches replay as they did before flips existed.
      const flip = flips && this.augmentRng() < 0.5;
      if (flip) {
        mirrorShift(pixels, src, x, dst, lut, height, width, channels, dx, dy);
        continue;
      }
      if (dx === 0 && dy === 0) {
        for (let p = 0; p < n; p++) x[dst + p] = lut[pixels[src + p]];
        continue;
      }
      // out(row, col) = in(row - dy, col - dx); pixels shifted in from outside are background (byte 0).
      x.fill(lut[0], dst, dst + n);
      const rowStride = width * channels;
      const colFrom = Math.max(0, dx);
      const colTo = Math.min(width, width + dx);
      for (let row = Math.max(0, dy); row < Math.min(height, height + dy); row++) {
        const inRow = src + (row - dy) * rowStride;
        const outRow = dst + row * rowStride;
        for (let k = colFrom * channels; k < colTo * channels; k++)
          x[outRow + k] = lut[pixels[inRow + k - dx * channels]];
      }
    }
  }

  private fillTable(batch: Batch, source: TableSource): void {
    const n = this.sampleSize;
    const t = source.targetSize;
    for (let r = 0; r < batch.size; r++) {
      const s = batch.indices[r];
      batch.x.set(source.x.subarray(s * n, s * n + n), r * n);
      if (source.labels) batch.labels[r] = source.labels[s];
      if (source.targets) batch.targets.set(source.targets.subarray(s * t, s * t + t), r * t);
    }
  }
}

/**
 * One sample mirrored left to right, then shifted: out(row, col) = in(row - dy, width - 1 - (col - dx)),
 * channels kept in order; pixels shifted in from outside are background (byte 0).
 */
function mirrorShift(
  pixels: Uint8Array,
  src: number,
  x: Float32Array,
  dst: number,
  lut: Float32Array,
  height: number,
  width: number,
  channels: number,
  dx: number,
  dy: number,
): void {
  x.fill(lut[0], dst, dst + height * width * channels);
  const rowStride = width * channels;
  for (let row = Math.max(0, dy); row < Math.min(height, height + dy); row++) {
    const inRow = src + (row - dy) * rowStride;
    const outRow = dst + row * rowStride;
    for (let col = Math.max(0, dx); col < Math.min(width, width + dx); col++) {
      const inCol = width - 1 - (col - dx);
      for (let c = 0; c < channels; c++) x[outRow + col * channels + c] = lut[pixels[inRow + inCol * channels + c]];
    }
  }
}

/** Index of the first element of the ascending array that is >= value. */
function upperBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A seeded train/validation split of `total` samples: `validationFraction` of them, chosen at random,
 * go to validation. Both lists are ascending, so a streaming source fills them from the front.
 */
export function splitIndices(
  total: number,
  validationFraction: number,
  seed = 0,
): { train: Int32Array; validation: Int32Array } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validation fraction must be in [0, 1), got ${validationFraction}.`);
  }
  const validationCount = Math.round(total * validationFraction);
  const order = shuffleInPlace(
    Int32Array.from({ length: total }, (_, i) => i),
    mulberry32(seed ^ 0x2545f491),
  );
  const validation = order.slice(0, validationCount).sort();
  const train = order.slice(validationCount).sort();
  return { train, validation };
}

export interface TrainingBatchOptions extends Omit<BatcherOptions, 'indices' | 'shuffle'> {
  /** Fraction of the training set held out for validation (0 = none). */
  validationFraction?: number;
}

/**
 * The usual pair: a shuffled (optionally augmented) training batcher and an ordered, un-augmented
 * validation batcher over a held-out split; validation is null when validationFraction is 0.
 */
export function trainingBatchers(
  source: SampleSource,
  options: TrainingBatchOptions,
): { train: Batcher; validation: Batcher | null } {
  const { validationFraction = 0, ...rest } = options;
  const split = splitIndices(source.total, validationFraction, options.seed ?? 0);
  const train = new Batcher(source, { ...rest, indices: split.train, shuffle: true });
  const validation =
    split.validation.length > 0
      ? new Batcher(source, { ...rest, indices: split.validation, shuffle: false, augment: null })
      : null;
  return { train, validation };
}
