// Kept runs: every training run that ends (finished, stopped or diverged) is recorded with its settings,
// design, data set, curves and final metrics, and kept in the browser's IndexedDB so the Runs section can
// list, compare, export and delete them. The pure parts (building a record, the settings that differ
// between runs, JSON and CSV) are separate from the storage and from the run-store subscription.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { create } from 'zustand';
import { analyzeDesign, type Design } from '../../src/engine/graph';
import { SYNTHETIC_SETS } from '../../src/data/synthetic';
import { seriesPoints, type Point } from '../train/series';
import { useDataStore, type DataChoice, type SyntheticSettings } from './data';
import { useDatasetsStore } from './datasets';
import { useDesignStore } from './design';
import { useRunStore, type RunState, type RunStore, type TrainSettings } from './run';

/** How a kept run ended. */
export type KeptRunEnd = 'finished' | 'stopped' | 'diverged';

export interface KeptRunCurves {
  trainLoss: Point[];
  trainAccuracy: Point[];
  testLoss: Point[];
  testAccuracy: Point[];
}

/** The last value of each curve (null where the run has none, e.g. accuracy of a regression). */
export interface KeptRunFinal {
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
}

export interface KeptRun {
  id: string;
  /** "Run 3 · XOR 2-10-1": the number counts runs kept in this browser. */
  name: string;
  /** When the run ended (ms since 1970). */
  endedAt: number;
  /** Training time the worker measured (ms). */
  durationMs: number;
  end: KeptRunEnd;
  steps: number;
  epochs: number;
  design: { name: string; summary: string; params: number };
  data: { choice: DataChoice; label: string; synthetic?: SyntheticSettings };
  settings: TrainSettings;
  curves: KeptRunCurves;
  final: KeptRunFinal;
}

/** What a run started with: captured at Start, since the design or data may change while it trains. */
export interface RunStart {
  design: Design;
  data: KeptRun['data'];
  settings: TrainSettings;
}

/** "Input 2 → Dense 10 sigmoid → Dense 1 sigmoid": the layers in order, with their main setting. */
export function designSummary(design: Design): { summary: string; params: number } {
  const analysis = analyzeDesign(design);
  const byId = new Map(design.nodes.map((n) => [n.id, n]));
  const ids = analysis.order.length > 0 ? analysis.order : design.nodes.map((n) => n.id);
  const parts = ids.map((id) => {
    const n = byId.get(id)!;
    switch (n.type) {
      case 'Input':
        return `Input ${n.settings.shape.join('×')}`;
      case 'Dense':
        return `Dense ${n.settings.units} ${n.settings.activation}`;
      case 'Conv2D':
        return `Conv2D ${n.settings.filters} ${n.settings.kernelSize}×${n.settings.kernelSize}`;
      case 'Dropout':
        return `Dropout ${n.settings.rate}`;
      default:
        return n.type;
    }
  });
  return { summary: parts.join(' → '), params: analysis.totalParams };
}

const lastY = (points: Point[]): number | null => {
  const y = points.at(-1)?.y;
  return y === undefined || !Number.isFinite(y) ? null : y;
};

/** The run store's state at the end of a run, as a kept run (`id`, `name` and `endedAt` from the caller). */
export function keptRunFrom(
  start: RunStart,
  run: Pick<RunStore, 'trainLoss' | 'trainAccuracy' | 'testLoss' | 'testAccuracy' | 'figures'>,
  end: KeptRunEnd,
  meta: { id: string; name: string; endedAt: number },
): KeptRun {
  const curves: KeptRunCurves = {
    trainLoss: seriesPoints(run.trainLoss),
    trainAccuracy: seriesPoints(run.trainAccuracy).filter((p) => Number.isFinite(p.y)),
    testLoss: seriesPoints(run.testLoss),
    testAccuracy: seriesPoints(run.testAccuracy).filter((p) => Number.isFinite(p.y)),
  };
  const { summary, params } = designSummary(start.design);
  return {
    ...meta,
    durationMs: run.figures.elapsedMs,
    end,
    steps: run.figures.step,
    epochs: run.figures.epoch,
    design: { name: start.design.name, summary, params },
    data: start.data,
    settings: start.settings,
    curves,
    final: {
      trainLoss: lastY(curves.trainLoss),
      trainAccuracy: lastY(curves.trainAccuracy),
      testLoss: lastY(curves.testLoss),
      testAccuracy: lastY(curves.testAccuracy),
    },
  };
}

