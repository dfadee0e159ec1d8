// The designer's store: edits, insertion into a connection, deletion, undo/redo and its step merging.
// Node has no localStorage: a Map-backed one is installed before the store module loads.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { analyzeDesign, templateById } from '../../../src/engine/graph';
import { emptyDesign, useDesignStore } from '../../../app/store/design';

const saved = vi.hoisted(() => {
  const items = new Map<string, string>();
  (globalThis as { localStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> }).localStorage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
  };
  return items;
});

const store = () => useDesignStore.getState();
const edges = () => store().design.edges.map((e) => `${e.source}->${e.target}`);

describe('design store', () => {
  beforeEach(() => {
    const empty = emptyDesign();
    useDesignStore.setState({ design: empty, past: [], future: [], selection: { nodeIds: [], edgeIds: [] } });
  });

  it('adds layers after the selected one and selects the new layer', () => {
    const dense = store().addLayer('Flatten', { after: 'input_1' });
    expect(dense).toBe('flatten_1');
    expect(store().selection.nodeIds).toEqual(['flatten_1']);
    store().addLayer('Dense', { after: 'flatten_1' });
    expect(edges()).toEqual(['input_1->flatten_1', 'flatten_1->dense_1']);
    const added = store().design.nodes.find((n) => n.id === 'dense_1')!;
    const flatten = store().design.nodes.find((n) => n.id === 'flatten_1')!;
    expect(added.position.y).toBeGreaterThan(flatten.position.y);
    expect(analyzeDesign(store().design).valid).toBe(true);
  });

  it('inserts a dropped layer into a connection, keeping the merge order', () => {
    useDesignStore.setState({ design: templateById('resnet')!.build() });
    const before = edges();
    const addIndex = before.indexOf('batchnorm_1->add_1');
    store().addLayer('Dropout', { onEdge: 'batchnorm_1->add_1', position: { x: 0, y: 0 } });
    const after = edges();
    expect(after[addIndex]).toBe('batchnorm_1->dropout_1');
    expect(after[addIndex + 1]).toBe('dropout_1->add_1');
    expect(after).not.toContain('batchnorm_1->add_1');
    expect(analyzeDesign(store().design).valid).toBe(true);
  });

  it('refuses duplicate connections; deleting a layer deletes its connections', () => {
    store().addLayer('Flatten', { after: 'input_1' });
    expect(store().connect('input_1', 'flatten_1')).toBe(false);
    expect(store().connect('flatten_1', 'input_1')).toBe(true);
    expect(analyzeDesign(store().design).errors.map((e) => e.code)).toContain('cycle');
    store().remove(['flatten_1'], []);
    expect(store().design.nodes.map((n) => n.id)).toEqual(['input_1']);
    expect(edges()).toEqual([]);
  });

  it('undoes and redoes; typing into one field is one undo step; a drag is one step', () => {
    store().addLayer('Flatten', { after: 'input_1' });
    store().addLayer('Dense', { after: 'flatten_1' });
    store().updateSetting('dense_1', 'units', 1);
    store().updateSetting('dense_1', 'units', 12);
    store().updateSetting('dense_1', 'units', 125);
    store().updateSetting('dense_1', 'activation', 'tanh');
    const units = () => (store().design.nodes.find((n) => n.id === 'dense_1')?.settings as { units: number }).units;
    expect(store().past).toHaveLength(4);
    store().undo();
    expect(units()).toBe(125);
    store().undo();
    expect(units()).toBe(128); // the default: "1", "12", "125" were one step
    expect(store().future).toHaveLength(2);
    store().redo();
    store().redo();
    expect((store().design.nodes.find((n) => n.id === 'dense_1')!.settings as { activation: string }).activation).toBe(
      'tanh',
    );

    store().checkpoint();
    store().moveNodes(new Map([['dense_1', { x: 5, y: 6 }]]));
    store().moveNodes(new Map([['dense_1', { x: 50, y: 60 }]]));
    store().undo();
    expect(store().design.nodes.find((n) => n.id === 'dense_1')!.position).not.toEqual({ x: 50, y: 60 });
    store().undo(); // activation
    store().undo(); // units
    store().undo(); // Dense
    expect(store().design.nodes.map((n) => n.id)).toEqual(['input_1', 'flatten_1']);
    store().undo(); // Flatten
    expect(store().design.nodes.map((n) => n.id)).toEqual(['input_1']);
    store().undo(); // nothing left to undo
    expect(store().design.nodes.map((n) => n.id)).toEqual(['input_1']);
  });

  it('persists the design (not a batch size: the run settings hold it), and replaces an unreadable saved design', async () => {
    store().addLayer('Flatten', { after: 'input_1' });
    const persisted = JSON.parse(saved.get('playground.design')!);
    expect(persisted.state.batchSize).toBeUndefined();
    expect(persisted.state.design.nodes.map((n: { id: string }) => n.id)).toEqual(['input_1', 'flatten_1']);
    expect(persisted.state.past).toBeUndefined();

    persisted.state.design.nodes[1].settings = { units: -1 };
    saved.set('playground.design', JSON.stringify(persisted));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await useDesignStore.persist.rehydrate();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('saved design could not be read'), expect.anything());
    warn.mockRestore();
    // The state kept what it had (the in-memory design), not the broken one.
    expect(store().design.nodes.map((n) => n.id)).toEqual(['input_1', 'flatten_1']);
  });
});
