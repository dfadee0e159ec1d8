// Central finite differences against backward(), on the cpu backend with float64 storage so the
// differences measure the gradient rule, not float32 rounding.
import { backward, cpuBackend, step, tensorFrom, type Tensor } from '../../../src/engine';
import { mul, sum } from '../../../src/engine/ops';
import type { CpuStorage } from '../../../src/engine/backend/cpu/cpu';
import { seededRandom } from './random';

export interface GradInput {
  shape: number[];
  /** Values; default uniform in [lo, hi) from the seed. */
  data?: Float32Array | Int32Array;
  lo?: number;
  hi?: number;
  dtype?: 'f32' | 'i32';
  /** Whether to check this input's gradient (default: true for f32). */
  check?: boolean;
}

export interface GradcheckResult {
  maxAbsError: number;
  maxRelError: number;
  checked: number;
}

export function inputValues(spec: GradInput, seed: number): Float32Array | Int32Array {
  if (spec.data) return spec.data;
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const rand = seededRandom(seed);
  const lo = spec.lo ?? -1;
  const hi = spec.hi ?? 1;
  if (spec.dtype === 'i32') return Int32Array.from({ length: n }, () => Math.floor(lo + (hi - lo) * rand()));
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/**
 * Checks d(sum(w * f(inputs)))/d(inputs) from backward() against central differences, where w is a fixed
 * random weighting (so every output direction is tested). Throws with the worst element on failure.
 */
export function gradcheck(
  f: (...inputs: Tensor[]) => Tensor,
  specs: GradInput[],
  { seed = 7, h = 1e-6, rtol = 1e-6, atol = 1e-8 }: { seed?: number; h?: number; rtol?: number; atol?: number } = {},
): GradcheckResult {
  const backend = cpuBackend({ float64: true });
  const inputs = specs.map((s, i) => {
    const t = tensorFrom(backend, inputValues(s, seed + i * 101), s.shape, {
      dtype: s.dtype ?? 'f32',
      persistent: true,
      origin: `input ${i}`,
    });
    t.requiresGrad = s.dtype !== 'i32' && s.check !== false;
    return t;
  });
  let weights: Tensor | null = null;
  const objective = (): Tensor => {
    const y = f(...inputs);
    if (!weights) {
      const rand = seededRandom(seed + 999);
      weights = tensorFrom(
        backend,
        Float32Array.from({ length: y.size }, () => 0.5 + rand()),
        y.shape,
        {
          persistent: true,
          origin: 'weights',
        },
      );
    }
    return sum(mul(y, weights));
  };
  const analytic = step(() => {
    const loss = objective();
    backward(loss);
    return inputs.map((t) => (t.requiresGrad ? Float64Array.from(t.grad!.storage as CpuStorage) : null));
  });
  const value = (): number => step(() => (objective().storage as CpuStorage)[0]);
  let maxAbsError = 0;
  let maxRelError = 0;
  let checked = 0;
  inputs.forEach((t, i) => {
    const g = analytic[i];
    if (!g) return;
    const x = t.storage as Float64Array;
    for (let j = 0; j < t.size; j++) {
      const saved = x[j];
      x[j] = saved + h;
      const plus = value();
      x[j] = saved - h;
      const minus = value();
      x[j] = saved;
      const numeric = (plus - minus) / (2 * h);
      const err = Math.abs(numeric - g[j]);
      maxAbsError = Math.max(maxAbsError, err);
      maxRelError = Math.max(maxRelError, err / Math.max(Math.abs(numeric), 1e-12));
      checked++;
      if (err > atol + rtol * Math.max(Math.abs(numeric), Math.abs(g[j]))) {
        throw new Error(
          `input ${i} ${JSON.stringify(specs[i].shape)} element ${j}: backward() gives ${g[j]}, ` +
            `finite differences ${numeric} (error ${err.toExponential(2)})`,
        );
      }
    }
  });
  for (const t of inputs) t.dispose();
  (weights as Tensor | null)?.dispose();
  return { maxAbsError, maxRelError, checked };
}