/** Labels of the settings the comparison lists, in the order and words of the Train section. */
export const SETTING_LABELS: Record<keyof TrainSettings, string> = {
  optimizer: 'Optimiser',
  learningRate: 'Learning rate',
  momentum: 'Momentum',
  nesterov: 'Nesterov momentum',
  schedule: 'Learning-rate schedule',
  decayEpochs: 'Decay every (epochs)',
  decayRate: 'Decay factor',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  l1: 'L1 penalty',
  l2: 'L2 weight decay',
  seed: 'Seed',
  earlyStoppingPatience: 'Early stopping patience (epochs)',
  validationSplit: 'Validation split',
  trainLimit: 'Training samples',
  testLimit: 'Test samples',
  augment: 'Random shifts',
  flip: 'Random left-right flips',
};

/** The optimisers as the app names them. */
export const OPTIMIZER_LABEL = { sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop' } as const;
const SCHEDULE_LABEL = { constant: 'Constant', step: 'Step decay', cosine: 'Cosine' } as const;

/** A setting's value as the comparison shows it: names as the Train section writes them, on/off, "all". */
export function settingText<K extends keyof TrainSettings>(key: K, value: TrainSettings[K]): string {
  if (key === 'optimizer') return OPTIMIZER_LABEL[value as TrainSettings['optimizer']];
  if (key === 'schedule') return SCHEDULE_LABEL[value as TrainSettings['schedule']];
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if ((key === 'trainLimit' || key === 'testLimit') && value === 0) return 'all';
  if (key === 'earlyStoppingPatience' && value === 0) return 'off';
  return String(value);
}

export interface SettingDifference {
  /** A TrainSettings key, or 'design' / 'data'. */
  key: string;
  label: string;
  /** One value per run, in the order the runs were given. */
  values: string[];
}

/**
 * The settings whose values are not the same in every run (design and data set included). Momentum and
 * Nesterov count only where a run uses SGD, and the decay settings only with the step schedule, since
 * elsewhere they have no effect.
 */
export function differingSettings(runs: readonly KeptRun[]): SettingDifference[] {
  if (runs.length < 2) return [];
  const rows: SettingDifference[] = [];
  const add = (key: string, label: string, values: string[]) => {
    if (new Set(values).size > 1) rows.push({ key, label, values });
  };
  add(
    'design',
    'Design',
    runs.map((r) => `${r.design.name} (${r.design.summary})`),
  );
  add(
    'data',
    'Data set',
    runs.map((r) => r.data.label),
  );
  const applies = (key: keyof TrainSettings, s: TrainSettings) => {
    if (key === 'momentum' || key === 'nesterov') return s.optimizer === 'sgd';
    if (key === 'decayEpochs' || key === 'decayRate') return s.schedule === 'step';
    return true;
  };
  for (const key of Object.keys(SETTING_LABELS) as (keyof TrainSettings)[]) {
    const used = runs.map((r) => applies(key, r.settings));
    if (!used.some(Boolean)) continue;
    add(
      key,
      SETTING_LABELS[key],
      runs.map((r, i) => (used[i] ? settingText(key, r.settings[key]) : '–')),
    );
  }
  return rows;
}

/** The run as a JSON file's text (everything that is kept). */
export function runToJson(run: KeptRun): string {
  return JSON.stringify({ format: 'playground-run', version: 1, run }, null, 2);
}

/** The run's curves as CSV: one row per point, `curve,step,value`. */
export function runCurvesToCsv(run: KeptRun): string {
  const lines = ['curve,step,value'];
  for (const [curve, points] of Object.entries(run.curves) as [keyof KeptRunCurves, Point[]][]) {
    for (const p of points) lines.push(`${CURVE_NAMES[curve]},${p.x},${p.y}`);
  }
  return `${lines.join('\n')}\n`;
}

const CURVE_NAMES: Record<keyof KeptRunCurves, string> = {
  trainLoss: 'train loss',
  trainAccuracy: 'train accuracy',
  testLoss: 'test loss',
  testAccuracy: 'test accuracy',
};

/** A file name for the run's exports: "run-3-xor-2-10-1". */
export function runFileName(run: KeptRun): string {
  return run.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// ---- Storage ----------------------------------------------------------------------------------------

interface RunsDb extends DBSchema {
  runs: { key: string; value: KeptRun };
}

/** Keeping or reading runs failed: usually the storage quota, or IndexedDB switched off. */
export class RunsStorageError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RunsStorageError';
  }
}

