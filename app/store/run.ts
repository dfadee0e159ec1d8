// The training run as the UI sees it: settings the person chose, the run's state, live figures and
// chart series. The worker posts plain data; this store appends it. High-frequency figures are kept
// in one object so a component re-renders once per update, not once per field.
import { create } from 'zustand';
import { classificationReport, type ClassificationReport } from '../../src/eval/metrics';
import { appendPoint, emptySeries, type Series } from '../train/series';
import type { EvaluationReport, FromWorker } from '../worker/protocol';
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
  testAccuracy: Series;
  /** Test-set evaluation after the run: the worker's report and the metrics computed from it. */
  evaluation: { report: EvaluationReport; metrics: ClassificationReport } | null;
  /** Class probabilities over a grid of the 2-D input plane (synthetic sets). */
  boundary: { size: number; probabilities: Float32Array; domain: number } | null;
  setSetting<K extends keyof TrainSettings>(key: K, value: TrainSettings[K]): void;
  resetSeries(): void;
  recordTrain(step: number, loss: number, accuracy: number): void;
  recordTest(epoch: number, loss: number, accuracy: number): void;
}

const ZERO_FIGURES: LiveFigures = { epoch: 0, step: 0, totalSteps: 0, samplesPerSecond: 0, elapsedMs: 0 };

export const useRunStore = create<RunStore>()((set) => ({
  settings: DEFAULT_SETTINGS,
  state: 'idle',
  message: null,
  evaluation: null,
  boundary: null,
  figures: ZERO_FIGURES,
  trainLoss: emptySeries(),
  trainAccuracy: emptySeries(),
  testLoss: emptySeries(),
  testAccuracy: emptySeries(),
  setSetting: (key, value) => set((s) => ({ settings: { ...s.settings, [key]: value } })),
  resetSeries: () =>
    set({
      evaluation: null,
      boundary: null,
      message: null,
      figures: ZERO_FIGURES,
      trainLoss: emptySeries(),
      trainAccuracy: emptySeries(),
      testLoss: emptySeries(),
      testAccuracy: emptySeries(),
    }),
  recordTrain: (step, loss, accuracy) =>
    set((s) => ({
      trainLoss: appendPoint(s.trainLoss, { x: step, y: loss }),
      trainAccuracy: appendPoint(s.trainAccuracy, { x: step, y: accuracy }),
    })),
  recordTest: (epoch, loss, accuracy) =>
    set((s) => ({
      testLoss: appendPoint(s.testLoss, { x: epoch, y: loss }),
      testAccuracy: appendPoint(s.testAccuracy, { x: epoch, y: accuracy }),
    })),
}));

/** Applies the worker's run messages to the store (subscribed once, at module load). */
export function applyRunMessage(message: FromWorker): void {
  const s = useRunStore.getState();
  switch (message.type) {
    case 'run-state':
      useRunStore.setState({ state: message.state, ...(message.message ? { message: message.message } : {}) });
      break;
    case 'train-metrics':
      useRunStore.setState({
        figures: {
          epoch: message.epoch,
          step: message.step,
          totalSteps: message.totalSteps,
          samplesPerSecond: message.samplesPerSecond,
          elapsedMs: message.elapsedMs,
        },
      });
      s.recordTrain(message.step, message.loss, message.accuracy ?? Number.NaN);
      break;
    case 'test-metrics':
      s.recordTest(message.step, message.loss, message.accuracy ?? Number.NaN);
      break;
    case 'evaluation': {
      const { report } = message;
      useRunStore.setState({
        evaluation: { report, metrics: classificationReport(report.predicted, report.truth, report.classes) },
      });
      break;
    }
    case 'boundary':
      useRunStore.setState({
        boundary: { size: message.size, probabilities: message.probabilities, domain: message.domain },
      });
      break;
  }
}

onEngineMessage(applyRunMessage);
