import { describe, expect, it } from 'vitest';
import {
  activationAt,
  applyDropout,
  lossAt,
  sampleActivation,
  seededUniforms,
  type ActivationName,
} from '../../../app/learn/functions';

describe('activation plots', () => {
  it('samples ReLU and its derivative', () => {
    const samples = sampleActivation('relu', { from: -2, to: 2, count: 5 });
    expect(samples).toEqual([
      { x: -2, y: 0, dy: 0 },
      { x: -1, y: 0, dy: 0 },
      { x: 0, y: 0, dy: 0 },
      { x: 1, y: 1, dy: 1 },
      { x: 2, y: 2, dy: 1 },
    ]);
  });

  it('uses the layer alpha for leaky ReLU', () => {
    expect(activationAt('leaky-relu', -2, 0.2)).toEqual({ y: -0.4, dy: 0.2 });
    expect(activationAt('leaky-relu', 3, 0.2)).toEqual({ y: 3, dy: 1 });
  });

  it('gives sigmoid(0) = 0.5 with slope 0.25 and tanh(0) = 0 with slope 1', () => {
    expect(activationAt('sigmoid', 0)).toEqual({ y: 0.5, dy: 0.25 });
    expect(activationAt('tanh', 0)).toEqual({ y: 0, dy: 1 });
    expect(activationAt('sigmoid', 2).y).toBeCloseTo(0.8807970779778823, 12);
    expect(activationAt('tanh', 1).dy).toBeCloseTo(1 - Math.tanh(1) ** 2, 12);
  });

  it('draws softmax as p1 for logits (x, 0)', () => {
    const x = 1.3;
    const p1 = Math.exp(x) / (Math.exp(x) + Math.exp(0));
    expect(activationAt('softmax', x).y).toBeCloseTo(p1, 12);
    expect(activationAt('softmax', x).dy).toBeCloseTo(p1 * (1 - p1), 12);
  });

  it('has each derivative agree with a central finite difference away from kinks', () => {
    const names: ActivationName[] = ['linear', 'relu', 'leaky-relu', 'sigmoid', 'tanh', 'softmax'];
    const h = 1e-5;
    for (const name of names) {
      for (const x of [-3.1, -0.7, 0.4, 2.2]) {
        const numeric = (activationAt(name, x + h, 0.1).y - activationAt(name, x - h, 0.1).y) / (2 * h);
        expect(activationAt(name, x, 0.1).dy).toBeCloseTo(numeric, 6);
      }
    }
  });
});

describe('loss plots', () => {
  it('gives zero loss for a perfect prediction and -log p otherwise', () => {
    expect(lossAt('mse', 1)).toBe(0);
    expect(lossAt('mse', 0.5)).toBe(0.25);
    expect(lossAt('cross-entropy', 1)).toBe(-0);
    expect(lossAt('bce', 0.5)).toBeCloseTo(Math.LN2, 12);
  });
});

describe('dropout demo', () => {
  it('drops units whose draw is below the rate and scales the rest by 1 / (1 - p)', () => {
    expect(applyDropout([1, 2, 3, 4], [0.1, 0.9, 0.3, 0.6], 0.5)).toEqual([0, 4, 0, 8]);
    expect(applyDropout([1, 2], [0.1, 0.9], 0)).toEqual([1, 2]);
  });

  it('draws the same mask for the same seed and keeps about 1 - p of many units', () => {
    expect(seededUniforms(7, 5)).toEqual(seededUniforms(7, 5));
    expect(seededUniforms(7, 5)).not.toEqual(seededUniforms(8, 5));
    const draws = seededUniforms(3, 10_000);
    const kept = applyDropout(new Array(10_000).fill(1), draws, 0.3).filter((v) => v !== 0).length;
    expect(kept / 10_000).toBeGreaterThan(0.67);
    expect(kept / 10_000).toBeLessThan(0.73);
  });
});
