// Receiver operating characteristic: the ROC curve of a score against binary labels, its area (AUC),
// and one-vs-rest AUC per class for a multi-class model's probabilities. Plain data in and out.

/** One point of the curve: the rates when every sample scoring at least `threshold` is called positive. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

export interface RocCurve {
  /** From (0, 0) at threshold +Infinity to (1, 1); one point per distinct score. */
  points: RocPoint[];
  /**
   * Area under the curve, or null when it is undefined: with no positive or no negative samples one of
   * the two rates has a zero denominator.
   */
  auc: number | null;
  positives: number;
  negatives: number;
}

/**
 * The ROC curve of `scores` (higher means "more positive") against `positives` (truthy = positive class).
 * Samples with equal scores are one group: the curve steps diagonally across a tie, so the area is the
 * trapezoid over the tied group, which equals the Mann-Whitney statistic with ties counted half.
 */
export function rocCurve(scores: ArrayLike<number>, positives: ArrayLike<boolean | number>): RocCurve {
  if (scores.length !== positives.length) {
    throw new Error(`rocCurve: ${scores.length} scores but ${positives.length} labels`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order) {
    if (Number.isNaN(scores[i])) throw new Error(`rocCurve: the score of sample ${i} is NaN`);
  }
  order.sort((a, b) => scores[b] - scores[a]);
  let p = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]) p++;
  const n = positives.length - p;

  // Counts of true and false positives after each tied group.
  const counts: { tp: number; fp: number; threshold: number }[] = [{ tp: 0, fp: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length;) {
    const threshold = scores[order[k]];
    while (k < order.length && scores[order[k]] === threshold) {
      if (positives[order[k]]) tp++;
      else fp++;
      k++;
    }
    counts.push({ tp, fp, threshold });
  }
  if (p === 0 || n === 0) {
    // One of the rates divides by zero: no curve, and the counts let the UI say which class is missing.
    return { points: [], auc: null, positives: p, negatives: n };
  }
  const points = counts.map((c) => ({ fpr: c.fp / n, tpr: c.tp / p, threshold: c.threshold }));
  let auc = 0;
  for (let i = 1; i < points.length; i++) {
    auc += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  }
  return { points, auc, positives: p, negatives: n };
}

/**
 * One-vs-rest AUC per class: class c's probability column as the score, "true class is c" as the label.
 * `probabilities` is [count, classes] row-major; a class absent from `truth` (or the only one present) gets null.
 */
export function oneVsRestAuc(
  probabilities: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): (number | null)[] {
  const count = truth.length;
  if (probabilities.length !== count * classes) {
    throw new Error(
      `oneVsRestAuc: ${probabilities.length} probabilities for ${count} samples of ${classes} classes (expected ${count * classes})`,
    );
  }
  const scores = new Float64Array(count);
  const isClass = new Uint8Array(count);
  return Array.from({ length: classes }, (_, c) => {
    for (let i = 0; i < count; i++) {
      scores[i] = probabilities[i * classes + c];
      isClass[i] = truth[i] === c ? 1 : 0;
    }
    return rocCurve(scores, isClass).auc;
  });
}

export interface ClassifierRoc {
  /** Two classes: the ROC curve of p(class 1) against "true class is 1". Null for more classes. */
  binary: RocCurve | null;
  /** One-vs-rest AUC of each class (null where undefined). */
  perClassAuc: (number | null)[];
}

/** ROC figures of a classifier's test-set probabilities [count, classes] (two columns for a binary one). */
export function classifierRoc(
  probabilities: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): ClassifierRoc {
  const perClassAuc = oneVsRestAuc(probabilities, truth, classes);
  if (classes !== 2) return { binary: null, perClassAuc };
  const scores = Float64Array.from({ length: truth.length }, (_, i) => probabilities[i * 2 + 1]);
  const positive = Uint8Array.from({ length: truth.length }, (_, i) => (truth[i] === 1 ? 1 : 0));
  return { binary: rocCurve(scores, positive), perClassAuc };
}
