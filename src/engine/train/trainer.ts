// The training loop the worker drives. One trainStep() records forward, loss, backward and the optimiser
// updates as one step (one command encoder, one submit on webgpu); loss and correct count accumulate in a
// device-side metrics tensor, read back every `stepsPerReadback` steps with an asynchronous map that
// nobody awaits inside a step. Evaluation and prediction run without a tape.
import type { Backend } from '../backend/backend';
import { backward } from '../autograd';
import { bceWithLogits, mse, sigmoid, softmax, softmaxCrossEntropy } from '../ops';
import { binaryRaw, scalarRaw, unaryRaw } from '../ops/elementwise';
import { sum } from '../ops/reduce';
import type { Model } from '../model/model';
import type { Optimizer } from '../optim/optimizer';
import { seededRandom } from '../nn/init';
import { formatShape, full, noGrad, ShapeError, step, tensorFrom, type Tensor } from '../tensor';

export type LossKind = 'softmax-cross-entropy' | 'mse' | 'bce-with-logits';

export interface MetricsReport {
  /** Optimiser steps completed when the metrics were taken. */
  step: number;
  /** Samples the figures average over (since the previous report). */
  samples: number;
  /** Mean loss per sample. */
  loss: number;
  /** Fraction of correct predictions (softmax-cross-entropy only; null otherwise). */
  accuracy: number | null;
}

export interface TrainerOptions {
  loss: LossKind;
  /** Read the accumulated metrics back every this many steps (default 10). */
  stepsPerReadback?: number;
  /** Receives every metrics report, asynchronously. */
  onMetrics?: (report: MetricsReport) => void;
  /** Command buffers allowed in flight before trainStep waits (default 3). */
  maxStepsInFlight?: number;
}

export interface EvaluationResult {
  loss: number;
  accuracy: number | null;
  samples: number;
}

export class Trainer {
  readonly backend: Backend;
  private readonly stepsPerReadback: number;
  private readonly maxStepsInFlight: number;
  /** [summed loss, correct count] since the last readback, on the device. */
  private readonly metrics: Tensor;
  /** [1, 0] and [0, 1]: a loss or a correct count lands in its slot of `metrics` by a broadcast multiply. */
  private readonly slotVectors: [Tensor, Tensor];
  private stepsSinceReadback = 0;
  private samplesSinceReadback = 0;
  private clearMetrics = false;
  private pendingReadback: Promise<MetricsReport | null> = Promise.resolve(null);
  /** Reports made so far, oldest first. */
  readonly history: MetricsReport[] = [];

  constructor(
    readonly model: Model,
    readonly optimizer: Optimizer,
    readonly options: TrainerOptions,
  ) {
    this.backend = model.backend;
    if (options.loss === 'softmax-cross-entropy') {
      const last = model.outputLayer() as { kind?: string; activation?: string; name?: string } | undefined;
      const act = last?.kind === 'dense' ? last.activation : last?.kind;
      if (act === 'softmax' || act === 'log_softmax') {
        throw new Error(
          `softmax-cross-entropy takes logits, but the model ends in a ${act} (layer "${last?.name}"): ` +
            `remove it; the loss applies softmax itself and predict() returns probabilities`,
        );
      }
      if (model.outputShape.length !== 1) {
        throw new ShapeError(
          `softmax-cross-entropy needs one logit per class, but the model outputs ${formatShape(model.outputShape)} per sample`,
        );
      }
    }
    this.stepsPerReadback = Math.max(1, options.stepsPerReadback ?? 10);
    this.maxStepsInFlight = Math.max(1, options.maxStepsInFlight ?? 3);
    this.metrics = full(this.backend, [2], 0, { origin: 'training metrics', persistent: true });
    this.slotVectors = [
      tensorFrom(this.backend, new Float32Array([1, 0]), [2], { origin: 'metrics slot 0', persistent: true }),
      tensorFrom(this.backend, new Float32Array([0, 1]), [2], { origin: 'metrics slot 1', persistent: true }),
    ];
  }

  private inputTensor(x: Float32Array, what: string): Tensor {
    const perSample = this.model.inputShape.reduce((a, b) => a * b, 1);
    if (x.length === 0 || x.length % perSample !== 0) {
      throw new ShapeError(
        `${what}: ${x.length} input values are not a whole number of samples of shape ` +
          `${formatShape(this.model.inputShape)} (${perSample} values each)`,
      );
    }
    return tensorFrom(this.backend, x, [x.length / perSample, ...this.model.inputShape], { origin: `${what} input` });
  }

