// A seeded train/validation/test split. For classification it is stratified: each class is shuffled
// and divided on its own, so every split sees the classes in about the same proportions; a class with
// a single example cannot be divided and is refused by the caller before splitting.
import { mulberry32, shuffleInPlace } from '../random';

export interface SplitOptions {
  /** Fractions of the samples held out; each in [0, 1), together below 1. */
  validationFraction: number;
  testFraction: number;
  seed: number;
  /** Class per sample: split each class on its own (stratified). */
  labels?: Int32Array;
}

export interface Split {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Checks the fractions; throws a RangeError saying which is wrong. */
export function checkSplitFractions(validationFraction: number, testFraction: number): void {
  for (const [name, f] of [
    ['validation', validationFraction],
    ['test', testFraction],
  ] as const) {
    if (!(f >= 0 && f < 1)) throw new RangeError(`The ${name} fraction must be in [0, 1), got ${f}.`);
  }
  if (validationFraction + testFraction >= 1) {
    throw new RangeError(
      `Validation (${validationFraction}) and test (${testFraction}) fractions together must leave samples to train on.`,
    );
  }
}

/**
 * Splits `count` samples into disjoint, ascending index sets that together cover 0..count-1. Each group
 * (a class, or all samples) gives round(n·test) to test and round(n·validation) to validation, keeping at
 * least one sample for training.
 */
export function splitSamples(count: number, options: SplitOptions): Split {
  const { validationFraction, testFraction, seed, labels } = options;
  checkSplitFractions(validationFraction, testFraction);
  const rng = mulberry32(seed ^ 0x3c6ef372);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const key = labels ? labels[i] : 0;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  }
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const order = shuffleInPlace(Int32Array.from(groups.get(key)!), rng);
    const n = order.length;
    let nTest = Math.round(n * testFraction);
    let nValidation = Math.round(n * validationFraction);
    while (nTest + nValidation > n - 1 && nTest + nValidation > 0) {
      if (nValidation >= nTest && nValidation > 0) nValidation--;
      else nTest--;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      if (k < nTest) test.push(i);
      else if (k < nTest + nValidation) validation.push(i);
      else train.push(i);
    }
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}
