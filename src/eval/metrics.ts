// Classification metrics from predicted and true labels: confusion matrix, accuracy, and per-class
// precision, recall and F1 (with macro averages). Plain data in, plain data out, for the UI and tests.

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of this class. */
  support: number;
}

export interface ClassificationReport {
  classes: number;
  /** confusion[t * classes + p] counts examples of true class t predicted as p. */
  confusion: Uint32Array;
  accuracy: number;
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
}

/** Builds the confusion matrix for `classes` classes; labels outside [0, classes) are an error. */
export function confusionMatrix(predicted: ArrayLike<number>, truth: ArrayLike<number>, classes: number): Uint32Array {
  if (predicted.length !== truth.length) {
    throw new Error(`confusionMatrix: ${predicted.length} predictions but ${truth.length} labels`);
  }
  const matrix = new Uint32Array(classes * classes);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) {
      throw new Error(`confusionMatrix: label ${t} or prediction ${p} at ${i} is outside 0..${classes - 1}`);
    }
    matrix[t * classes + p]++;
  }
  return matrix;
}

/**
 * precision_c = TP / (TP + FP), recall_c = TP / (TP + FN), F1 = 2PR / (P + R); a ratio with a zero
 * denominator is 0 (scikit-learn's zero_division=0), so an absent class does not yield NaN.
 */
export function classificationReport(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  classes: number,
): ClassificationReport {
  const confusion = confusionMatrix(predicted, truth, classes);
  const perClass: ClassMetrics[] = [];
  let correct = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c * classes + c];
    correct += tp;
    let predictedC = 0;
    let support = 0;
    for (let k = 0; k < classes; k++) {
      predictedC += confusion[k * classes + c];
      support += confusion[c * classes + k];
    }
    const precision = ratio(tp, predictedC);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const mean = (key: keyof ClassMetrics) => perClass.reduce((s, m) => s + m[key], 0) / Math.max(classes, 1);
  return {
    classes,
    confusion,
    accuracy: ratio(correct, truth.length),
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
  };
}

/** Index of the largest value in row `row` of a [rows, cols] array; the first wins on ties. */
export function argmaxRow(values: ArrayLike<number>, row: number, cols: number): number {
  let best = 0;
  let bestValue = values[row * cols];
  for (let c = 1; c < cols; c++) {
    const v = values[row * cols + c];
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
