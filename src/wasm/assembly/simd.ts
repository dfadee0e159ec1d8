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