function storageError(action: string, error: unknown): RunsStorageError {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') {
    return new RunsStorageError(
      `The browser has no room left to ${action}.`,
      'Delete kept runs you no longer need in the Runs section, or free space for this site in the browser settings.',
    );
  }
  return new RunsStorageError(
    `The browser refused to ${action}: ${error instanceof Error ? error.message : String(error)}.`,
    'IndexedDB may be switched off (private windows do this); in a normal window runs are kept.',
  );
}

/** Save, list and delete kept runs. */
export interface RunsStorage {
  save(run: KeptRun): Promise<void>;
  /** Kept runs, newest first. */
  list(): Promise<KeptRun[]>;
  delete(id: string): Promise<void>;
}

/** Runs in IndexedDB database `dbName` (the browser's, or fake-indexeddb's in tests). */
export function indexedDbRunsStorage(dbName = 'playground-runs'): RunsStorage {
  let db: Promise<IDBPDatabase<RunsDb>> | null = null;
  const open = () =>
    (db ??= openDB<RunsDb>(dbName, 1, {
      upgrade(database) {
        database.createObjectStore('runs', { keyPath: 'id' });
      },
    }));
  const wrap = async <T>(action: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      throw storageError(action, e);
    }
  };
  return {
    save: (run) => wrap(`keep the run "${run.name}"`, async () => void (await (await open()).put('runs', run))),
    list: () =>
      wrap('read the kept runs', async () =>
        (await (await open()).getAll('runs')).sort((a, b) => b.endedAt - a.endedAt),
      ),
    delete: (id) => wrap('delete the run', async () => (await open()).delete('runs', id)),
  };
}

// ---- Store ------------------------------------------------------------------------------------------

