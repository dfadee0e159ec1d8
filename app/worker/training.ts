// One training run inside the engine worker: compiles the design for the backend, draws batches from
// the data the page shares, runs the trainer step by step (pausable, stoppable), evaluates on the test
// set after each epoch, and keeps the last good weights so that a diverging run or a lost device loses
// nothing. Everything posted out is plain data.
import { Batcher, MNIST_MEAN, MNIST_STD, splitIndices, type SampleSource } from '../../src/data/batches';
import { datasetSource } from '../../src/data/dataset';
import { sharedMnistSplit } from '../../src/data/mnist';
import { makeSyntheticSet, makeSyntheticTestSet, SYNTHETIC_DOMAIN } from '../../src/data/synthetic';
import type { Backend } from '../../src/engine/backend/backend';
import type { WasmBackend } from '../../src/engine/backend/wasm/wasm';
import { analyzeDesign, designFromValue, type GpuBufferLimits } from '../../src/engine/graph';
import { compileDesign, type GraphModel } from '../../src/engine/model/graph-model';
import type { NamedWeights } from '../../src/engine/model/model';
import { Optimizer, type OptimizerConfig } from '../../src/engine/optim/optimizer';
import { Trainer, type MetricsReport } from '../../src/engine/train/trainer';
import { argmaxRow } from '../../src/eval/metrics';
import { loadModelTensors, modelTensors } from '../../src/export/tensors';
import { lrScheduleFor } from '../learn/schedule';
import type { TrainSettings } from '../store/run';
import type {
  DataRequest,
  EvaluationReport,
  FromWorker,
  MisclassifiedSample,
  ModelSnapshot,
  RegressionReport,
  ResumePayload,
  RunProgress,
} from './protocol';

/** A run failure the person can act on: `text` says what happened, `hint` what to do. */
export class RunError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}

const BOUNDARY_GRID = 48;
const MISCLASSIFIED_SHOWN = 24;
/** Test points a regression run sends for the predicted-vs-true plot. */
const REGRESSION_POINTS = 5000;
const FILTERS_SHOWN = 16;

/**
 * Fault injection for tests: NaN inputs at a step, or a lost GPU device at a step. `onFirstStep` hears
 * when the run's first step has completed (read back), with the ms since the worker's time origin.
 */
export type Faults = {
  nanAtStep?: number;
  loseDeviceAtStep?: number;
  loseDevice?: () => void;
  onFirstStep?: (ms: number) => void;
};

interface TestSet {
  x: Float32Array;
  labels: Int32Array;
  targets: Float32Array;
  count: number;
}

