// Fitting designs to an own data set: adaptDesign changes the Input shape and the output layer (one
// unit per class with softmax, or linear units for a regression) and says what it changed; templates
// build for a data set's shape; datasetSource serves a kept data set's rows to the Batcher.
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/data/batches';
import { datasetSource, type Dataset } from '../../../src/data/dataset';
import { encodeTable, parseTableText, defaultChoices } from '../../../src/data/table';
import { adaptDesign, analyzeDesign, templateById, templatesFor, TEMPLATES } from '../../../src/engine/graph';
import { lossForDesign } from '../../../src/engine/model/graph-model';
import { planModel } from '../../../src/engine/graph/plan';

const regressionFit = { inputShape: [100], task: 'regression' as const, outputs: 1 };

describe('adaptDesign', () => {
  it('fits the MLP template to a 100-input regression: Input shape, one linear unit', () => {
    const { design, changes } = adaptDesign(templateById('mlp')!.build(), regressionFit);
    expect(changes).toEqual(['Input 1: shape 784 → 100', 'Dense 2: 10 → 1 units, softmax → linear']);
    const analysis = analyzeDesign(design);
    expect(analysis.valid).toBe(true);
    const dense = design.nodes.find((n) => n.id === 'dense_2')!;
    expect(dense.settings).toMatchObject({ units: 1, activation: 'linear' });
  });

  it('fits a classifier to the class count and changes nothing when it already fits', () => {
    const fit = { inputShape: [28, 28, 1], task: 'classification' as const, outputs: 3 };
    const first = adaptDesign(templateById('cnn')!.build(), fit);
    expect(first.changes).toEqual(['Dense 2: 10 → 3 units']);
    expect(adaptDesign(first.design, fit).changes).toEqual([]);
  });

  it('a regression drops a final Softmax layer and makes the Dense before it linear', () => {
    const base = templateById('mlp')!.build();
    const design = {
      ...base,
      nodes: [
        ...base.nodes.map((n) =>
          n.id === 'dense_2' ? { ...n, settings: { ...n.settings, activation: 'linear' } } : n,
        ),
        { id: 'softmax_1', type: 'Softmax', name: 'Softmax 1', settings: {}, position: { x: 0, y: 0 } },
      ],
      edges: [...base.edges, { id: 'dense_2->softmax_1', source: 'dense_2', target: 'softmax_1' }],
    } as typeof base;
    const { design: fitted, changes } = adaptDesign(design, regressionFit);
    expect(changes).toContain('Softmax 1 removed (a regression ends in a linear layer)');
    expect(fitted.nodes.some((n) => n.type === 'Softmax')).toBe(false);
    expect(lossForDesign(planModel(fitted))).toBe('mse');
  });
});

describe('templates for a data set', () => {
  it('build unchanged without a fit, and fitted with one', () => {
    expect(templateById('mlp')!.build().name).toBe('MLP 784-500-10');
    const small = templateById('table-mlp')!.build(regressionFit);
    expect(small.name).toBe('MLP 100-32-1');
    expect(small.nodes.map((n) => [n.type, n.settings])).toEqual([
      ['Input', { shape: [100] }],
      ['Dense', expect.objectContaining({ units: 32, activation: 'relu' })],
      ['Dense', expect.objectContaining({ units: 1, activation: 'linear' })],
    ]);
    const rgb = { inputShape: [32, 32, 3], task: 'classification' as const, outputs: 4 };
    for (const t of TEMPLATES) {
      const design = t.build(rgb);
      expect(analyzeDesign(design).valid, t.id).toBe(true);
      expect(lossForDesign(planModel(design)), t.id).toBe('softmax-cross-entropy');
    }
  });

  it('offers only templates without convolutions for a table', () => {
    expect(templatesFor(regressionFit).map((t) => t.id)).toEqual(['mlp', 'xor', 'table-mlp']);
    for (const t of templatesFor(regressionFit)) expect(analyzeDesign(t.build(regressionFit)).valid, t.id).toBe(true);
  });
});

describe('datasetSource', () => {
  it('serves the encoded rows and targets, all or a subset, to the Batcher', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 4},${2 * i}`);
    const table = parseTableText(`a,b,y\n${rows.join('\n')}`, 'lin.csv');
    const d: Dataset = encodeTable(table, defaultChoices(table), { id: 'x', name: 'lin', createdAt: 0 });
    const all = datasetSource(d);
    expect(all).toMatchObject({ kind: 'table', features: 2, targetSize: 1, total: 40, numClasses: 0 });
    const test = datasetSource(d, d.split.test);
    expect(test.total).toBe(d.split.test.length);
    const batch = new Batcher(test, { batchSize: 2, shuffle: false }).next();
    const first = d.split.test[0];
    expect(Array.from(batch.x.subarray(0, 2))).toEqual(Array.from(d.x.subarray(first * 2, first * 2 + 2)));
    expect(batch.targets[0]).toBe(d.targets[first]);
  });
});
