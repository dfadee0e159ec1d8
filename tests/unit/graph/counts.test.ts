import { describe, expect, it } from 'vitest';
import { analyzeDesign, planModel, sizeOf, templateById } from '../../../src/engine/graph';
import { chain, layer } from './fixtures';

function paramsByLayer(templateId: string): number[] {
  const analysis = analyzeDesign(templateById(templateId)!.build());
  expect(analysis.errors).toEqual([]);
  return analysis.order.map((id) => analysis.layers.get(id)!).map((l) => l.trainableParams + l.nonTrainableParams);
}

describe('parameter counts match Keras', () => {
  it('MLP 784-500-10: 397,510', () => {
    expect(paramsByLayer('mlp')).toEqual([0, 392_500, 5_010]);
    expect(analyzeDesign(templateById('mlp')!.build()).totalParams).toBe(397_510);
  });

  it('classic CNN: conv 320, dense 692,352, dense 1,290; total 693,962', () => {
    expect(paramsByLayer('cnn')).toEqual([0, 320, 0, 0, 692_352, 1_290]);
    const analysis = analyzeDesign(templateById('cnn')!.build());
    expect(analysis.totalParams).toBe(693_962);
    const shapes = analysis.order.map((id) => analysis.layers.get(id)!.outputShape);
    expect(shapes).toEqual([[28, 28, 1], [26, 26, 32], [13, 13, 32], [5408], [128], [10]]);
  });

  it('LeNet-5: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706', () => {
    expect(paramsByLayer('lenet5')).toEqual([0, 156, 0, 2_416, 0, 0, 48_120, 10_164, 850]);
    expect(analyzeDesign(templateById('lenet5')!.build()).totalParams).toBe(61_706);
  });

  it('XOR 2-10-1: 41', () => {
    expect(analyzeDesign(templateById('xor')!.build()).totalParams).toBe(41);
  });

  it('residual CNN is valid and its Add merges equal shapes; BatchNorm counts moving stats as non-trainable', () => {
    const analysis = analyzeDesign(templateById('resnet')!.build());
    expect(analysis.errors).toEqual([]);
    const add = [...analysis.layers.values()].find((l) => l.type === 'Add')!;
    expect(add.inputShapes).toEqual([
      [14, 14, 16],
      [14, 14, 16],
    ]);
    const bn = [...analysis.layers.values()].find((l) => l.type === 'BatchNorm')!;
    expect(bn.trainableParams).toBe(32);
    expect(bn.nonTrainableParams).toBe(32);
    // stem 160 + bn 64 + 2 × 2,320 + dense 170
    expect(analysis.totalParams).toBe(160 + 64 + 2 * 2_320 + 170);
    expect(analysis.nonTrainableParams).toBe(32);
  });

  it('Conv2D kernels are [kh, kw, inC, outC] and Dense kernels [in, out]; use_bias=false drops the bias', () => {
    const plan = planModel(
      chain(
        layer('in', 'Input', { shape: [9, 9, 3] }),
        layer('c', 'Conv2D', { filters: 7, kernelSize: 3, useBias: false }),
        layer('f', 'Flatten'),
        layer('d', 'Dense', { units: 5 }),
      ),
    );
    const [, conv, , dense] = plan.layers;
    expect(conv.params.map((p) => [p.name, p.shape])).toEqual([['kernel', [3, 3, 3, 7]]]);
    expect(dense.params.map((p) => [p.name, p.shape])).toEqual([
      ['kernel', [7 * 7 * 7, 5]],
      ['bias', [5]],
    ]);
    expect(conv.params[0].init).toEqual({ kind: 'glorotUniform', fanIn: 27, fanOut: 63 });
    expect(plan.inputShape).toEqual([9, 9, 3]);
    expect(plan.outputShape).toEqual([5]);
    expect(plan.layers.map((l) => l.inputIds)).toEqual([[], ['in'], ['c'], ['f']]);
  });
});

describe('FLOPs per sample and memory', () => {
  it('counts a multiply-add as two FLOPs, plus bias and activation', () => {
    const analysis = analyzeDesign(templateById('mlp')!.build());
    const [, hidden, out] = analysis.order.map((id) => analysis.layers.get(id)!);
    expect(hidden.flopsPerSample).toBe(2 * 784 * 500 + 500 + 500); // relu: 1 per element
    expect(out.flopsPerSample).toBe(2 * 500 * 10 + 10 + 5 * 10); // softmax: 5 per element
    expect(analysis.flopsPerSample).toBe(hidden.flopsPerSample + out.flopsPerSample);
  });

  it('Conv2D FLOPs: 2 × outH × outW × outC × kh × kw × inC, pooling one per window element', () => {
    const analysis = analyzeDesign(templateById('cnn')!.build());
    const [, conv, pool, flatten] = analysis.order.map((id) => analysis.layers.get(id)!);
    expect(conv.flopsPerSample).toBe(2 * 26 * 26 * 32 * 9 * 1 + 26 * 26 * 32 + 26 * 26 * 32);
    expect(pool.flopsPerSample).toBe(13 * 13 * 32 * 4);
    expect(flatten.flopsPerSample).toBe(0);
  });

  it('estimates training memory from parameters, optimiser state and activations at the batch size', () => {
    const design = templateById('cnn')!.build();
    const params = 693_962;
    const activations = 28 * 28 + 26 * 26 * 32 + 13 * 13 * 32 + 128 + 10; // Flatten is a view
    const largest = 26 * 26 * 32;
    for (const batchSize of [1, 64, 257]) {
      const m = analyzeDesign(design, { batchSize }).memory;
      expect(m.parameterBytes).toBe(4 * params);
      expect(m.gradientBytes).toBe(4 * params);
      expect(m.optimizerBytes).toBe(8 * params);
      expect(m.activationBytes).toBe(4 * batchSize * activations);
      expect(m.activationGradientBytes).toBe(8 * batchSize * largest);
      expect(m.totalBytes).toBe(16 * params + 4 * batchSize * activations + 8 * batchSize * largest);
    }
    expect(analyzeDesign(design, { optimizerSlots: 0 }).memory.optimizerBytes).toBe(0);
  });

  it('sizeOf', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([3, 5, 7])).toBe(105);
  });
});