export interface RunsStore {
  /** Kept runs, newest first. */
  runs: KeptRun[];
  loaded: boolean;
  /** The last storage failure, shown until the next successful action. */
  error: { text: string; hint: string } | null;
  /** Reads the kept runs from storage (once; later calls do nothing). */
  load(): Promise<void>;
  /** Adds or replaces a run (same id) and keeps it. */
  keep(run: KeptRun): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The runs store over `storage` (tests pass one on a fresh database). */
export function createRunsStore(storage: RunsStorage) {
  return create<RunsStore>()((set, get) => {
    const fail = (e: unknown, action: string) => {
      const error = e instanceof RunsStorageError ? e : storageError(action, e);
      set({ error: { text: error.message, hint: error.hint } });
    };
    let loading: Promise<void> | null = null;
    return {
      runs: [],
      loaded: false,
      error: null,
      load: () =>
        (loading ??= storage.list().then(
          (kept) => {
            // Runs recorded before the list arrived stay (they are also in storage, unless saving failed).
            const ids = new Set(get().runs.map((r) => r.id));
            set({ runs: [...get().runs, ...kept.filter((r) => !ids.has(r.id))], loaded: true });
          },
          (e) => {
            set({ loaded: true });
            fail(e, 'read the kept runs');
          },
        )),
      keep: async (run) => {
        // Shown at once; storage follows, and a failure says so without losing the run from the page.
        set({ runs: [run, ...get().runs.filter((r) => r.id !== run.id)] });
        try {
          await storage.save(run);
          set({ error: null });
        } catch (e) {
          fail(e, `keep the run "${run.name}"`);
        }
      },
      remove: async (id) => {
        try {
          await storage.delete(id);
          set({ runs: get().runs.filter((r) => r.id !== id), error: null });
        } catch (e) {
          fail(e, 'delete the run');
        }
      },
    };
  });
}

export type RunsStoreHook = ReturnType<typeof createRunsStore>;

// ---- Recording --------------------------------------------------------------------------------------

const ACTIVE: RunState[] = ['starting', 'running', 'paused'];
const ENDS: Record<string, KeptRunEnd> = { finished: 'finished', stopped: 'stopped', diverged: 'diverged' };

/** A new kept run's number: one more than the highest "Run N" kept. */
function nextRunNumber(runs: readonly KeptRun[]): number {
  let n = 0;
  for (const r of runs) n = Math.max(n, Number(/^Run (\d+)/.exec(r.name)?.[1] ?? 0));
  return n + 1;
}

/**
 * Records every run of `runStore` that ends (finished, stopped or diverged) into `runs`. `capture` is
 * called when a run starts and says what it started with. Figures that arrive after the end (the last
 * test evaluation) update the same record until the next run starts. Returns the unsubscribe function.
 */
export function recordRuns(
  runStore: Pick<typeof useRunStore, 'subscribe'>,
  runs: RunsStoreHook,
  capture: () => RunStart,
  now: () => number = Date.now,
): () => void {
  let start: RunStart | null = null;
  let record: { id: string; name: string; endedAt: number; end: KeptRunEnd } | null = null;
  return runStore.subscribe((s, prev) => {
    if (s.state === 'starting' && prev.state !== 'starting') {
      start = capture();
      record = null;
      return;
    }
    const end = ENDS[s.state];
    // Reset weights, or a new Start clearing the charts: the kept record must not take the empty curves.
    const cleared = seriesPoints(s.trainLoss).length < seriesPoints(prev.trainLoss).length;
    if (s.state === 'idle' || cleared) {
      start = null;
      record = null;
    }
    if (!start || !end) return;
    if (ACTIVE.includes(prev.state) || !record) {
      const number = nextRunNumber(runs.getState().runs);
      record = { id: `run-${now()}-${number}`, name: `Run ${number} · ${start.design.name}`, endedAt: now(), end };
    } else if (
      s.trainLoss === prev.trainLoss &&
      s.testLoss === prev.testLoss &&
      s.testAccuracy === prev.testAccuracy &&
      s.figures === prev.figures
    ) {
      return;
    }
    void runs.getState().keep(keptRunFrom(start, s, record.end, record));
  });
}

/** What the page's run starts with: the current design, data choice and settings. */
export function captureRunStart(): RunStart {
  const { choice, synthetic, datasetId } = useDataStore.getState();
  const label =
    choice === 'mnist'
      ? 'MNIST digits'
      : choice === 'dataset'
        ? (useDatasetsStore.getState().kept.find((m) => m.id === datasetId)?.name ?? 'your data set')
        : SYNTHETIC_SETS[choice].label;
  return {
    design: useDesignStore.getState().design,
    data: { choice, label, ...(choice !== 'mnist' && choice !== 'dataset' ? { synthetic } : {}) },
    settings: useRunStore.getState().settings,
  };
}

/** The page's kept runs, in IndexedDB. */
export const useRunsStore = createRunsStore(
  typeof indexedDB === 'undefined'
    ? {
        save: () => Promise.reject(new Error('IndexedDB is not available')),
        list: () => Promise.resolve([]),
        delete: () => Promise.resolve(),
      }
    : indexedDbRunsStorage(),
);

let recording: (() => void) | null = null;

/** Starts recording the page's runs (once). */
export function startRecordingRuns(): void {
  recording ??= recordRuns(useRunStore, useRunsStore, captureRunStart);
  void useRunsStore.getState().load();
}
