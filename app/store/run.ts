// The training run as the UI sees it: settings the person chose, the run's state, live figures and
// chart series. The worker posts plain data; this store appends it. High-frequency figures are kept
// in one object so a component re-renders once per update, not once per field.
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { classificationReport, type ClassificationReport } from '../../src/eval/metrics';
import { classifierRoc, type ClassifierRoc } from '../../src/eval/roc';
import { appendPoint, emptySeries, type Series } from '../train/series';
import type { EvaluationReport, FromWorker, RegressionReport } from '../worker/protocol';
import { onEngineMessage } from './engine';

export type OptimizerName = 'sgd' | 'adam' | 'rmsprop';
export type ScheduleName = 'constant' | 'step' | 'cosine';

export interface TrainSettings {
  optimizer: OptimizerName;
  learningRate: number;
  /** SGD momentum (0 = plain SGD) and Nesterov. */
  momentum: number;
  nesterov: boolean;
  schedule: ScheduleName;
  /** Step schedule: multiply the rate by `decayRate` every `decayEpochs` epochs. */
  decayEpochs: number;
  decayRate: number;
  batchSize: number;
  epochs: number;
  l1: number;
  l2: number;
  seed: number;
  /** Stop when validation loss has not improved for this many epochs; 0 = off. */
  earlyStoppingPatience: number;
  validationSplit: number;
  /** Train on the first this-many samples of the training set (0 = all of it). */
  trainLimit: number;
  /** Evaluate on the first this-many test samples (0 = all of them). */
  testLimit: number;
  /** Random shifts of up to 2 px (image data sets). */
  augment: boolean;
  /** Random left-right flips (image data sets whose classes look the same mirrored; not digits or text). */
  flip: boolean;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  nesterov: false,
  schedule: 'constant',
  decayEpochs: 1,
  decayRate: 0.5,
  batchSize: 100,
  epochs: 1,
  l1: 0,
  l2: 0,
  seed: 1,
  earlyStoppingPatience: 0,
  validationSplit: 0,
  trainLimit: 0,
  testLimit: 0,
  augment: false,
  flip: false,
};

export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped' | 'finished' | 'diverged' | 'failed';

export interface LiveFigures {
  epoch: number;
  step: number;
  totalSteps: number;
  samplesPerSecond: number;
  elapsedMs: number;
}

export interface RunStore {
  settings: TrainSettings;
  state: RunState;
  /** What went wrong (diverged, device lost, invalid design), shown until the next start. */
  message: { text: string; hint: string } | null;
  figures: LiveFigures;
  trainLoss: Series;
  trainAccuracy: Series;
  testLoss: Series;
  /** Validation-split loss after each epoch (empty without a validation split). */
  validationLoss: Series;
  testAccuracy: Series;
  /** Test-set evaluation after the run: the worker's report and the metrics computed from it. */
  evaluation: { report: EvaluationReport; metrics: ClassificationReport; roc: ClassifierRoc } | null;
  /** Class probabilities over a grid of the 2-D input plane (synthetic sets). */
  boundary: { size: number; probabilities: Float32Array; domain: number } | null;
  /** A regression run's test set: predicted against true values. */
  regression: RegressionReport | null;
  setSetting<K extends keyof TrainSettings>(key: K, value: TrainSettings[K]): void;
  resetSeries(): void;
}

const ZERO_FIGURES: LiveFigures = { epoch: 0, step: 0, totalSteps: 0, samplesPerSecond: 0, elapsedMs: 0 };

/** A run's results before its first report: what a new store starts with and what resetSeries() puts back. */
type RunResults = Pick<
  RunStore,
  | 'evaluation'
  | 'boundary'
  | 'regression'
  | 'message'
  | 'figures'
  | 'trainLoss'
  | 'trainAccuracy'
  | 'testLoss'
  | 'validationLoss'
  | 'testAccuracy'
>;

