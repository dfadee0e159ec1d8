// Central finite differences in float64 for the reference gradients: for a scalar loss
// L(v) = sum_i f(v)_i * r_i with fixed random weights r, dL/dv_j ~ (L(v + h e_j) - L(v - h e_j)) / 2h.
import { expectAllClose } from '../helpers/compare';
import { seededRandom } from '../helpers/random';

/** `length` float64 values uniform in [lo, hi). */
export function randomF64(length: number, seed: number, lo = -1, hi = 1): Float64Array {
  const rand = seededRandom(seed);
  return Float64Array.from({ length }, () => lo + (hi - lo) * rand());
}

/** sum_i a_i * b_i. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Checks `analytic` (dL/dv) against central differences of `loss` at `v` (v is perturbed in place and
 * restored). `h` is the step; tolerances are for float64.
 */
export function expectGradientMatches(
  v: Float64Array,
  loss: () => number,
  analytic: ArrayLike<number>,
  { h = 1e-5, rtol = 1e-6, atol = 1e-8 } = {},
): void {
  const numeric = new Float64Array(v.length);
  for (let j = 0; j < v.length; j++) {
    const keep = v[j];
    v[j] = keep + h;
    const plus = loss();
    v[j] = keep - h;
    const minus = loss();
    v[j] = keep;
    numeric[j] = (plus - minus) / (2 * h);
  }
  expectAllClose(analytic, numeric, { rtol, atol });
}
