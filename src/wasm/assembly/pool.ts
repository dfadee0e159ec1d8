// Max and average pooling over NHWC input, forward and backward (TensorFlow semantics: padded taps are
// ignored; the average divides by the number of in-bounds taps). Geometry `g` uses conv2d's 13-i32 layout
// (src/wasm/assembly/conv2d.ts) with field 4 (outC) equal to inC.

const G_BATCH = 0, G_IN_H = 1, G_IN_W = 2, G_IN_C = 3, G_KH = 5, G_KW = 6;
const G_STRIDE_H = 7, G_STRIDE_W = 8, G_PAD_TOP = 9, G_PAD_LEFT = 10, G_OUT_H = 11, G_OUT_W = 12;

import { splitAt } from './matmul';

const LANE_OFFSETS = i32x4(0, 1, 2, 3);

@inline
function geo(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}

/** out = max over each window's in-bounds taps; argmax (i32) = flat NHWC index into x of the first maximum. */
export function maxPool(g: usize, x: usize, out: usize, argmax: usize): void {
  maxPoolImages(g, x, out, argmax, 0, geo(g, G_BATCH));
}

/** maxPool over this thread's share of the batch's images (threads never share an image). */
export function maxPoolPart(g: usize, x: usize, out: usize, argmax: usize, thread: i32, threads: i32): void {
  const batch = geo(g, G_BATCH);
  maxPoolImages(g, x, out, argmax, splitAt(batch, 1, thread, threads), splitAt(batch, 1, thread + 1, threads));
}

/** maxPool for the images [b0, b1). */
function maxPoolImages(g: usize, x: usize, out: usize, argmax: usize, b0: i32, b1: i32): void {
  const inH = geo(g, G_IN_H), inW = geo(g, G_IN_W), inC = geo(g, G_IN_C);
  const kh = geo(g, G_KH), kw = geo(g, G_KW), sH = geo(g, G_STRIDE_H), sW = geo(g, G_STRIDE_W);
  const padTop = geo(g, G_PAD_TOP), padLeft = geo(g, G_PAD_LEFT), outH = geo(g, G_OUT_H), outW = geo(g, G_OUT_W);
  // Where every window lies inside the input (no padding reached) and whole vectors cover the channels,
  // the taps need no bounds checks: the common case (2x2 / stride 2, valid), about twice as fast.
  const inside =
    (inC & 3) == 0 && padTop == 0 && padLeft == 0 && (outH - 1) * sH + kh <= inH && (outW - 1) * sW + kw <= inW;
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const o = <usize>(((b * outH + oy) * outW + ox) * inC) << 2;
        if (inside) {
          const first = ((b * inH + oy * sH) * inW + ox * sW) * inC;
          maxPoolWindow(x, out + o, argmax + o, first, inW * inC, inC, kh, kw);
        } else {
          maxPoolClipped(x, out + o, argmax + o, b, oy * sH - padTop, ox * sW - padLeft, inH, inW, inC, kh, kw);
        }
      }
    }
  }
}

/**
 * One window whose kh x kw taps are all inside the input, inC % 4 == 0: `first` is the flat index of its
 * top-left tap, `rowStride` the flat distance between input rows. The first tap is taken as it is (a NaN
 * there stays, as in the reference), later ones only where greater.
 */
@inline
function maxPoolWindow(
  x: usize, dst: usize, idx: usize, first: i32, rowStride: i32, inC: i32, kh: i32, kw: i32,
): void {
  for (let c = 0; c < inC; c += 4) {
    const at = first + c;
    let best = v128.load(x + (<usize>at << 2));
    let bestIndex = i32x4.add(i32x4.splat(at), LANE_OFFSETS);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = ky == 0 ? 1 : 0; kx < kw; kx++) {
        const tap = at + ky * rowStride + kx * inC;
        const v = v128.load(x + (<usize>tap << 2));
        const take = f32x4.gt(v, best);
        best = v128.bitselect(v, best, take);
        bestIndex = v128.bitselect(i32x4.add(i32x4.splat(tap), LANE_OFFSETS), bestIndex, take);
      }
    }
    v128.store(dst + (<usize>c << 2), best);
    v128.store(idx + (<usize>c << 2), bestIndex);
  }
}

/**
 * One window of image b that may reach past the input's edge (padding) or whose channels are not whole
 * vectors: its top-left tap at input row iy0, column ix0 (negative in the padding); results at dst / idx.
 */
