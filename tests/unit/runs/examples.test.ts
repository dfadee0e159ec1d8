// The guided examples: every design is valid at its batch size and fits its data set (input shape,
// output units for the classes or the regression target), and its settings are within range.
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../app/examples/examples';
import { DEFAULT_SETTINGS } from '../../../app/store/run';
import { makeSyntheticSet } from '../../../src/data/synthetic';
import { analyzeDesign } from '../../../src/engine/graph';

/** What the example's data set gives the network: input shape, classes (0 = regression) and targets. */
function dataShape(example: (typeof EXAMPLES)[number]) {
  if (example.data.choice === 'mnist') return { inputShape: [28, 28, 1], classes: 10, targets: 0 };
  const set = makeSyntheticSet({ kind: example.data.choice, ...example.data.synthetic });
  return { inputShape: [set.features], classes: set.numClasses, targets: set.targetSize };
}

describe('guided examples', () => {
  it('are the seven the issue asks for (overfitting shown and cured as two), each with a title, text and a result', () => {
    expect(EXAMPLES.map((e) => e.id)).toEqual([
      'xor',
      'regression',
      'mnist-mlp',
      'mnist-cnn',
      'resnet',
      'overfit',
      'overfit-cured',
      'early-stopping',
    ]);
    for (const e of EXAMPLES) {
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.about.split(/[.!?](\s|$)/).filter((s) => s.trim().length > 1).length).toBeGreaterThanOrEqual(2);
      expect(e.result).not.toMatch(/RESULT_|TODO/);
    }
  });

  for (const example of EXAMPLES) {
    it(`${example.id}: the design is valid and fits its data set`, () => {
      const settings = { ...DEFAULT_SETTINGS, ...example.settings };
      const design = example.design();
      const analysis = analyzeDesign(design, { batchSize: settings.batchSize });
      expect(analysis.errors.map((e) => e.message)).toEqual([]);
      expect(analysis.valid).toBe(true);
      const data = dataShape(example);
      const input = design.nodes.find((n) => n.id === analysis.inputId)!;
      // As the training worker checks: the Input takes as many values per sample as the data has.
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
      expect(input.type === 'Input' && size(input.settings.shape)).toBe(size(data.inputShape));
      const out = design.nodes.find((n) => n.id === analysis.outputId)!;
      const outShape = analysis.layers.get(out.id)!.outputShape;
      if (data.classes > 0) {
        // Softmax over the classes, or one sigmoid unit for two classes.
        const activation = out.type === 'Dense' ? out.settings.activation : '';
        if (activation === 'sigmoid') expect([data.classes, outShape]).toEqual([2, [1]]);
        else expect([activation, outShape]).toEqual(['softmax', [data.classes]]);
      } else {
        expect(out.type === 'Dense' && out.settings.activation).toBe('linear');
        expect(outShape).toEqual([data.targets]);
      }
    });
  }

  it('match the settings the issue names', () => {
    const byId = Object.fromEntries(EXAMPLES.map((e) => [e.id, e]));
    expect(byId['xor'].design().nodes.map((n) => n.type)).toEqual(['Input', 'Dense', 'Dense']);
    expect(byId['regression'].design().name).toBe('MLP 100-32-1');
    expect(byId['mnist-mlp'].settings).toMatchObject({ optimizer: 'adam', learningRate: 0.001, batchSize: 100 });
    expect(byId['mnist-cnn'].settings).toMatchObject({ optimizer: 'adam', batchSize: 128 });
    expect(byId['resnet'].design().nodes.some((n) => n.type === 'Add')).toBe(true);
    expect(byId['overfit-cured'].design().nodes.filter((n) => n.type === 'Dropout')).toHaveLength(2);
    expect(byId['overfit-cured'].settings.l2).toBeGreaterThan(0);
    expect(byId['early-stopping'].settings).toMatchObject({ earlyStoppingPatience: 10, validationSplit: 0.25 });
  });
});