export class TrainingRun {
  private paused = false;
  private stopped = false;
  private resumeGate: (() => void) | null = null;
  private model: GraphModel | null = null;
  private trainer: Trainer | null = null;
  private lastGood: NamedWeights[] | null = null;
  private diverged = false;
  private abortMessage: { text: string; hint: string } | null = null;
  private startMs = 0;
  private pausedMs = 0;
  private pausedAt = 0;
  private lastReportMs = 0;
  private epoch = 0;
  private totalSteps = 0;
  private epochs = 1;
  private inputIsImage = false;
  /** The input is a point in the plane (a 2-D synthetic set): the decision boundary can be drawn. */
  private plotsBoundary = false;
  /** What the model was compiled from, for export. */
  private designValue: unknown = null;
  private settings: TrainSettings | null = null;
  /** Batches drawn from the complete data set so far (a resumed run skips this many). */
  private batchesDrawn = 0;
  /** The run loop is between steps: parked in a pause, or returned. Export reads state only then. */
  private quiet = true;
  private onQuiet: (() => void) | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly post: (message: FromWorker) => void,
    /** The device's buffer limits, so a layer too large for the GPU is refused before allocation. */
    private readonly limits?: GpuBufferLimits,
  ) {}

  pause(): void {
    if (this.stopped || this.paused) return;
    this.paused = true;
    this.pausedAt = performance.now();
    this.post({ type: 'run-state', state: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedMs += performance.now() - this.pausedAt;
    this.post({ type: 'run-state', state: 'running' });
    this.resumeGate?.();
    this.resumeGate = null;
  }

  stop(): void {
    this.stopped = true;
    this.resume();
  }

  /**
   * Ends the run from outside because it cannot go on (the GPU device was lost): the run stops between
   * steps and reports `message` instead of whatever the dead device makes the last step throw.
   */
  abort(message: { text: string; hint: string }): void {
    this.abortMessage ??= message;
    this.stop();
  }

  /** Runs to the end (or until stopped); reports failures as run-state messages, never throws. */
  async run(
    designValue: unknown,
    settings: TrainSettings,
    data: DataRequest,
    faults: Faults = {},
    resume?: ResumePayload,
  ): Promise<void> {
    this.post({ type: 'run-state', state: 'starting' });
    this.setQuiet(false);
    try {
      await this.train(designValue, settings, data, faults, resume);
      this.setQuiet(true);
      if (this.diverged) return;
      if (this.abortMessage) this.post({ type: 'run-state', state: 'failed', message: this.abortMessage });
      else this.post({ type: 'run-state', state: this.stopped ? 'stopped' : 'finished' });
    } catch (error) {
      this.stopped = true;
      this.setQuiet(true);
      const text = error instanceof Error ? error.message : String(error);
      const hint = error instanceof RunError ? error.hint : errorHint(error);
      this.post({ type: 'run-state', state: 'failed', message: this.abortMessage ?? { text, hint } });
    }
  }

  private setQuiet(quiet: boolean): void {
    this.quiet = quiet;
    if (quiet) {
      this.onQuiet?.();
      this.onQuiet = null;
    }
  }

  private async train(
    designValue: unknown,
    settings: TrainSettings,
    data: DataRequest,
    faults: Faults,
    resume?: ResumePayload,
  ): Promise<void> {
    const design = designFromValue(designValue);
    this.designValue = designValue;
    this.settings = settings;
    const { source, test, split: ownSplit } = dataSources(data);
    // The wasm engine's memory has a hard maximum: refuse a model or batch that cannot fit before allocating.
    const fits = (this.backend as Partial<Pick<WasmBackend, 'assertFits'>>).assertFits;
    if (fits) {
      const { memory } = analyzeDesign(design, { batchSize: settings.batchSize });
      fits.call(this.backend, memory.totalBytes, `This model at batch size ${settings.batchSize}`);
    }
    const model = compileDesign(design, this.backend, {
      seed: settings.seed,
      batchSize: settings.batchSize,
      limits: this.limits,
    });
    this.model = model;
    checkCompatible(model, source);
    this.inputIsImage = source.kind === 'images';
    this.plotsBoundary = !this.inputIsImage && model.inputShape[0] === 2;

    const trainCount = settings.trainLimit > 0 ? Math.min(settings.trainLimit, source.total) : source.total;
    // An own data set brings its seeded train/validation/test split; the others are split here.
    const split = ownSplit ?? splitIndices(trainCount, settings.validationSplit, settings.seed);
    const normalize = source.kind === 'images' ? { mean: MNIST_MEAN, std: MNIST_STD } : undefined;
    const batcher = new Batcher(source, {
      batchSize: settings.batchSize,
      seed: settings.seed,
      normalize,
      augment:
        source.kind === 'images' && (settings.augment || settings.flip)
          ? { maxShiftPx: settings.augment ? 2 : 0, flip: settings.flip }
          : null,
      indices: split.train,
    });
    const validation =
      split.validation.length > 0
        ? new Batcher(source, { batchSize: 500, shuffle: false, normalize, indices: split.validation })
        : null;
    const stepsPerEpoch = batcher.batchesPerEpoch;
    this.totalSteps = stepsPerEpoch * settings.epochs;
    this.epochs = settings.epochs;

    const optimizer = new Optimizer(optimizerConfig(settings, stepsPerEpoch));
    const trainer = new Trainer(model, optimizer, {
      loss: model.loss,
      stepsPerReadback: 10,
      onMetrics: (report) => this.onMetrics(report),
    });
    this.trainer = trainer;
    if (resume) await this.restore(model, optimizer, batcher, resume);
    this.lastGood = await model.getWeights();
    this.startMs = this.lastReportMs = performance.now();
    this.post({ type: 'run-state', state: 'running' });

    let bestValidation = Infinity;
    let epochsWithoutImprovement = 0;
    let testSet: TestSet | null = null;
    let lastTurn = performance.now();
    while (!this.stopped && this.epoch < settings.epochs) {
      await this.waitWhilePaused();
      if (this.stopped) break;
      if (!batcher.ready()) {
        await sleep(50);
        continue;
      }
      const batch = batcher.next();
      if (!batch.streaming) this.batchesDrawn++;
      const targets = model.loss === 'softmax-cross-entropy' ? batch.labels : batchTargets(model.loss, batch);
      if (faults.nanAtStep === optimizer.stepCount + 1) batch.x.fill(Number.NaN);
      if (faults.loseDeviceAtStep === optimizer.stepCount + 1) faults.loseDevice?.();
      if (this.stopped) break;
      await trainer.trainStep(batch.x, targets);
      if (this.diverged) return;
      if (performance.now() - lastTurn > EVENT_TURN_MS) {
        await eventTurn();
        lastTurn = performance.now();
      }
      if (faults.onFirstStep) {
        // The first step's metrics are read back, so the step has really completed on the device.
        await trainer.readMetrics();
        faults.onFirstStep(performance.now());
        faults.onFirstStep = undefined;
        if (this.diverged) return;
      }
      const finishedEpoch = !batch.streaming && batch.step === stepsPerEpoch - 1;
      if (!finishedEpoch) continue;
      this.epoch = batch.epoch;
      await trainer.readMetrics();
      if (this.diverged) return;
      testSet ??= await collectTestSet(test, settings.testLimit, normalize);
      const result = await trainer.evaluate(
        testSet.x,
        model.loss === 'softmax-cross-entropy' ? testSet.labels : testSet.targets,
      );
      this.post({
        type: 'test-metrics',
        step: optimizer.stepCount,
        epoch: this.epoch,
        loss: result.loss,
        accuracy: result.accuracy,
      });
      if (!Number.isFinite(result.loss)) return this.onDiverged(optimizer.stepCount);
      this.lastGood = await model.getWeights();
      if (this.plotsBoundary) await this.postBoundary();
      const v = validation ? await evaluateBatcher(trainer, validation, model.loss) : Number.NaN;
      if (validation) this.post({ type: 'validation-metrics', step: optimizer.stepCount, epoch: this.epoch, loss: v });
      if (validation && settings.earlyStoppingPatience > 0) {
        if (v < bestValidation - 1e-6) {
          bestValidation = v;
          epochsWithoutImprovement = 0;
        } else if (++epochsWithoutImprovement >= settings.earlyStoppingPatience) {
          this.post({
            type: 'run-state',
            state: 'running',
            message: {
              text: `Early stopping: validation loss has not improved for ${epochsWithoutImprovement} epochs.`,
              hint: 'The weights of the last epoch are kept.',
            },
          });
          break;
        }
      }
    }
    await trainer.readMetrics();
    if (this.diverged) return;
    testSet ??= await collectTestSet(test, settings.testLimit, normalize);
    if (model.loss === 'mse') this.post({ type: 'regression', report: await this.regression(testSet, data) });
    if (model.loss === 'softmax-cross-entropy' || model.loss === 'bce-with-logits') {
      this.post({ type: 'evaluation', report: await this.evaluation(testSet, source.numClasses) });
    }
    if (this.plotsBoundary) await this.postBoundary();
  }

  private onMetrics(report: MetricsReport): void {
    if (this.diverged) return;
    if (!Number.isFinite(report.loss)) {
      this.onDiverged(report.step);
      return;
    }
    const now = performance.now();
    const elapsedMs = now - this.startMs - this.pausedMs - (this.paused ? now - this.pausedAt : 0);
    const intervalMs = Math.max(1, now - this.lastReportMs);
    this.lastReportMs = now;
    this.post({
      type: 'train-metrics',
      step: report.step,
      epoch: Math.min(this.epoch + 1, this.epochs),
      totalSteps: this.totalSteps,
      loss: report.loss,
      accuracy: report.accuracy,
      samplesPerSecond: (report.samples / intervalMs) * 1000,
      elapsedMs,
    });
  }

  /** The loss became NaN or infinite: stop, put back the last good weights, and say so. */
  private onDiverged(step: number): void {
    if (this.diverged) return;
    this.diverged = true;
    this.stopped = true;
    if (this.model && this.lastGood) this.model.setWeights(this.lastGood);
    this.post({
      type: 'run-state',
      state: 'diverged',
      message: {
        text: `Training diverged at step ${step}: the loss became NaN or infinite.`,
        hint: 'The last good weights are kept. Lower the learning rate (try 10x smaller) or add L2, then start again.',
      },
    });
  }

  private async waitWhilePaused(): Promise<void> {
    if (!this.paused || this.stopped) return;
    this.setQuiet(true);
    while (this.paused && !this.stopped) await new Promise<void>((resolve) => (this.resumeGate = resolve));
    this.setQuiet(false);
  }

  /**
   * Puts a saved run back: weights (all names and shapes checked before any is written), optimiser state
   * and step count, the epoch, and the batcher advanced past the batches the saved run drew, so the next
   * step is the one the uninterrupted run would have taken.
   */
  private async restore(
    model: GraphModel,
    optimizer: Optimizer,
    batcher: Batcher,
    resume: ResumePayload,
  ): Promise<void> {
    const { progress } = resume;
    if (progress.epoch >= this.epochs) {
      throw new RunError(
        `The saved run already completed ${progress.epoch} of ${this.epochs} epochs.`,
        `Raise Epochs above ${progress.epoch} in the Train section to train further.`,
      );
    }
    loadModelTensors(model, resume.tensors, resume.file);
    if (resume.optimizer) {
      try {
        optimizer.importState(model.parameters(), resume.optimizer);
      } catch (error) {
        throw new RunError(
          `${resume.file}: the saved optimiser state does not fit: ${error instanceof Error ? error.message : String(error)}.`,
          `Train with the optimiser it was saved with (${resume.optimizer.kind}), or press Start to train from scratch.`,
        );
      }
    } else {
      optimizer.stepCount = progress.stepCount;
    }
    this.epoch = progress.epoch;
    if (progress.batchesDrawn > 0) {
      // The saved order is that of the complete set: wait for it, then draw past what was used.
      while (!batcher.source.complete()) {
        if (batcher.source.error()) throw batcher.source.error();
        await sleep(50);
      }
      for (let i = 0; i < progress.batchesDrawn; i++) batcher.next();
      this.batchesDrawn = progress.batchesDrawn;
    }
  }

  /** Resolves when the run loop is between steps (paused or returned). */
  private whenQuiet(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.onQuiet;
      this.onQuiet = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** The model, optimiser state and progress as plain data; waits for the run to be paused or done. */
  async snapshot(): Promise<ModelSnapshot> {
    if (!this.model || !this.trainer || !this.settings) {
      throw new RunError(
        'No model has been trained or loaded yet.',
        'Train one in the Train section, or import a file.',
      );
    }
    if (!this.quiet && !this.paused) {
      throw new RunError('The model is training.', 'Pause or stop the run, then export.');
    }
    await this.whenQuiet();
    const optimizer = this.trainer.optimizer;
    const progress: RunProgress = {
      stepCount: optimizer.stepCount,
      epoch: this.epoch,
      batchesDrawn: this.batchesDrawn,
    };
    return {
      design: this.designValue,
      settings: this.settings,
      tensors: await modelTensors(this.model),
      optimizer: optimizer.stepCount > 0 ? await optimizer.exportState(this.model.parameters()) : null,
      progress,
    };
  }

  /**
   * Makes an imported model the current one without training: compiles the design, loads the tensors
   * (refusing any name or shape that does not fit, before writing) and evaluates it on the test set.
   * Throws a RunError (or the loader's error) when the tensors do not fit; the caller keeps the old run.
   */
  async load(
    designValue: unknown,
    settings: TrainSettings,
    data: DataRequest,
    tensors: ModelSnapshot['tensors'],
    saved?: Pick<ModelSnapshot, 'optimizer' | 'progress'>,
    file = 'model.safetensors',
  ): Promise<{
    test: { loss: number; accuracy: number | null; samples: number } | null;
    evaluation: EvaluationReport | null;
  }> {
    const design = designFromValue(designValue);
    const { source, test } = dataSources(data);
    const model = compileDesign(design, this.backend, {
      seed: settings.seed,
      batchSize: settings.batchSize,
      limits: this.limits,
    });
    const optimizer = new Optimizer(optimizerConfig(settings, 1));
    try {
      try {
        checkCompatible(model, source);
      } catch (error) {
        if (!(error instanceof RunError)) throw error;
        // The design came from the file: the data set is what to change.
        throw new RunError(
          error.message.replace(/\.$/, ''),
          'Choose the data set the model was trained on in the Data section, then import the file again.',
        );
      }
      loadModelTensors(model, tensors, file);
      // A project's optimiser state is kept with the model, so exporting it again loses nothing.
      if (saved?.optimizer) optimizer.importState(model.parameters(), saved.optimizer);
    } catch (error) {
      optimizer.dispose();
      model.dispose();
      throw error;
    }
    if (saved) {
      optimizer.stepCount = saved.progress.stepCount;
      this.epoch = saved.progress.epoch;
      this.batchesDrawn = saved.progress.batchesDrawn;
    }
    this.model = model;
    this.designValue = designValue;
    this.settings = settings;
    this.inputIsImage = source.kind === 'images';
    this.plotsBoundary = !this.inputIsImage && model.inputShape[0] === 2;
    this.stopped = true;
    this.trainer = new Trainer(model, optimizer, { loss: model.loss });
    const normalize = source.kind === 'images' ? { mean: MNIST_MEAN, std: MNIST_STD } : undefined;
    const testSet = await collectTestSet(test, settings.testLimit, normalize);
    const result = await this.trainer.evaluate(
      testSet.x,
      model.loss === 'softmax-cross-entropy' ? testSet.labels : testSet.targets,
    );
    const classifies = model.loss === 'softmax-cross-entropy' || model.loss === 'bce-with-logits';
    const evaluation = classifies ? await this.evaluation(testSet, source.numClasses) : null;
    if (this.plotsBoundary) await this.postBoundary();
    return { test: { loss: result.loss, accuracy: result.accuracy, samples: result.samples }, evaluation };
  }

  /**
   * Predicted against true values of the first target on the test set, back in the target's units (an own
   * table's targets were standardised with the training split's mean and standard deviation).
   */
  private async regression(test: TestSet, data: DataRequest): Promise<RegressionReport> {
    const predictions = await this.trainer!.predict(test.x);
    const width = test.targets.length / Math.max(1, test.count);
    const target = data.kind === 'dataset' ? data.dataset.encoding?.target : undefined;
    const { mean, std } = target?.kind === 'numeric' ? target : { mean: 0, std: 1 };
    const shown = Math.min(test.count, REGRESSION_POINTS);
    const truth = new Float32Array(shown);
    const predicted = new Float32Array(shown);
    let squares = 0;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < test.count; i++) {
      const t = test.targets[i * width] * std + mean;
      const p = predictions[i * width] * std + mean;
      squares += (p - t) * (p - t);
      sum += t;
      sumSquares += t * t;
      if (i < shown) {
        truth[i] = t;
        predicted[i] = p;
      }
    }
    const n = Math.max(1, test.count);
    const total = sumSquares - (sum * sum) / n;
    return {
      targetName: data.kind === 'dataset' ? (data.dataset.targetNames[0] ?? 'target') : 'y',
      truth,
      predicted,
      total: test.count,
      rmse: Math.sqrt(squares / n),
      r2: total > 0 ? 1 - squares / total : Number.NaN,
    };
  }

  /** Predicted classes on the test set, the misclassified images, and the first layer's weights. */
  private async evaluation(test: TestSet, classes: number): Promise<EvaluationReport> {
    const predictions = await this.trainer!.predict(test.x);
    // One sigmoid unit gives p(class 1); as two columns (1 - p, p) it reads like a softmax output.
    const probabilities =
      this.model!.loss === 'bce-with-logits'
        ? Float32Array.from({ length: test.count * 2 }, (_, k) =>
            k % 2 === 1 ? predictions[(k - 1) / 2] : 1 - predictions[k / 2],
          )
        : predictions;
    const predicted = new Int32Array(test.count);
    const misclassified: MisclassifiedSample[] = [];
    const perSample = test.x.length / test.count;
    for (let i = 0; i < test.count; i++) {
      predicted[i] = argmaxRow(probabilities, i, classes);
      const shown = misclassified.length < MISCLASSIFIED_SHOWN && this.inputIsImage && perSample === 784;
      if (predicted[i] !== test.labels[i] && shown) {
        const pixels = new Float32Array(perSample);
        for (let p = 0; p < perSample; p++) pixels[p] = test.x[i * perSample + p] * MNIST_STD + MNIST_MEAN;
        misclassified.push({ pixels, predicted: predicted[i], truth: test.labels[i] });
      }
    }
    return {
      classes,
      predicted,
      truth: test.labels.slice(0, test.count),
      probabilities,
      misclassified,
      filters: await this.firstLayerImages(),
    };
  }

  /** First Dense layer on a 28x28 input: each unit's incoming weights as a 28x28 image. */
  private async firstLayerImages(): Promise<EvaluationReport['filters']> {
    const first = this.model!.parameters()[0];
    if (!first || !this.inputIsImage) return null;
    const w = await first.value.data();
    if (first.value.rank === 2 && first.value.shape[0] === 784) {
      const units = first.value.shape[1];
      return {
        width: 28,
        height: 28,
        images: Array.from({ length: Math.min(FILTERS_SHOWN, units) }, (_, u) =>
          Float32Array.from({ length: 784 }, (_, p) => w[p * units + u]),
        ),
      };
    }
    if (first.value.rank === 4) {
      // Conv filters [kh, kw, inC, outC]: channel 0 of each output filter.
      const [kh, kw, inC, outC] = first.value.shape;
      return {
        width: kw,
        height: kh,
        images: Array.from({ length: Math.min(FILTERS_SHOWN * 2, outC) }, (_, o) =>
          Float32Array.from({ length: kh * kw }, (_, p) => w[p * inC * outC + o]),
        ),
      };
    }
    return null;
  }

  /** Class probabilities over a grid covering the 2-D input domain, for the decision-boundary map. */
  private async postBoundary(): Promise<void> {
    const n = BOUNDARY_GRID;
    const grid = new Float32Array(n * n * 2);
    const span = SYNTHETIC_DOMAIN * 1.2;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        grid[(r * n + c) * 2] = -span + ((c + 0.5) / n) * 2 * span;
        grid[(r * n + c) * 2 + 1] = span - ((r + 0.5) / n) * 2 * span;
      }
    }
    const probabilities = await this.trainer!.predict(grid);
    this.post({ type: 'boundary', size: n, probabilities, domain: span });
  }

  /** Class probabilities for one drawn digit (already 28x28 in [0, 1]). */
  async predict(pixels: Float32Array): Promise<Float32Array> {
    if (!this.trainer || !this.model) throw new RunError('No model has been trained yet.', 'Press Start first.');
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) x[i] = (pixels[i] - MNIST_MEAN) / MNIST_STD;
    return this.trainer.predict(x);
  }
}