  private targetTensor(y: Int32Array | Float32Array, rows: number, what: string): Tensor {
    if (this.options.loss === 'softmax-cross-entropy') {
      if (!(y instanceof Int32Array)) throw new Error(`${what}: softmax-cross-entropy needs Int32Array labels`);
      if (y.length !== rows) throw new ShapeError(`${what}: ${rows} samples but ${y.length} labels`);
      const classes = this.model.outputShape[0];
      for (let i = 0; i < y.length; i++) {
        if (!(y[i] >= 0 && y[i] < classes)) {
          throw new RangeError(`${what}: label ${y[i]} at row ${i} is outside [0, ${classes})`);
        }
      }
      return tensorFrom(this.backend, y, [rows], { dtype: 'i32', origin: `${what} labels` });
    }
    const shape = [rows, ...this.model.outputShape];
    const f = y instanceof Float32Array ? y : Float32Array.from(y);
    if (f.length !== rows * this.model.outputShape.reduce((a, b) => a * b, 1)) {
      throw new ShapeError(`${what}: targets of length ${y.length} do not fit ${formatShape(shape)}`);
    }
    return tensorFrom(this.backend, f, shape, { origin: `${what} targets` });
  }

  /** Loss of `out` against `target`; adds [loss * rows, correct] to `metrics` on the device. */
  private lossWithMetrics(out: Tensor, target: Tensor, metrics: Tensor): Tensor {
    const rows = out.shape[0];
    if (this.options.loss === 'softmax-cross-entropy') {
      return softmaxCrossEntropy(out, target, { metrics, slot: 0 });
    }
    const bce = this.options.loss === 'bce-with-logits';
    const loss = bce ? bceWithLogits(out, target) : mse(out, target);
    noGrad(() => {
      // metrics += [loss * rows, correct], without readback: the sum goes to a temporary, then back by copy.
      const scaled = scalarRaw('mul', loss.view([1], 'loss'), rows, 'metrics');
      let increment = binaryRaw('mul', this.slotVectors[0], scaled, 'metrics');
      if (bce)
        increment = binaryRaw('add', increment, binaryRaw('mul', this.slotVectors[1], correctLogits(out, target)));
      const sum = binaryRaw('add', metrics.view([2], 'metrics'), increment, 'metrics');
      this.backend.run.copy({ src: sum.storage, dst: metrics.storage, length: 2 });
    });
    return loss;
  }

  /**
   * One optimiser step on a batch: `x` holds batch * inputSize values; `y` holds Int32 labels for
   * softmax-cross-entropy or float targets otherwise. Resolves when the device has room for the next step
   * (it does not wait for this one to finish).
   */
  async trainStep(x: Float32Array, y: Int32Array | Float32Array): Promise<void> {
    const params = this.model.parameters();
    step(() => {
      if (this.clearMetrics) {
        this.backend.run.fill({ out: this.metrics.storage, length: 2, value: 0 });
        this.clearMetrics = false;
      }
      const xb = this.inputTensor(x, 'trainStep');
      const yb = this.targetTensor(y, xb.shape[0], 'trainStep');
      const out = this.model.forward(xb, { training: true, step: this.optimizer.stepCount });
      const loss = this.lossWithMetrics(out, yb, this.metrics);
      backward(loss);
      this.optimizer.step(params);
      this.samplesSinceReadback += xb.shape[0];
    });
    this.stepsSinceReadback++;
    if (this.stepsSinceReadback >= this.stepsPerReadback) {
      this.readMetrics();
    } else {
      this.backend.flush();
    }
    await this.backend.throttle(this.maxStepsInFlight);
  }

