// A person's own data set (a CSV/TSV table or a folder/zip of labelled images), after parsing and
// encoding: the form it is kept in (IndexedDB, src/data/dataset-store.ts), shown in the Data section,
// and posted to the training worker. Everything here stays on the person's machine.
import type { SampleSource } from './batches';

/** What a data set's target is: classes (softmax cross-entropy) or numbers (mean squared error). */
export type DatasetTask = 'classification' | 'regression';

/** How the table's raw columns became the network's input row (kept to encode new rows the same way). */
export interface TableEncoding {
  /** One entry per input column, in input-row order. */
  columns: Array<
    | { name: string; kind: 'numeric'; mean: number; std: number }
    | { name: string; kind: 'categorical'; categories: string[] }
  >;
  target: { name: string; kind: 'numeric'; mean: number; std: number } | { name: string; kind: 'categorical' };
  missing: 'drop-row' | 'fill-mean';
}

/** What the list of kept data sets shows without loading the arrays. */
export interface DatasetMeta {
  id: string;
  name: string;
  kind: 'table' | 'images';
  task: DatasetTask;
  /** One sample's input shape: [features] for tables, [height, width, channels] for images (NHWC). */
  inputShape: number[];
  /** Class names, index = label (classification); empty for regression. */
  classNames: string[];
  /** Regression target column names; empty for classification. */
  targetNames: string[];
  count: number;
  /** The file(s) it came from, for messages. */
  source: string;
  createdAt: number;
  /** Size of the stored arrays in bytes. */
  bytes: number;
}

export interface Dataset extends DatasetMeta {
  /**
   * [count * prod(inputShape)] inputs, sample-major. Tables: Float32Array, encoded and standardised with
   * training-split statistics, ready for the network. Images: Uint8Array of 0..255 grey or RGB levels,
   * HWC, so training reads them as an ImageSource (per batch: x / 255, then standardised with MNIST's mean
   * and standard deviation as MNIST is; shifts and flips applied).
   */
  x: Float32Array | Uint8Array;
  /** [count] class indices (classification); empty for regression. */
  labels: Int32Array;
  /** [count * targetNames.length] targets (regression); empty for classification. */
  targets: Float32Array;
  /** A seeded split into disjoint, ascending index sets covering the samples. */
  split: { train: Int32Array; validation: Int32Array; test: Int32Array };
  /** Tables only. */
  encoding?: TableEncoding;
}

/**
 * The samples of a data set (all, or the listed rows) as a SampleSource the Batcher draws from: a
 * TableSource over the float rows, or an ImageSource over the bytes (labels as bytes: at most 256 classes).
 */
export function datasetSource(dataset: Dataset, rows?: Int32Array): SampleSource {
  const perSample = dataset.inputShape.reduce((a, b) => a * b, 1);
  const targetSize = dataset.task === 'regression' ? dataset.targetNames.length : 0;
  const count = rows ? rows.length : dataset.count;
  const pickRows = <T extends Float32Array | Uint8Array | Int32Array>(values: T, width: number): T => {
    if (!rows) return values;
    const out = new (values.constructor as new (n: number) => T)(rows.length * width);
    rows.forEach((r, i) => out.set(values.subarray(r * width, (r + 1) * width), i * width));
    return out;
  };
  const x = pickRows(dataset.x, perSample);
  const labels = dataset.task === 'classification' ? pickRows(dataset.labels, 1) : null;
  const common = {
    numClasses: dataset.task === 'classification' ? dataset.classNames.length : 0,
    total: count,
    available: () => count,
    complete: () => true,
    error: () => null,
  };
  if (dataset.kind === 'images') {
    const [height, width, channels] = dataset.inputShape;
    const byteLabels = Uint8Array.from(labels ?? new Int32Array(count));
    return {
      kind: 'images',
      height,
      width,
      channels,
      ...common,
      pixels: () => x as Uint8Array,
      labels: () => byteLabels,
    };
  }
  return {
    kind: 'table',
    features: perSample,
    targetSize,
    ...common,
    x: x as Float32Array,
    labels,
    targets: targetSize > 0 ? pickRows(dataset.targets, targetSize) : null,
  };
}
