// BatchNorm layer over the last axis (dense [units] or conv [h, w, channels] inputs): gamma (ones) and
// beta (zeros) are trained; the running mean and variance (zeros and ones, Keras's start) are state,
// updated by the forward pass in training and used in evaluation. They are not Parameters, so optimisers
// leave them alone; `state()` lists them for export.
import { batchNorm } from '../ops';
import { formatShape, ShapeError, tensorFrom, type Tensor } from '../tensor';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export interface BatchNormOptions {
  /** Keras default 0.99. */
  momentum?: number;
  /** Keras default 1e-3. */
  epsilon?: number;
  name?: string;
}

export class BatchNorm implements Layer {
  readonly kind = 'batchNorm';
  readonly name: string;
  private gamma: Tensor | null = null;
  private beta: Tensor | null = null;
  private runningMean: Tensor | null = null;
  private runningVar: Tensor | null = null;

  constructor(private readonly options: BatchNormOptions = {}) {
    this.name = options.name ?? 'batch_normalization';
    const momentum = options.momentum ?? 0.99;
    if (!(momentum >= 0 && momentum <= 1))
      throw new RangeError(`${this.name}: momentum must be in [0, 1], got ${momentum}`);
    if (!((options.epsilon ?? 1e-3) > 0)) throw new RangeError(`${this.name}: epsilon must be > 0`);
  }

  build(inputShape: readonly number[], { backend }: BuildContext): number[] {
    if (inputShape.length === 0)
      throw new ShapeError(`${this.name}: needs a non-scalar input, got ${formatShape(inputShape)}`);
    const c = inputShape[inputShape.length - 1];
    for (const t of [this.gamma, this.beta, this.runningMean, this.runningVar]) t?.dispose();
    const make = (value: number, role: string, trainable: boolean) => {
      const t = tensorFrom(backend, new Float32Array(c).fill(value), [c], {
        origin: `${this.name}/${role}`,
        persistent: true,
      });
      t.requiresGrad = trainable;
      return t;
    };
    this.gamma = make(1, 'gamma', true);
    this.beta = make(0, 'beta', true);
    this.runningMean = make(0, 'moving_mean', false);
    this.runningVar = make(1, 'moving_variance', false);
    return [...inputShape];
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    if (!this.gamma || !this.beta || !this.runningMean || !this.runningVar) {
      throw new Error(`${this.name}: forward() before build()`);
    }
    return batchNorm(x, this.gamma, this.beta, this.runningMean, this.runningVar, {
      training: ctx.training,
      momentum: this.options.momentum,
      epsilon: this.options.epsilon,
      layer: this.name,
    });
  }

  parameters(): Parameter[] {
    if (!this.gamma || !this.beta) return [];
    return [
      { name: `${this.name}/gamma`, value: this.gamma, decay: false },
      { name: `${this.name}/beta`, value: this.beta, decay: false },
    ];
  }

  /** The running statistics (Keras names moving_mean, moving_variance), for export and inspection. */
  state(): { name: string; value: Tensor }[] {
    if (!this.runningMean || !this.runningVar) return [];
    return [
      { name: `${this.name}/moving_mean`, value: this.runningMean },
      { name: `${this.name}/moving_variance`, value: this.runningVar },
    ];
  }
}
