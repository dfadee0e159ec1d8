// Element-wise kernels: unary (+ backward), binary with broadcasting, scalar, fill, copy, dropout.
// Buffers are f32 arrays given as byte offsets. Loops run four lanes at a time and finish the tail with
// the same vector code on one splatted element, so every element gets exactly the same arithmetic.
// Op codes are the indices of the op names in src/wasm/kernels.ts (UNARY_CODES etc.).
import { splitAt } from './matmul';

// Unary op codes: relu, leaky_relu, sigmoid, tanh, exp, log, neg, abs, sqrt, square.
const RELU = 0, LEAKY = 1, SIGMOID = 2, TANH = 3, EXP = 4, LOG = 5, NEG = 6, ABS = 7, SQRT = 8, SQUARE = 9;

@inline
function unaryV(op: i32, x: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0);
  switch (op) {
    case RELU:
      // x > 0 ? x : 0 (NaN stays NaN, as in the reference).
      return v128.bitselect(zero, x, f32x4.le(x, zero));
    case LEAKY:
      return v128.bitselect(x, f32x4.mul(alpha, x), f32x4.gt(x, zero));
    case NEG:
      return f32x4.neg(x);
    case ABS:
      return f32x4.abs(x);
    case SQRT:
      return f32x4.sqrt(x);
    default:
      return f32x4.mul(x, x);
  }
}

@inline
function unaryS(op: i32, x: f32): f32 {
  switch (op) {
    case SIGMOID:
      return 1 / (1 + Mathf.exp(-x));
    case TANH:
      return Mathf.tanh(x);
    case EXP:
      return Mathf.exp(x);
    default:
      return Mathf.log(x);
  }
}

/** out = f(x) element-wise; `alpha` is leaky relu's slope. */
export function unary(op: i32, x: usize, out: usize, length: i32, alpha: f32): void {
  let i = 0;
  if (op == SIGMOID || op == TANH || op == EXP || op == LOG) {
    for (; i < length; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, unaryS(op, load<f32>(x + o)));
    }
    return;
  }
  const a = f32x4.splat(alpha);
  for (; i + 4 <= length; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, unaryV(op, v128.load(x + o), a));
  }
  for (; i < length; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, f32x4.extract_lane(unaryV(op, f32x4.splat(load<f32>(x + o)), a), 0));
  }
}

/** f'(x) from x and y = f(x), four lanes. */
@inline
function derivativeV(op: i32, x: v128, y: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  switch (op) {
    case RELU:
      return v128.bitselect(one, zero, f32x4.gt(x, zero));
    case LEAKY:
      return v128.bitselect(one, alpha, f32x4.gt(x, zero));
    case SIGMOID:
      return f32x4.mul(y, f32x4.sub(one, y));
    case TANH:
      return f32x4.sub(one, f32x4.mul(y, y));
    case EXP:
      return y;
    case LOG:
      return f32x4.div(one, x);
    case NEG:
      return f32x4.neg(one);
    case ABS:
      return v128.bitselect(one, v128.bitselect(f32x4.neg(one), zero, f32x4.lt(x, zero)), f32x4.gt(x, zero));
    case SQRT:
      return f32x4.div(f32x4.splat(0.5), y);
    default:
      return f32x4.add(x, x);
  }
}

/** dx = dy * f'(x), with y = f(x). */
export function unaryBackward(op: i32, x: usize, y: usize, dy: usize, dx: usize, length: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), derivativeV(op, v128.load(x + o), v128.load(y + o), a)));
  }
  for (; i < length; i++) {
    const o = <usize>i << 2;
    const d = derivativeV(op, f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(y + o)), a);
    store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(d, 0));
  }
}

// Binary op codes: add, sub, mul, div, max, min, pow.
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, POW = 6;

@inline
function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD:
      return f32x4.add(a, b);
    case SUB:
      return f32x4.sub(a, b);
    case MUL:
      return f32x4.mul(a, b);
    case DIV:
      return f32x4.div(a, b);
    case MAX:
      return f32x4.max(a, b);
    default:
      return f32x4.min(a, b);
  }
}

/** One output row of n elements: out[j] = a[j * sa] op b[j * sb]. */
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let j = 0;
  if (op == POW) {
    for (; j < n; j++) {
      store<f32>(out + (<usize>j << 2), Mathf.pow(load<f32>(a + (<usize>(j * sa) << 2)), load<f32>(b + (<usize>(j * sb) << 2))));
    }
    return;
  }
  if (sa == 1 && sb == 1) {
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binaryV(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1 && sb == 0) {
    const bv = v128.load32_splat(b);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binaryV(op, v128.load(a + o), bv));
    }
  } else if (sa == 0 && sb == 1) {
    const av = v128.load32_splat(a);
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, binaryV(op, av, v128.load(b + o)));
    }
  }
  for (; j < n; j++) {
    const av = v128.load32_splat(a + (<usize>(j * sa) << 2));
    const bv = v128.load32_splat(b + (<usize>(j * sb) << 2));
    store<f32>(out + (<usize>j << 2), f32x4.extract_lane(binaryV(op, av, bv), 0));
  }
}

