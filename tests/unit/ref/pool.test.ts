import { describe, expect, it } from 'vitest';
import {
  avgPoolBackward,
  avgPoolForward,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  maxPoolBackward,
  maxPoolForward,
} from '../../../src/engine/ref/pool';
import { pool2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import { dot, expectGradientMatches, randomF64 } from './finite-diff';

describe('reference pooling', () => {
  it('max pool keeps the first maximum and its flat index; same padding never picks a pad', () => {
    const g = pool2dGeometry('p', [1, 3, 3, 1], [2, 2], { strides: [2, 2], padding: 'same' });
    const x = [-1, -3, -2, -5, -9, -4, 7, 7, -8];
    const { out, argmax } = maxPoolForward(g, x);
    expect(Array.from(out)).toEqual([-1, -2, 7, -8]);
    expect(Array.from(argmax)).toEqual([0, 2, 6, 8]);
  });

  it('average pool divides by the in-bounds taps only', () => {
    const g = pool2dGeometry('p', [1, 3, 3, 1], [2, 2], { strides: [2, 2], padding: 'same' });
    const y = avgPoolForward(g, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(y)).toEqual([3, 4.5, 7.5, 9]);
  });

  const cases: { x: number[]; pool: [number, number]; strides: [number, number]; padding: Padding2d }[] = [
    { x: [2, 6, 6, 2], pool: [2, 2], strides: [2, 2], padding: 'valid' },
    { x: [1, 7, 5, 3], pool: [3, 3], strides: [2, 2], padding: 'same' },
    { x: [2, 5, 5, 1], pool: [3, 2], strides: [1, 1], padding: 'valid' },
    { x: [1, 5, 7, 2], pool: [2, 3], strides: [2, 1], padding: 'same' },
  ];
  for (const [n, c] of cases.entries()) {
    it(`gradients match central differences: x [${c.x}] pool ${c.pool} strides ${c.strides} ${c.padding}`, () => {
      const g = pool2dGeometry('p', c.x, c.pool, { strides: c.strides, padding: c.padding });
      // Distinct values far apart, so a small step never changes which tap is the maximum.
      const x = randomF64(g.batch * g.inH * g.inW * g.inC, 50 + n).map((v, i) => v + i * 0.37);
      const r = randomF64(g.batch * g.outH * g.outW * g.inC, 60 + n);
      const { argmax } = maxPoolForward(g, x);
      expectGradientMatches(x, () => dot(maxPoolForward(g, x).out, r), maxPoolBackward(g, r, argmax));
      expectGradientMatches(x, () => dot(avgPoolForward(g, x), r), avgPoolBackward(g, r));
    });
  }

  it('global average pool and its gradient', () => {
    const [batch, pixels, channels] = [3, 10, 4];
    const x = randomF64(batch * pixels * channels, 70);
    const r = randomF64(batch * channels, 71);
    const y = globalAvgPoolForward(x, batch, pixels, channels);
    expect(y[channels + 2]).toBeCloseTo(
      Array.from({ length: pixels }, (_, p) => x[(pixels + p) * channels + 2]).reduce((a, b) => a + b) / pixels,
      12,
    );
    const loss = () => dot(globalAvgPoolForward(x, batch, pixels, channels), r);
    expectGradientMatches(x, loss, globalAvgPoolBackward(r, batch, pixels, channels));
  });
});
