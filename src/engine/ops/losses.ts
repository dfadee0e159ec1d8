// Losses. Softmax-cross-entropy is one fused primitive (loss, gradient and correct count in one pass,
// numerically stable through logsumexp); MSE and binary cross-entropy are composed from differentiable
// ops, so their gradients come from the ops' own rules.
import { formatShape, record, ShapeError, type Tensor } from '../tensor';
import { add, addScalar, binaryRaw, mul, sub } from './elementwise';
import { mean } from './reduce';
import { abs, exp, log, neg, relu, square } from './unary';
import { checkInputs, empty, prims } from './util';

export interface CrossEntropyOptions {
  /**
   * An f32 tensor the loss adds to without any readback: metrics[2*slot] += summed loss of the batch,
   * metrics[2*slot+1] += number of rows whose argmax equals the label.
   */
  metrics?: Tensor;
  slot?: number;
}

/**
 * Mean softmax cross-entropy of logits [rows, classes] against i32 labels [rows]:
 * loss = mean_r (logsumexp(z_r) - z_r[label_r]);  dz = (softmax(z) - onehot(label)) / rows * dloss.
 * The gradient is computed in the forward pass (the fused kernel), so backward only scales it.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'softmaxCrossEntropy';
  checkInputs(op, logits);
  void labels.storage;
  if (logits.rank !== 2)
    throw new ShapeError(`${op}: logits must be [rows, classes], got ${formatShape(logits.shape)}`);
  const [rows, cols] = logits.shape;
  if (labels.dtype !== 'i32') throw new Error(`${op}: labels must be i32, got ${labels.describe()}`);
  if (labels.size !== rows) {
    throw new ShapeError(
      `${op}: logits ${formatShape(logits.shape)} and labels ${formatShape(labels.shape)} disagree on the ` +
        `number of rows (${rows} vs ${labels.size})`,
    );
  }
  const { metrics, slot = 0 } = options;
  if (metrics && (metrics.dtype !== 'f32' || metrics.size < 2 * slot + 2)) {
    throw new Error(`${op}: metrics ${metrics.describe()} has no slot ${slot} (needs ${2 * slot + 2} f32 values)`);
  }
  const dlogits = empty(logits, logits.shape, `${op} gradient`);
  const lossPerRow = empty(logits, [rows], `${op} per row`);
  prims(logits).softmaxCrossEntropy({
    logits: logits.storage,
    labels: labels.storage,
    rows,
    cols,
    dlogits: dlogits.storage,
    lossPerRow: lossPerRow.storage,
    metrics: metrics?.storage,
    metricsSlot: slot,
  });
  const loss = empty(logits, [], op);
  prims(logits).reduce({ op: 'mean', x: lossPerRow.storage, out: loss.storage, outer: 1, size: rows, inner: 1 });
  // dloss is the seed (1) in training: skip the multiplication then.
  return record(loss, op, [logits, labels], (dy) => [dy.isOnes ? dlogits : binaryRaw('mul', dlogits, dy), null]);
}

/**
 * Loss and statistics of one batch: `stats` is [summed loss, correct count], filled on the device.
 */
export function softmaxCrossEntropyWithStats(logits: Tensor, labels: Tensor): { loss: Tensor; stats: Tensor } {
  const stats = empty(logits, [2], 'softmaxCrossEntropy stats');
  prims(logits).fill({ out: stats.storage, length: 2, value: 0 });
  const loss = softmaxCrossEntropy(logits, labels, { metrics: stats, slot: 0 });
  return { loss, stats };
}

function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.size !== b.size || a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: predictions ${formatShape(a.shape)} and targets ${formatShape(b.shape)} differ`);
  }
}

/** loss = mean((prediction - target)^2). */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  checkSameShape('mse', prediction, target);
  return mean(square(sub(prediction, target)));
}

/**
 * Binary cross-entropy from logits z and targets y in [0, 1], numerically stable:
 * loss = mean(max(z, 0) - z y + log(1 + e^-|z|)).
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  checkSameShape('bceWithLogits', logits, target);
  const softplusNegAbs = log(addScalar(exp(neg(abs(logits))), 1));
  return mean(add(sub(relu(logits), mul(logits, target)), softplusNegAbs));
}
