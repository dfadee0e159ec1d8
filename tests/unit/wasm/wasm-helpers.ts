// Shared setup for the WebAssembly kernel tests: builds the .wasm if it is stale, turns on relaxed SIMD
// in Node 20 (where V8 has it behind a flag), lists the builds this runtime can run, and checks gradients
// on a backend against finite differences of its own forward pass.
import v8 from 'node:v8';
import { buildWasm } from '../../../scripts/build-wasm.mjs';
import {
  loadWasmKernels,
  supportsRelaxedSimd,
  type MatmulTile,
  type WasmKernels,
  type WasmSimdLevel,
} from '../../../src/wasm/kernels';
import { backward, step, tensorFrom, type Backend, type Tensor } from '../../../src/engine';
import { mul, reshape, sum } from '../../../src/engine/ops';
import { inputValues, type GradInput } from '../helpers/gradcheck';
import { seededRandom } from '../helpers/random';

// Must run before any module is compiled; harmless where relaxed SIMD is already on (Chromium, Node >= 22).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

/** The builds to test: plain SIMD always, relaxed where this runtime validates it. */
export const SIMD_LEVELS: WasmSimdLevel[] = supportsRelaxedSimd() ? ['simd', 'relaxed'] : ['simd'];

/**
 * Builds the .wasm if stale and loads the `level` build, single-threaded unless `threads` says otherwise,
 * with the matmul tile the probe picks unless `matmulTile` says which.
 */
export async function kernelsFor(level: WasmSimdLevel, threads = 1, matmulTile?: MatmulTile): Promise<WasmKernels> {
  await buildWasm();
  return loadWasmKernels({ simd: level, threads, matmulTile });
}

/** Copies `data` into a fresh buffer of the kernels' memory. */
export function upload(k: WasmKernels, data: Float32Array | Int32Array, what = 'input'): number {
  const ptr = k.alloc(data.length, what);
  k.write(ptr, data);
  return ptr;
}

/** A buffer of `length` elements filled with NaN, so an element the kernel never writes fails the check. */
export function poisoned(k: WasmKernels, length: number, what = 'output'): number {
  return upload(k, new Float32Array(length).fill(NaN), what);
}

/**
 * Gradients on `backend` against central finite differences of the same backend's forward pass: the
 * gradient of sum(w * f(inputs)) for a fixed random w, at `samples` elements of each f32 input (spread over
 * the input). The objective is summed in float64 from the float32 outputs, so only the outputs that an
 * element moves add rounding noise; the step is h relative to the value, rounded to float32. Elements
 * where the function has a kink within the step are skipped. Returns how many elements were checked;
 * throws naming the op, input and element on the first disagreement.
 */
export async function gradcheckOn(
  backend: Backend,
  name: string,
  f: (...inputs: Tensor[]) => Tensor,
  specs: GradInput[],
  { seed = 7, h = 1e-2, samples = 6, rtol = 2e-2, atol = 2e-3 } = {},
): Promise<number> {
  const values = specs.map((s, i) => inputValues(s, seed + i * 101));
  const inputs = specs.map((s, i) => {
    const t = tensorFrom(backend, values[i], s.shape, {
      dtype: s.dtype ?? 'f32',
      persistent: true,
      origin: `input ${i}`,
    });
    t.requiresGrad = s.dtype !== 'i32' && s.check !== false;
    return t;
  });
  const rand = seededRandom(seed + 999);
  let weights: Float64Array | null = null;
  const objective = async (): Promise<number> => {
    const y = step(() => f(...inputs).keep());
    const out = await y.data();
    y.dispose();
    weights ??= Float64Array.from(out, () => 0.5 + rand());
    let total = 0;
    for (let i = 0; i < out.length; i++) total += weights[i] * out[i];
    return total;
  };
  const base = await objective();
  const w = tensorFrom(backend, Float32Array.from(weights!), [weights!.length], { persistent: true, origin: 'w' });
  const kept = step(() => {
    const y = f(...inputs);
    backward(sum(mul(reshape(y, [-1]), w)));
    return inputs.map((t) => (t.requiresGrad ? t.grad!.keep() : null));
  });
  let checked = 0;
  for (let i = 0; i < inputs.length; i++) {
    const g = kept[i];
    if (!g) continue;
    const analytic = await g.data();
    const x = values[i] as Float32Array;
    const count = Math.min(samples, x.length);
    for (let s = 0; s < count; s++) {
      const j = Math.floor(((s + 0.5) * x.length) / count);
      const saved = x[j];
      const step0 = h * Math.max(1, Math.abs(saved));
      const up = Math.fround(saved + step0);
      const down = Math.fround(saved - step0);
      const perturbed = Float32Array.from(x);
      perturbed[j] = up;
      backend.write(inputs[i].storage, perturbed);
      const plus = await objective();
      perturbed[j] = down;
      backend.write(inputs[i].storage, perturbed);
      const minus = await objective();
      backend.write(inputs[i].storage, x);
      const numeric = (plus - minus) / (up - down);
      // A kink (relu at 0, a max changing hands) between x - h and x + h: the one-sided slopes disagree
      // and the central difference means nothing there. Such elements are skipped, not failed.
      const right = (plus - base) / (up - saved);
      const left = (base - minus) / (saved - down);
      if (Math.abs(right - left) > atol + rtol * Math.abs(numeric)) continue;
      checked++;
      if (Math.abs(numeric - analytic[j]) > atol + rtol * Math.abs(numeric)) {
        throw new Error(
          `${name}: input ${i} ${JSON.stringify(specs[i].shape)} element ${j}: backward() on ${backend.name} ` +
            `gives ${analytic[j]}, finite differences ${numeric}`,
        );
      }
    }
    g.dispose();
  }
  for (const t of [...inputs, w]) t.dispose();
  return checked;
}