function emptyResults(): RunResults {
  return {
    evaluation: null,
    boundary: null,
    regression: null,
    message: null,
    figures: ZERO_FIGURES,
    trainLoss: emptySeries(),
    trainAccuracy: emptySeries(),
    testLoss: emptySeries(),
    validationLoss: emptySeries(),
    testAccuracy: emptySeries(),
  };
}

export const useRunStore = create<RunStore>()(
  persist(
    (set) => ({
      settings: DEFAULT_SETTINGS,
      state: 'idle',
      ...emptyResults(),
      setSetting: (key, value) => set((s) => ({ settings: { ...s.settings, [key]: value } })),
      resetSeries: () => set(emptyResults()),
    }),
    {
      name: 'playground-run-settings',
      version: 1,
      // Only the settings persist; a run's charts and state belong to that page session.
      partialize: (s) => ({ settings: s.settings }),
      merge: (saved, current) => ({
        ...current,
        settings: {
          ...DEFAULT_SETTINGS,
          ...((saved as { settings?: Partial<TrainSettings> } | undefined)?.settings ?? {}),
        },
      }),
    },
  ),
);

/** The figures the Train section shows for a test-set evaluation: metrics and ROC from the worker's report. */
export function evaluationOf(report: EvaluationReport): NonNullable<RunStore['evaluation']> {
  return {
    report,
    metrics: classificationReport(report.predicted, report.truth, report.classes),
    roc: rocOf(report),
  };
}

/** ROC/AUC of the report; a report the curve cannot be drawn from (NaN probabilities) shows AUC as undefined. */
function rocOf(report: EvaluationReport): ClassifierRoc {
  try {
    return classifierRoc(report.probabilities, report.truth, report.classes);
  } catch {
    return { binary: null, perClassAuc: new Array<null>(report.classes).fill(null) };
  }
}

/** The store fields one worker message changes (pure, so a batch of messages folds into one update). */
function runUpdate(s: RunStore, message: FromWorker): Partial<RunStore> {
  switch (message.type) {
    case 'run-state':
      return { state: message.state, ...(message.message ? { message: message.message } : {}) };
    case 'train-metrics':
      return {
        figures: {
          epoch: message.epoch,
          step: message.step,
          totalSteps: message.totalSteps,
          samplesPerSecond: message.samplesPerSecond,
          elapsedMs: message.elapsedMs,
        },
        trainLoss: appendPoint(s.trainLoss, { x: message.step, y: message.loss }),
        trainAccuracy: appendPoint(s.trainAccuracy, { x: message.step, y: message.accuracy ?? Number.NaN }),
      };
    case 'test-metrics':
      return {
        testLoss: appendPoint(s.testLoss, { x: message.step, y: message.loss }),
        testAccuracy: appendPoint(s.testAccuracy, { x: message.step, y: message.accuracy ?? Number.NaN }),
      };
    case 'validation-metrics':
      return { validationLoss: appendPoint(s.validationLoss, { x: message.step, y: message.loss }) };
    case 'evaluation': {
      const { report } = message;
      return { evaluation: evaluationOf(report) };
    }
    case 'regression':
      return { regression: message.report };
    case 'boundary':
      return { boundary: { size: message.size, probabilities: message.probabilities, domain: message.domain } };
    default:
      return {};
  }
}

/**
 * How often worker messages reach React. A small network trains hundreds of steps a second; re-rendering
 * the charts for each report would starve the page's main thread, so messages are folded into one
 * store update per interval.
 */
export const UI_UPDATE_MS = 100;
const pending: FromWorker[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** Queues a worker message for the next store update. */
export function applyRunMessage(message: FromWorker): void {
  pending.push(message);
  flushTimer ??= setTimeout(flushRunMessages, UI_UPDATE_MS);
}

/** Applies every queued message in one store update. */
export function flushRunMessages(): void {
  flushTimer = null;
  const base = useRunStore.getState();
  let next: RunStore = base;
  for (const message of pending.splice(0)) next = { ...next, ...runUpdate(next, message) };
  if (next !== base) useRunStore.setState(next);
}

onEngineMessage(applyRunMessage);
