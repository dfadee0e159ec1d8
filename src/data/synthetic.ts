// Small synthetic data sets in the spirit of TensorFlow Playground: 2-D points in classes that a tiny
// network can learn to separate (XOR, circles, two spirals, gaussian blobs), and a regression set for
// mean squared error. Seeded, so the same settings give the same points; classes are balanced exactly.
import type { TableSource } from './batches';
import { mulberry32, randomNormal, type Rng } from './random';

export type ClassificationSetKind = 'xor' | 'circles' | 'spirals' | 'blobs';
export type RegressionSetKind = 'sine' | 'plane' | 'regression100';
export type SyntheticSetKind = ClassificationSetKind | RegressionSetKind;

export interface SyntheticSetInfo {
  kind: SyntheticSetKind;
  label: string;
  task: 'classification' | 'regression';
  /** Inputs per sample. */
  features: number;
  description: string;
}

export const SYNTHETIC_SETS: Record<SyntheticSetKind, SyntheticSetInfo> = {
  xor: {
    kind: 'xor',
    label: 'XOR',
    task: 'classification',
    features: 2,
    description: 'Class 1 where x₁·x₂ > 0: needs a hidden layer.',
  },
  circles: {
    kind: 'circles',
    label: 'Circles',
    task: 'classification',
    features: 2,
    description: 'A disc inside a ring: a non-linear boundary.',
  },
  spirals: {
    kind: 'spirals',
    label: 'Two spirals',
    task: 'classification',
    features: 2,
    description: 'Two interleaved spirals: the hardest of the four.',
  },
  blobs: {
    kind: 'blobs',
    label: 'Gaussian blobs',
    task: 'classification',
    features: 2,
    description: 'Gaussian clusters, two or more classes: nearly linear.',
  },
  sine: {
    kind: 'sine',
    label: 'Sine (regression)',
    task: 'regression',
    features: 1,
    description: 'y = sin(x) + noise, one input: fit with mean squared error.',
  },
  plane: {
    kind: 'plane',
    label: 'Plane (regression)',
    task: 'regression',
    features: 2,
    description: 'y = (x₁ − 2·x₂) / 6 + noise, two inputs: a linear model fits it.',
  },
  regression100: {
    kind: 'regression100',
    label: '100 inputs (regression)',
    task: 'regression',
    features: 100,
    description:
      'y = w·x / |w| + x₁·x₂ / 4 + noise, 100 standard-normal inputs and one target: the Keras 100-32-1 regression example.',
  },
};

export interface SyntheticOptions {
  kind: SyntheticSetKind;
  /** Number of samples, 1..100 000. */
  size: number;
  /** 0 (clean) .. 1 (heavily blurred): how far points are jittered, relative to the set's scale. */
  noise: number;
  seed: number;
  /** Gaussian blobs only: number of classes, 2..10 (default 2). */
  classes?: number;
}

/** Inputs span [-DOMAIN, DOMAIN] on each axis (before noise), as in TensorFlow Playground. */
export const SYNTHETIC_DOMAIN = 6;
const RADIUS = 5;

/** A generated set; the whole of it is available at once. */
export class SyntheticSet implements TableSource {
  readonly kind = 'table';
  readonly total: number;
  constructor(
    readonly info: SyntheticSetInfo,
    readonly options: SyntheticOptions,
    readonly features: number,
    readonly numClasses: number,
    readonly targetSize: number,
    readonly x: Float32Array,
    readonly labels: Int32Array | null,
    readonly targets: Float32Array | null,
  ) {
    this.total = x.length / features;
  }
  available(): number {
    return this.total;
  }
  complete(): boolean {
    return true;
  }
  error(): Error | null {
    return null;
  }
}

/**
 * The test set that goes with a synthetic training set: a fresh draw from the same distribution (another
 * seed), a quarter of its size and at least 100 points. Training evaluates on it and exports ship it.
 */
export function makeSyntheticTestSet(options: SyntheticOptions): SyntheticSet {
  return makeSyntheticSet({ ...options, seed: options.seed + 7919, size: Math.max(100, Math.round(options.size / 4)) });
}

export function makeSyntheticSet(options: SyntheticOptions): SyntheticSet {
  const { kind, size, noise, seed } = options;
  const info = SYNTHETIC_SETS[kind];
  if (!info) throw new RangeError(`Unknown synthetic data set "${String(kind)}".`);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new RangeError(`${info.label}: size must be an integer from 1 to 100000, got ${size}.`);
  }
  if (!(noise >= 0 && noise <= 1)) throw new RangeError(`${info.label}: noise must be in [0, 1], got ${noise}.`);
  const rng = mulberry32(seed);
  const x = new Float32Array(size * info.features);
  if (info.task === 'regression') {
    const targets = new Float32Array(size);
    if (kind === 'sine') generateSine(rng, x, targets, noise);
    else if (kind === 'plane') generatePlane(rng, x, targets, noise);
    else generateRegression100(rng, x, targets, noise);
    return new SyntheticSet(info, options, info.features, 0, 1, x, null, targets);
  }
  const classes = kind === 'blobs' ? (options.classes ?? 2) : 2;
  if (!Number.isInteger(classes) || classes < 2 || classes > 10) {
    throw new RangeError(`${info.label}: classes must be an integer from 2 to 10, got ${classes}.`);
  }
  const labels = new Int32Array(size);
  // Class i % classes for sample i: counts differ by at most one.
  for (let i = 0; i < size; i++) labels[i] = i % classes;
  const generate = POINT_GENERATORS[kind as ClassificationSetKind];
  const point = new Float64Array(2);
  for (let i = 0; i < size; i++) {
    generate(rng, labels[i], noise, point, i, size, classes);
    x[2 * i] = point[0];
    x[2 * i + 1] = point[1];
  }
  return new SyntheticSet(info, options, 2, classes, 0, x, labels, null);
}