function maxPoolClipped(
  x: usize, dst: usize, idx: usize, b: i32, iy0: i32, ix0: i32, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32,
): void {
  // Four channels at a time: take a tap where it is greater, or where nothing is taken yet (so a NaN tap
  // is taken only first, as in the reference); then the remaining channels one by one.
  const vectorC = inC & ~3;
  for (let c = 0; c < vectorC; c += 4) {
    let best = f32x4.splat(-Infinity);
    let bestIndex = i32x4.splat(-1);
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky;
      if (iy < 0 || iy >= inH) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx;
        if (ix < 0 || ix >= inW) continue;
        const base = ((b * inH + iy) * inW + ix) * inC + c;
        const v = v128.load(x + (<usize>base << 2));
        const take = v128.or(f32x4.gt(v, best), i32x4.lt_s(bestIndex, i32x4.splat(0)));
        best = v128.bitselect(v, best, take);
        bestIndex = v128.bitselect(i32x4.add(i32x4.splat(base), LANE_OFFSETS), bestIndex, take);
      }
    }
    v128.store(dst + (<usize>c << 2), best);
    v128.store(idx + (<usize>c << 2), bestIndex);
  }
  if (vectorC == inC) return;
  for (let c = vectorC; c < inC; c++) {
    store<f32>(dst + (<usize>c << 2), -Infinity);
    store<i32>(idx + (<usize>c << 2), -1);
  }
  for (let ky = 0; ky < kh; ky++) {
    const iy = iy0 + ky;
    if (iy < 0 || iy >= inH) continue;
    for (let kx = 0; kx < kw; kx++) {
      const ix = ix0 + kx;
      if (ix < 0 || ix >= inW) continue;
      const base = ((b * inH + iy) * inW + ix) * inC;
      const src = x + (<usize>base << 2);
      for (let c = vectorC; c < inC; c++) {
        const e = <usize>c << 2;
        const v = load<f32>(src + e);
        if (load<i32>(idx + e) < 0 || v > load<f32>(dst + e)) {
          store<f32>(dst + e, v);
          store<i32>(idx + e, base + c);
        }
      }
    }
  }
}

/** dx = 0, then dx[argmax[o]] += dy[o] for every output o (overlapping windows add). */
export function maxPoolBackward(g: usize, dy: usize, argmax: usize, dx: usize): void {
  maxPoolBackwardImages(g, dy, argmax, dx, 0, geo(g, G_BATCH));
}

/** maxPoolBackward over this thread's share of the images (an output's argmax lies in its own image). */
export function maxPoolBackwardPart(g: usize, dy: usize, argmax: usize, dx: usize, thread: i32, threads: i32): void {
  const batch = geo(g, G_BATCH);
  const b0 = splitAt(batch, 1, thread, threads), b1 = splitAt(batch, 1, thread + 1, threads);
  maxPoolBackwardImages(g, dy, argmax, dx, b0, b1);
}

function maxPoolBackwardImages(g: usize, dy: usize, argmax: usize, dx: usize, b0: i32, b1: i32): void {
  if (b0 >= b1) return;
  const image = geo(g, G_IN_H) * geo(g, G_IN_W) * geo(g, G_IN_C);
  const outImage = geo(g, G_OUT_H) * geo(g, G_OUT_W) * geo(g, G_IN_C);
  memory.fill(dx + (<usize>(b0 * image) << 2), 0, <usize>((b1 - b0) * image) << 2);
  for (let o = b0 * outImage; o < b1 * outImage; o++) {
    const i = load<i32>(argmax + (<usize>o << 2));
    if (i >= 0) {
      const at = dx + (<usize>i << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dy + (<usize>o << 2)));
    }
  }
}

/** `backward` false: out = mean of each window's in-bounds taps. true: dx = 0, dx[tap] += dy[o] / count. */
function avgPoolPass(g: usize, src: usize, dst: usize, backward: bool): void {
  const batch = geo(g, G_BATCH), inH = geo(g, G_IN_H), inW = geo(g, G_IN_W), inC = geo(g, G_IN_C);
  const kh = geo(g, G_KH), kw = geo(g, G_KW), sH = geo(g, G_STRIDE_H), sW = geo(g, G_STRIDE_W);
  const padTop = geo(g, G_PAD_TOP), padLeft = geo(g, G_PAD_LEFT), outH = geo(g, G_OUT_H), outW = geo(g, G_OUT_W);
  if (backward) memory.fill(dst, 0, <usize>(batch * inH * inW * inC) << 2);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * sH - padTop;
      const rows = min(y0 + kh, inH) - max(y0, 0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * sW - padLeft;
        const count = rows * (min(x0 + kw, inW) - max(x0, 0));
        const inv: f32 = 1 / <f32>count;
        const o = (<usize>(((b * outH + oy) * outW + ox) * inC)) << 2;
        if (!backward) for (let c = 0; c < inC; c++) store<f32>(dst + o + (<usize>c << 2), 0);
        for (let iy = max(y0, 0); iy < min(y0 + kh, inH); iy++) {
          for (let ix = max(x0, 0); ix < min(x0 + kw, inW); ix++) {
            const t = (<usize>(((b * inH + iy) * inW + ix) * inC)) << 2;
            for (let c = 0; c < inC; c++) {
              const e = <usize>c << 2;
              if (backward) store<f32>(dst + t + e, load<f32>(dst + t + e) + load<f32>(src + o + e) * inv);
              else store<f32>(dst + o + e, load<f32>(dst + o + e) + load<f32>(src + t + e));
            }
          }
        }
        if (!backward) {
          for (let c = 0; c < inC; c++) {
            const e = o + (<usize>c << 2);
            store<f32>(dst + e, load<f32>(dst + e) * inv);
          }
        }
      }
    }
  }
}

export function avgPool(g: usize, x: usize, out: usize): void {
  avgPoolPass(g, x, out, false);
}

export function avgPoolBackward(g: usize, dy: usize, dx: usize): void {
  avgPoolPass(g, dy, dx, true);
}