function dataSources(data: DataRequest): {
  source: SampleSource;
  test: SampleSource;
  split?: { train: Int32Array; validation: Int32Array };
} {
  if (data.kind === 'dataset') {
    // Training and validation draw from all samples through the data set's split; the test rows are their own source.
    const { dataset } = data;
    return {
      source: datasetSource(dataset),
      test: datasetSource(dataset, dataset.split.test),
      split: { train: dataset.split.train, validation: dataset.split.validation },
    };
  }
  if (data.kind === 'mnist')
    return { source: sharedMnistSplit(data.shared, 'train'), test: sharedMnistSplit(data.shared, 'test') };
  return { source: makeSyntheticSet(data.options), test: makeSyntheticTestSet(data.options) };
}

function checkCompatible(model: GraphModel, source: SampleSource): void {
  const perSample = model.inputShape.reduce((a, b) => a * b, 1);
  const dataShape = source.kind === 'images' ? [source.height, source.width, source.channels] : [source.features];
  const dataSize = dataShape.reduce((a, b) => a * b, 1);
  if (perSample !== dataSize) {
    throw new RunError(
      `The design's Input takes ${model.inputShape.join('×')} values per sample, but the data set has ${dataShape.join('×')}.`,
      `Set the Input layer's shape to ${dataShape.join('×')} in the Design section, or pick another data set.`,
    );
  }
  const outputs = model.outputShape.reduce((a, b) => a * b, 1);
  if (model.loss === 'softmax-cross-entropy' && outputs !== source.numClasses) {
    throw new RunError(
      `The design ends in ${outputs} classes, but the data set has ${source.numClasses || 'no'} classes.`,
      source.numClasses
        ? `Set the last layer to ${source.numClasses} units in the Design section.`
        : 'This is a regression set: end the design in a linear Dense layer and train with mean squared error.',
    );
  }
  if (model.loss === 'bce-with-logits' && source.numClasses !== 2) {
    throw new RunError(
      `The design ends in one sigmoid unit (two classes), but the data set has ${source.numClasses || 'no'} classes.`,
      'Use a softmax output with one unit per class, or pick a two-class data set.',
    );
  }
  if (model.loss === 'mse' && source.kind === 'table' && source.targetSize === 0) {
    throw new RunError(
      'The design ends without softmax or sigmoid, so it would train a regression, but the data set has classes.',
      'End the design in a Dense layer with softmax (one unit per class) or sigmoid (two classes).',
    );
  }
}

