// Kept runs: a record built from the run store's end state, the settings that differ between runs,
// JSON and CSV exports, IndexedDB storage (fake-indexeddb in Node), and recording from the run store.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { templateById } from '../../../src/engine/graph';
import { DEFAULT_SETTINGS, useRunStore, type TrainSettings } from '../../../app/store/run';
import {
  createRunsStore,
  differingSettings,
  indexedDbRunsStorage,
  keptRunFrom,
  recordRuns,
  runCurvesToCsv,
  runToJson,
  type KeptRun,
  type RunStart,
} from '../../../app/store/runs';
import { appendPoint, emptySeries, type Series } from '../../../app/train/series';

let dbCount = 0;
const freshDb = () => `test-runs-${++dbCount}`;

const seriesOf = (points: [number, number][]): Series =>
  points.reduce((s, [x, y]) => appendPoint(s, { x, y }), emptySeries());

function start(settings: Partial<TrainSettings> = {}): RunStart {
  return {
    design: templateById('xor')!.build(),
    data: { choice: 'xor', label: 'XOR', synthetic: { size: 400, noise: 0.1, seed: 1, classes: 2 } },
    settings: { ...DEFAULT_SETTINGS, ...settings },
  };
}

const endState = {
  trainLoss: seriesOf([
    [1, 0.7],
    [2, 0.5],
    [3, 0.3],
  ]),
  trainAccuracy: seriesOf([
    [1, 0.5],
    [2, 0.75],
    [3, 0.9],
  ]),
  testLoss: seriesOf([[3, 0.35]]),
  testAccuracy: seriesOf([[3, 0.88]]),
  figures: { epoch: 1, step: 3, totalSteps: 3, samplesPerSecond: 100, elapsedMs: 1234 },
};

function run(id: string, endedAt: number, settings: Partial<TrainSettings> = {}): KeptRun {
  return keptRunFrom(start(settings), endState, 'finished', { id, name: `Run ${id}`, endedAt });
}

describe('keptRunFrom', () => {
  it('keeps the settings, design summary, curves and the last value of each curve', () => {
    const r = run('1', 1000, { optimizer: 'sgd' });
    expect(r.settings.optimizer).toBe('sgd');
    expect(r.design.name).toBe('XOR 2-10-1');
    expect(r.design.summary).toBe('Input 2 → Dense 10 sigmoid → Dense 1 sigmoid');
    expect(r.design.params).toBe(2 * 10 + 10 + 10 + 1);
    expect(r.curves.trainLoss.map((p) => p.y)).toEqual([0.7, 0.5, 0.3]);
    expect(r.final).toEqual({ trainLoss: 0.3, trainAccuracy: 0.9, testLoss: 0.35, testAccuracy: 0.88 });
    expect(r.durationMs).toBe(1234);
    expect(r.steps).toBe(3);
  });

  it('gives no accuracy for a regression (NaN accuracy points are dropped)', () => {
    const r = keptRunFrom(
      start(),
      { ...endState, trainAccuracy: seriesOf([[1, Number.NaN]]), testAccuracy: emptySeries() },
      'stopped',
      { id: 'r', name: 'Run r', endedAt: 1 },
    );
    expect(r.final.trainAccuracy).toBeNull();
    expect(r.final.testAccuracy).toBeNull();
    expect(r.curves.trainAccuracy).toEqual([]);
  });
});

describe('differingSettings', () => {
  it('lists the optimiser when two runs differ only in it', () => {
    const rows = differingSettings([run('a', 1, { optimizer: 'sgd' }), run('b', 2, { optimizer: 'adam' })]);
    expect(rows.map((r) => r.key)).toEqual(['optimizer', 'momentum', 'nesterov']);
    expect(rows[0]).toEqual({ key: 'optimizer', label: 'Optimiser', values: ['SGD', 'Adam'] });
    // Momentum applies only to the SGD run; the Adam run shows a dash.
    expect(rows[1].values).toEqual(['0.9', '–']);
  });

  it('writes values as the Train section does: names, on/off, all', () => {
    const rows = differingSettings([
      run('a', 1, {
        optimizer: 'sgd',
        schedule: 'step',
        nesterov: true,
        trainLimit: 0,
        earlyStoppingPatience: 0,
        flip: true,
      }),
      run('b', 2, {
        optimizer: 'sgd',
        schedule: 'cosine',
        nesterov: false,
        trainLimit: 500,
        earlyStoppingPatience: 3,
        flip: false,
      }),
    ]);
    const text = Object.fromEntries(rows.map((r) => [r.label, r.values]));
    expect(text['Learning-rate schedule']).toEqual(['Step decay', 'Cosine']);
    expect(text['Nesterov momentum']).toEqual(['on', 'off']);
    expect(text['Training samples']).toEqual(['all', '500']);
    expect(text['Early stopping patience (epochs)']).toEqual(['off', '3']);
    expect(text['Random left-right flips']).toEqual(['on', 'off']);
  });

  it('is empty for identical runs and for a single run', () => {
    expect(differingSettings([run('a', 1), run('b', 2)])).toEqual([]);
    expect(differingSettings([run('a', 1, { learningRate: 0.1 })])).toEqual([]);
  });

  it('ignores settings without effect (momentum under Adam, decay under a constant schedule)', () => {
    const rows = differingSettings([
      run('a', 1, { momentum: 0.5, decayRate: 0.1 }),
      run('b', 2, { momentum: 0.9, decayRate: 0.9 }),
    ]);
    expect(rows).toEqual([]);
  });

  it('lists design, data set and several settings across three runs', () => {
    const a = run('a', 1, { learningRate: 0.1, batchSize: 10 });
    const b = run('b', 2, { learningRate: 0.01, batchSize: 10 });
    const c = {
      ...run('c', 3, { learningRate: 0.1, batchSize: 20 }),
      data: { choice: 'circles' as const, label: 'Circles' },
    };
    const rows = differingSettings([a, b, c]);
    expect(rows.map((r) => r.key)).toEqual(['data', 'learningRate', 'batchSize']);
    expect(rows.find((r) => r.key === 'learningRate')!.values).toEqual(['0.1', '0.01', '0.1']);
  });
});

