import { describe, expect, it } from 'vitest';
import {
  axisWindow,
  conv2dGeometry,
  conv2dOutputShape,
  LayerShapeError,
  pool2dGeometry,
  pool2dOutputShape,
} from '../../../src/engine/ref/shapes';

describe('conv/pool output shapes', () => {
  it('follows TensorFlow for valid and same padding with strides', () => {
    expect(axisWindow(28, 3, 1, 'valid')).toEqual({ out: 26, padBefore: 0, padAfter: 0 });
    expect(axisWindow(28, 3, 1, 'same')).toEqual({ out: 28, padBefore: 1, padAfter: 1 });
    expect(axisWindow(7, 3, 2, 'valid')).toEqual({ out: 3, padBefore: 0, padAfter: 0 });
    expect(axisWindow(7, 3, 2, 'same')).toEqual({ out: 4, padBefore: 1, padAfter: 1 });
    // Even padding total goes to the end when odd: in 8, k 3, s 2 -> out 4, total 1.
    expect(axisWindow(8, 3, 2, 'same')).toEqual({ out: 4, padBefore: 0, padAfter: 1 });
    expect(axisWindow(5, 4, 1, 'same')).toEqual({ out: 5, padBefore: 1, padAfter: 2 });
  });

  it('gives the classic CNN shapes', () => {
    const conv = conv2dGeometry('conv2d_1', [128, 28, 28, 1], [3, 3, 1, 32]);
    expect(conv2dOutputShape(conv)).toEqual([128, 26, 26, 32]);
    const pool = pool2dGeometry('max_pooling2d_1', conv2dOutputShape(conv), [2, 2]);
    expect(pool2dOutputShape(pool)).toEqual([128, 13, 13, 32]);
    const same = conv2dGeometry('c', [2, 9, 7, 3], [3, 5, 3, 4], { strides: [2, 2], padding: 'same' });
    expect(conv2dOutputShape(same)).toEqual([2, 5, 4, 4]);
    expect([same.padTop, same.padBottom, same.padLeft, same.padRight]).toEqual([1, 1, 2, 2]);
  });

  it('names the layer and both shapes on a channel mismatch', () => {
    expect(() => conv2dGeometry('conv2d_2', [8, 13, 13, 32], [3, 3, 16, 64])).toThrow(
      /conv2d_2: conv2d channel mismatch: input \[8, 13, 13, 32\] has 32 channels but filter \[3, 3, 16, 64\] expects 16/,
    );
  });

  it('rejects a window larger than the padded input, naming the layer and shapes', () => {
    const call = () => conv2dGeometry('conv2d_3', [1, 2, 2, 1], [3, 3, 1, 4]);
    expect(call).toThrow(LayerShapeError);
    expect(call).toThrow(
      /conv2d_3: conv2d window 3x3 is larger than the valid-padded input 2x2 \(input \[1, 2, 2, 1\]\)/,
    );
    expect(() => pool2dGeometry('pool_9', [4, 1, 5, 8], [2, 2], {}, 'maxPool2d')).toThrow(
      /pool_9: maxPool2d window 2x2 is larger than the valid-padded input 1x5 \(input \[4, 1, 5, 8\]\)/,
    );
    // 'same' padding makes any window fit.
    expect(pool2dOutputShape(pool2dGeometry('p', [4, 1, 5, 8], [2, 2], { padding: 'same' }))).toEqual([4, 1, 3, 8]);
  });

  it('rejects an empty input or output, bad strides and a non-NHWC input', () => {
    expect(() => conv2dGeometry('c0', [1, 0, 5, 1], [1, 1, 1, 1])).toThrow(
      /c0: conv2d input dimensions must be positive integers, got \[1, 0, 5, 1\]/,
    );
    expect(() => conv2dGeometry('c1', [1, 5, 5, 1], [1, 1, 1, 1], { strides: [0, 1] })).toThrow(/c1: conv2d strides/);
    expect(() => conv2dGeometry('c2', [5, 5, 1], [1, 1, 1, 1])).toThrow(
      /c2: conv2d expects an NHWC input.*\[5, 5, 1\]/,
    );
    expect(() => conv2dGeometry('c3', [1, 5, 5, 1], [3, 3, 1])).toThrow(
      /c3: conv2d filter must be \[kh, kw, inC, outC\]/,
    );
  });
});
