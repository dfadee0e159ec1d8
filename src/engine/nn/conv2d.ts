// Conv2D layer: y = act(conv2d(x, W) + b) over NHWC inputs, W [kh, kw, inC, filters] (HWIO, as Keras, so
// weights export 1:1), b zero. Initialised like Keras (glorot-uniform; fans are receptive field x channels). A relu
// activation is fused into the convolution's epilogue; the others run as their own op.
import { conv2d } from '../ops';
import { conv2dGeometry, LayerShapeError, type Padding2d } from '../ref/shapes';
import { ShapeError, tensorFrom, type Tensor } from '../tensor';
import { applyActivation, type ActivationKind } from './activation';
import { initialValues, type Initializer } from './init';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export interface Conv2DOptions {
  filters: number;
  /** [kh, kw], or one number for a square window. */
  kernelSize: number | readonly [number, number];
  /** [strideH, strideW], or one number; default 1. */
  strides?: number | readonly [number, number];
  padding?: Padding2d;
  activation?: ActivationKind;
  /** Default glorot-uniform, as Keras's Conv2D. */
  init?: Initializer;
  useBias?: boolean;
  name?: string;
}

const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

/** Rethrows the geometry's LayerShapeError as the engine's ShapeError (Sequential adds the layer index). */
export function asShapeError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LayerShapeError) throw new ShapeError(e.message);
    throw e;
  }
}

export class Conv2D implements Layer {
  readonly kind = 'conv2d';
  readonly name: string;
  readonly activation: ActivationKind;
  private readonly kernelSize: [number, number];
  private readonly strides: [number, number];
  private readonly padding: Padding2d;
  private kernel: Tensor | null = null;
  private bias: Tensor | null = null;

  constructor(private readonly options: Conv2DOptions) {
    this.name = options.name ?? 'conv2d';
    this.activation = options.activation ?? 'linear';
    this.kernelSize = pair(options.kernelSize);
    this.strides = pair(options.strides ?? 1);
    this.padding = options.padding ?? 'valid';
    if (!Number.isInteger(options.filters) || options.filters < 1) {
      throw new RangeError(`${this.name}: filters must be a positive integer, got ${options.filters}`);
    }
  }

  build(inputShape: readonly number[], { backend, seed }: BuildContext): number[] {
    const [kh, kw] = this.kernelSize;
    const filters = this.options.filters;
    const inC = inputShape[inputShape.length - 1];
    const g = asShapeError(() =>
      conv2dGeometry(this.name, [1, ...inputShape], [kh, kw, inC, filters], {
        strides: this.strides,
        padding: this.padding,
      }),
    );
    const init = this.options.init ?? 'glorot-uniform';
    const size = kh * kw * inC * filters;
    const w = initialValues(init, size, kh * kw * inC, kh * kw * filters, seed);
    this.kernel?.dispose();
    this.bias?.dispose();
    this.kernel = tensorFrom(backend, w, [kh, kw, inC, filters], { origin: `${this.name}/kernel`, persistent: true });
    this.kernel.requiresGrad = true;
    this.bias = null;
    if (this.options.useBias ?? true) {
      this.bias = tensorFrom(backend, new Float32Array(filters), [filters], {
        origin: `${this.name}/bias`,
        persistent: true,
      });
      this.bias.requiresGrad = true;
    }
    return [g.outH, g.outW, filters];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    if (!this.kernel) throw new Error(`${this.name}: forward() before build()`);
    const options = { strides: this.strides, padding: this.padding, layer: this.name };
    if (this.activation === 'relu') return conv2d(x, this.kernel, this.bias, { ...options, activation: 'relu' });
    return applyActivation(this.activation, conv2d(x, this.kernel, this.bias, options));
  }

  parameters(): Parameter[] {
    const out: Parameter[] = [];
    if (this.kernel) out.push({ name: `${this.name}/kernel`, value: this.kernel, decay: true });
    if (this.bias) out.push({ name: `${this.name}/bias`, value: this.bias, decay: false });
    return out;
  }
}
