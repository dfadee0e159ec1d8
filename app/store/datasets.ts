// The person's own data sets: the list kept in IndexedDB, the CSV/TSV import in progress (its worker,
// progress, parsed shape and choices), and the data set in use, loaded once and held here (not in React
// state) for the training request. Using a data set fits the design to it as one undoable change.
import { create } from 'zustand';
import type { Dataset, DatasetMeta } from '../../src/data/dataset';
import { DatasetStoreError, indexedDbDatasetStore, type DatasetStore } from '../../src/data/dataset-store';
import type { TableError } from '../../src/data/table';
import { checkTableFile, choicesFromKinds, type TableChoices } from '../../src/data/table';
import type { TemplateFit } from '../../src/engine/graph';
import type {
  FromTableWorker,
  TableErrorView,
  TableProgress,
  TableView,
  ToTableWorker,
} from '../data/own/table-protocol';
import { useDataStore } from './data';
import { useDesignStore } from './design';

export interface TableImport {
  state: 'idle' | 'parsing' | 'parsed' | 'keeping' | 'error';
  progress: TableProgress | null;
  table: TableView | null;
  choices: TableChoices | null;
  /** The name the data set is kept under. */
  name: string;
  /** The worker's answer for the current choices: rows dropped, target classes. */
  check: { dropped: { targetMissing: number; inputMissing: number }; classes: number } | null;
  error: TableErrorView | null;
  /** The data set this import was just kept as. */
  kept: { id: string; name: string } | null;
}

export interface DatasetsStore {
  kept: DatasetMeta[];
  listState: 'loading' | 'ready' | 'error';
  /** IndexedDB refused (quota, private window): what happened and what to do. */
  storeError: { message: string; hint: string } | null;
  tableImport: TableImport;
  /** The data set in use and what using it changed in the design. */
  adaptation: { datasetId: string; name: string; changes: string[] } | null;
  /** Reads the list of kept data sets. */
  refresh(): Promise<void>;
  /** Stores a data set; with `use`, trains on it next. Rejects with a DatasetStoreError to show. */
  keep(dataset: Dataset, options?: { use?: boolean }): Promise<void>;
  remove(id: string): Promise<void>;
  /** Loads a kept data set, chooses it in the Data section and fits the design to it. */
  use(id: string): Promise<void>;
  /**
   * After a reload: loads the kept data set the saved data choice names, leaving the design as it was saved
   * (it was fitted when the set was chosen); where the set is no longer kept, goes back to MNIST and says so.
   */
  restoreSaved(): Promise<void>;
  openTableFile(file: File): void;
  setTableChoices(changes: Partial<TableChoices>): void;
  setTableName(name: string): void;
  /** Encodes the table with the current choices (in the worker) and keeps it. */
  keepTable(): Promise<void>;
  clearTable(): void;
}

const IDLE_IMPORT: TableImport = {
  state: 'idle',
  progress: null,
  table: null,
  choices: null,
  name: '',
  check: null,
  error: null,
  kept: null,
};

let store: DatasetStore | null = null;
const datasetStore = () => (store ??= indexedDbDatasetStore());
/** The data set in use, loaded (its arrays are posted to the training worker). */
let inUse: Dataset | null = null;
let tableWorker: Worker | null = null;
let checkId = 0;

/** The loaded data set with this id, when it is the one in use. */
export function loadedDataset(id: string | null): Dataset | null {
  return inUse && inUse.id === id ? inUse : null;
}

/** What a data set asks of the design (Input shape; classes, or regression targets). */
export function datasetFit(meta: DatasetMeta): TemplateFit {
  return meta.task === 'classification'
    ? { inputShape: meta.inputShape, task: 'classification', outputs: meta.classNames.length }
    : { inputShape: meta.inputShape, task: 'regression', outputs: meta.targetNames.length };
}

function newId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function storeErrorView(error: unknown): { message: string; hint: string } {
  if (error instanceof DatasetStoreError) return { message: error.message, hint: error.hint };
  return { message: String(error), hint: 'Reload the page and try again.' };
}