function batchTargets(loss: string, batch: { labels: Int32Array; targets: Float32Array; size: number }): Float32Array {
  if (loss === 'bce-with-logits') return Float32Array.from(batch.labels.subarray(0, batch.size));
  return batch.targets;
}

async function collectTestSet(
  source: SampleSource,
  limit: number,
  normalize: { mean: number; std: number } | undefined,
): Promise<TestSet> {
  while (!source.complete()) {
    if (source.error()) throw source.error();
    await sleep(100);
  }
  const count = limit > 0 ? Math.min(limit, source.total) : source.total;
  const batcher = new Batcher(source, {
    batchSize: Math.min(500, count),
    shuffle: false,
    normalize,
    indices: Int32Array.from({ length: count }, (_, i) => i),
  });
  const x = new Float32Array(count * batcher.sampleSize);
  const labels = new Int32Array(count);
  const targetSize = source.kind === 'table' ? source.targetSize : 0;
  const targets = new Float32Array(count * Math.max(1, targetSize));
  let row = 0;
  while (row < count) {
    const b = batcher.next();
    x.set(b.x.subarray(0, b.size * batcher.sampleSize), row * batcher.sampleSize);
    labels.set(b.labels.subarray(0, b.size), row);
    if (targetSize) targets.set(b.targets.subarray(0, b.size * targetSize), row * targetSize);
    else for (let i = 0; i < b.size; i++) targets[row + i] = b.labels[i];
    row += b.size;
  }
  return { x, labels, targets: targetSize ? targets : targets.subarray(0, count), count };
}

