// Element-by-element comparison that reports where and by how much, instead of a bare "not equal".

export interface Tolerance {
  /** Relative tolerance: |a - e| <= atol + rtol * |e|. */
  rtol?: number;
  atol?: number;
}

/** Throws, naming the first mismatching elements, unless every element of `actual` is close to `expected`. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: Tolerance = {},
): void {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} != expected length ${expected.length}`);
  }
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
    }
  }
  if (count > 0) {
    throw new Error(`${count} of ${expected.length} elements differ (rtol ${rtol}, atol ${atol}): ${bad.join('; ')}`);
  }
}
