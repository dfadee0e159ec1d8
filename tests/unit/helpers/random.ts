// Seeded random inputs for tests, so a failure reproduces.

import { mulberry32 as seededRandom } from '../../../src/data/random';

/** The project's one seeded generator (mulberry32). */
export { seededRandom };

/** `length` floats uniform in [lo, hi). */
export function randomF32(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}
