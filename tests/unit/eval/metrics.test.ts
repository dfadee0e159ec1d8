import { describe, expect, it } from 'vitest';
import { argmaxRow, classificationReport, confusionMatrix } from '../../../src/eval/metrics';

describe('classification metrics', () => {
  // Hand-computed case: 3 classes, 8 examples.
  const truth = [0, 0, 0, 1, 1, 2, 2, 2];
  const pred = [0, 0, 1, 1, 2, 2, 2, 0];

  it('counts the confusion matrix by true row and predicted column', () => {
    expect([...confusionMatrix(pred, truth, 3)]).toEqual([2, 1, 0, 0, 1, 1, 1, 0, 2]);
  });

  it('computes precision, recall and F1 per class and macro averages', () => {
    const r = classificationReport(pred, truth, 3);
    expect(r.accuracy).toBeCloseTo(5 / 8, 12);
    // class 0: TP 2, predicted 3, support 3
    expect(r.perClass[0].precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[0].recall).toBeCloseTo(2 / 3, 12);
    // class 1: TP 1, predicted 2, support 2
    expect(r.perClass[1].precision).toBeCloseTo(1 / 2, 12);
    expect(r.perClass[1].recall).toBeCloseTo(1 / 2, 12);
    // class 2: TP 2, predicted 3, support 3
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.map((c) => c.support)).toEqual([3, 2, 3]);
    expect(r.macro.precision).toBeCloseTo((2 / 3 + 1 / 2 + 2 / 3) / 3, 12);
  });

  it('gives 0, not NaN, for a class that is never predicted or never present', () => {
    const r = classificationReport([0, 0], [0, 0], 2);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.accuracy).toBe(1);
  });

  it('rejects labels out of range and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/outside 0..2/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 predictions but 2 labels/);
  });

  it('takes the first maximum in a row', () => {
    expect(argmaxRow([0, 5, 5, 1, 9, 9, 0, 0], 1, 4)).toBe(0);
    expect(argmaxRow([0, 5, 5, 1], 0, 4)).toBe(1);
  });
});
