// Convolution and pooling ops over NHWC tensors, each with its gradient beside it. Geometry (and the
// errors that name the layer and the shapes) comes from src/engine/ref/shapes.ts; the backends run the
// vision primitives (src/kernels/{conv2d,pool}.ts on webgpu, src/engine/ref/ on cpu).
import type { MatmulActivation } from '../backend/backend';
import {
  conv2dGeometry,
  conv2dOutputShape,
  LayerShapeError,
  pool2dGeometry,
  pool2dOutputShape,
  type Padding2d,
} from '../ref/shapes';
import { formatShape, record, ShapeError, Tensor } from '../tensor';
import { checkInputs, empty, prims } from './util';

export interface Conv2dOptions {
  /** [strideH, strideW]; default [1, 1]. */
  strides?: readonly [number, number];
  padding?: Padding2d;
  /** Fused into the forward pass ('relu' backward uses y > 0). */
  activation?: MatmulActivation;
  /** Names the layer in shape errors. */
  layer?: string;
}

export interface Pool2dOptions {
  poolSize: readonly [number, number];
  /** Default: the pool size. */
  strides?: readonly [number, number];
  padding?: Padding2d;
  layer?: string;
}

/** Runs `f`, turning the geometry's LayerShapeError into the engine's ShapeError (same message). */
function geometry<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LayerShapeError) throw new ShapeError(e.message);
    throw e;
  }
}

/**
 * y = act(conv2d(x, filter) + bias), x [batch, h, w, inC], filter [kh, kw, inC, outC], bias [outC].
 * dz = dy * act'(z);  dx = conv2dBackwardInput(dz, filter);  dFilter = conv2dBackwardFilter(x, dz);
 * dbias = sum over batch, h, w of dz.
 */
export function conv2d(x: Tensor, filter: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const layer = options.layer ?? 'conv2d';
  const activation = options.activation ?? 'none';
  checkInputs(layer, x, filter, ...(bias ? [bias] : []));
  const g = geometry(() =>
    conv2dGeometry(layer, x.shape, filter.shape, { strides: options.strides, padding: options.padding }),
  );
  if (bias && (bias.rank !== 1 || bias.size !== g.outC)) {
    throw new ShapeError(`${layer}: bias ${formatShape(bias.shape)} does not match ${g.outC} output channels`);
  }
  const y = empty(x, conv2dOutputShape(g), layer);
  prims(x).conv2d({
    x: x.storage,
    filter: filter.storage,
    bias: bias?.storage,
    out: y.storage,
    geometry: g,
    activation,
  });
  const inputs = bias ? [x, filter, bias] : [x, filter];
  return record(y, 'conv2d', inputs, (dy, needs) => {
    let dz = dy;
    if (activation === 'relu') {
      dz = empty(y, y.shape, `${layer} backward (relu)`);
      prims(y).unaryBackward({
        op: 'relu',
        x: y.storage,
        y: y.storage,
        dy: dy.storage,
        dx: dz.storage,
        length: y.size,
        alpha: 0,
      });
    }
    let dx: Tensor | null = null;
    if (needs[0]) {
      dx = empty(x, x.shape, `${layer} backward (input)`);
      prims(x).conv2dBackwardInput({ dy: dz.storage, filter: filter.storage, dx: dx.storage, geometry: g });
    }
    let dFilter: Tensor | null = null;
    if (needs[1]) {
      dFilter = empty(filter, filter.shape, `${layer} backward (filter)`);
      prims(x).conv2dBackwardFilter({ x: x.storage, dy: dz.storage, dFilter: dFilter.storage, geometry: g });
    }
    let dBias: Tensor | null = null;
    if (bias && needs[2]) {
      dBias = empty(bias, bias.shape, `${layer} backward (bias)`);
      const rows = g.batch * g.outH * g.outW;
      prims(dz).reduce({ op: 'sum', x: dz.storage, out: dBias.storage, outer: 1, size: rows, inner: g.outC });
    }
    return bias ? [dx, dFilter, dBias] : [dx, dFilter];
  });
}

/** y = max over each window (padded taps skipped);  dx[argmax[o]] += dy[o]. */
export function maxPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const layer = options.layer ?? 'maxPool2d';
  checkInputs(layer, x);
  const g = geometry(() => pool2dGeometry(layer, x.shape, options.poolSize, options, 'maxPool2d'));
  const y = empty(x, pool2dOutputShape(g), layer);
  const argmax = new Tensor(x.backend, y.shape, 'i32', `${layer} argmax`);
  prims(x).maxPool({ x: x.storage, out: y.storage, argmax: argmax.storage, geometry: g });
  return record(y, 'maxPool2d', [x], (dy) => {
    const dx = empty(x, x.shape, `${layer} backward`);
    prims(x).maxPoolBackward({ dy: dy.storage, argmax: argmax.storage, dx: dx.storage, geometry: g });
    return [dx];
  });
}

/** y = mean over each window's in-bounds taps;  each tap gets dy / count. */
export function avgPool2d(x: Tensor, options: Pool2dOptions): Tensor {
  const layer = options.layer ?? 'avgPool2d';
  checkInputs(layer, x);
  const g = geometry(() => pool2dGeometry(layer, x.shape, options.poolSize, options, 'avgPool2d'));
  const y = empty(x, pool2dOutputShape(g), layer);
  prims(x).avgPool({ x: x.storage, out: y.storage, geometry: g });
  return record(y, 'avgPool2d', [x], (dy) => {
    const dx = empty(x, x.shape, `${layer} backward`);
    prims(x).avgPoolBackward({ dy: dy.storage, dx: dx.storage, geometry: g });
    return [dx];
  });
}

/**
 * y[b, c] = mean over h, w of x[b, h, w, c] (a `reduce` mean of x viewed as [batch, h*w, c]);
 * dx[b, h, w, c] = dy[b, c] / (h*w) (dy read with a 0 stride over the pixels).
 */
export function globalAvgPool(x: Tensor, layer = 'globalAvgPool'): Tensor {
  checkInputs(layer, x);
  if (x.rank !== 4) {
    throw new ShapeError(
      `${layer}: expects an NHWC input [batch, height, width, channels], got ${formatShape(x.shape)}`,
    );
  }
  const [batch, h, w, channels] = x.shape;
  const pixels = h * w;
  const y = empty(x, [batch, channels], layer);
  prims(x).reduce({ op: 'mean', x: x.storage, out: y.storage, outer: batch, size: pixels, inner: channels });
  return record(y, 'globalAvgPool', [x], (dy) => {
    const dx = empty(x, x.shape, `${layer} backward`);
    const scaled = empty(dy, dy.shape, `${layer} backward`);
    prims(dy).scalar({ op: 'mul', x: dy.storage, out: scaled.storage, length: dy.size, value: 1 / pixels });
    // dx = max(s, s) with s broadcast over the pixel axis: a broadcast copy through `binary`.
    prims(dy).binary({
      op: 'max',
      a: scaled.storage,
      b: scaled.storage,
      out: dx.storage,
      shape: [batch, pixels, channels],
      aStrides: [channels, 0, 1],
      bStrides: [channels, 0, 1],
    });
    return [dx];
  });
}
