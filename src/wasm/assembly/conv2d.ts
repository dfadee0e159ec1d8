// 2-D convolution over NHWC input with an HWIO filter [kh, kw, inC, outC], forward and both gradients,
// as GEMMs over im2col chunks: a chunk of R output pixels becomes cols [R, kh*kw*inC] (taps outside the
// input are 0) in the caller's workspace, and the packed, register-tiled matmul does the arithmetic:
//   forward:        y[R, outC]       = cols @ W + bias
//   filter grad:    dW[K, outC]     += cols^T @ dy[R, outC]          (summed over chunks)
//   input grad:     dcols[R, K]      = dy @ W^T, scattered back onto dx (col2im, adding overlaps)
// The bias gradient is a column sum of dy: `reduce` with outer 1, size batch*outH*outW, inner outC.
// Geometry `g` points at 13 i32s: batch, inH, inW, inC, outC, kh, kw, strideH, strideW, padTop, padLeft,
// outH, outW.
// Threads (the *Part exports), each with its own im2col chunk (cols + t * colsFloats floats) and matmul
// workspace (work + t * workStride bytes): the forward and the input gradient hand out pieces of output
// pixels (forward, filter gradient) or of whole images (input gradient: col2im of different images never
// writes the same dx) from a counter as threads free up, so a thread slowed by a busy core takes fewer
// pieces. The forward and input gradient come out as on one thread; the filter gradient sums each piece
// into its own partial dW (piece 0 into dW itself), which the caller adds up in piece order, so the result
// does not depend on which thread took which piece (it differs from one thread's only by the f32 rounding
// of a differently grouped sum).
import { gemm, takeChunk } from './matmul';

/** Pieces per thread that the forward and the input gradient hand out (finer balances better). */
const PIECES_PER_THREAD: i32 = 8;

const G_BATCH = 0, G_IN_H = 1, G_IN_W = 2, G_IN_C = 3, G_OUT_C = 4, G_KH = 5, G_KW = 6;
const G_STRIDE_H = 7, G_STRIDE_W = 8, G_PAD_TOP = 9, G_PAD_LEFT = 10, G_OUT_H = 11, G_OUT_W = 12;

@inline
function geo(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}

/** Output pixels per chunk: as many rows of K floats as fit in `workFloats` (at least one). */
@inline
function chunkRows(workFloats: i32, kSize: i32): i32 {
  return max(1, workFloats / kSize);
}

/** dst[0..n) = src[0..n) for short runs, where a memory.copy call costs more than the copy. */
@inline
function copyFloats(dst: usize, src: usize, n: i32): void {
  if (n >= 32) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * cols[r, (ky*kw + kx)*inC + ic] = x[b, oy*sH + ky - padTop, ox*sW + kx - padLeft, ic] for rows r0..r0+rows
 * (r = (b*outH + oy)*outW + ox). A window inside the input is kh runs of kw*inC contiguous floats; only
 * windows that touch the padding go tap by tap. (Tap by tap everywhere measured 11.5 ms of a 16 ms
 * forward pass for MNIST's first layer at batch 128.)
 */
function im2col(g: usize, x: usize, cols: usize, r0: i32, rows: i32): void {
  windowWalk(g, x, cols, r0, rows, false);
}

/** dst[0..n) += src[0..n). */
@inline
function addFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dx[b, iy, ix, ic] += dcols[r, (ky*kw + kx)*inC + ic] over the chunk's rows (the adjoint of im2col). */
function col2im(g: usize, dcols: usize, dx: usize, r0: i32, rows: i32): void {
  windowWalk(g, dx, dcols, r0, rows, true);
}

/**
 * The walk im2col and col2im share: for each output pixel r0..r0+rows its window's taps in x, in cols'
 * row order, copied from x into cols (taps in the padding: 0) or, when `scatter`, added from cols into x
 * (taps in the padding: dropped). A window inside the input is kh runs of kw*inC contiguous floats.
 */
function windowWalk(g: usize, x: usize, cols: usize, r0: i32, rows: i32, scatter: bool): void {
  const inH = geo(g, G_IN_H), inW = geo(g, G_IN_W), inC = geo(g, G_IN_C), kh = geo(g, G_KH), kw = geo(g, G_KW);
  const sH = geo(g, G_STRIDE_H), sW = geo(g, G_STRIDE_W), padTop = geo(g, G_PAD_TOP), padLeft = geo(g, G_PAD_LEFT);
  const outH = geo(g, G_OUT_H), outW = geo(g, G_OUT_W);
  const runFloats = kw * inC;
  const inRowBytes = <usize>(inW * inC) << 2;
  let ox = r0 % outW;
  let oy = (r0 / outW) % outH;
  let b = r0 / (outW * outH);
  let col = cols;
  for (let r = 0; r < rows; r++) {
    const iy0 = oy * sH - padTop;
    const ix0 = ox * sW - padLeft;
    if (iy0 >= 0 && iy0 + kh <= inH && ix0 >= 0 && ix0 + kw <= inW) {
      let at = x + (<usize>(((b * inH + iy0) * inW + ix0) * inC) << 2);
      for (let ky = 0; ky < kh; ky++) {
        if (scatter) addFloats(at, col, runFloats);
        else copyFloats(col, at, runFloats);
        col += <usize>runFloats << 2;
        at += inRowBytes;
      }
    } else {
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky;
        for (let kx = 0; kx < kw; kx++) {
          const ix = ix0 + kx;
          const inside = iy >= 0 && iy < inH && ix >= 0 && ix < inW;
          const at = x + (<usize>(((b * inH + iy) * inW + ix) * inC) << 2);
          if (scatter) {
            if (inside) addFloats(at, col, inC);
          } else if (inside) {
            copyFloats(col, at, inC);
          } else {
            memory.fill(col, 0, <usize>inC << 2);
          }
          col += <usize>inC << 2;
        }
      }
    }
    if (++ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        b++;
      }
    }
  }
}

