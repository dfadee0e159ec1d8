// The wasm optimiser updates against the float64 rules of src/engine/backend/backend.ts (OptimHyper),
// three steps each so optimiser state carries over, with l1 and l2 decay, in lengths that are 1, primes
// and not multiples of four, on every build this runtime runs.
import { beforeAll, describe, it } from 'vitest';
import type { OptimHyper } from '../../../src/engine/backend/backend';
import type { WasmKernels } from '../../../src/wasm/kernels';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';
import { kernelsFor, SIMD_LEVELS, upload } from './wasm-helpers';

const LENGTHS = [1, 5, 64, 1001];
const BASE: OptimHyper = {
  lr: 0.05,
  l2: 1e-3,
  l1: 2e-4,
  momentum: 0,
  nesterov: false,
  beta1: 0.9,
  beta2: 0.999,
  step: 1,
  beta1Power: 1,
  beta2Power: 1,
  rho: 0.9,
  eps: 1e-7,
};

type Rule = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'rmsprop';

/** One step of `rule` on float64 copies of the state, in place. */
function referenceStep(
  rule: Rule,
  h: OptimHyper,
  p: Float64Array,
  g: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
) {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + h.l2 * p[i] + h.l1 * Math.sign(p[i]);
    if (rule === 'sgd') {
      p[i] -= h.lr * gi;
    } else if (rule === 'momentum' || rule === 'nesterov') {
      s1[i] = h.momentum * s1[i] + gi;
      p[i] -= h.lr * (rule === 'nesterov' ? gi + h.momentum * s1[i] : s1[i]);
    } else if (rule === 'adam') {
      s1[i] = h.beta1 * s1[i] + (1 - h.beta1) * gi;
      s2[i] = h.beta2 * s2[i] + (1 - h.beta2) * gi * gi;
      p[i] -= (h.lr * (s1[i] / (1 - h.beta1Power))) / (Math.sqrt(s2[i] / (1 - h.beta2Power)) + h.eps);
    } else {
      s1[i] = h.rho * s1[i] + (1 - h.rho) * gi * gi;
      p[i] -= (h.lr * gi) / (Math.sqrt(s1[i]) + h.eps);
    }
  }
}

describe.each(SIMD_LEVELS)('wasm optimiser updates (%s build)', (level) => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor(level);
  });

  for (const rule of ['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop'] as Rule[]) {
    it(`${rule}: three steps match float64`, () => {
      LENGTHS.forEach((length, li) => {
        const param0 = randomF32(length, 900 + li);
        // A zero parameter exercises sign(0) = 0 in the l1 term.
        param0[0] = 0;
        const param = upload(k, param0);
        const s1 = upload(k, new Float32Array(length));
        const s2 = upload(k, new Float32Array(length));
        const p = Float64Array.from(param0);
        const r1 = new Float64Array(length);
        const r2 = new Float64Array(length);
        for (let step = 1; step <= 3; step++) {
          const gradHost = randomF32(length, 1000 * step + li);
          const grad = upload(k, gradHost);
          const h: OptimHyper = {
            ...BASE,
            momentum: rule === 'momentum' || rule === 'nesterov' ? 0.9 : 0,
            nesterov: rule === 'nesterov',
            step,
            beta1Power: BASE.beta1 ** step,
            beta2Power: BASE.beta2 ** step,
          };
          if (rule === 'adam') k.adamUpdate({ param, grad, m: s1, v: s2, length, hyper: h });
          else if (rule === 'rmsprop') k.rmspropUpdate({ param, grad, meanSquare: s1, length, hyper: h });
          else k.sgdUpdate({ param, grad, velocity: rule === 'sgd' ? undefined : s1, length, hyper: h });
          referenceStep(rule, h, p, Float64Array.from(gradHost), r1, r2);
          k.free(grad);
        }
        expectAllClose(k.readF32(param, length), p, { rtol: 1e-5, atol: 1e-6 });
        if (rule !== 'sgd') expectAllClose(k.readF32(s1, length), r1, { rtol: 1e-5, atol: 1e-7 });
        if (rule === 'adam') expectAllClose(k.readF32(s2, length), r2, { rtol: 1e-5, atol: 1e-9 });
      });
    });
  }
});
