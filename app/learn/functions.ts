// The functions the explanations plot: each activation with its derivative, and each loss for one
// example as the prediction varies. Formulas match the engine's ops (src/engine/ops/unary.ts).

export type ActivationName = 'linear' | 'relu' | 'leaky-relu' | 'sigmoid' | 'tanh' | 'softmax';

export interface ActivationSample {
  x: number;
  y: number;
  /** dy/dx */
  dy: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * f(x) and f'(x). Softmax is a function of a whole vector; on one axis it is drawn as the first of two
 * classes' probability with logits (x, 0), which is sigmoid(x), and its derivative dp1/dx = p1 (1 - p1).
 */
export function activationAt(name: ActivationName, x: number, alpha = 0.01): { y: number; dy: number } {
  switch (name) {
    case 'linear':
      return { y: x, dy: 1 };
    case 'relu':
      // The engine's ReLU gradient at exactly 0 is 0 (x > 0).
      return { y: Math.max(x, 0), dy: x > 0 ? 1 : 0 };
    case 'leaky-relu':
      return { y: x > 0 ? x : alpha * x, dy: x > 0 ? 1 : alpha };
    case 'sigmoid':
    case 'softmax': {
      const s = sigmoid(x);
      return { y: s, dy: s * (1 - s) };
    }
    case 'tanh': {
      const t = Math.tanh(x);
      return { y: t, dy: 1 - t * t };
    }
  }
}

/** `count` evenly spaced samples of the activation and its derivative over [from, to]. */
export function sampleActivation(
  name: ActivationName,
  { from = -4, to = 4, count = 161, alpha = 0.01 } = {},
): ActivationSample[] {
  return Array.from({ length: count }, (_, i) => {
    const x = from + ((to - from) * i) / (count - 1);
    return { x, ...activationAt(name, x, alpha) };
  });
}

export type LossName = 'mse' | 'cross-entropy' | 'bce';

/**
 * The loss of one example whose true answer is 1 (the true class, or the target value 1) as the model's
 * prediction p moves over (0, 1]: MSE (p - 1)^2, cross-entropy and binary cross-entropy -log p.
 */
export function lossAt(name: LossName, p: number): number {
  if (name === 'mse') return (p - 1) ** 2;
  return -Math.log(p);
}

/** Samples of lossAt over p in [0.01, 1]. */
export function sampleLoss(name: LossName, count = 100): { x: number; y: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const p = 0.01 + (0.99 * i) / (count - 1);
    return { x: p, y: lossAt(name, p) };
  });
}

/**
 * Inverted dropout on `activations`: a unit is dropped when its uniform draw is below `rate`, and a kept
 * one is scaled by 1 / (1 - rate) so the layer's expected output is unchanged.
 */
export function applyDropout(activations: readonly number[], draws: readonly number[], rate: number): number[] {
  const scale = rate < 1 ? 1 / (1 - rate) : 0;
  return activations.map((a, i) => (draws[i] < rate ? 0 : a * scale));
}

/** A small seeded generator (mulberry32) for the dropout demo's masks: the same seed draws the same mask. */
export function seededUniforms(seed: number, count: number): number[] {
  let t = seed >>> 0;
  return Array.from({ length: count }, () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  });
}
