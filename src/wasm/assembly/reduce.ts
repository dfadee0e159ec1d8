// reduce: x viewed as [outer, size, inner] -> out [outer, inner], op sum (0), max (1) or mean (2).
// Sums accumulate in f64 (two f64x2 per four lanes): a reduction over thousands of terms of mixed sign
// would otherwise lose digits that the float64 reference keeps. Max is exact in f32.

const SUM = 0, MAX = 1, MEAN = 2;

/** Columns summed per pass when inner > 1, and their f64 accumulators (static: the module is single-threaded). */
const ACC_BLOCK = 1024;
const accumulators = memory.data(ACC_BLOCK * 8, 16);

@inline
function highHalf(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 3, 0, 1);
}

export function reduce(op: i32, x: usize, out: usize, outer: i32, size: i32, inner: i32): void {
  const scale: f64 = op == MEAN ? 1.0 / <f64>size : 1.0;
  for (let o = 0; o < outer; o++) {
    const base = x + (<usize>(o * size * inner) << 2);
    const dst = out + (<usize>(o * inner) << 2);
    if (inner == 1) {
      // One contiguous row of `size` values.
      let s = 0;
      if (op == MAX) {
        let m = f32x4.splat(-Infinity);
        for (; s + 4 <= size; s += 4) m = f32x4.max(m, v128.load(base + (<usize>s << 2)));
        let r = Mathf.max(Mathf.max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), Mathf.max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
        for (; s < size; s++) r = Mathf.max(r, load<f32>(base + (<usize>s << 2)));
        store<f32>(dst, r);
      } else {
        let lo = f64x2.splat(0), hi = f64x2.splat(0);
        for (; s + 4 <= size; s += 4) {
          const v = v128.load(base + (<usize>s << 2));
          lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
          hi = f64x2.add(hi, f64x2.promote_low_f32x4(highHalf(v)));
        }
        const t = f64x2.add(lo, hi);
        let r = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
        for (; s < size; s++) r += <f64>load<f32>(base + (<usize>s << 2));
        store<f32>(dst, <f32>(r * scale));
      }
      continue;
    }
    // inner > 1: walk the rows in memory order, accumulating a block of up to ACC_BLOCK columns in f64
    // (a column-at-a-time walk re-reads the whole input once per four columns: a conv bias gradient over
    // [86528, 32] took 8 passes over 11 MB).
    let start = 0;
    if (op != MAX) {
      // Sixteen columns at a time with their sums in registers (eight f64x2), rows in order: the same sums
      // as the block walk below, without its accumulator loads and stores (a conv bias gradient over
      // [86528, 32] reads each 64-byte half-row once per pass, so the input once in all).
      for (; start + 16 <= inner; start += 16) sumSixteenColumns(base + (<usize>start << 2), dst + (<usize>start << 2), size, inner, scale);
    }
    for (let i0 = start; i0 < inner; i0 += ACC_BLOCK) {
      const width = min(ACC_BLOCK, inner - i0);
      const vectors = width >> 2;
      if (op == MAX) {
        for (let i = 0; i < width; i++) store<f32>(dst + (<usize>(i0 + i) << 2), -Infinity);
        for (let s = 0; s < size; s++) {
          const row = base + (<usize>(s * inner + i0) << 2);
          const out0 = dst + (<usize>i0 << 2);
          let i = 0;
          for (; i < vectors << 2; i += 4) {
            const o = <usize>i << 2;
            v128.store(out0 + o, f32x4.max(v128.load(out0 + o), v128.load(row + o)));
          }
          for (; i < width; i++) {
            const o = <usize>i << 2;
            store<f32>(out0 + o, Mathf.max(load<f32>(out0 + o), load<f32>(row + o)));
          }
        }
        continue;
      }
      memory.fill(accumulators, 0, <usize>width << 3);
      for (let s = 0; s < size; s++) {
        const row = base + (<usize>(s * inner + i0) << 2);
        let i = 0;
        for (; i < vectors << 2; i += 4) {
          const v = v128.load(row + (<usize>i << 2));
          const acc = accumulators + (<usize>i << 3);
          v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(v)));
          v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(highHalf(v))), 16);
        }
        for (; i < width; i++) {
          const acc = accumulators + (<usize>i << 3);
          store<f64>(acc, load<f64>(acc) + <f64>load<f32>(row + (<usize>i << 2)));
        }
      }
      for (let i = 0; i < width; i++) {
        store<f32>(dst + (<usize>(i0 + i) << 2), <f32>(load<f64>(accumulators + (<usize>i << 3)) * scale));
      }
    }
  }
}

/** dst[0..16) = scale * the sums over `size` rows (`inner` floats apart) of the 16 floats at src, in f64. */
function sumSixteenColumns(src: usize, dst: usize, size: i32, inner: i32, scale: f64): void {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
  const stride = <usize>inner << 2;
  let row = src;
  for (let s = 0; s < size; s++) {
    let v = v128.load(row);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(highHalf(v)));
    v = v128.load(row, 16);
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(highHalf(v)));
    v = v128.load(row, 32);
    a4 = f64x2.add(a4, f64x2.promote_low_f32x4(v));
    a5 = f64x2.add(a5, f64x2.promote_low_f32x4(highHalf(v)));
    v = v128.load(row, 48);
    a6 = f64x2.add(a6, f64x2.promote_low_f32x4(v));
    a7 = f64x2.add(a7, f64x2.promote_low_f32x4(highHalf(v)));
    row += stride;
  }
  const k = f64x2.splat(scale);
  storeHalves(dst, f64x2.mul(a0, k), f64x2.mul(a1, k));
  storeHalves(dst + 16, f64x2.mul(a2, k), f64x2.mul(a3, k));
  storeHalves(dst + 32, f64x2.mul(a4, k), f64x2.mul(a5, k));
  storeHalves(dst + 48, f64x2.mul(a6, k), f64x2.mul(a7, k));
}

/** Stores the four f32 roundings of lo's and hi's lanes at dst (lo to the first two). */
@inline
function storeHalves(dst: usize, lo: v128, hi: v128): void {
  v128.store(dst, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}