export const useDatasetsStore = create<DatasetsStore>()((set, get) => {
  const setImport = (changes: Partial<TableImport>) => set({ tableImport: { ...get().tableImport, ...changes } });

  const askCheck = () => {
    const { choices, state } = get().tableImport;
    if (!tableWorker || !choices || state !== 'parsed') return;
    post({ type: 'check', id: ++checkId, choices });
  };

  const post = (message: ToTableWorker) => tableWorker?.postMessage(message);

  const onWorkerMessage = (message: FromTableWorker) => {
    switch (message.type) {
      case 'progress':
        setImport({ progress: message.progress });
        break;
      case 'parsed': {
        const base = message.table.file.replace(/\.(csv|tsv|txt)$/i, '');
        setImport({
          state: 'parsed',
          table: message.table,
          choices: choicesFromKinds(message.table.columns.map((c) => c.suggested)),
          name: base,
          error: null,
        });
        askCheck();
        break;
      }
      case 'checked':
        if (message.id === checkId) setImport({ check: { dropped: message.dropped, classes: message.classes } });
        break;
      case 'encoded':
        void keepEncoded(message.dataset);
        break;
      case 'error':
        if (message.stage === 'parse') {
          tableWorker?.terminate();
          tableWorker = null;
          setImport({ ...IDLE_IMPORT, state: 'error', error: message.error });
        } else {
          // Encoding failed (a class with one example, ...): the parsed table and choices stay.
          setImport({ state: 'parsed', error: message.error });
        }
        break;
    }
  };

  const keepEncoded = async (dataset: Dataset) => {
    try {
      await get().keep(dataset);
      tableWorker?.terminate();
      tableWorker = null;
      set({ tableImport: { ...IDLE_IMPORT, kept: { id: dataset.id, name: dataset.name } } });
    } catch (error) {
      const view = storeErrorView(error);
      setImport({ state: 'parsed', error: { reason: 'failed', ...view, place: { file: dataset.source } } });
    }
  };

  return {
    kept: [],
    listState: 'loading',
    storeError: null,
    tableImport: IDLE_IMPORT,
    adaptation: null,

    refresh: async () => {
      try {
        set({ kept: await datasetStore().list(), listState: 'ready' });
      } catch (error) {
        set({ listState: 'error', storeError: storeErrorView(error) });
      }
    },

    keep: async (dataset, options = {}) => {
      await datasetStore().save(dataset);
      set({ storeError: null });
      await get().refresh();
      if (options.use) {
        inUse = dataset;
        applyUse(dataset);
      }
    },

    remove: async (id) => {
      try {
        await datasetStore().delete(id);
        if (inUse?.id === id) inUse = null;
        if (useDataStore.getState().datasetId === id) useDataStore.getState().chooseDataset(null);
        if (get().adaptation?.datasetId === id) set({ adaptation: null });
        await get().refresh();
      } catch (error) {
        set({ storeError: storeErrorView(error) });
      }
    },

    use: async (id) => {
      try {
        const dataset = inUse?.id === id ? inUse : await datasetStore().load(id);
        if (!dataset) {
          set({ storeError: { message: 'That data set is no longer kept.', hint: 'Import it again.' } });
          await get().refresh();
          return;
        }
        inUse = dataset;
        applyUse(dataset);
      } catch (error) {
        set({ storeError: storeErrorView(error) });
      }
    },

    restoreSaved: async () => {
      const { choice, datasetId } = useDataStore.getState();
      if (choice !== 'dataset' || datasetId === null || inUse?.id === datasetId) return;
      // The list names the set wherever it is shown (the Train section's "on ...", run records).
      void get().refresh();
      try {
        const dataset = await datasetStore().load(datasetId);
        // The person may have chosen other data while it loaded.
        if (useDataStore.getState().choice !== 'dataset' || useDataStore.getState().datasetId !== datasetId) return;
        if (!dataset) {
          useDataStore.getState().chooseDataset(null);
          set({
            storeError: {
              message: 'The data set chosen before the reload is no longer kept in this browser, so MNIST is chosen.',
              hint: 'Import it again under "Your data" to train on it.',
            },
          });
          return;
        }
        inUse = dataset;
        set({ adaptation: { datasetId: dataset.id, name: dataset.name, changes: [] } });
      } catch (error) {
        set({ storeError: storeErrorView(error) });
      }
    },

    openTableFile: (file) => {
      tableWorker?.terminate();
      tableWorker = null;
      try {
        // Refused here at once (type, size) before a worker starts; the worker checks again.
        checkTableFile(file.name, file.size);
      } catch (error) {
        const e = error as TableError;
        set({
          tableImport: {
            ...IDLE_IMPORT,
            state: 'error',
            error: { reason: e.reason, message: e.message, hint: e.hint, place: e.place },
          },
        });
        return;
      }
      const worker = new Worker(new URL('../data/table.worker.ts', import.meta.url), { type: 'module', name: 'table' });
      tableWorker = worker;
      worker.onmessage = (event: MessageEvent<FromTableWorker>) => {
        if (worker === tableWorker) onWorkerMessage(event.data);
      };
      worker.onerror = (event) => {
        if (worker !== tableWorker) return;
        worker.terminate();
        tableWorker = null;
        set({
          tableImport: {
            ...IDLE_IMPORT,
            state: 'error',
            error: {
              reason: 'failed',
              message: `Reading ${file.name} stopped: ${event.message || 'the table reader failed'}.`,
              hint: 'Reload the page and choose the file again.',
              place: { file: file.name },
            },
          },
        });
      };
      set({
        tableImport: {
          ...IDLE_IMPORT,
          state: 'parsing',
          progress: { bytesRead: 0, bytesTotal: file.size, rows: 0 },
        },
      });
      worker.postMessage({ type: 'parse', file } satisfies ToTableWorker);
    },

    setTableChoices: (changes) => {
      const { choices } = get().tableImport;
      if (!choices) return;
      setImport({ choices: { ...choices, ...changes }, error: null });
      askCheck();
    },

    setTableName: (name) => setImport({ name }),

    keepTable: async () => {
      const { choices, name, table, state } = get().tableImport;
      if (!choices || !table || state !== 'parsed' || !tableWorker) return;
      setImport({ state: 'keeping', error: null });
      post({
        type: 'encode',
        choices,
        options: { id: newId(), name: name.trim() || table.file, createdAt: Date.now() },
      });
    },

    clearTable: () => {
      tableWorker?.terminate();
      tableWorker = null;
      set({ tableImport: IDLE_IMPORT });
    },
  };

  /** Chooses the loaded data set for training and fits the design to it (one undoable change). */
  function applyUse(dataset: Dataset) {
    useDataStore.getState().chooseDataset(dataset.id);
    const changes = useDesignStore.getState().adaptToData(datasetFit(dataset));
    set({ adaptation: { datasetId: dataset.id, name: dataset.name, changes } });
  }
});