type PointGenerator = (
  rng: Rng,
  label: number,
  noise: number,
  out: Float64Array,
  index: number,
  size: number,
  classes: number,
) => void;

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

/** Class 1 in quadrants I and III (x₁·x₂ > 0), class 0 in II and IV; kept 0.3 off the axes before noise. */
const pointXor: PointGenerator = (rng, label, noise, out) => {
  const sx = rng() < 0.5 ? -1 : 1;
  const sy = label === 1 ? sx : -sx;
  out[0] = sx * uniform(rng, 0.3, RADIUS) + uniform(rng, -RADIUS, RADIUS) * noise * 0.5;
  out[1] = sy * uniform(rng, 0.3, RADIUS) + uniform(rng, -RADIUS, RADIUS) * noise * 0.5;
};

/** Class 0: a disc of radius 2.5; class 1: a ring between 3.5 and 5. */
const pointCircles: PointGenerator = (rng, label, noise, out) => {
  const r = label === 0 ? uniform(rng, 0, RADIUS * 0.5) : uniform(rng, RADIUS * 0.7, RADIUS);
  const angle = uniform(rng, 0, 2 * Math.PI);
  out[0] = r * Math.sin(angle) + uniform(rng, -RADIUS, RADIUS) * noise * 0.5;
  out[1] = r * Math.cos(angle) + uniform(rng, -RADIUS, RADIUS) * noise * 0.5;
};

/** Two arms, the second turned by π; radius grows linearly over 1.75 turns. */
const pointSpirals: PointGenerator = (rng, label, noise, out, index, size) => {
  const t = Math.floor(index / 2) / Math.max(1, Math.ceil(size / 2));
  const r = t * RADIUS;
  const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
  out[0] = r * Math.sin(angle) + uniform(rng, -1, 1) * noise * 2;
  out[1] = r * Math.cos(angle) + uniform(rng, -1, 1) * noise * 2;
};

/**
 * Class k around a centre on a circle (two classes: at (2, 2) and (-2, -2)), the circle growing with the
 * number of classes so neighbours stay apart; the spread grows with noise.
 */
const pointBlobs: PointGenerator = (rng, label, noise, out, _index, _size, classes) => {
  const angle = Math.PI / 4 + (2 * Math.PI * label) / classes;
  const radius = Math.min(RADIUS, 2 * Math.SQRT2 * Math.max(1, classes / 3));
  const spread = 0.5 + 1.5 * noise;
  out[0] = radius * Math.cos(angle) + randomNormal(rng) * spread;
  out[1] = radius * Math.sin(angle) + randomNormal(rng) * spread;
};

const POINT_GENERATORS: Record<ClassificationSetKind, PointGenerator> = {
  xor: pointXor,
  circles: pointCircles,
  spirals: pointSpirals,
  blobs: pointBlobs,
};

/** x uniform in [-6, 6]; y = sin(x) + N(0, (0.5·noise)²). */
function generateSine(rng: Rng, x: Float32Array, y: Float32Array, noise: number): void {
  for (let i = 0; i < y.length; i++) {
    x[i] = uniform(rng, -SYNTHETIC_DOMAIN, SYNTHETIC_DOMAIN);
    y[i] = Math.sin(x[i]) + 0.5 * noise * randomNormal(rng);
  }
}

/** x uniform in [-6, 6]²; y = (x₁ − 2·x₂) / 6 + N(0, (0.5·noise)²). */
function generatePlane(rng: Rng, x: Float32Array, y: Float32Array, noise: number): void {
  for (let i = 0; i < y.length; i++) {
    const a = uniform(rng, -SYNTHETIC_DOMAIN, SYNTHETIC_DOMAIN);
    const b = uniform(rng, -SYNTHETIC_DOMAIN, SYNTHETIC_DOMAIN);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = (a - 2 * b) / 6 + 0.5 * noise * randomNormal(rng);
  }
}

/** The fixed weights of the 100-input regression: the same for every seed, so train and test share one target. */
const REGRESSION100_WEIGHTS: Float64Array = (() => {
  const rng = mulberry32(100);
  const w = Float64Array.from({ length: 100 }, () => randomNormal(rng));
  const norm = Math.hypot(...w);
  return w.map((v) => v / norm);
})();

/** x ~ N(0, 1)¹⁰⁰; y = w·x / |w| + x₁·x₂ / 4 + N(0, (0.5·noise)²), w fixed: a mostly linear target. */
function generateRegression100(rng: Rng, x: Float32Array, y: Float32Array, noise: number): void {
  for (let i = 0; i < y.length; i++) {
    let sum = 0;
    for (let k = 0; k < 100; k++) {
      const v = randomNormal(rng);
      x[100 * i + k] = v;
      sum += REGRESSION100_WEIGHTS[k] * v;
    }
    y[i] = sum + (x[100 * i] * x[100 * i + 1]) / 4 + 0.5 * noise * randomNormal(rng);
  }
}
