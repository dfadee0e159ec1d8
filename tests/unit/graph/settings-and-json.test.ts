import { describe, expect, it } from 'vitest';
import type { FieldSpec } from '../../../src/engine/graph';
import {
  DesignFormatError,
  LAYERS,
  TEMPLATES,
  decodeDesignFromUrl,
  designToJson,
  encodeDesignForUrl,
  parseDesignJson,
  parseFieldText,
} from '../../../src/engine/graph';

const field = (type: keyof typeof LAYERS, key: string) =>
  (LAYERS[type].fields as readonly FieldSpec[]).find((f) => f.key === key)!;

describe('settings typed in the inspector', () => {
  it('parses and validates each kind of field', () => {
    expect(parseFieldText(field('Dense', 'units'), '128')).toEqual({ ok: true, value: 128 });
    expect(parseFieldText(field('Dense', 'units'), '1.5')).toEqual({
      ok: false,
      error: 'Units must be a whole number',
    });
    expect(parseFieldText(field('Dense', 'units'), '')).toEqual({ ok: false, error: 'Units is required' });
    expect(parseFieldText(field('Dense', 'units'), 'abc')).toEqual({
      ok: false,
      error: 'Units must be a number, not "abc"',
    });
    expect(parseFieldText(field('Conv2D', 'kernelSize'), '0')).toEqual({
      ok: false,
      error: 'Kernel size must be between 1 and 31',
    });
    expect(parseFieldText(field('Dropout', 'rate'), '0.25')).toEqual({ ok: true, value: 0.25 });
    expect(parseFieldText(field('BatchNorm', 'epsilon'), '0')).toMatchObject({ ok: false });
    expect(parseFieldText(field('Input', 'shape'), '28x28x1')).toEqual({ ok: true, value: [28, 28, 1] });
    expect(parseFieldText(field('Input', 'shape'), '28 × 28 × 1')).toEqual({ ok: true, value: [28, 28, 1] });
    expect(parseFieldText(field('Input', 'shape'), '784')).toEqual({ ok: true, value: [784] });
    expect(parseFieldText(field('Input', 'shape'), '28x28')).toMatchObject({ ok: false });
    expect(parseFieldText(field('Input', 'shape'), '28x-1x1')).toMatchObject({ ok: false });
    expect(parseFieldText(field('Conv2D', 'padding'), 'same')).toEqual({ ok: true, value: 'same' });
    expect(parseFieldText(field('Conv2D', 'padding'), 'full')).toMatchObject({ ok: false });
    expect(parseFieldText(field('Dense', 'useBias'), false)).toEqual({ ok: true, value: false });
  });
});

describe('JSON files and share links', () => {
  it('round-trips every template through JSON and through a URL', () => {
    for (const template of TEMPLATES) {
      const design = template.build();
      expect(parseDesignJson(designToJson(design))).toEqual(design);
      const encoded = encodeDesignForUrl(design);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeDesignFromUrl(encoded)).toEqual(design);
    }
  });

  it('keeps non-ASCII layer names through a URL', () => {
    const design = TEMPLATES[0].build();
    design.nodes[1].name = 'Schicht ü → 隠れ層';
    expect(decodeDesignFromUrl(encodeDesignForUrl(design)).nodes[1].name).toBe('Schicht ü → 隠れ層');
  });

  it('rejects malformed input with a message naming the place', () => {
    const good = JSON.parse(designToJson(TEMPLATES[1].build()));
    const cases: [unknown, RegExp][] = [
      ['[1, 2', /^Not valid JSON/],
      [42, /must be a JSON object/],
      [{ ...good, version: 2 }, /Unsupported design version 2/],
      [{ ...good, nodes: 'x' }, /"nodes" must be an array/],
      [{ ...good, nodes: [...good.nodes, { ...good.nodes[1] }] }, /nodes\[6\]\.id "conv2d_1" is used by two layers/],
      [{ ...good, nodes: [{ ...good.nodes[0], type: 'LSTM' }] }, /nodes\[0\]\.type "LSTM" is not a layer type/],
      [
        {
          ...good,
          nodes: good.nodes.map((n: { id: string }, i: number) =>
            i === 1 ? { ...n, settings: { ...good.nodes[1].settings, filters: -3 } } : n,
          ),
        },
        /nodes\[1\]\.settings\.filters: Filters must be between 1 and 4096 \(Conv2D "Conv2D 1"\)/,
      ],
      [
        {
          ...good,
          nodes: good.nodes.map((n: { id: string }, i: number) =>
            i === 1 ? { ...n, settings: { ...good.nodes[1].settings, __proto__x: 1 } } : n,
          ),
        },
        /unknown setting "__proto__x"/,
      ],
      [
        { ...good, edges: [{ id: 'e', source: 'input_1', target: 'nowhere' }] },
        /edges\[0\]\.target "nowhere" is not the id of a layer/,
      ],
      [
        { ...good, nodes: [{ ...good.nodes[0], position: { x: 'a', y: 0 } }], edges: [] },
        /nodes\[0\]\.position\.x must be a finite number/,
      ],
    ];
    for (const [value, message] of cases) {
      const json = typeof value === 'string' ? value : JSON.stringify(value);
      expect(() => parseDesignJson(json)).toThrow(DesignFormatError);
      expect(() => parseDesignJson(json)).toThrow(message);
    }
    expect(() => decodeDesignFromUrl('not*base64')).toThrow(/damaged/);
    expect(() => decodeDesignFromUrl('_-8')).toThrow(DesignFormatError);
  });

  it('rebuilds objects from known keys only (no prototype pollution)', () => {
    const json = designToJson(TEMPLATES[4].build()).replace(
      '"version": 1,',
      '"version": 1, "__proto__": {"polluted": true},',
    );
    const design = parseDesignJson(json);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(design)).toEqual(['version', 'name', 'nodes', 'edges']);
  });
});
