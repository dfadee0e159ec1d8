import { describe, expect, it } from 'vitest';
import type { DesignAnalysis } from '../../../src/engine/graph';
import { DesignInvalidError, analyzeDesign, planModel, templateById } from '../../../src/engine/graph';
import { chain, graph, layer } from './fixtures';

function errorsOn(analysis: DesignAnalysis, id: string): string[] {
  return analysis.layers.get(id)!.errors.map((e) => e.code);
}

describe('validation', () => {
  it('every template is valid', () => {
    for (const id of ['mlp', 'cnn', 'lenet5', 'resnet', 'xor']) {
      const analysis = analyzeDesign(templateById(id)!.build());
      expect(analysis.errors, id).toEqual([]);
      expect(analysis.valid).toBe(true);
    }
  });

  it('shape mismatch: Dense after an image asks for Flatten; Add of unequal shapes', () => {
    const dense = analyzeDesign(chain(layer('in', 'Input', { shape: [28, 28, 1] }), layer('d', 'Dense')));
    expect(errorsOn(dense, 'd')).toEqual(['shape']);
    expect(dense.layers.get('d')!.errors[0].message).toMatch(
      /Dense expects a flat input, but gets 28×28×1: add a Flatten/,
    );
    expect(dense.valid).toBe(false);

    const add = analyzeDesign(
      graph(
        [
          layer('in', 'Input', { shape: [8, 8, 3] }),
          layer('a', 'Conv2D', { filters: 4, padding: 'same' }),
          layer('b', 'Conv2D', { filters: 4, padding: 'valid' }),
          layer('m', 'Add'),
        ],
        [
          ['in', 'a'],
          ['in', 'b'],
          ['a', 'm'],
          ['b', 'm'],
        ],
      ),
    );
    expect(errorsOn(add, 'm')).toEqual(['shape']);
    expect(add.layers.get('m')!.errors[0].message).toBe('Add needs inputs of equal shape, but gets 8×8×4 and 6×6×4');
  });

  it('Concatenate needs equal non-channel axes; Conv2D needs an image', () => {
    const concat = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [8, 8, 3] }), layer('p', 'MaxPool2D'), layer('m', 'Concatenate')],
        [
          ['in', 'p'],
          ['in', 'm'],
          ['p', 'm'],
        ],
      ),
    );
    expect(concat.layers.get('m')!.errors[0].message).toMatch(/all other axes must match, but gets 8×8×3 and 4×4×3/);
    const conv = analyzeDesign(chain(layer('in', 'Input', { shape: [784] }), layer('c', 'Conv2D')));
    expect(conv.layers.get('c')!.errors[0].message).toMatch(/Conv2D needs an image input .* gets 784/);
  });

  it('cycle: every layer on it is marked and named', () => {
    const analysis = analyzeDesign(
      graph(
        [
          layer('in', 'Input', { shape: [4] }),
          layer('a', 'Dense'),
          layer('b', 'Dense'),
          layer('c', 'Add'),
          layer('o', 'Dense'),
        ],
        [
          ['in', 'c'],
          ['c', 'a'],
          ['a', 'b'],
          ['b', 'c'],
          ['b', 'o'],
        ],
      ),
    );
    for (const id of ['a', 'b', 'c']) expect(errorsOn(analysis, id)).toContain('cycle');
    expect(errorsOn(analysis, 'in')).toEqual([]);
    expect(analysis.layers.get('a')!.errors[0].message).toMatch(/cycle \(c → a → b → c\)/);
    expect(analysis.order).not.toContain('a');
    const selfLoop = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [4] }), layer('r', 'ReLU')],
        [
          ['in', 'r'],
          ['r', 'r'],
        ],
      ),
    );
    expect(errorsOn(selfLoop, 'r')).toContain('cycle');
  });

  it('unconnected layer, missing and extra inputs', () => {
    const design = chain(layer('in', 'Input', { shape: [4] }), layer('d', 'Dense'));
    design.nodes.push(layer('lonely', 'Dropout'));
    const analysis = analyzeDesign(design);
    expect(errorsOn(analysis, 'lonely')).toEqual(['unconnected']);
    expect(errorsOn(analysis, 'd')).toEqual([]);

    const twoIn = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [4] }), layer('a', 'Dense'), layer('b', 'Dense'), layer('c', 'Dense')],
        [
          ['in', 'a'],
          ['in', 'b'],
          ['a', 'c'],
          ['b', 'c'],
        ],
      ),
    );
    expect(errorsOn(twoIn, 'c')).toEqual(['too-many-inputs']);
    expect(twoIn.layers.get('c')!.errors[0].message).toMatch(/merge them with Add or Concatenate/);
    expect(twoIn.layers.get('c')!.outputShape).toBeNull();

    const oneIntoAdd = analyzeDesign(chain(layer('in', 'Input', { shape: [4] }), layer('m', 'Add')));
    expect(errorsOn(oneIntoAdd, 'm')).toEqual(['too-few-inputs']);

    const intoInput = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [4] }), layer('d', 'Dense')],
        [
          ['in', 'd'],
          ['d', 'in'],
        ],
      ),
    );
    expect(errorsOn(intoInput, 'in')).toContain('input-has-inputs');
  });

  it('no input, no output, several inputs or outputs', () => {
    const noInput = analyzeDesign(chain(layer('a', 'Dense'), layer('b', 'Dense')));
    expect(noInput.errors.map((e) => e.code)).toContain('no-input');
    expect(errorsOn(noInput, 'a')).toEqual(['missing-input']);

    const onlyInput = analyzeDesign(graph([layer('in', 'Input')], []));
    expect(onlyInput.errors.map((e) => e.code)).toEqual(['no-output']);
    expect(analyzeDesign(graph([], [])).errors.map((e) => e.code)).toEqual(['no-input']);

    const twoEnds = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [4] }), layer('a', 'Dense'), layer('b', 'Dense')],
        [
          ['in', 'a'],
          ['in', 'b'],
        ],
      ),
    );
    expect(errorsOn(twoEnds, 'a')).toEqual(['multiple-outputs']);
    expect(errorsOn(twoEnds, 'b')).toEqual(['multiple-outputs']);
    expect(twoEnds.outputId).toBeNull();

    const twoInputs = analyzeDesign(
      graph(
        [layer('in', 'Input', { shape: [4] }), layer('in2', 'Input', { shape: [4] }), layer('m', 'Add')],
        [
          ['in', 'm'],
          ['in2', 'm'],
        ],
      ),
    );
    expect(errorsOn(twoInputs, 'in2')).toEqual(['multiple-inputs']);
  });

  it('too large for the GPU limits, at the chosen batch size', () => {
    const design = chain(
      layer('in', 'Input', { shape: [512, 512, 3] }),
      layer('c', 'Conv2D', { filters: 64, padding: 'same' }),
      layer('g', 'GlobalAvgPool'),
    );
    // 512·512·64·4 B = 64 MiB per sample.
    const small = analyzeDesign(design, { batchSize: 1 });
    expect(small.valid).toBe(true);
    const big = analyzeDesign(design, { batchSize: 4 });
    expect(errorsOn(big, 'c')).toEqual(['too-large']);
    expect(big.layers.get('c')!.errors[0].message).toMatch(
      /output at batch 4 needs 256\.0 MiB, more than one buffer may hold \(maxStorageBufferBindingSize = 128\.0 MiB\)/,
    );
    const roomy = analyzeDesign(design, {
      batchSize: 4,
      limits: { maxStorageBufferBindingSize: 1024 ** 3, maxBufferSize: 1024 ** 3 },
    });
    expect(roomy.valid).toBe(true);
    const hugeDense = analyzeDesign(
      chain(layer('in', 'Input', { shape: [60000] }), layer('d', 'Dense', { units: 1000 })),
      {
        batchSize: 1,
      },
    );
    expect(hugeDense.layers.get('d')!.errors[0].message).toMatch(/its kernel 60000×1000 needs 228\.9 MiB/);
  });

  it('bad settings are errors on the layer, naming the setting', () => {
    const design = chain(
      layer('in', 'Input', { shape: [4] }),
      layer('d', 'Dense', { units: 0 }),
      layer('o', 'Dropout', { rate: 1 }),
    );
    const analysis = analyzeDesign(design);
    expect(analysis.layers.get('d')!.errors).toEqual([
      { code: 'settings', message: 'Units must be between 1 and 65536', nodeId: 'd', field: 'units' },
    ]);
    expect(analysis.layers.get('o')!.errors[0].message).toBe('Rate must be at least 0 and less than 1');
    const badInput = analyzeDesign(chain(layer('in', 'Input', { shape: [28, 28] }), layer('d', 'Dense')));
    expect(errorsOn(badInput, 'in')).toEqual(['settings']);
  });

  it('planModel refuses an invalid design and says why', () => {
    const design = chain(layer('in', 'Input', { shape: [28, 28, 1] }), layer('d', 'Dense'));
    expect(() => planModel(design)).toThrow(DesignInvalidError);
    expect(() => planModel(design)).toThrow(/cannot be trained: 1 problem\. Dense expects a flat input/);
  });
});
