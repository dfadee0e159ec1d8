// Dense (fully connected) layer: y = act(x W + b), W [in, out] initialised by a seeded He or Glorot
// initialiser, b zero. A relu activation is fused into the matmul's epilogue (one dispatch forward);
// the others run as their own op.
import { formatShape, ShapeError, tensorFrom, type Tensor } from '../tensor';
import { dense as denseOp, reshape } from '../ops';
import { applyActivation, type ActivationKind } from './activation';
import { initialValues, type Initializer } from './init';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export interface DenseOptions {
  units: number;
  activation?: ActivationKind;
  /** Default: he-normal for relu-family activations, glorot-uniform otherwise. */
  init?: Initializer;
  useBias?: boolean;
  name?: string;
}

export class Dense implements Layer {
  readonly kind = 'dense';
  readonly name: string;
  readonly units: number;
  readonly activation: ActivationKind;
  private kernel: Tensor | null = null;
  private bias: Tensor | null = null;

  constructor(private readonly options: DenseOptions) {
    this.units = options.units;
    this.activation = options.activation ?? 'linear';
    this.name = options.name ?? 'dense';
    if (!Number.isInteger(this.units) || this.units < 1) {
      throw new RangeError(`${this.name}: units must be a positive integer, got ${options.units}`);
    }
  }

  build(inputShape: readonly number[], { backend, seed }: BuildContext): number[] {
    if (inputShape.length === 0) throw new ShapeError(`${this.name}: needs a non-scalar input`);
    const fanIn = inputShape.reduce((a, b) => a * b, 1);
    const reluFamily = this.activation === 'relu' || this.activation === 'leaky_relu';
    const init = this.options.init ?? (reluFamily ? 'he-normal' : 'glorot-uniform');
    const w = initialValues(init, fanIn * this.units, fanIn, this.units, seed);
    this.kernel?.dispose();
    this.bias?.dispose();
    this.kernel = tensorFrom(backend, w, [fanIn, this.units], { origin: `${this.name}/kernel`, persistent: true });
    this.kernel.requiresGrad = true;
    if (this.options.useBias ?? true) {
      this.bias = tensorFrom(backend, new Float32Array(this.units), [this.units], {
        origin: `${this.name}/bias`,
        persistent: true,
      });
      this.bias.requiresGrad = true;
    }
    return [this.units];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    if (!this.kernel) throw new Error(`${this.name}: forward() before build()`);
    const fanIn = this.kernel.shape[0];
    const flat = x.rank === 2 ? x : reshape(x, [x.shape[0], -1]);
    if (flat.shape[1] !== fanIn) {
      throw new ShapeError(
        `${this.name}: input ${formatShape(x.shape)} does not match its ${fanIn} input features ` +
          `(kernel ${formatShape(this.kernel.shape)})`,
      );
    }
    if (this.activation === 'relu') return denseOp(flat, this.kernel, this.bias, 'relu');
    return applyActivation(this.activation, denseOp(flat, this.kernel, this.bias, 'none'));
  }

  parameters(): Parameter[] {
    const out: Parameter[] = [];
    if (this.kernel) out.push({ name: `${this.name}/kernel`, value: this.kernel, decay: true });
    if (this.bias) out.push({ name: `${this.name}/bias`, value: this.bias, decay: false });
    return out;
  }
}