describe('exports', () => {
  it('JSON holds the whole run and reads back equal', () => {
    const r = run('j', 5);
    const parsed = JSON.parse(runToJson(r));
    expect(parsed.format).toBe('playground-run');
    expect(parsed.run).toEqual(r);
  });

  it('CSV has one row per curve point', () => {
    const csv = runCurvesToCsv(run('c', 5)).trim().split('\n');
    expect(csv[0]).toBe('curve,step,value');
    expect(csv).toContain('train loss,3,0.3');
    expect(csv).toContain('test accuracy,3,0.88');
    expect(csv.length).toBe(1 + 3 + 3 + 1 + 1);
  });
});

describe('IndexedDB storage and the runs store', () => {
  it('saves, lists newest first, deletes, and keeps runs for a second store on the same database', async () => {
    const db = freshDb();
    const storage = indexedDbRunsStorage(db);
    await storage.save(run('old', 100));
    await storage.save(run('new', 200));
    expect((await storage.list()).map((r) => r.id)).toEqual(['new', 'old']);
    await storage.delete('old');
    const reopened = indexedDbRunsStorage(db);
    const kept = await reopened.list();
    expect(kept.map((r) => r.id)).toEqual(['new']);
    expect(kept[0]).toEqual(run('new', 200));
  });

  it('keeps, replaces, removes and loads runs; a storage failure is reported and the run stays on the page', async () => {
    const db = freshDb();
    const store = createRunsStore(indexedDbRunsStorage(db));
    await store.getState().keep(run('a', 1));
    await store.getState().keep({ ...run('a', 1), name: 'Run a (updated)' });
    await store.getState().keep(run('b', 2));
    expect(store.getState().runs.map((r) => r.name)).toEqual(['Run b', 'Run a (updated)']);
    await store.getState().remove('b');
    const second = createRunsStore(indexedDbRunsStorage(db));
    await second.getState().load();
    expect(second.getState().runs.map((r) => r.name)).toEqual(['Run a (updated)']);

    const failing = createRunsStore({
      save: () => Promise.reject(Object.assign(new Error('full'), { name: 'QuotaExceededError' })),
      list: () => Promise.resolve([]),
      delete: () => Promise.resolve(),
    });
    await failing.getState().keep(run('x', 1));
    expect(failing.getState().runs.map((r) => r.id)).toEqual(['x']);
    expect(failing.getState().error!.text).toMatch(/no room left to keep the run "Run x"/);
    expect(failing.getState().error!.hint).toMatch(/Delete kept runs/);
  });
});

describe('recordRuns', () => {
  it('records a run when it ends, updates it with late figures, and starts a new record for the next run', async () => {
    const runs = createRunsStore(indexedDbRunsStorage(freshDb()));
    let settings: TrainSettings = { ...DEFAULT_SETTINGS, optimizer: 'sgd' };
    let clock = 1000;
    const stop = recordRuns(
      useRunStore,
      runs,
      () => ({ ...start(), settings }),
      () => clock++,
    );
    try {
      useRunStore.getState().resetSeries();
      useRunStore.setState({ state: 'starting' });
      // What the Start captured is kept even if the settings change while it trains.
      settings = { ...settings, optimizer: 'rmsprop' };
      useRunStore.setState({ state: 'running', trainLoss: endState.trainLoss, figures: endState.figures });
      expect(runs.getState().runs).toEqual([]);
      useRunStore.setState({ state: 'stopped' });
      expect(runs.getState().runs).toHaveLength(1);
      const first = runs.getState().runs[0];
      expect(first.name).toBe('Run 1 · XOR 2-10-1');
      expect(first.end).toBe('stopped');
      expect(first.settings.optimizer).toBe('sgd');
      expect(first.final.testLoss).toBeNull();
      // The test evaluation arrives after the state: the same record is updated.
      useRunStore.setState({ testLoss: endState.testLoss });
      expect(runs.getState().runs).toHaveLength(1);
      expect(runs.getState().runs[0].id).toBe(first.id);
      expect(runs.getState().runs[0].final.testLoss).toBe(0.35);

      // Start clears the charts before the state changes: the kept record keeps its curves.
      useRunStore.getState().resetSeries();
      expect(runs.getState().runs[0].curves.trainLoss).toHaveLength(3);
      expect(runs.getState().runs[0].final.testLoss).toBe(0.35);
      // A failed run is not kept; the next ended run is "Run 2".
      useRunStore.setState({ state: 'starting' });
      useRunStore.setState({ state: 'failed' });
      expect(runs.getState().runs).toHaveLength(1);
      useRunStore.setState({ state: 'starting' });
      useRunStore.setState({ state: 'running' });
      useRunStore.setState({ state: 'finished' });
      expect(runs.getState().runs.map((r) => r.name)).toEqual(['Run 2 · XOR 2-10-1', 'Run 1 · XOR 2-10-1']);
      expect(runs.getState().runs[0].settings.optimizer).toBe('rmsprop');
    } finally {
      stop();
      useRunStore.setState({ state: 'idle' });
    }
  });
});
