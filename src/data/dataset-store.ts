// Keeps a person's own data sets in the browser's IndexedDB, so a reload (or tomorrow's visit) finds
// them again: the metadata in one object store (listed without touching the arrays), the arrays in
// another. Nothing here talks to a server.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Dataset, DatasetMeta } from './dataset';

const DB_NAME = 'playground-datasets';
const DB_VERSION = 1;

type DatasetArrays = Pick<Dataset, 'x' | 'labels' | 'targets' | 'split' | 'encoding'> & { id: string };

interface DatasetDb extends DBSchema {
  meta: { key: string; value: DatasetMeta };
  arrays: { key: string; value: DatasetArrays };
}

/** Storing failed: usually the browser's storage quota, or IndexedDB switched off (private windows). */
export class DatasetStoreError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DatasetStoreError';
  }
}

/** Save, list, load and delete kept data sets. */
export interface DatasetStore {
  save(dataset: Dataset): Promise<void>;
  /** Kept data sets, newest first. */
  list(): Promise<DatasetMeta[]>;
  /** The whole data set, or null when no data set has that id. */
  load(id: string): Promise<Dataset | null>;
  delete(id: string): Promise<void>;
}

function metaOf(d: Dataset): DatasetMeta {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    task: d.task,
    inputShape: d.inputShape,
    classNames: d.classNames,
    targetNames: d.targetNames,
    count: d.count,
    source: d.source,
    createdAt: d.createdAt,
    bytes: d.bytes,
  };
}

function storeError(action: string, error: unknown): DatasetStoreError {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') {
    return new DatasetStoreError(
      `The browser has no room left to ${action}.`,
      'Delete a kept data set you no longer need, or free space for this site in the browser settings.',
    );
  }
  return new DatasetStoreError(
    `The browser refused to ${action}: ${error instanceof Error ? error.message : String(error)}.`,
    'IndexedDB may be switched off (private windows do this); in a normal window data sets are kept.',
  );
}

/** The store on the global `indexedDB` (the browser's, or fake-indexeddb's in tests), in database `dbName`. */
export function indexedDbDatasetStore(dbName = DB_NAME): DatasetStore {
  let db: Promise<IDBPDatabase<DatasetDb>> | null = null;
  const open = () => {
    db ??= openDB<DatasetDb>(dbName, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore('meta', { keyPath: 'id' });
        database.createObjectStore('arrays', { keyPath: 'id' });
      },
    });
    return db;
  };
  return {
    async save(dataset) {
      try {
        const database = await open();
        const tx = database.transaction(['meta', 'arrays'], 'readwrite');
        const { x, labels, targets, split, encoding } = dataset;
        await Promise.all([
          tx.objectStore('arrays').put({ id: dataset.id, x, labels, targets, split, encoding }),
          tx.objectStore('meta').put(metaOf(dataset)),
          tx.done,
        ]);
      } catch (error) {
        throw storeError(`keep the data set "${dataset.name}"`, error);
      }
    },
    async list() {
      try {
        const all = await (await open()).getAll('meta');
        return all.sort((a, b) => b.createdAt - a.createdAt);
      } catch (error) {
        throw storeError('list the kept data sets', error);
      }
    },
    async load(id) {
      try {
        const database = await open();
        const tx = database.transaction(['meta', 'arrays'], 'readonly');
        const [meta, arrays] = await Promise.all([tx.objectStore('meta').get(id), tx.objectStore('arrays').get(id)]);
        await tx.done;
        if (!meta || !arrays) return null;
        const { x, labels, targets, split, encoding } = arrays;
        return { ...meta, x, labels, targets, split, ...(encoding ? { encoding } : {}) };
      } catch (error) {
        throw storeError('read the kept data set', error);
      }
    },
    async delete(id) {
      try {
        const database = await open();
        const tx = database.transaction(['meta', 'arrays'], 'readwrite');
        await Promise.all([tx.objectStore('meta').delete(id), tx.objectStore('arrays').delete(id), tx.done]);
      } catch (error) {
        throw storeError('delete the data set', error);
      }
    },
  };
}
