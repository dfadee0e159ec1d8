// The data set the playground trains on: MNIST (streamed, with its download progress) or a synthetic
// 2-D set and its settings. The store holds plain data for the UI; the loaded arrays live in this module
// and are reached through currentMnist() / currentDataSource(), so components never hold them in state.
// The choice (and the synthetic settings) persist in localStorage, so a reload trains on the same data.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { skipUnchangedWrites } from './storage';
import type { SampleSource } from '../../src/data/batches';
import {
  loadMnist,
  MnistLoadError,
  type MnistLoader,
  type MnistProgress,
  type MnistShared,
} from '../../src/data/mnist';
import { makeSyntheticSet, SYNTHETIC_SETS, type SyntheticSet, type SyntheticSetKind } from '../../src/data/synthetic';

/** MNIST, a synthetic set, or one of the person's kept data sets ('dataset', with `datasetId`). */
export type DataChoice = 'mnist' | SyntheticSetKind | 'dataset';

export interface MnistErrorView {
  file: string;
  reason: string;
  message: string;
  hint: string;
}

export interface MnistView {
  state: 'idle' | 'loading' | 'ready' | 'error';
  progress: MnistProgress | null;
  error: MnistErrorView | null;
  startedAtMs: number;
  elapsedMs: number;
  /** Increments with every load, so previews know to re-read a new loader's arrays. */
  generation: number;
}

export interface SyntheticSettings {
  size: number;
  /** 0..1 */
  noise: number;
  seed: number;
  /** Gaussian blobs: number of classes. */
  classes: number;
}

interface DataStore {
  choice: DataChoice;
  /** The kept data set in use when choice is 'dataset' (app/store/datasets.ts loads and holds it). */
  datasetId: string | null;
  mnist: MnistView;
  synthetic: SyntheticSettings;
  choose(choice: DataChoice): void;
  /** Trains on the kept data set `id` (or goes back to MNIST with null). */
  chooseDataset(id: string | null): void;
  /** Starts streaming MNIST unless it is loading or loaded. */
  loadMnist(): void;
  /** Drops a failed load and starts again. */
  retryMnist(): void;
  setSynthetic(settings: Partial<SyntheticSettings>): void;
}

/** How often streaming progress reaches React (the loader reports every chunk). */
const PROGRESS_INTERVAL_MS = 100;

let loader: MnistLoader | null = null;

/** The synthetic settings' allowed values (the Data section's controls offer no others). */
export const SYNTHETIC_SIZES = [100, 200, 400, 1000, 2000] as const;
export const SYNTHETIC_CLASS_COUNTS = [2, 3, 4, 5, 6, 8, 10] as const;
const DEFAULT_SYNTHETIC: SyntheticSettings = { size: 400, noise: 0.1, seed: 1, classes: 3 };

/** The part of the store that persists. */
export type SavedDataChoice = Pick<DataStore, 'choice' | 'datasetId' | 'synthetic'>;

/**
 * Reads what localStorage held (untrusted: another version, a hand edit): every field that is not a value
 * the Data section could have set falls back to its default, field by field.
 */
export function savedDataChoice(value: unknown): SavedDataChoice {
  const saved = (value ?? {}) as Record<string, unknown>;
  const synthetic = (saved.synthetic ?? {}) as Record<string, unknown>;
  const pick = <T>(v: unknown, ok: (v: unknown) => boolean, fallback: T): T => (ok(v) ? (v as T) : fallback);
  const datasetId = pick<string | null>(saved.datasetId, (v) => typeof v === 'string' && v.length > 0, null);
  let choice = pick<DataChoice>(
    saved.choice,
    (v) => v === 'mnist' || v === 'dataset' || (typeof v === 'string' && Object.hasOwn(SYNTHETIC_SETS, v)),
    'mnist',
  );
  if (choice === 'dataset' && datasetId === null) choice = 'mnist';
  return {
    choice,
    datasetId: choice === 'dataset' ? datasetId : null,
    synthetic: {
      size: pick(synthetic.size, (v) => (SYNTHETIC_SIZES as readonly unknown[]).includes(v), DEFAULT_SYNTHETIC.size),
      noise: pick(
        synthetic.noise,
        (v) => typeof v === 'number' && v >= 0 && v <= 1 && Number.isFinite(v),
        DEFAULT_SYNTHETIC.noise,
      ),
      seed: pick(synthetic.seed, (v) => Number.isSafeInteger(v) && (v as number) >= 0, DEFAULT_SYNTHETIC.seed),
      classes: pick(
        synthetic.classes,
        (v) => (SYNTHETIC_CLASS_COUNTS as readonly unknown[]).includes(v),
        DEFAULT_SYNTHETIC.classes,
      ),
    },
  };
}

