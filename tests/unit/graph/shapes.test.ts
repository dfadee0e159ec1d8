import { describe, expect, it } from 'vitest';
import { analyzeDesign, windowOutput } from '../../../src/engine/graph';
import { chain, graph, layer } from './fixtures';

/** The output shape of the last layer of a chain starting at an Input of `inputShape`. */
function outputOf(inputShape: number[], ...rest: ReturnType<typeof layer>[]) {
  const design = chain(layer('in', 'Input', { shape: inputShape }), ...rest);
  const analysis = analyzeDesign(design);
  const last = analysis.layers.get(rest.at(-1)!.id)!;
  expect(last.errors).toEqual([]);
  return last.outputShape;
}

describe('shape inference', () => {
  it('Dense maps [n] to [units]', () => {
    expect(outputOf([784], layer('d', 'Dense', { units: 500 }))).toEqual([500]);
  });

  it('Conv2D with valid and same padding and strides follows Keras', () => {
    expect(outputOf([28, 28, 1], layer('c', 'Conv2D', { filters: 32, kernelSize: 3, padding: 'valid' }))).toEqual([
      26, 26, 32,
    ]);
    expect(outputOf([28, 28, 1], layer('c', 'Conv2D', { filters: 8, kernelSize: 3, padding: 'same' }))).toEqual([
      28, 28, 8,
    ]);
    expect(
      outputOf([28, 28, 3], layer('c', 'Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'valid' })),
    ).toEqual([13, 13, 4]);
    expect(
      outputOf([28, 28, 3], layer('c', 'Conv2D', { filters: 4, kernelSize: 5, stride: 2, padding: 'same' })),
    ).toEqual([14, 14, 4]);
    expect(
      outputOf([7, 11, 2], layer('c', 'Conv2D', { filters: 5, kernelSize: 3, stride: 3, padding: 'same' })),
    ).toEqual([3, 4, 5]);
    expect(
      outputOf([7, 11, 2], layer('c', 'Conv2D', { filters: 5, kernelSize: 3, stride: 3, padding: 'valid' })),
    ).toEqual([2, 3, 5]);
    expect(outputOf([1, 1, 1], layer('c', 'Conv2D', { filters: 1, kernelSize: 1 }))).toEqual([1, 1, 1]);
  });

  it('windowOutput matches the Keras formulas', () => {
    expect(windowOutput(26, 2, 2, 'valid')).toBe(13);
    expect(windowOutput(27, 2, 2, 'valid')).toBe(13);
    expect(windowOutput(27, 2, 2, 'same')).toBe(14);
    expect(windowOutput(5, 3, 1, 'valid')).toBe(3);
  });

  it('pooling layers shrink height and width, keep channels', () => {
    expect(outputOf([26, 26, 32], layer('p', 'MaxPool2D', { poolSize: 2, stride: 2 }))).toEqual([13, 13, 32]);
    expect(outputOf([13, 13, 6], layer('p', 'AvgPool2D', { poolSize: 2, stride: 2, padding: 'same' }))).toEqual([
      7, 7, 6,
    ]);
    expect(outputOf([13, 13, 6], layer('p', 'MaxPool2D', { poolSize: 3, stride: 1 }))).toEqual([11, 11, 6]);
    expect(outputOf([10, 6, 16], layer('p', 'GlobalAvgPool'))).toEqual([16]);
  });

  it('Flatten multiplies out NHWC; element-wise layers keep the shape', () => {
    expect(outputOf([13, 13, 32], layer('f', 'Flatten'))).toEqual([5408]);
    for (const type of ['ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'Softmax', 'Dropout', 'BatchNorm'] as const) {
      expect(outputOf([5, 7, 3], layer('x', type))).toEqual([5, 7, 3]);
      expect(outputOf([11], layer('x', type))).toEqual([11]);
    }
  });

  it('Add keeps equal shapes; Concatenate joins the channel axis', () => {
    const branches = (mergeType: 'Add' | 'Concatenate', aFilters: number, bFilters: number) =>
      graph(
        [
          layer('in', 'Input', { shape: [8, 8, 3] }),
          layer('a', 'Conv2D', { filters: aFilters, padding: 'same' }),
          layer('b', 'Conv2D', { filters: bFilters, padding: 'same' }),
          layer('m', mergeType),
        ],
        [
          ['in', 'a'],
          ['in', 'b'],
          ['a', 'm'],
          ['b', 'm'],
        ],
      );
    const add = analyzeDesign(branches('Add', 4, 4));
    expect(add.valid).toBe(true);
    expect(add.layers.get('m')!.outputShape).toEqual([8, 8, 4]);
    const concat = analyzeDesign(branches('Concatenate', 4, 6));
    expect(concat.valid).toBe(true);
    expect(concat.layers.get('m')!.outputShape).toEqual([8, 8, 10]);
    expect(concat.layers.get('m')!.inputShapes).toEqual([
      [8, 8, 4],
      [8, 8, 6],
    ]);
    // A layer may feed several layers: the Input feeds both branches.
    expect(concat.order.indexOf('in')).toBe(0);
    expect(concat.order.at(-1)).toBe('m');
  });

  it('a layer downstream of an error has no shape and no error of its own', () => {
    const design = chain(
      layer('in', 'Input', { shape: [4, 4, 1] }),
      layer('c', 'Conv2D', { kernelSize: 5 }),
      layer('f', 'Flatten'),
      layer('d', 'Dense', { units: 10 }),
    );
    const analysis = analyzeDesign(design);
    expect(analysis.layers.get('c')!.errors.map((e) => e.code)).toEqual(['shape']);
    expect(analysis.layers.get('c')!.errors[0].message).toMatch(/kernel 5×5 is larger than its input 4×4/);
    expect(analysis.layers.get('d')!.outputShape).toBeNull();
    expect(analysis.layers.get('d')!.errors).toEqual([]);
  });
});
