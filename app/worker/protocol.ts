// Messages between the page and the engine worker. Plain data only: the worker owns the GPU device
// and every engine object; the page sees summaries.
import type { AdapterSummary } from '../../src/engine/gpu/device';
import type { MnistShared } from '../../src/data/mnist';
import type { SyntheticOptions } from '../../src/data/synthetic';
import type { TrainSettings, RunState } from '../store/run';

/** Where the worker gets its samples: MNIST as it streams on the page (shared memory), or a synthetic set. */
export type DataRequest = { kind: 'mnist'; shared: MnistShared } | { kind: 'synthetic'; options: SyntheticOptions };

export type ToWorker =
  | { type: 'probe' }
  | {
      type: 'train';
      design: unknown;
      settings: TrainSettings;
      data: DataRequest;
      /**
       * Fault injection for tests, from the page's ?nanAtStep=N (that step's inputs become NaN) or
       * ?loseDeviceAtStep=N (the GPU device is lost before that step).
       */
      faults?: { nanAtStep?: number; loseDeviceAtStep?: number };
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Stops any run and forgets its model: the next Start begins from freshly initialised weights. */
  | { type: 'reset' }
  | { type: 'predict'; id: number; pixels: Float32Array };

export interface ErrorReport {
  name: string;
  message: string;
  hint: string;
}

export interface MisclassifiedSample {
  /** 28x28 grey levels in [0, 1]. */
  pixels: Float32Array;
  predicted: number;
  truth: number;
}

export interface EvaluationReport {
  classes: number;
  predicted: Int32Array;
  truth: Int32Array;
  misclassified: MisclassifiedSample[];
  /** First-layer weights as small images (Dense on 28x28 input, or conv filters). */
  filters: { width: number; height: number; images: Float32Array[] } | null;
}

export type FromWorker =
  | { type: 'gpu-ready'; adapter: AdapterSummary }
  | { type: 'gpu-unavailable'; error: ErrorReport & { reason: string } }
  | { type: 'gpu-error'; error: ErrorReport }
  | { type: 'run-state'; state: RunState; message?: { text: string; hint: string } }
  | {
      type: 'train-metrics';
      step: number;
      epoch: number;
      totalSteps: number;
      loss: number;
      accuracy: number | null;
      samplesPerSecond: number;
      elapsedMs: number;
    }
  | { type: 'test-metrics'; step: number; epoch: number; loss: number; accuracy: number | null }
  | { type: 'evaluation'; report: EvaluationReport }
  | { type: 'prediction'; id: number; probabilities: Float32Array | null; message?: string }
  | { type: 'boundary'; size: number; probabilities: Float32Array; domain: number };
