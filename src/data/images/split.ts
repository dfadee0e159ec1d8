// A seeded, stratified train/validation/test split: each class is shuffled on its own and cut in the
// same proportions, so a small class is not left out of evaluation by chance and the split replays
// exactly from its seed.
import { mulberry32, shuffleInPlace } from '../random';

export interface SplitFractions {
  /** Fraction of each class held out for validation, in [0, 1). */
  validation: number;
  /** Fraction of each class held out for the test set, in [0, 1). */
  test: number;
}

export interface DatasetSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Splits samples 0..labels.length-1 by class: of a class's n samples, round(n * test) go to test and
 * round(n * validation) to validation, at least one always stays in training, and the rest train.
 * The three lists are disjoint, ascending, and together cover every sample.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fractions: SplitFractions, seed: number): DatasetSplit {
  const { validation, test } = fractions;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new RangeError(`split: validation ${validation} and test ${test} must be >= 0 and leave room for training.`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]);
    if (members) members.push(i);
    else byClass.set(labels[i], [i]);
  }
  const rng = mulberry32(seed ^ 0x3c6ef372);
  const train: number[] = [];
  const val: number[] = [];
  const tst: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(Int32Array.from(byClass.get(label)!), rng);
    const n = members.length;
    const testCount = Math.min(Math.round(n * test), n - 1);
    const validationCount = Math.min(Math.round(n * validation), n - 1 - testCount);
    tst.push(...members.subarray(0, testCount));
    val.push(...members.subarray(testCount, testCount + validationCount));
    train.push(...members.subarray(testCount + validationCount));
  }
  const sorted = (values: number[]) => Int32Array.from(values).sort();
  return { train: sorted(train), validation: sorted(val), test: sorted(tst) };
}
