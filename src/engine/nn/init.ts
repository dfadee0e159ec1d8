// Seeded weight initialisers. fan_in / fan_out are the input and output sizes of a Dense weight [in, out].
// He (Kaiming): variance 2 / fan_in, for relu-family layers.  Glorot (Xavier): variance 2 / (fan_in +
// fan_out), for sigmoid / tanh.  Uniform variants draw from [-limit, limit] with the same variance
// (limit = sqrt(3 * variance)).

export type Initializer = 'he-normal' | 'he-uniform' | 'glorot-normal' | 'glorot-uniform' | 'zeros';

import { mulberry32 as seededRandom } from '../../data/random';

/** The seeded generator weights are drawn from (mulberry32, shared with the data pipeline). */
export { seededRandom };

/** `length` values drawn by `init` for a weight with the given fans, reproducible from `seed`. */
export function initialValues(
  init: Initializer,
  length: number,
  fanIn: number,
  fanOut: number,
  seed: number,
): Float32Array {
  const out = new Float32Array(length);
  if (init === 'zeros') return out;
  const variance = init.startsWith('he') ? 2 / fanIn : 2 / (fanIn + fanOut);
  const rand = seededRandom(seed);
  if (init.endsWith('uniform')) {
    const limit = Math.sqrt(3 * variance);
    for (let i = 0; i < length; i++) out[i] = (2 * rand() - 1) * limit;
  } else {
    const std = Math.sqrt(variance);
    for (let i = 0; i < length; i += 2) {
      // Box-Muller: two independent normals per pair of uniforms.
      const u = 1 - rand();
      const v = rand();
      const r = std * Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
  }
  return out;
}
