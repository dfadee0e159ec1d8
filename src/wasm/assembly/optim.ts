// In-place optimiser updates, one call per parameter tensor, with g = grad + l2 * p + l1 * sign(p):
//   sgd:     v = momentum * v + g;  p -= lr * (nesterov ? g + momentum * v : v)   (plain when velocity == 0)
//   adam:    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
//   rmsprop: s = rho s + (1-rho) g^2;  p -= lr * g / (sqrt(s) + eps)
// Four lanes at a time; the tail runs the same vector code on one splatted element.
import { splitAt } from './matmul';

@inline
function decayed(g: v128, p: v128, l2: v128, l1: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const sign = v128.bitselect(one, v128.bitselect(f32x4.neg(one), zero, f32x4.lt(p, zero)), f32x4.gt(p, zero));
  return f32x4.add(f32x4.add(g, f32x4.mul(l2, p)), f32x4.mul(l1, sign));
}

@inline
function lanes(ptr: usize, o: usize, vector: bool): v128 {
  return vector ? v128.load(ptr + o) : v128.load32_splat(ptr + o);
}

@inline
function put(ptr: usize, o: usize, value: v128, vector: bool): void {
  if (vector) v128.store(ptr + o, value);
  else store<f32>(ptr + o, f32x4.extract_lane(value, 0));
}

export function sgdUpdate(
  param: usize, grad: usize, velocity: usize, length: i32, lr: f32, l2: f32, l1: f32, momentum: f32, nesterov: bool,
): void {
  const vl2 = f32x4.splat(l2), vl1 = f32x4.splat(l1), vlr = f32x4.splat(lr), mu = f32x4.splat(momentum);
  const withMomentum = velocity != 0 && momentum > 0;
  for (let i = 0; i < length; ) {
    const vector = i + 4 <= length;
    const o = <usize>i << 2;
    const p = lanes(param, o, vector);
    const g = decayed(lanes(grad, o, vector), p, vl2, vl1);
    let step = g;
    if (withMomentum) {
      const v = f32x4.add(f32x4.mul(mu, lanes(velocity, o, vector)), g);
      put(velocity, o, v, vector);
      step = nesterov ? f32x4.add(g, f32x4.mul(mu, v)) : v;
    }
    put(param, o, f32x4.sub(p, f32x4.mul(vlr, step)), vector);
    i += vector ? 4 : 1;
  }
}

// The complements (1 - beta1, 1 - beta2^t, ...) come from the caller, computed in f64: 1 - f32(0.999) in
// f32 is off by 1.3e-5 relative, which Adam's second moment would carry.
export function adamUpdate(
  param: usize, grad: usize, m: usize, v: usize, length: i32, lr: f32, l2: f32, l1: f32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, oneMinusBeta1Power: f32, oneMinusBeta2Power: f32,
  eps: f32,
): void {
  const vl2 = f32x4.splat(l2), vl1 = f32x4.splat(l1), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(oneMinusBeta1), c2 = f32x4.splat(oneMinusBeta2);
  const d1 = f32x4.splat(oneMinusBeta1Power), d2 = f32x4.splat(oneMinusBeta2Power);
  for (let i = 0; i < length; ) {
    const vector = i + 4 <= length;
    const o = <usize>i << 2;
    const p = lanes(param, o, vector);
    const g = decayed(lanes(grad, o, vector), p, vl2, vl1);
    const mv = f32x4.add(f32x4.mul(b1, lanes(m, o, vector)), f32x4.mul(c1, g));
    const vv = f32x4.add(f32x4.mul(b2, lanes(v, o, vector)), f32x4.mul(c2, f32x4.mul(g, g)));
    put(m, o, mv, vector);
    put(v, o, vv, vector);
    const mHat = f32x4.div(mv, d1);
    const vHat = f32x4.div(vv, d2);
    put(param, o, f32x4.sub(p, f32x4.div(f32x4.mul(vlr, mHat), f32x4.add(f32x4.sqrt(vHat), veps))), vector);
    i += vector ? 4 : 1;
  }
}

export function rmspropUpdate(
  param: usize, grad: usize, meanSquare: usize, length: i32, lr: f32, l2: f32, l1: f32, rho: f32, oneMinusRho: f32,
  eps: f32,
): void {
  const vl2 = f32x4.splat(l2), vl1 = f32x4.splat(l1), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const r = f32x4.splat(rho), cr = f32x4.splat(oneMinusRho);
  for (let i = 0; i < length; ) {
    const vector = i + 4 <= length;
    const o = <usize>i << 2;
    const p = lanes(param, o, vector);
    const g = decayed(lanes(grad, o, vector), p, vl2, vl1);
    const s = f32x4.add(f32x4.mul(r, lanes(meanSquare, o, vector)), f32x4.mul(cr, f32x4.mul(g, g)));
    put(meanSquare, o, s, vector);
    put(param, o, f32x4.sub(p, f32x4.div(f32x4.mul(vlr, g), f32x4.add(f32x4.sqrt(s), veps))), vector);
    i += vector ? 4 : 1;
  }
}

// Threads: thread t of T updates its band of whole cache lines (16 floats) with the same arithmetic, so
// the result is bit-identical to one thread's.

export function sgdUpdatePart(
  param: usize, grad: usize, velocity: usize, length: i32, lr: f32, l2: f32, l1: f32, momentum: f32, nesterov: bool,
  thread: i32, threads: i32,
): void {
  const i0 = splitAt(length, 16, thread, threads), i1 = splitAt(length, 16, thread + 1, threads);
  if (i0 >= i1) return;
  const o = <usize>i0 << 2;
  sgdUpdate(param + o, grad + o, velocity != 0 ? velocity + o : 0, i1 - i0, lr, l2, l1, momentum, nesterov);
}

export function adamUpdatePart(
  param: usize, grad: usize, m: usize, v: usize, length: i32, lr: f32, l2: f32, l1: f32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, oneMinusBeta1Power: f32, oneMinusBeta2Power: f32,
  eps: f32, thread: i32, threads: i32,
): void {
  const i0 = splitAt(length, 16, thread, threads), i1 = splitAt(length, 16, thread + 1, threads);
  if (i0 >= i1) return;
  const o = <usize>i0 << 2;
  adamUpdate(
    param + o, grad + o, m + o, v + o, i1 - i0, lr, l2, l1,
    beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusBeta1Power, oneMinusBeta2Power, eps,
  );
}

export function rmspropUpdatePart(
  param: usize, grad: usize, meanSquare: usize, length: i32, lr: f32, l2: f32, l1: f32, rho: f32, oneMinusRho: f32,
  eps: f32, thread: i32, threads: i32,
): void {
  const i0 = splitAt(length, 16, thread, threads), i1 = splitAt(length, 16, thread + 1, threads);
  if (i0 >= i1) return;
  const o = <usize>i0 << 2;
  rmspropUpdate(param + o, grad + o, meanSquare + o, i1 - i0, lr, l2, l1, rho, oneMinusRho, eps);
}
