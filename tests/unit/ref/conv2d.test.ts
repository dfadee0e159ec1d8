import { describe, expect, it } from 'vitest';
import {
  conv2dBackwardBias,
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dForward,
} from '../../../src/engine/ref/conv2d';
import { conv2dGeometry, type Padding2d } from '../../../src/engine/ref/shapes';
import { dot, expectGradientMatches, randomF64 } from './finite-diff';

describe('reference conv2d', () => {
  it('matches a hand-worked example (3x3 input, 2x2 filter, two output channels)', () => {
    const g = conv2dGeometry('c', [1, 3, 3, 1], [2, 2, 1, 2]);
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    // HWIO: w[ky][kx][0][oc]; channel 0 sums the window, channel 1 is the top-left minus bottom-right.
    const w = [1, 1, 1, 0, 1, 0, 1, -1];
    const y = conv2dForward(g, x, w, [0.5, 0]);
    expect(Array.from(y)).toEqual([12.5, -4, 16.5, -4, 24.5, -4, 28.5, -4]);
  });

  it("pads 'same' with zeros around the input", () => {
    const g = conv2dGeometry('c', [1, 2, 2, 1], [3, 3, 1, 1], { padding: 'same' });
    const y = conv2dForward(g, [1, 2, 3, 4], new Array(9).fill(1), null);
    // Every 3x3 window centred on a 2x2 image covers all four pixels.
    expect(Array.from(y)).toEqual([10, 10, 10, 10]);
  });

  const cases: { x: number[]; f: number[]; strides: [number, number]; padding: Padding2d }[] = [
    { x: [2, 5, 4, 1], f: [3, 3, 1, 3], strides: [1, 1], padding: 'valid' },
    { x: [1, 7, 6, 3], f: [3, 2, 3, 2], strides: [2, 2], padding: 'same' },
    { x: [2, 5, 5, 2], f: [2, 3, 2, 3], strides: [2, 1], padding: 'valid' },
    { x: [1, 4, 5, 3], f: [5, 4, 3, 2], strides: [1, 2], padding: 'same' },
  ];
  for (const [n, c] of cases.entries()) {
    it(`gradients match central differences: x [${c.x}] filter [${c.f}] strides ${c.strides} ${c.padding}`, () => {
      const g = conv2dGeometry('c', c.x, c.f, { strides: c.strides, padding: c.padding });
      const x = randomF64(g.batch * g.inH * g.inW * g.inC, 10 + n);
      const w = randomF64(g.kh * g.kw * g.inC * g.outC, 20 + n);
      const bias = randomF64(g.outC, 30 + n);
      const r = randomF64(g.batch * g.outH * g.outW * g.outC, 40 + n);
      const loss = () => dot(conv2dForward(g, x, w, bias), r);
      expectGradientMatches(x, loss, conv2dBackwardInput(g, r, w));
      expectGradientMatches(w, loss, conv2dBackwardFilter(g, x, r));
      expectGradientMatches(bias, loss, conv2dBackwardBias(r, g.outC));
    });
  }

  it('rejects buffers of the wrong size', () => {
    const g = conv2dGeometry('c', [1, 3, 3, 1], [2, 2, 1, 2]);
    expect(() => conv2dForward(g, new Float64Array(8), new Float64Array(8), null)).toThrow(
      /conv2d input has 8 elements, expected 9/,
    );
  });
});