/** y = act(conv2d(x, w) + bias) (bias 0: none; relu when `relu`). `cols` has room for `colsFloats` floats; `work` is matmul's. */
export function conv2d(
  g: usize, x: usize, w: usize, bias: usize, relu: bool, y: usize, cols: usize, colsFloats: i32, work: usize,
): void {
  const total = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W);
  conv2dRows(g, x, w, bias, relu, y, cols, colsFloats, work, 0, total);
}

/** conv2d's output pixels [r0, r1), im2col chunk by chunk in `cols`. */
function conv2dRows(
  g: usize, x: usize, w: usize, bias: usize, relu: bool, y: usize, cols: usize, colsFloats: i32, work: usize,
  r0: i32, r1: i32,
): void {
  const kSize = geo(g, G_KH) * geo(g, G_KW) * geo(g, G_IN_C);
  const outC = geo(g, G_OUT_C);
  const step = chunkRows(colsFloats, kSize);
  for (let r = r0; r < r1; r += step) {
    const rows = min(step, r1 - r);
    im2col(g, x, cols, r, rows);
    gemm(cols, w, y + (<usize>(r * outC) << 2), rows, kSize, outC, false, false, bias, relu, work, false);
  }
}

/** Thread `thread` of `threads`' share of conv2d: pieces of output pixels from the counter at `counter`. */
export function conv2dPart(
  g: usize, x: usize, w: usize, bias: usize, relu: bool, y: usize, cols: usize, colsFloats: i32,
  work: usize, workStride: i32, counter: usize, thread: i32, threads: i32,
): void {
  const total = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W);
  const piece = pixelsPerPiece(total, threads);
  const myCols = cols + (<usize>thread * <usize>colsFloats << 2);
  const myWork = work + <usize>thread * <usize>workStride;
  for (;;) {
    const r0 = takeChunk(counter) * piece;
    if (r0 >= total) break;
    conv2dRows(g, x, w, bias, relu, y, myCols, colsFloats, myWork, r0, min(total, r0 + piece));
  }
}

/** dW = sum over output pixels of im2col(x)^T dy, written (not added) into dw [kh*kw*inC, outC]. */
export function conv2dBackwardFilter(g: usize, x: usize, dy: usize, dw: usize, cols: usize, colsFloats: i32, work: usize): void {
  const total = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W);
  conv2dBackwardFilterRows(g, x, dy, dw, cols, colsFloats, work, 0, total);
}

/** The sum over output pixels [r0, r1) of im2col(x)^T dy, written (not added) into `target`. */
function conv2dBackwardFilterRows(
  g: usize, x: usize, dy: usize, target: usize, cols: usize, colsFloats: i32, work: usize, r0: i32, r1: i32,
): void {
  const kSize = geo(g, G_KH) * geo(g, G_KW) * geo(g, G_IN_C);
  const outC = geo(g, G_OUT_C);
  const step = chunkRows(colsFloats, kSize);
  for (let r = r0; r < r1; r += step) {
    const rows = min(step, r1 - r);
    im2col(g, x, cols, r, rows);
    gemm(cols, dy + (<usize>(r * outC) << 2), target, kSize, rows, outC, true, false, 0, false, work, r > r0);
  }
}

