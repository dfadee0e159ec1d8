// Batch normalisation over the last axis, its gradient beside it. x of any rank >= 2 is viewed as
// [rows, channels]: a dense layer's [batch, units], or a conv output NHWC as [batch*h*w, channels].
import { formatShape, record, ShapeError, type Tensor } from '../tensor';
import { checkInputs, empty, prims } from './util';

export interface BatchNormOptions {
  /** Keras default 1e-3. */
  epsilon?: number;
  /** Keras default 0.99: running = momentum * running + (1 - momentum) * batch statistic. */
  momentum?: number;
  /** Batch statistics and a running-average update when true; the running averages when false. */
  training: boolean;
  layer?: string;
}

/**
 * y = gamma * (x - mean) * invStd + beta, invStd = 1/sqrt(var + epsilon), per channel; (mean, var) are the
 * batch's (biased variance) when training, and `runningMean`/`runningVar` (updated in place then) otherwise.
 * With xhat = (x - mean) * invStd:  dbeta = sum dy;  dgamma = sum dy * xhat;
 * training dx = gamma * invStd * (dy - dbeta/rows - xhat * dgamma/rows);  evaluation dx = gamma * invStd * dy.
 */
export function batchNorm(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  runningMean: Tensor,
  runningVar: Tensor,
  options: BatchNormOptions,
): Tensor {
  const layer = options.layer ?? 'batchNorm';
  const { training } = options;
  const epsilon = options.epsilon ?? 1e-3;
  const momentum = options.momentum ?? 0.99;
  checkInputs(layer, x, gamma, beta, runningMean, runningVar);
  if (x.rank < 2) throw new ShapeError(`${layer}: expects [batch, ..., channels], got ${formatShape(x.shape)}`);
  const channels = x.shape[x.rank - 1];
  const rows = x.size / channels;
  for (const [name, t] of [
    ['gamma', gamma],
    ['beta', beta],
    ['running mean', runningMean],
    ['running variance', runningVar],
  ] as const) {
    if (t.size !== channels) {
      throw new ShapeError(
        `${layer}: ${name} ${formatShape(t.shape)} does not match the ${channels} channels of input ${formatShape(x.shape)}`,
      );
    }
  }
  const y = empty(x, x.shape, layer);
  const mean = empty(x, [channels], `${layer} mean`);
  const invStd = empty(x, [channels], `${layer} invStd`);
  prims(x).batchNorm({
    x: x.storage,
    gamma: gamma.storage,
    beta: beta.storage,
    runningMean: runningMean.storage,
    runningVar: runningVar.storage,
    out: y.storage,
    mean: mean.storage,
    invStd: invStd.storage,
    rows,
    channels,
    epsilon,
    momentum,
    training,
  });
  return record(y, 'batchNorm', [x, gamma, beta], (dy, needs) => {
    const dx = empty(x, x.shape, `${layer} backward (input)`);
    const dGamma = empty(gamma, gamma.shape, `${layer} backward (gamma)`);
    const dBeta = empty(beta, beta.shape, `${layer} backward (beta)`);
    prims(x).batchNormBackward({
      x: x.storage,
      dy: dy.storage,
      gamma: gamma.storage,
      mean: mean.storage,
      invStd: invStd.storage,
      dx: dx.storage,
      dGamma: dGamma.storage,
      dBeta: dBeta.storage,
      rows,
      channels,
      training,
    });
    return [needs[0] ? dx : null, needs[1] ? dGamma : null, needs[2] ? dBeta : null];
  });
}
