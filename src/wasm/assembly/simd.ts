// Shared SIMD helpers. The same sources build twice (scripts/build-wasm.mjs): a plain-SIMD module and a
// relaxed-SIMD one; `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so each build keeps one branch.

/** a * b + c on four lanes: one fused `relaxed_madd` where the build has relaxed SIMD, else mul + add. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** First byte the TS-side arena may use (everything below belongs to the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 in the relaxed-SIMD build, 0 in the plain one (so the loader can say which it runs). */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/**
 * One core's register-only FMA ceiling: 12 independent f32x4 multiply-add chains, no memory traffic.
 * Does iterations * 12 * 4 * 2 flops; returns a lane so the work cannot be optimised away.
 */
export function fmaCeiling(iterations: i32): f32 {
  const x = f32x4.splat(0.9999999);
  const y = f32x4.splat(1e-7);
  let c0 = f32x4.splat(0.0), c1 = f32x4.splat(0.1), c2 = f32x4.splat(0.2), c3 = f32x4.splat(0.3);
  let c4 = f32x4.splat(0.4), c5 = f32x4.splat(0.5), c6 = f32x4.splat(0.6), c7 = f32x4.splat(0.7);
  let c8 = f32x4.splat(0.8), c9 = f32x4.splat(0.9), c10 = f32x4.splat(1.0), c11 = f32x4.splat(1.1);
  for (let i = 0; i < iterations; i++) {
    c0 = madd(c0, x, y); c1 = madd(c1, x, y); c2 = madd(c2, x, y); c3 = madd(c3, x, y);
    c4 = madd(c4, x, y); c5 = madd(c5, x, y); c6 = madd(c6, x, y); c7 = madd(c7, x, y);
    c8 = madd(c8, x, y); c9 = madd(c9, x, y); c10 = madd(c10, x, y); c11 = madd(c11, x, y);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}