  /**
   * One pass over a data set in batches of `batchSize` (the last one may be smaller), in an order
   * shuffled from `shuffleSeed` (data order when null). Stops early, between steps, when `signal` aborts.
   * Resolves with the number of steps taken.
   */
  async trainEpoch(
    x: Float32Array,
    y: Int32Array | Float32Array,
    batchSize: number,
    { shuffleSeed = null, signal }: { shuffleSeed?: number | null; signal?: AbortSignal } = {},
  ): Promise<number> {
    const perSample = this.model.inputShape.reduce((a, b) => a * b, 1);
    const perTarget =
      this.options.loss === 'softmax-cross-entropy' ? 1 : this.model.outputShape.reduce((a, b) => a * b, 1);
    const samples = x.length / perSample;
    if (!Number.isInteger(samples) || y.length !== samples * perTarget) {
      throw new ShapeError(
        `trainEpoch: ${x.length} input values and ${y.length} targets do not describe the same samples`,
      );
    }
    const order = Int32Array.from({ length: samples }, (_, i) => i);
    if (shuffleSeed !== null) {
      const rand = seededRandom(shuffleSeed);
      for (let i = samples - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const xb = new Float32Array(batchSize * perSample);
    const yb =
      y instanceof Int32Array ? new Int32Array(batchSize * perTarget) : new Float32Array(batchSize * perTarget);
    let steps = 0;
    for (let start = 0; start < samples; start += batchSize) {
      if (signal?.aborted) break;
      const rows = Math.min(batchSize, samples - start);
      for (let r = 0; r < rows; r++) {
        const i = order[start + r];
        xb.set(x.subarray(i * perSample, (i + 1) * perSample), r * perSample);
        yb.set(y.subarray(i * perTarget, (i + 1) * perTarget), r * perTarget);
      }
      await this.trainStep(xb.subarray(0, rows * perSample), yb.subarray(0, rows * perTarget));
      steps++;
    }
    return steps;
  }

  /**
   * Reads back what accumulated since the last report (submitting pending work with the copy); resolves
   * with the report, or null when no step ran since. Does not block further steps.
   */
  readMetrics(): Promise<MetricsReport | null> {
    if (this.stepsSinceReadback === 0) {
      this.backend.flush();
      return this.pendingReadback;
    }
    const samples = this.samplesSinceReadback;
    const stepNumber = this.optimizer.stepCount;
    const accuracyKnown = this.options.loss !== 'mse';
    const outPerSample = this.model.outputShape.reduce((a, b) => a * b, 1);
    this.stepsSinceReadback = 0;
    this.samplesSinceReadback = 0;
    this.clearMetrics = true;
    const values = this.metrics.data(); // copies in this step's encoder, submits, maps asynchronously
    this.pendingReadback = values.then((v) => {
      const report: MetricsReport = {
        step: stepNumber,
        samples,
        loss: v[0] / samples,
        accuracy: accuracyKnown
          ? v[1] / (samples * (this.options.loss === 'bce-with-logits' ? outPerSample : 1))
          : null,
      };
      this.history.push(report);
      this.options.onMetrics?.(report);
      return report;
    });
    return this.pendingReadback;
  }

  /** Loss and accuracy over a data set, batch by batch, without a tape; one readback at the end. */
  async evaluate(x: Float32Array, y: Int32Array | Float32Array, batchSize = 500): Promise<EvaluationResult> {
    const perSample = this.model.inputShape.reduce((a, b) => a * b, 1);
    const outPerSample = this.model.outputShape.reduce((a, b) => a * b, 1);
    const samples = x.length / perSample;
    const ce = this.options.loss === 'softmax-cross-entropy';
    const metrics = full(this.backend, [2], 0, { origin: 'evaluation metrics' });
    try {
      for (let start = 0; start < samples; start += batchSize) {
        const end = Math.min(samples, start + batchSize);
        const xs = x.subarray(start * perSample, end * perSample);
        const ys = ce ? y.subarray(start, end) : y.subarray(start * outPerSample, end * outPerSample);
        noGrad(() =>
          step(() => {
            const xb = this.inputTensor(xs, 'evaluate');
            const out = this.model.forward(xb, { training: false, step: this.optimizer.stepCount });
            this.lossWithMetrics(out, this.targetTensor(ys, end - start, 'evaluate'), metrics);
          }),
        );
        this.backend.flush();
      }
      const v = await metrics.data();
      const accuracy = ce
        ? v[1] / samples
        : this.options.loss === 'bce-with-logits'
          ? v[1] / (samples * outPerSample)
          : null;
      return { loss: v[0] / samples, accuracy, samples };
    } finally {
      metrics.dispose();
    }
  }

  /**
   * Model outputs for `x` without a tape: probabilities (softmax for softmax-cross-entropy, sigmoid for
   * binary cross-entropy) unless `raw`, in which case the logits.
   */
  async predict(x: Float32Array, { raw = false, batchSize = 500 } = {}): Promise<Float32Array> {
    const perSample = this.model.inputShape.reduce((a, b) => a * b, 1);
    const outPerSample = this.model.outputShape.reduce((a, b) => a * b, 1);
    const samples = x.length / perSample;
    const result = new Float32Array(samples * outPerSample);
    for (let start = 0; start < samples; start += batchSize) {
      const end = Math.min(samples, start + batchSize);
      const kept = noGrad(() =>
        step(() => {
          const out = this.model.forward(this.inputTensor(x.subarray(start * perSample, end * perSample), 'predict'), {
            training: false,
            step: this.optimizer.stepCount,
          });
          if (raw || this.options.loss === 'mse') return out.keep();
          return (this.options.loss === 'softmax-cross-entropy' ? softmax(out) : sigmoid(out)).keep();
        }),
      );
      try {
        result.set(await kept.data(), start * outPerSample);
      } finally {
        kept.dispose();
      }
    }
    return result;
  }

  /** Releases the trainer's own device state (not the model's or the optimiser's). */
  dispose(): void {
    this.metrics.dispose();
    for (const t of this.slotVectors) t.dispose();
  }
}

/**
 * How many sigmoid outputs are on the right side of 0.5 (logit > 0 for target 1, < 0 for target 0), as a
 * [1] tensor, with elementwise ops only: z * (2t - 1) is positive exactly when right, and
 * 1 - relu(1 - relu(1e30 * that)) turns it into 1 or 0 (a logit of exactly 0 counts as wrong).
 */
function correctLogits(out: Tensor, target: Tensor): Tensor {
  const signs = scalarRaw('add', scalarRaw('mul', target, 2, 'metrics'), -1, 'metrics');
  const margin = binaryRaw('mul', out.view(target.shape, 'metrics'), signs, 'metrics');
  const positive = unaryRaw('relu', scalarRaw('mul', margin, 1e30, 'metrics'));
  const hit = scalarRaw('rsub', unaryRaw('relu', scalarRaw('rsub', positive, 1, 'metrics')), 1, 'metrics');
  return sum(hit).view([1], 'metrics');
}