/** Items (pixels, images) per piece when `total` are cut into PIECES_PER_THREAD pieces per thread. */
@inline
function pixelsPerPiece(total: i32, threads: i32): i32 {
  return (total + PIECES_PER_THREAD * threads - 1) / (PIECES_PER_THREAD * threads);
}

/**
 * Thread `thread` of `threads`' share of the filter gradient: pieces of ceil(total / pieces) output
 * pixels from the counter, piece p summed into its own slot (dw for p = 0, else partials + (p - 1) * dW's
 * size), so that which thread took a piece changes nothing; the caller adds the slots up in order.
 */
export function conv2dBackwardFilterPart(
  g: usize, x: usize, dy: usize, dw: usize, partials: usize, pieces: i32, cols: usize, colsFloats: i32,
  work: usize, workStride: i32, counter: usize, thread: i32, threads: i32,
): void {
  const kSize = geo(g, G_KH) * geo(g, G_KW) * geo(g, G_IN_C);
  const outC = geo(g, G_OUT_C);
  const total = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W);
  const piece = (total + pieces - 1) / pieces;
  const myCols = cols + (<usize>thread * <usize>colsFloats << 2);
  const myWork = work + <usize>thread * <usize>workStride;
  for (;;) {
    const p = takeChunk(counter);
    const r0 = p * piece;
    if (r0 >= total) break;
    const target = p == 0 ? dw : partials + (<usize>(p - 1) * <usize>(kSize * outC) << 2);
    conv2dBackwardFilterRows(g, x, dy, target, myCols, colsFloats, myWork, r0, min(total, r0 + piece));
  }
}

/** dst[0..length) += the `count` buffers of `length` floats at src, src + length, ... (partial sums). */
export function addPartials(dst: usize, src: usize, count: i32, length: i32): void {
  for (let p = 0; p < count; p++) addFloats(dst, src + (<usize>p * <usize>length << 2), length);
}

/** dx = col2im(dy @ W^T), written (not added) into dx [batch, inH, inW, inC]. */
export function conv2dBackwardInput(g: usize, dy: usize, w: usize, dx: usize, cols: usize, colsFloats: i32, work: usize): void {
  conv2dBackwardInputImages(g, dy, w, dx, cols, colsFloats, work, 0, geo(g, G_BATCH));
}

/** The input gradient of images [b0, b1), written (not added) into their part of dx. */
function conv2dBackwardInputImages(
  g: usize, dy: usize, w: usize, dx: usize, cols: usize, colsFloats: i32, work: usize, b0: i32, b1: i32,
): void {
  const kSize = geo(g, G_KH) * geo(g, G_KW) * geo(g, G_IN_C);
  const outC = geo(g, G_OUT_C);
  const image = geo(g, G_IN_H) * geo(g, G_IN_W) * geo(g, G_IN_C);
  const pixels = geo(g, G_OUT_H) * geo(g, G_OUT_W);
  memory.fill(dx + (<usize>(b0 * image) << 2), 0, <usize>((b1 - b0) * image) << 2);
  const step = chunkRows(colsFloats, kSize);
  const end = b1 * pixels;
  for (let r0 = b0 * pixels; r0 < end; r0 += step) {
    const rows = min(step, end - r0);
    gemm(dy + (<usize>(r0 * outC) << 2), w, cols, rows, outC, kSize, false, true, 0, false, work, false);
    col2im(g, cols, dx, r0, rows);
  }
}

/** Thread `thread` of `threads`' share of the input gradient: pieces of whole images from the counter. */
export function conv2dBackwardInputPart(
  g: usize, dy: usize, w: usize, dx: usize, cols: usize, colsFloats: i32,
  work: usize, workStride: i32, counter: usize, thread: i32, threads: i32,
): void {
  const batch = geo(g, G_BATCH);
  const piece = pixelsPerPiece(batch, threads);
  const myCols = cols + (<usize>thread * <usize>colsFloats << 2);
  const myWork = work + <usize>thread * <usize>workStride;
  for (;;) {
    const b0 = takeChunk(counter) * piece;
    if (b0 >= batch) break;
    conv2dBackwardInputImages(g, dy, w, dx, myCols, colsFloats, myWork, b0, min(batch, b0 + piece));
  }
}
