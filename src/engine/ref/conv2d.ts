// Reference 2-D convolution, forward and backward, in plain TypeScript with float64 accumulation: the CPU
// backend wraps these and every WebGPU conv kernel is checked against them.
// Layout: x and y are NHWC, row-major; the filter is HWIO [kh, kw, inC, outC] (Keras / TF.js order).
import type { Conv2dGeometry } from './shapes';

/** Any dense float array: the CPU backend stores f32 or f64; results are written into `out`. */
export type FloatArray = Float32Array | Float64Array;

function check(name: string, array: ArrayLike<number>, expected: number): void {
  if (array.length !== expected) {
    throw new Error(`${name} has ${array.length} elements, expected ${expected}`);
  }
}

/**
 * Visits every tap of the convolution that lands inside the input: for output pixel (b, oy, ox) and
 * filter offset (ky, kx) with iy = oy*sH + ky - padTop, ix = ox*sW + kx - padLeft in bounds, calls
 * visit(yBase, xBase, wBase), the flat offsets of y[b,oy,ox,0], x[b,iy,ix,0] and w[ky,kx,0,0]. Forward and
 * both gradients are this one walk with a different inner product.
 */
function forEachTap(g: Conv2dGeometry, visit: (yBase: number, xBase: number, wBase: number) => void): void {
  const { batch, inH, inW, inC, outC, kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = g;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const yBase = ((b * outH + oy) * outW + ox) * outC;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH + ky - padTop;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW + kx - padLeft;
            if (ix < 0 || ix >= inW) continue;
            visit(yBase, ((b * inH + iy) * inW + ix) * inC, (ky * kw + kx) * inC * outC);
          }
        }
      }
    }
  }
}

/**
 * y[b,oy,ox,oc] = bias[oc] + sum_{ky,kx,ic} x[b, oy*sH + ky - padTop, ox*sW + kx - padLeft, ic] * w[ky,kx,ic,oc]
 * (taps outside the input read 0).  Gradients: conv2dBackwardInput, conv2dBackwardFilter, conv2dBackwardBias.
 */
export function conv2dForward(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  filter: ArrayLike<number>,
  bias: ArrayLike<number> | null,
  out: FloatArray = new Float64Array(g.batch * g.outH * g.outW * g.outC),
): FloatArray {
  const { batch, inH, inW, inC, outC, kh, kw, outH, outW } = g;
  check('conv2d input', x, batch * inH * inW * inC);
  check('conv2d filter', filter, kh * kw * inC * outC);
  if (bias) check('conv2d bias', bias, outC);
  check('conv2d output', out, batch * outH * outW * outC);
  const acc = new Float64Array(out.length);
  if (bias) for (let i = 0; i < acc.length; i++) acc[i] = bias[i % outC];
  forEachTap(g, (yBase, xBase, wBase) => {
    for (let ic = 0; ic < inC; ic++) {
      const xv = x[xBase + ic];
      const wRow = wBase + ic * outC;
      for (let oc = 0; oc < outC; oc++) acc[yBase + oc] += xv * filter[wRow + oc];
    }
  });
  out.set(acc);
  return out;
}

/** dx[b,iy,ix,ic] = sum over every (oy,ox,ky,kx) with iy = oy*sH + ky - padTop, ix = ox*sW + kx - padLeft of dy[b,oy,ox,oc] * w[ky,kx,ic,oc]. */
export function conv2dBackwardInput(
  g: Conv2dGeometry,
  dy: ArrayLike<number>,
  filter: ArrayLike<number>,
  dx: FloatArray = new Float64Array(g.batch * g.inH * g.inW * g.inC),
): FloatArray {
  const { batch, inH, inW, inC, outC, kh, kw, outH, outW } = g;
  check('conv2d output gradient', dy, batch * outH * outW * outC);
  check('conv2d filter', filter, kh * kw * inC * outC);
  check('conv2d input gradient', dx, batch * inH * inW * inC);
  const acc = new Float64Array(dx.length);
  forEachTap(g, (yBase, xBase, wBase) => {
    for (let ic = 0; ic < inC; ic++) {
      let s = 0;
      const wRow = wBase + ic * outC;
      for (let oc = 0; oc < outC; oc++) s += dy[yBase + oc] * filter[wRow + oc];
      acc[xBase + ic] += s;
    }
  });
  dx.set(acc);
  return dx;
}

/** dw[ky,kx,ic,oc] = sum_{b,oy,ox} x[b, oy*sH + ky - padTop, ox*sW + kx - padLeft, ic] * dy[b,oy,ox,oc]. */
export function conv2dBackwardFilter(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dFilter: FloatArray = new Float64Array(g.kh * g.kw * g.inC * g.outC),
): FloatArray {
  const { batch, inH, inW, inC, outC, kh, kw, outH, outW } = g;
  check('conv2d input', x, batch * inH * inW * inC);
  check('conv2d output gradient', dy, batch * outH * outW * outC);
  check('conv2d filter gradient', dFilter, kh * kw * inC * outC);
  const acc = new Float64Array(dFilter.length);
  forEachTap(g, (yBase, xBase, wBase) => {
    for (let ic = 0; ic < inC; ic++) {
      const xv = x[xBase + ic];
      const wRow = wBase + ic * outC;
      for (let oc = 0; oc < outC; oc++) acc[wRow + oc] += xv * dy[yBase + oc];
    }
  });
  dFilter.set(acc);
  return dFilter;
}

/** dbias[oc] = sum_{b,oy,ox} dy[b,oy,ox,oc]: a column sum of dy viewed as [rows, outC]. */
export function conv2dBackwardBias(
  dy: ArrayLike<number>,
  outC: number,
  dBias: FloatArray = new Float64Array(outC),
): FloatArray {
  if (dy.length % outC !== 0) throw new Error(`conv2d output gradient of ${dy.length} elements is not [rows, ${outC}]`);
  check('conv2d bias gradient', dBias, outC);
  const acc = new Float64Array(outC);
  for (let i = 0; i < dy.length; i += outC) for (let c = 0; c < outC; c++) acc[c] += dy[i + c];
  dBias.set(acc);
  return dBias;
}
