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
    for (let i0 = 0; i0 < inner; i0 += ACC_BLOCK) {
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