async function evaluateBatcher(trainer: Trainer, batcher: Batcher, loss: string): Promise<number> {
  let total = 0;
  let samples = 0;
  for (let i = 0; i < batcher.batchesPerEpoch; i++) {
    const b = batcher.next();
    const y = loss === 'softmax-cross-entropy' ? b.labels.subarray(0, b.size) : batchTargets(loss, b);
    const r = await trainer.evaluate(b.x.subarray(0, b.size * batcher.sampleSize), y);
    total += r.loss * r.samples;
    samples += r.samples;
  }
  return total / Math.max(1, samples);
}

function optimizerConfig(s: TrainSettings, stepsPerEpoch: number): OptimizerConfig {
  return {
    kind: s.optimizer,
    lr: s.learningRate,
    // The same schedule the Train settings' explanation plots (app/learn/schedule.ts).
    schedule: lrScheduleFor(s, stepsPerEpoch),
    momentum: s.optimizer === 'sgd' ? s.momentum : undefined,
    nesterov: s.optimizer === 'sgd' && s.momentum > 0 ? s.nesterov : false,
    l1: s.l1,
    l2: s.l2,
  };
}

function errorHint(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'DesignInvalidError' || name === 'DesignFormatError')
    return 'Fix the marked layers in the Design section.';
  if (name === 'WasmMemoryError') return 'Your design and settings are kept: lower the batch size or shrink a layer.';
  if (name === 'UnsupportedLayerError')
    return 'Replace that layer in the Design section; the engine will support it soon.';
  if (name === 'GpuLimitError') return 'Make the layer smaller or lower the batch size.';
  if (name === 'GpuDeviceLostError')
    return 'The last good weights are kept; press Start to train again on a new device.';
  if (name === 'MnistLoadError') return 'See the Data section for the reason and press Retry there.';
  return 'Your design and settings are kept. Check them and press Start again.';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lets the worker take its next message (Pause, Stop): a synchronous backend (wasm, cpu) completes each
 * step in microtasks only, so without this the loop would never give the event loop a turn. A message
 * port, not setTimeout, so the turn is not clamped to 4 ms.
 */
const eventTurn = (() => {
  let waiting: (() => void)[] = [];
  const channel = typeof MessageChannel === 'undefined' ? null : new MessageChannel();
  if (channel) {
    channel.port1.onmessage = () => {
      const ready = waiting;
      waiting = [];
      for (const resolve of ready) resolve();
    };
    // Node (tests): the port must not keep the process alive.
    (channel.port1 as MessagePort & { unref?: () => void }).unref?.();
  }
  return (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!channel) return void setTimeout(resolve, 0);
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
})();
/** The most time the run loop runs without letting the worker read its messages. */
const EVENT_TURN_MS = 15;
