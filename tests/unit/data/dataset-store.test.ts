// The kept data sets in IndexedDB (fake-indexeddb in Node): saved, listed newest first without the
// arrays, loaded back equal, deleted, and kept across a second store on the same database (a reload).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../src/data/dataset';
import { indexedDbDatasetStore } from '../../../src/data/dataset-store';

let dbCount = 0;
const freshDbName = () => `test-datasets-${++dbCount}`;

function tableDataset(id: string, createdAt: number): Dataset {
  return {
    id,
    name: `set ${id}`,
    kind: 'table',
    task: 'regression',
    inputShape: [3],
    classNames: [],
    targetNames: ['y'],
    count: 4,
    source: `${id}.csv`,
    createdAt,
    bytes: 4 * 3 * 4 + 4 * 4 + 4 * 4,
    x: Float32Array.from({ length: 12 }, (_, i) => i / 7),
    labels: new Int32Array(0),
    targets: Float32Array.from([0.5, -1, 2, 3]),
    split: { train: Int32Array.from([0, 2]), validation: Int32Array.from([1]), test: Int32Array.from([3]) },
    encoding: {
      columns: [
        { name: 'a', kind: 'numeric', mean: 1, std: 2 },
        { name: 'c', kind: 'categorical', categories: ['p', 'q'] },
      ],
      target: { name: 'y', kind: 'numeric', mean: 3, std: 4 },
      missing: 'drop-row',
    },
  };
}

function imageDataset(id: string): Dataset {
  return {
    id,
    name: 'cats and dogs',
    kind: 'images',
    task: 'classification',
    inputShape: [2, 2, 3],
    classNames: ['cat', 'dog'],
    targetNames: [],
    count: 2,
    source: 'pets.zip',
    createdAt: 5,
    bytes: 24 + 8,
    x: Uint8Array.from({ length: 24 }, (_, i) => i * 10),
    labels: Int32Array.from([0, 1]),
    targets: new Float32Array(0),
    split: { train: Int32Array.from([0]), validation: new Int32Array(0), test: Int32Array.from([1]) },
  };
}

describe('dataset store (IndexedDB)', () => {
  it('saves, lists newest first, loads the same arrays back, and deletes', async () => {
    const store = indexedDbDatasetStore(freshDbName());
    expect(await store.list()).toEqual([]);
    await store.save(tableDataset('a', 1));
    await store.save(tableDataset('b', 2));
    const list = await store.list();
    expect(list.map((m) => m.id)).toEqual(['b', 'a']);
    expect(list[0]).not.toHaveProperty('x');
    expect(list[0]).toMatchObject({ name: 'set b', task: 'regression', count: 4, bytes: 80, inputShape: [3] });

    const loaded = await store.load('a');
    const original = tableDataset('a', 1);
    expect(loaded).not.toBeNull();
    expect(loaded!.x).toBeInstanceOf(Float32Array);
    expect(Array.from(loaded!.x)).toEqual(Array.from(original.x));
    expect(Array.from(loaded!.targets)).toEqual([0.5, -1, 2, 3]);
    expect(Array.from(loaded!.split.test)).toEqual([3]);
    expect(loaded!.encoding).toEqual(original.encoding);

    await store.delete('a');
    expect((await store.list()).map((m) => m.id)).toEqual(['b']);
    expect(await store.load('a')).toBeNull();
  });

  it('keeps image data sets as bytes', async () => {
    const store = indexedDbDatasetStore(freshDbName());
    await store.save(imageDataset('img'));
    const loaded = await store.load('img');
    expect(loaded!.x).toBeInstanceOf(Uint8Array);
    expect(Array.from(loaded!.x)).toEqual(Array.from(imageDataset('img').x));
    expect(loaded!.classNames).toEqual(['cat', 'dog']);
    expect(loaded).not.toHaveProperty('encoding');
  });

  it('finds what was kept from a new store on the same database (a reload)', async () => {
    const name = freshDbName();
    await indexedDbDatasetStore(name).save(tableDataset('kept', 3));
    const afterReload = indexedDbDatasetStore(name);
    expect((await afterReload.list()).map((m) => m.id)).toEqual(['kept']);
    expect((await afterReload.load('kept'))!.count).toBe(4);
  });

  it('returns null for an id it never saw', async () => {
    expect(await indexedDbDatasetStore(freshDbName()).load('nope')).toBeNull();
  });
});
