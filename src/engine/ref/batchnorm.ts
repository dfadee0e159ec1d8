// Reference batch normalisation over the last axis, in plain TypeScript with float64 sums: x is viewed as
// [rows, channels] (a dense layer's [batch, units], or a conv output NHWC flattened to [batch*h*w, C]).
// Keras semantics: biased batch variance, running averages updated as r = momentum*r + (1-momentum)*stat.
import type { FloatArray } from './conv2d';

export interface BatchNormForwardArgs {
  x: ArrayLike<number>;
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  /** Updated in place when training. */
  runningMean: FloatArray;
  /** Updated in place when training. */
  runningVar: FloatArray;
  rows: number;
  channels: number;
  /** Keras default 1e-3. */
  epsilon: number;
  /** Keras default 0.99. */
  momentum: number;
  /** Batch statistics (and running-average update) when true; running averages when false. */
  training: boolean;
  out?: FloatArray;
  /** Receives the statistics used (batch or running mean), kept for backward. */
  mean?: FloatArray;
  /** Receives 1 / sqrt(variance + epsilon) of the statistics used, kept for backward. */
  invStd?: FloatArray;
}

/**
 * y = gamma * (x - mean) * invStd + beta, invStd = 1 / sqrt(var + epsilon), with (mean, var) the batch's
 * per-channel statistics when training and the running averages otherwise.
 */
export function batchNormForward(a: BatchNormForwardArgs): { out: FloatArray; mean: FloatArray; invStd: FloatArray } {
  const { x, gamma, beta, runningMean, runningVar, rows, channels, epsilon, momentum, training } = a;
  const out = a.out ?? new Float64Array(rows * channels);
  const mean = a.mean ?? new Float64Array(channels);
  const invStd = a.invStd ?? new Float64Array(channels);
  if (x.length !== rows * channels)
    throw new Error(`batchNorm input has ${x.length} elements, expected ${rows}x${channels}`);
  for (const [name, v] of [
    ['gamma', gamma],
    ['beta', beta],
    ['running mean', runningMean],
    ['running variance', runningVar],
    ['mean', mean],
    ['invStd', invStd],
  ] as const) {
    if (v.length !== channels) throw new Error(`batchNorm ${name} has ${v.length} elements, expected ${channels}`);
  }
  for (let c = 0; c < channels; c++) {
    let m: number;
    let variance: number;
    if (training) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += x[r * channels + c];
      m = sum / rows;
      let sq = 0;
      for (let r = 0; r < rows; r++) sq += (x[r * channels + c] - m) ** 2;
      variance = sq / rows;
      runningMean[c] = momentum * runningMean[c] + (1 - momentum) * m;
      runningVar[c] = momentum * runningVar[c] + (1 - momentum) * variance;
    } else {
      m = runningMean[c];
      variance = runningVar[c];
    }
    const s = 1 / Math.sqrt(variance + epsilon);
    mean[c] = m;
    invStd[c] = s;
    for (let r = 0; r < rows; r++) out[r * channels + c] = gamma[c] * (x[r * channels + c] - m) * s + beta[c];
  }
  return { out, mean, invStd };
}

export interface BatchNormBackwardArgs {
  x: ArrayLike<number>;
  dy: ArrayLike<number>;
  gamma: ArrayLike<number>;
  /** The mean and invStd the forward pass used. */
  mean: ArrayLike<number>;
  invStd: ArrayLike<number>;
  rows: number;
  channels: number;
  /** Whether the forward pass used batch statistics (they then depend on x). */
  training: boolean;
  dx?: FloatArray;
  dGamma?: FloatArray;
  dBeta?: FloatArray;
}

/**
 * With xhat = (x - mean) * invStd:  dbeta = sum_r dy;  dgamma = sum_r dy * xhat;
 * training: dx = gamma * invStd * (dy - dbeta/rows - xhat * dgamma/rows);  eval: dx = gamma * invStd * dy.
 */
export function batchNormBackward(a: BatchNormBackwardArgs): { dx: FloatArray; dGamma: FloatArray; dBeta: FloatArray } {
  const { x, dy, gamma, mean, invStd, rows, channels, training } = a;
  const dx = a.dx ?? new Float64Array(rows * channels);
  const dGamma = a.dGamma ?? new Float64Array(channels);
  const dBeta = a.dBeta ?? new Float64Array(channels);
  if (x.length !== rows * channels || dy.length !== rows * channels) {
    throw new Error(`batchNorm backward: x (${x.length}) and dy (${dy.length}) must both be ${rows}x${channels}`);
  }
  for (let c = 0; c < channels; c++) {
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let r = 0; r < rows; r++) {
      const g = dy[r * channels + c];
      sumDy += g;
      sumDyXhat += g * (x[r * channels + c] - mean[c]) * invStd[c];
    }
    dBeta[c] = sumDy;
    dGamma[c] = sumDyXhat;
    const scale = gamma[c] * invStd[c];
    for (let r = 0; r < rows; r++) {
      const i = r * channels + c;
      if (training) {
        const xhat = (x[i] - mean[c]) * invStd[c];
        dx[i] = scale * (dy[i] - sumDy / rows - (xhat * sumDyXhat) / rows);
      } else {
        dx[i] = scale * dy[i];
      }
    }
  }
  return { dx, dGamma, dBeta };
}
