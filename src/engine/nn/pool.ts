// Pooling layers over NHWC inputs: MaxPool2D and AvgPool2D (window, strides defaulting to the window,
// 'valid' or 'same' padding) and GlobalAvgPool ([h, w, c] -> [c]). No parameters.
import { avgPool2d, globalAvgPool, maxPool2d } from '../ops';
import { pool2dGeometry, type Padding2d } from '../ref/shapes';
import { formatShape, ShapeError, type Tensor } from '../tensor';
import { asShapeError } from './conv2d';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export interface Pool2DOptions {
  /** [kh, kw], or one number; default 2. */
  poolSize?: number | readonly [number, number];
  /** Default: the pool size. */
  strides?: number | readonly [number, number];
  padding?: Padding2d;
  name?: string;
}

const pair = (v: number | readonly [number, number]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

abstract class Pool2D implements Layer {
  abstract readonly kind: 'maxPool2d' | 'avgPool2d';
  readonly name: string;
  protected readonly poolSize: [number, number];
  protected readonly strides: [number, number];
  protected readonly padding: Padding2d;

  constructor(options: Pool2DOptions, defaultName: string) {
    this.name = options.name ?? defaultName;
    this.poolSize = pair(options.poolSize ?? 2);
    this.strides = pair(options.strides ?? this.poolSize);
    this.padding = options.padding ?? 'valid';
  }

  build(inputShape: readonly number[], _ctx: BuildContext): number[] {
    const g = asShapeError(() =>
      pool2dGeometry(
        this.name,
        [1, ...inputShape],
        this.poolSize,
        { strides: this.strides, padding: this.padding },
        this.kind,
      ),
    );
    return [g.outH, g.outW, g.inC];
  }

  abstract forward(x: Tensor, ctx: ForwardContext): Tensor;

  parameters(): Parameter[] {
    return [];
  }
}

export class MaxPool2D extends Pool2D {
  readonly kind = 'maxPool2d';
  constructor(options: Pool2DOptions = {}) {
    super(options, 'max_pooling2d');
  }
  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return maxPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding, layer: this.name });
  }
}

export class AvgPool2D extends Pool2D {
  readonly kind = 'avgPool2d';
  constructor(options: Pool2DOptions = {}) {
    super(options, 'average_pooling2d');
  }
  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return avgPool2d(x, { poolSize: this.poolSize, strides: this.strides, padding: this.padding, layer: this.name });
  }
}

export class GlobalAvgPool implements Layer {
  readonly kind = 'globalAvgPool';
  constructor(readonly name = 'global_average_pooling2d') {}
  build(inputShape: readonly number[], _ctx: BuildContext): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.name}: expects a [height, width, channels] input, got ${formatShape(inputShape)}`);
    }
    return [inputShape[2]];
  }
  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return globalAvgPool(x, this.name);
  }
  parameters(): Parameter[] {
    return [];
  }
}
