// Reference 2-D pooling over NHWC tensors (max with argmax, average, global average), forward and
// backward, in plain TypeScript: the CPU backend wraps these and the WebGPU pool kernels are checked
// against them. Padded taps are ignored (TensorFlow semantics): max never picks one, and the average
// divides by the number of in-bounds taps.
import type { FloatArray } from './conv2d';
import type { Pool2dGeometry } from './shapes';

function check(name: string, array: ArrayLike<number>, expected: number): void {
  if (array.length !== expected) throw new Error(`${name} has ${array.length} elements, expected ${expected}`);
}

/**
 * y[b,oy,ox,c] = max over the window's in-bounds taps of x; argmax[...] = the flat NHWC index into x of
 * the first maximum in (ky, kx) order.  Backward: dx[argmax[o]] += dy[o].
 */
export function maxPoolForward(
  g: Pool2dGeometry,
  x: ArrayLike<number>,
  out: FloatArray = new Float64Array(g.batch * g.outH * g.outW * g.inC),
  argmax: Int32Array = new Int32Array(g.batch * g.outH * g.outW * g.inC),
): { out: FloatArray; argmax: Int32Array } {
  const { batch, inH, inW, inC, kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = g;
  check('maxPool input', x, batch * inH * inW * inC);
  check('maxPool output', out, batch * outH * outW * inC);
  check('maxPool argmax', argmax, out.length);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < inC; c++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * strideH + ky - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * strideW + kx - padLeft;
              if (ix < 0 || ix >= inW) continue;
              const index = ((b * inH + iy) * inW + ix) * inC + c;
              if (bestIndex < 0 || x[index] > best) {
                best = x[index];
                bestIndex = index;
              }
            }
          }
          const o = ((b * outH + oy) * outW + ox) * inC + c;
          out[o] = best;
          argmax[o] = bestIndex;
        }
      }
    }
  }
  return { out, argmax };
}

/** dx[i] = sum of dy[o] over the outputs o whose argmax is i (overlapping windows add). */
export function maxPoolBackward(
  g: Pool2dGeometry,
  dy: ArrayLike<number>,
  argmax: ArrayLike<number>,
  dx: FloatArray = new Float64Array(g.batch * g.inH * g.inW * g.inC),
): FloatArray {
  check('maxPool output gradient', dy, g.batch * g.outH * g.outW * g.inC);
  check('maxPool argmax', argmax, dy.length);
  check('maxPool input gradient', dx, g.batch * g.inH * g.inW * g.inC);
  const acc = new Float64Array(dx.length);
  for (let o = 0; o < dy.length; o++) acc[argmax[o]] += dy[o];
  dx.set(acc);
  return dx;
}

/** Number of in-bounds taps of the window at (oy, ox): the average pool's divisor. */
export function avgPoolCount(g: Pool2dGeometry, oy: number, ox: number): number {
  const y0 = oy * g.strideH - g.padTop;
  const x0 = ox * g.strideW - g.padLeft;
  const rows = Math.min(y0 + g.kh, g.inH) - Math.max(y0, 0);
  const cols = Math.min(x0 + g.kw, g.inW) - Math.max(x0, 0);
  return rows * cols;
}

/** y[b,oy,ox,c] = mean of x over the window's in-bounds taps.  Backward: each tap gets dy / count. */
export function avgPoolForward(
  g: Pool2dGeometry,
  x: ArrayLike<number>,
  out: FloatArray = new Float64Array(g.batch * g.outH * g.outW * g.inC),
): FloatArray {
  const { batch, inH, inW, inC, kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = g;
  check('avgPool input', x, batch * inH * inW * inC);
  check('avgPool output', out, batch * outH * outW * inC);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const count = avgPoolCount(g, oy, ox);
        for (let c = 0; c < inC; c++) {
          let sum = 0;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * strideH + ky - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * strideW + kx - padLeft;
              if (ix < 0 || ix >= inW) continue;
              sum += x[((b * inH + iy) * inW + ix) * inC + c];
            }
          }
          out[((b * outH + oy) * outW + ox) * inC + c] = sum / count;
        }
      }
    }
  }
  return out;
}

/** dx[tap] += dy[o] / count(o) for every in-bounds tap of every output window o. */
export function avgPoolBackward(
  g: Pool2dGeometry,
  dy: ArrayLike<number>,
  dx: FloatArray = new Float64Array(g.batch * g.inH * g.inW * g.inC),
): FloatArray {
  const { batch, inH, inW, inC, kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = g;
  check('avgPool output gradient', dy, batch * outH * outW * inC);
  check('avgPool input gradient', dx, batch * inH * inW * inC);
  const acc = new Float64Array(dx.length);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const count = avgPoolCount(g, oy, ox);
        for (let c = 0; c < inC; c++) {
          const share = dy[((b * outH + oy) * outW + ox) * inC + c] / count;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * strideH + ky - padTop;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ox * strideW + kx - padLeft;
              if (ix < 0 || ix >= inW) continue;
              acc[((b * inH + iy) * inW + ix) * inC + c] += share;
            }
          }
        }
      }
    }
  }
  dx.set(acc);
  return dx;
}

/** y[b,c] = mean over (h, w) of x[b,h,w,c], x viewed as [batch, pixels, channels].  dx[b,p,c] = dy[b,c] / pixels. */
export function globalAvgPoolForward(
  x: ArrayLike<number>,
  batch: number,
  pixels: number,
  channels: number,
  out: FloatArray = new Float64Array(batch * channels),
): FloatArray {
  check('globalAvgPool input', x, batch * pixels * channels);
  check('globalAvgPool output', out, batch * channels);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let p = 0; p < pixels; p++) sum += x[(b * pixels + p) * channels + c];
      out[b * channels + c] = sum / pixels;
    }
  }
  return out;
}

export function globalAvgPoolBackward(
  dy: ArrayLike<number>,
  batch: number,
  pixels: number,
  channels: number,
  dx: FloatArray = new Float64Array(batch * pixels * channels),
): FloatArray {
  check('globalAvgPool output gradient', dy, batch * channels);
  check('globalAvgPool input gradient', dx, batch * pixels * channels);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < channels; c++) dx[(b * pixels + p) * channels + c] = dy[b * channels + c] / pixels;
    }
  }
  return dx;
}
