// Messages between the page and the engine worker. Plain data only: the worker owns the GPU device
// and every engine object; the page sees summaries.
import type { AdapterSummary } from '../../src/engine/gpu/device';
import type { MnistShared } from '../../src/data/mnist';
import type { SyntheticOptions } from '../../src/data/synthetic';
import type { Dataset } from '../../src/data/dataset';
import type { NamedWeights } from '../../src/engine/model/model';
import type { OptimizerState } from '../../src/engine/optim/optimizer';
import type { TrainSettings, RunState } from '../store/run';

/**
 * Where the worker gets its samples: MNIST as it streams on the page (shared memory), a synthetic set, or
 * a person's own kept data set (a table or images, with its own train/validation/test split).
 */
export type DataRequest =
  | { kind: 'mnist'; shared: MnistShared }
  | { kind: 'synthetic'; options: SyntheticOptions }
  | { kind: 'dataset'; dataset: Dataset };

/** How far a run got: completed optimiser steps and epochs, and training batches drawn (exact resume). */
export interface RunProgress {
  stepCount: number;
  epoch: number;
  /** Batches drawn from the complete data set (the batcher is advanced this far on resume). */
  batchesDrawn: number;
}

/**
 * A model as plain data: the design and settings it was trained with, every tensor (parameters and
 * BatchNorm moving statistics, by name), the optimiser's state and the run's progress.
 */
export interface ModelSnapshot {
  design: unknown;
  settings: TrainSettings;
  tensors: NamedWeights[];
  optimizer: OptimizerState | null;
  progress: RunProgress;
}

/** A compute engine the worker can train on. */
export type EngineKind = 'webgpu' | 'wasm' | 'cpu';
/** What the page asks for: one engine, or 'auto' (the start-up rule: WebGPU on a hardware adapter, else wasm). */
export type EnginePreference = EngineKind | 'auto';

/** Which engine the worker trains on, what the automatic rule says here, and why. */
export interface EngineReport {
  /** The engine in use. */
  kind: EngineKind;
  /** What the page asked for. */
  preference: EnginePreference;
  /** The automatic rule's pick on this machine, and one sentence saying why. */
  rule: { kind: EngineKind; why: string };
  /** Set when the engine asked for could not start and `kind` runs instead. */
  fallback: { wanted: EngineKind; message: string; hint: string } | null;
  /** The WebGPU adapter when there is one (in use or not); null with `gpuUnavailable` set otherwise. */
  adapter: AdapterSummary | null;
  gpuUnavailable: (ErrorReport & { reason: string }) | null;
  /** wasm: worker threads in use (1 = single-threaded) and why only one; null for other engines. */
  threads: number | null;
  singleThreadReason: string | null;
  /** wasm: which kernel build runs (relaxed SIMD or plain) and the matmul tile timed at start; else null. */
  wasmKernels: { simd: 'relaxed' | 'simd'; matmulTile: 'shuffles' | 'splat loads' } | null;
}

/** What `train` needs to continue a saved run; `file` names it in messages. */
export type ResumePayload = Pick<ModelSnapshot, 'tensors' | 'optimizer' | 'progress'> & { file: string };

export type ToWorker =
  | { type: 'probe'; preference?: EnginePreference }
  /** Switches the engine for the next run (refused with 'engine-refused' while a run is in progress). */
  | { type: 'use-engine'; preference: EnginePreference }
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
      /** Continue a saved run: its weights, optimiser state and progress (the schedule goes on from there). */
      resume?: ResumePayload;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Stops any run and forgets its model: the next Start begins from freshly initialised weights. */
  | { type: 'reset' }
  | { type: 'predict'; id: number; pixels: Float32Array }
  /** Asks for the current model as a ModelSnapshot (answered with 'model-export'). */
  | { type: 'export-model'; id: number }
  /**
   * Compiles `design`, loads `tensors` into it (all names and shapes are checked first) and evaluates it
   * on the test set of `data`; on success it becomes the current model (predictions, export), on failure
   * the current model is kept. Answered with 'model-loaded'.
   */
  | {
      type: 'load-model';
      id: number;
      design: unknown;
      settings: TrainSettings;
      data: DataRequest;
      tensors: NamedWeights[];
      /** A project's optimiser state and progress, kept with the model (so a re-export loses nothing). */
      saved?: Pick<ModelSnapshot, 'optimizer' | 'progress'>;
      /** The imported file's name, for messages. */
      file: string;
    };

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
  /** Predicted class probabilities [count * classes]; a one-unit sigmoid output as (1 - p, p). */
  probabilities: Float32Array;
  misclassified: MisclassifiedSample[];
  /** First-layer weights as small images (Dense on 28x28 input, or conv filters). */
  filters: { width: number; height: number; images: Float32Array[] } | null;
}

/** A regression run on its test set: predicted against true targets, in the target's own units. */
export interface RegressionReport {
  /** The target's name (the table column), for the axis labels. */
  targetName: string;
  /** [count] true and predicted values of the (first) target, at most REGRESSION_POINTS of them. */
  truth: Float32Array;
  predicted: Float32Array;
  /** Test samples in all (more than truth.length when the plot was thinned). */
  total: number;
  /** Over every test sample, in the target's units. */
  rmse: number;
  /** Coefficient of determination, 1 - SS_res / SS_tot. */
  r2: number;
}

export type FromWorker =
  | { type: 'engine'; report: EngineReport }
  | { type: 'engine-refused'; message: { text: string; hint: string } }
  /** A run's first optimiser step has completed (its results are on the host side of the device). */
  | { type: 'first-step'; ms: number }
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
  /** Loss on the validation split after each epoch (runs with a validation split). */
  | { type: 'validation-metrics'; step: number; epoch: number; loss: number }
  | { type: 'evaluation'; report: EvaluationReport }
  | { type: 'regression'; report: RegressionReport }
  | { type: 'prediction'; id: number; probabilities: Float32Array | null; message?: string }
  | { type: 'boundary'; size: number; probabilities: Float32Array; domain: number }
  | { type: 'model-export'; id: number; snapshot: ModelSnapshot | null; message?: { text: string; hint: string } }
  | {
      type: 'model-loaded';
      id: number;
      /** The loaded model on the test set (null where the data has no test set or the load failed). */
      test: { loss: number; accuracy: number | null; samples: number } | null;
      evaluation: EvaluationReport | null;
      message?: { text: string; hint: string };
    };