export const useDataStore = create<DataStore>()(
  persist(
    (set, get) => ({
      choice: 'mnist',
      datasetId: null,
      mnist: { state: 'idle', progress: null, error: null, startedAtMs: 0, elapsedMs: 0, generation: 0 },
      synthetic: DEFAULT_SYNTHETIC,
      choose: (choice) => {
        set({ choice });
        if (choice === 'mnist') get().loadMnist();
      },
      chooseDataset: (id) => {
        if (id === null) {
          if (get().choice === 'dataset') get().choose('mnist');
          set({ datasetId: null });
          return;
        }
        set({ choice: 'dataset', datasetId: id });
      },
      loadMnist: () => {
        const { state } = get().mnist;
        if (state === 'loading' || state === 'ready') return;
        startMnist(set, get);
      },
      retryMnist: () => {
        loader?.abort();
        loader = null;
        startMnist(set, get);
      },
      setSynthetic: (settings) => set({ synthetic: { ...get().synthetic, ...settings } }),
    }),
    {
      name: 'playground.data',
      version: 1,
      // Download progress changes the store ~10 times a second; the saved choice rarely.
      storage: createJSONStorage(() => skipUnchangedWrites(() => localStorage)),
      partialize: (s): SavedDataChoice => ({ choice: s.choice, datasetId: s.datasetId, synthetic: s.synthetic }),
      merge: (persisted, current) => ({ ...current, ...savedDataChoice(persisted) }),
    },
  ),
);

type SetState = (partial: Partial<DataStore>) => void;

function startMnist(set: SetState, get: () => DataStore): void {
  const startedAtMs = performance.now();
  const generation = get().mnist.generation + 1;
  let pending: MnistProgress | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (!pending || current !== loader) return;
    const progress = pending;
    pending = null;
    set({ mnist: { ...get().mnist, progress, elapsedMs: performance.now() - startedAtMs } });
  };
  const current = loadMnist({
    onProgress: (progress) => {
      pending = progress;
      timer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
    },
  });
  loader = current;
  set({
    mnist: { state: 'loading', progress: current.progress(), error: null, startedAtMs, elapsedMs: 0, generation },
  });
  current.done.then(
    (progress) => {
      if (current !== loader) return;
      if (timer) clearTimeout(timer);
      set({ mnist: { ...get().mnist, state: 'ready', progress, elapsedMs: performance.now() - startedAtMs } });
    },
    (error: unknown) => {
      if (current !== loader) return;
      if (timer) clearTimeout(timer);
      const e =
        error instanceof MnistLoadError
          ? error
          : new MnistLoadError('MNIST', 'corrupt', String(error), 'Press Retry to load it again.');
      set({
        mnist: {
          ...get().mnist,
          state: 'error',
          progress: current.progress(),
          error: { file: e.file, reason: e.reason, message: e.message, hint: e.hint },
        },
      });
    },
  );
}

/** The MNIST loader of the current load (its train/test splits fill while it streams), or null. */
export function currentMnist(): MnistLoader | null {
  return loader;
}

/**
 * What the training worker needs to see MNIST while it streams: shared buffers and live counters (no copy).
 * Post it to the worker and call sharedMnistSplit(shared, 'train') there. Null before a load, or where the
 * page is not cross-origin isolated (then post the arrays of currentMnist() once it is complete).
 */
export function currentMnistShared(): MnistShared | null {
  return loader?.shared() ?? null;
}

let syntheticMemo: { key: string; set: SyntheticSet } | null = null;

/** The synthetic set for the given choice and settings (memoised: the same settings give the same object). */
export function syntheticSet(kind: SyntheticSetKind, settings: SyntheticSettings): SyntheticSet {
  const key = JSON.stringify([kind, settings]);
  if (syntheticMemo?.key !== key) {
    syntheticMemo = { key, set: makeSyntheticSet({ kind, ...settings }) };
  }
  return syntheticMemo.set;
}

/** What training should draw batches from now: MNIST train (possibly still streaming) or the synthetic set. */
export function currentDataSource(): SampleSource | null {
  const { choice, synthetic } = useDataStore.getState();
  if (choice === 'mnist') return loader?.train ?? null;
  if (choice === 'dataset') return null;
  return syntheticSet(choice, synthetic);
}
