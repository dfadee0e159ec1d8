// Output-shape arithmetic for 2-D convolution and pooling over NHWC tensors, with TensorFlow/Keras
// semantics for 'valid' and 'same' padding, and the one place bad geometry becomes a clear error that
// names the layer and the shapes (the designer shows it on that layer; the engine throws it before any work).

export type Padding2d = 'valid' | 'same';

/** A shape error raised while building a layer: `layer` names it, the message states the shapes. */
export class LayerShapeError extends Error {
  constructor(
    readonly layer: string,
    message: string,
  ) {
    super(`${layer}: ${message}`);
    this.name = 'LayerShapeError';
  }
}

/** Window geometry shared by convolution and pooling: input, window, stride, padding and output sizes. */
export interface Window2d {
  batch: number;
  inH: number;
  inW: number;
  /** Input channels. */
  inC: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
}

/** Convolution geometry: the window plus the output channel count (filter [kh, kw, inC, outC], HWIO). */
export interface Conv2dGeometry extends Window2d {
  outC: number;
}

/** Pooling keeps the channel count: output [batch, outH, outW, inC]. */
export type Pool2dGeometry = Window2d;

export interface WindowOptions {
  /** [strideH, strideW]; default [1, 1] for convolution, the pool size for pooling. */
  strides?: readonly [number, number];
  padding?: Padding2d;
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function checkPositiveInts(layer: string, what: string, values: readonly number[]): void {
  if (values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new LayerShapeError(layer, `${what} must be positive integers, got ${fmt(values)}`);
  }
}

/**
 * Output size and padding along one axis (TensorFlow's rule):
 * valid: out = floor((in - k) / s) + 1, no padding;
 * same:  out = ceil(in / s), total padding max((out - 1) * s + k - in, 0), the odd pixel at the end.
 */
export function axisWindow(
  inSize: number,
  k: number,
  stride: number,
  padding: Padding2d,
): { out: number; padBefore: number; padAfter: number } {
  if (padding === 'valid') return { out: Math.floor((inSize - k) / stride) + 1, padBefore: 0, padAfter: 0 };
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + k - inSize, 0);
  const padBefore = Math.floor(total / 2);
  return { out, padBefore, padAfter: total - padBefore };
}

function window2d(
  layer: string,
  op: string,
  xShape: readonly number[],
  kh: number,
  kw: number,
  strides: readonly [number, number],
  padding: Padding2d,
): Window2d {
  if (xShape.length !== 4) {
    throw new LayerShapeError(
      layer,
      `${op} expects an NHWC input [batch, height, width, channels], got ${fmt(xShape)}`,
    );
  }
  checkPositiveInts(layer, `${op} input dimensions`, xShape);
  checkPositiveInts(layer, `${op} window size`, [kh, kw]);
  checkPositiveInts(layer, `${op} strides`, strides);
  if (padding !== 'valid' && padding !== 'same') {
    throw new LayerShapeError(layer, `${op} padding must be 'valid' or 'same', got '${String(padding)}'`);
  }
  const [batch, inH, inW, inC] = xShape;
  const [strideH, strideW] = strides;
  const h = axisWindow(inH, kh, strideH, padding);
  const w = axisWindow(inW, kw, strideW, padding);
  const paddedH = inH + h.padBefore + h.padAfter;
  const paddedW = inW + w.padBefore + w.padAfter;
  if (kh > paddedH || kw > paddedW) {
    throw new LayerShapeError(
      layer,
      `${op} window ${kh}x${kw} is larger than the ${padding}-padded input ${paddedH}x${paddedW} ` +
        `(input ${fmt(xShape)})`,
    );
  }
  if (h.out <= 0 || w.out <= 0) {
    throw new LayerShapeError(
      layer,
      `${op} output size ${h.out}x${w.out} is not positive (input ${fmt(xShape)}, window ${kh}x${kw}, ` +
        `strides ${fmt(strides)}, padding '${padding}')`,
    );
  }
  return {
    batch,
    inH,
    inW,
    inC,
    kh,
    kw,
    strideH,
    strideW,
    padTop: h.padBefore,
    padBottom: h.padAfter,
    padLeft: w.padBefore,
    padRight: w.padAfter,
    outH: h.out,
    outW: w.out,
  };
}

/**
 * Geometry of conv2d(x [batch, inH, inW, inC], filter [kh, kw, inC, outC]) -> [batch, outH, outW, outC].
 * Throws LayerShapeError naming `layer` on a channel mismatch, a window larger than the padded input, or
 * an output size <= 0.
 */
export function conv2dGeometry(
  layer: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  { strides = [1, 1], padding = 'valid' }: WindowOptions = {},
): Conv2dGeometry {
  if (filterShape.length !== 4) {
    throw new LayerShapeError(layer, `conv2d filter must be [kh, kw, inC, outC], got ${fmt(filterShape)}`);
  }
  checkPositiveInts(layer, 'conv2d filter dimensions', filterShape);
  const [kh, kw, filterInC, outC] = filterShape;
  if (xShape.length === 4 && xShape[3] !== filterInC) {
    throw new LayerShapeError(
      layer,
      `conv2d channel mismatch: input ${fmt(xShape)} has ${xShape[3]} channels but filter ${fmt(filterShape)} ` +
        `expects ${filterInC}`,
    );
  }
  return { ...window2d(layer, 'conv2d', xShape, kh, kw, strides, padding), outC };
}

/** Output shape [batch, outH, outW, outC] of a convolution. */
export function conv2dOutputShape(g: Conv2dGeometry): [number, number, number, number] {
  return [g.batch, g.outH, g.outW, g.outC];
}

/**
 * Geometry of a max or average pool with window `poolSize` (strides default to the pool size) over
 * x [batch, inH, inW, channels] -> [batch, outH, outW, channels]. Throws LayerShapeError naming `layer`.
 */
export function pool2dGeometry(
  layer: string,
  xShape: readonly number[],
  poolSize: readonly [number, number],
  { strides = poolSize, padding = 'valid' }: WindowOptions = {},
  op = 'pool2d',
): Pool2dGeometry {
  return window2d(layer, op, xShape, poolSize[0], poolSize[1], strides, padding);
}

/** Output shape [batch, outH, outW, channels] of a pool. */
export function pool2dOutputShape(g: Pool2dGeometry): [number, number, number, number] {
  return [g.batch, g.outH, g.outW, g.inC];
}
