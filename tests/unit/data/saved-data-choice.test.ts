// The data choice read back from localStorage after a reload: what the Data section could have saved comes
// back as it was; anything else (another version, a hand edit) falls back to the default, field by field.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset';

// Node has no localStorage; the store persists into this one (a page's, as far as it can tell).
const saved = new Map<string, string>();
globalThis.localStorage ??= {
  getItem: (key: string) => saved.get(key) ?? null,
  setItem: (key: string, value: string) => void saved.set(key, value),
  removeItem: (key: string) => void saved.delete(key),
  clear: () => saved.clear(),
  key: (i: number) => [...saved.keys()][i] ?? null,
  get length() {
    return saved.size;
  },
};
const { savedDataChoice } = await import('../../../app/store/data');

const DEFAULTS = { size: 400, noise: 0.1, seed: 1, classes: 3 };

describe('savedDataChoice', () => {
  it('keeps a synthetic choice and its settings', () => {
    const saved = { choice: 'spirals', datasetId: null, synthetic: { size: 1000, noise: 0.3, seed: 2, classes: 5 } };
    expect(savedDataChoice(saved)).toEqual(saved);
  });

  it('keeps a kept data set by id', () => {
    expect(savedDataChoice({ choice: 'dataset', datasetId: 'abc-1', synthetic: DEFAULTS })).toEqual({
      choice: 'dataset',
      datasetId: 'abc-1',
      synthetic: DEFAULTS,
    });
  });

  it('falls back to MNIST for nothing saved, an unknown choice, or a data set without an id', () => {
    for (const value of [undefined, null, 'text', {}, { choice: 'imagenet' }, { choice: 'dataset' }, { choice: 7 }]) {
      expect(savedDataChoice(value)).toEqual({ choice: 'mnist', datasetId: null, synthetic: DEFAULTS });
    }
  });

  it('drops a data set id when the choice is not a data set', () => {
    expect(savedDataChoice({ choice: 'xor', datasetId: 'abc' }).datasetId).toBeNull();
  });

  it('replaces each out-of-range synthetic setting on its own', () => {
    const got = savedDataChoice({ choice: 'blobs', synthetic: { size: 999, noise: 0.5, seed: -1, classes: 10 } });
    expect(got.synthetic).toEqual({ size: 400, noise: 0.5, seed: 1, classes: 10 });
    const more = savedDataChoice({ choice: 'blobs', synthetic: { size: 200, noise: 7, seed: 3.5, classes: 7 } });
    expect(more.synthetic).toEqual({ size: 200, noise: 0.1, seed: 1, classes: 3 });
    expect(savedDataChoice({ choice: 'blobs', synthetic: { noise: Number.NaN } }).synthetic.noise).toBe(0.1);
  });
});

describe('restoring the saved choice after a reload', () => {
  it('loads a kept data set the choice names, and goes back to MNIST with a message when it is gone', async () => {
    const { useDataStore } = await import('../../../app/store/data');
    const { loadedDataset, useDatasetsStore } = await import('../../../app/store/datasets');
    const dataset: Dataset = {
      id: 'kept-1',
      name: 'two points',
      kind: 'table',
      task: 'regression',
      inputShape: [1],
      classNames: [],
      targetNames: ['y'],
      count: 2,
      source: 'two.csv',
      createdAt: 1,
      bytes: 16,
      x: Float32Array.from([0, 1]),
      labels: new Int32Array(0),
      targets: Float32Array.from([1, 2]),
      split: { train: Int32Array.from([0]), validation: new Int32Array(0), test: Int32Array.from([1]) },
    };
    await useDatasetsStore.getState().keep(dataset);

    useDataStore.setState({ choice: 'dataset', datasetId: dataset.id });
    await useDatasetsStore.getState().restoreSaved();
    expect(loadedDataset(dataset.id)?.name).toBe(dataset.name);
    expect(useDatasetsStore.getState().adaptation).toEqual({ datasetId: dataset.id, name: dataset.name, changes: [] });
    expect(useDataStore.getState().choice).toBe('dataset');
    expect(JSON.parse(localStorage.getItem('playground.data')!).state).toMatchObject({ datasetId: dataset.id });

    useDataStore.setState({ choice: 'dataset', datasetId: 'deleted-elsewhere' });
    await useDatasetsStore.getState().restoreSaved();
    expect(useDataStore.getState().choice).toBe('mnist');
    expect(useDataStore.getState().datasetId).toBeNull();
    expect(useDatasetsStore.getState().storeError?.message).toMatch(/no longer kept/);
  });
});