/**
 * out[i] = a[.] op b[.] over the output shape. `dims` points at 3 * rank i32s: the shape, then a's and
 * b's element strides over it (0 on broadcast axes). The caller merges contiguous axes first, so the
 * last axis is as long as possible.
 */
export function binary(op: i32, a: usize, b: usize, out: usize, rank: i32, dims: usize): void {
  const inner = load<i32>(dims + (<usize>(rank - 1) << 2));
  const sa = load<i32>(dims + (<usize>(2 * rank - 1) << 2));
  const sb = load<i32>(dims + (<usize>(3 * rank - 1) << 2));
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(dims + (<usize>d << 2));
  // Odometer over the outer axes: index[d] lives in a small stack array (rank <= 6).
  const index = memory.data(6 * 4);
  for (let d = 0; d < 6; d++) store<i32>(index + (<usize>d << 2), 0);
  let ai = 0, bi = 0;
  for (let r = 0; r < rows; r++) {
    binaryRow(op, a + (<usize>ai << 2), sa, b + (<usize>bi << 2), sb, out + (<usize>(r * inner) << 2), inner);
    for (let d = rank - 2; d >= 0; d--) {
      const at = index + (<usize>d << 2);
      const size = load<i32>(dims + (<usize>d << 2));
      const strideA = load<i32>(dims + (<usize>(rank + d) << 2));
      const strideB = load<i32>(dims + (<usize>(2 * rank + d) << 2));
      const v = load<i32>(at) + 1;
      ai += strideA;
      bi += strideB;
      if (v < size) {
        store<i32>(at, v);
        break;
      }
      store<i32>(at, 0);
      ai -= strideA * size;
      bi -= strideB * size;
    }
  }
}

// Scalar op codes: add, mul, rsub, pow.
const S_ADD = 0, S_MUL = 1, S_RSUB = 2;

/** out = x op value (rsub: value - x). */
export function scalar(op: i32, x: usize, out: usize, length: i32, value: f32): void {
  let i = 0;
  if (op > S_RSUB) {
    for (; i < length; i++) {
      const o = <usize>i << 2;
      store<f32>(out + o, Mathf.pow(load<f32>(x + o), value));
    }
    return;
  }
  const v = f32x4.splat(value);
  for (; i + 4 <= length; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    v128.store(out + o, op == S_ADD ? f32x4.add(xv, v) : op == S_MUL ? f32x4.mul(xv, v) : f32x4.sub(v, xv));
  }
  for (; i < length; i++) {
    const o = <usize>i << 2;
    const xv = load<f32>(x + o);
    store<f32>(out + o, op == S_ADD ? xv + value : op == S_MUL ? xv * value : value - xv);
  }
}

/** out[0..length) = value (f32 bits; i32 buffers are filled by the caller passing reinterpreted bits). */
export function fill(out: usize, length: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= length; i += 4) v128.store(out + (<usize>i << 2), v);
  for (; i < length; i++) store<f32>(out + (<usize>i << 2), value);
}

/** dst[0..length) = src[0..length) (4-byte elements; overlapping ranges allowed). */
export function copy(src: usize, dst: usize, length: i32): void {
  memory.copy(dst, src, <usize>length << 2);
}

/** lowbias32 (C. Wellons), the hash of src/engine/backend/cpu/dropout-hash.ts and src/kernels/dropout.ts. */
@inline
function hash32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

/**
 * Inverted dropout with the counter-based hash shared by every backend:
 *   key = h(seed ^ h(step ^ 0x9e3779b9));  bits_i = h(h(i ^ key) + key);  keep when bits_i >= threshold
 * (threshold = round(rate 2^32), from the caller); mask[i] = keep ? scale : 0; out = x * mask.
 */
export function dropout(x: usize, out: usize, mask: usize, length: i32, threshold: u32, scale: f32, seed: u32, step: u32): void {
  const key = hash32(seed ^ hash32(step ^ 0x9e3779b9));
  for (let i = 0; i < length; i++) {
    const o = <usize>i << 2;
    const keep = hash32(hash32(<u32>i ^ key) + key) >= threshold;
    const m: f32 = keep ? scale : 0;
    store<f32>(mask + o, m);
    store<f32>(out + o, load<f32>(x + o) * m);
  }
}

// Threads: thread t of T takes its band of whole cache lines (16 floats); every element gets the same
// arithmetic as on one thread.

export function unaryPart(op: i32, x: usize, out: usize, length: i32, alpha: f32, thread: i32, threads: i32): void {
  const i0 = splitAt(length, 16, thread, threads), i1 = splitAt(length, 16, thread + 1, threads);
  if (i0 >= i1) return;
  const o = <usize>i0 << 2;
  unary(op, x + o, out + o, i1 - i0, alpha);
}

export function unaryBackwardPart(
  op: i32, x: usize, y: usize, dy: usize, dx: usize, length: i32, alpha: f32, thread: i32, threads: i32,
): void {
  const i0 = splitAt(length, 16, thread, threads), i1 = splitAt(length, 16, thread + 1, threads);
  if (i0 >= i1) return;
  const o = <usize>i0 << 2;
  unaryBackward(op, x + o, y + o, dy + o, dx + o, i1 - i0, alpha);
}
