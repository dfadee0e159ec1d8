// Optimisers: the cpu updates against the textbook formulas written out here, the webgpu fused update
// kernels against the cpu over several steps (momentum, Nesterov, L1, L2, Adam bias correction, RMSprop),
// and the learning-rate schedules.
import { describe, expect, it } from 'vitest';
import {
  backward,
  cpuBackend,
  learningRateAt,
  Optimizer,
  step,
  tensorFrom,
  type Backend,
  type OptimizerConfig,
} from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import { expectAllClose } from '../helpers/compare';
import { randomF32 } from '../helpers/random';

/** Runs `steps` updates on loss = sum(w * c) + 0.5 * sum(b^2) (gradients c and b) and returns w and b. */
async function optimise(backend: Backend, config: OptimizerConfig, steps: number, size = 37) {
  const w = tensorFrom(backend, randomF32(size, 11), [size], { persistent: true, origin: 'w' });
  const b = tensorFrom(backend, randomF32(5, 12), [5], { persistent: true, origin: 'b' });
  const c = tensorFrom(backend, randomF32(size, 13), [size], { persistent: true, origin: 'c' });
  w.requiresGrad = true;
  b.requiresGrad = true;
  const optimizer = new Optimizer(config);
  const params = [
    { name: 'w', value: w, decay: true },
    { name: 'b', value: b, decay: false },
  ];
  for (let i = 0; i < steps; i++) {
    step(() => {
      backward(ops.add(ops.sum(ops.mul(w, c)), ops.mulScalar(ops.sum(ops.square(b)), 0.5)));
      optimizer.step(params);
    });
    backend.flush();
  }
  const out = { w: await w.data(), b: await b.data(), c: await c.data() };
  optimizer.dispose();
  for (const t of [w, b, c]) t.dispose();
  return out;
}

/** The same updates in plain JavaScript, from the textbook formulas. */
function reference(config: OptimizerConfig, steps: number, size = 37) {
  const w = Array.from(randomF32(size, 11));
  const b = Array.from(randomF32(5, 12));
  const c = Array.from(randomF32(size, 13));
  const state = new Map<number[], { m: number[]; v: number[] }>();
  for (let t = 1; t <= steps; t++) {
    const lr = learningRateAt(config.schedule ?? { kind: 'constant' }, config.lr, t - 1);
    for (const [p, gradOf, decay] of [
      [w, (i: number) => c[i], true],
      [b, (i: number) => b[i], false],
    ] as const) {
      let s = state.get(p);
      if (!s) state.set(p, (s = { m: p.map(() => 0), v: p.map(() => 0) }));
      for (let i = 0; i < p.length; i++) {
        let g = gradOf(i);
        if (decay) g += (config.l2 ?? 0) * p[i] + (config.l1 ?? 0) * Math.sign(p[i]);
        if (config.kind === 'sgd') {
          const mu = config.momentum ?? 0;
          s.m[i] = mu * s.m[i] + g;
          p[i] -= lr * (config.nesterov ? g + mu * s.m[i] : mu ? s.m[i] : g);
        } else if (config.kind === 'adam') {
          const b1 = config.beta1 ?? 0.9;
          const b2 = config.beta2 ?? 0.999;
          s.m[i] = b1 * s.m[i] + (1 - b1) * g;
          s.v[i] = b2 * s.v[i] + (1 - b2) * g * g;
          p[i] -= (lr * (s.m[i] / (1 - b1 ** t))) / (Math.sqrt(s.v[i] / (1 - b2 ** t)) + (config.eps ?? 1e-8));
        } else {
          const rho = config.rho ?? 0.9;
          s.v[i] = rho * s.v[i] + (1 - rho) * g * g;
          p[i] -= (lr * g) / (Math.sqrt(s.v[i]) + (config.eps ?? 1e-7));
        }
      }
    }
  }
  return { w, b };
}

const CONFIGS: Array<[string, OptimizerConfig]> = [
  ['sgd', { kind: 'sgd', lr: 0.1 }],
  ['sgd + momentum + L2', { kind: 'sgd', lr: 0.05, momentum: 0.9, l2: 0.01 }],
  ['sgd + Nesterov + L1', { kind: 'sgd', lr: 0.05, momentum: 0.8, nesterov: true, l1: 0.003 }],
  ['adam', { kind: 'adam', lr: 0.01 }],
  [
    'adam + L2 + step schedule',
    { kind: 'adam', lr: 0.02, l2: 0.05, schedule: { kind: 'step', stepSize: 2, gamma: 0.5 } },
  ],
  [
    'rmsprop + cosine schedule',
    { kind: 'rmsprop', lr: 0.01, schedule: { kind: 'cosine', totalSteps: 4, minLr: 0.001 } },
  ],
];

describe('optimisers on the cpu backend follow the textbook formulas', () => {
  for (const [name, config] of CONFIGS) {
    it(name, async () => {
      const got = await optimise(cpuBackend(), config, 5);
      const want = reference(config, 5);
      expectAllClose(got.w, want.w, { rtol: 1e-5, atol: 1e-6 });
      expectAllClose(got.b, want.b, { rtol: 1e-5, atol: 1e-6 });
    });
  }
});

describe('optimisers on webgpu match the cpu backend', () => {
  for (const [name, config] of CONFIGS) {
    it(name, async () => {
      const { testWebGpuBackend } = await import('../helpers/checkOp');
      const got = await optimise(await testWebGpuBackend(), config, 5, 1031);
      const want = await optimise(cpuBackend(), config, 5, 1031);
      expectAllClose(got.w, want.w, { rtol: 1e-5, atol: 1e-6 });
      expectAllClose(got.b, want.b, { rtol: 1e-5, atol: 1e-6 });
    });
  }
});

describe('learning-rate schedules', () => {
  it('constant, step and cosine', () => {
    expect(learningRateAt({ kind: 'constant' }, 0.1, 1000)).toBe(0.1);
    expect([0, 2, 3, 6].map((t) => learningRateAt({ kind: 'step', stepSize: 3, gamma: 0.1 }, 1, t))).toEqual([
      1, 1, 0.1, 0.010000000000000002,
    ]);
    const cosine = { kind: 'cosine', totalSteps: 10, minLr: 0.1 } as const;
    expect(learningRateAt(cosine, 1, 0)).toBeCloseTo(1, 12);
    expect(learningRateAt(cosine, 1, 5)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(cosine, 1, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(cosine, 1, 20)).toBeCloseTo(0.1, 12);
  });
});
