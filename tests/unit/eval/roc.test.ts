import { describe, expect, it } from 'vitest';
import { classifierRoc, oneVsRestAuc, rocCurve } from '../../../src/eval/roc';

/** Mann-Whitney: the share of (positive, negative) pairs ranked right, ties counted half. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      sum += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return sum / pairs;
}

describe('ROC curve and AUC', () => {
  it('gives 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocCurve([0.9, 0.8, 0.7, 0.6], [1, 1, 0, 0]).auc).toBe(1);
    expect(rocCurve([0.9, 0.8, 0.7, 0.6], [0, 0, 1, 1]).auc).toBe(0);
  });

  it('matches the hand-computed curve of a small case', () => {
    // Descending: 0.8 (pos), 0.4 (neg), 0.35 (pos), 0.1 (neg).
    const roc = rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(roc.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
    expect(roc.points.map((p) => p.threshold)).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(roc.auc).toBeCloseTo(0.75, 12);
    expect(roc.positives).toBe(2);
    expect(roc.negatives).toBe(2);
  });

  it('steps diagonally across tied scores (trapezoid over the tied group)', () => {
    // 0.9 (pos) then a tie at 0.5 of one positive and one negative, then 0.1 (neg).
    const roc = rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
    expect(roc.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
    // (0.5 * (0.5 + 1) / 2) + (0.5 * 1) = 0.875 = 3.5 of 4 pairs.
    expect(roc.auc).toBeCloseTo(0.875, 12);
  });

  it('gives 0.5 when every score is the same', () => {
    const roc = rocCurve([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0, 0]);
    expect(roc.points).toHaveLength(2);
    expect(roc.auc).toBeCloseTo(0.5, 12);
  });

  it('equals the pairwise (Mann-Whitney) AUC on seeded random scores with many ties', () => {
    let state = 12345;
    const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 5; trial++) {
      const labels = Array.from({ length: 60 }, () => (rand() < 0.4 ? 1 : 0));
      // Scores on a coarse grid so that ties are common; positives lean higher.
      const scores = labels.map((l) => Math.round((rand() + l * 0.4) * 8) / 8);
      expect(rocCurve(scores, labels).auc).toBeCloseTo(pairwiseAuc(scores, labels), 12);
    }
  });

  it('reports an undefined AUC (null, no points) when the labels hold only one class', () => {
    const allPositive = rocCurve([0.2, 0.7], [1, 1]);
    expect(allPositive.auc).toBeNull();
    expect(allPositive.points).toEqual([]);
    expect(allPositive.negatives).toBe(0);
    expect(rocCurve([0.2, 0.7], [0, 0]).auc).toBeNull();
    expect(rocCurve([], []).auc).toBeNull();
  });

  it('refuses NaN scores and mismatched lengths with a message naming the sample', () => {
    expect(() => rocCurve([0.1, Number.NaN], [0, 1])).toThrow(/sample 1 is NaN/);
    expect(() => rocCurve([0.1], [0, 1])).toThrow(/1 scores but 2 labels/);
  });
});

describe('one-vs-rest AUC', () => {
  it('scores each class column against "is this class"', () => {
    // 3 classes, 4 samples; rows are probabilities.
    const probabilities = [
      0.7,
      0.2,
      0.1, // truth 0
      0.2,
      0.5,
      0.3, // truth 1
      0.1,
      0.6,
      0.3, // truth 2
      0.4,
      0.3,
      0.3, // truth 0
    ];
    const truth = [0, 1, 2, 0];
    const auc = oneVsRestAuc(probabilities, truth, 3);
    // Class 0: positives 0.7, 0.4 vs negatives 0.2, 0.1: perfect.
    expect(auc[0]).toBe(1);
    // Class 1: positive 0.5 vs 0.2, 0.6, 0.3: beats 2 of 3.
    expect(auc[1]).toBeCloseTo(2 / 3, 12);
    // Class 2: positive 0.3 vs 0.1, 0.3, 0.3: 1 + 0.5 + 0.5 of 3.
    expect(auc[2]).toBeCloseTo(2 / 3, 12);
  });

  it('gives null for a class with no test samples and checks the array size', () => {
    expect(oneVsRestAuc([0.6, 0.4, 0.3, 0.7], [0, 0], 2)).toEqual([null, null]);
    expect(() => oneVsRestAuc([0.5], [0, 1], 2)).toThrow(/expected 4/);
  });
});

describe('classifier ROC', () => {
  it('draws the binary curve from the second column and agrees with one-vs-rest for class 1', () => {
    // Two columns (1 - p, p), as the worker reports a sigmoid output.
    const p = [0.1, 0.4, 0.35, 0.8];
    const probabilities = p.flatMap((q) => [1 - q, q]);
    const roc = classifierRoc(probabilities, [0, 0, 1, 1], 2);
    expect(roc.binary?.auc).toBeCloseTo(0.75, 12);
    expect(roc.perClassAuc[1]).toBeCloseTo(0.75, 12);
    // Class 0's score is 1 - p: the same ranking reversed, the same AUC.
    expect(roc.perClassAuc[0]).toBeCloseTo(0.75, 12);
  });

  it('has no binary curve for three classes', () => {
    const roc = classifierRoc([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 1, 2], 3);
    expect(roc.binary).toBeNull();
    expect(roc.perClassAuc).toEqual([1, 1, 1]);
  });
});
