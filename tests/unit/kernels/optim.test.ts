import { describe, expect, it } from 'vitest';
import {
  adamUpdate,
  createOptimHyperBuffer,
  OPTIM_HYPER_BYTES,
  optimPrograms,
  packAdamHyper,
  packRmspropHyper,
  packSgdHyper,
  rmspropUpdate,
  sgdUpdate,
} from '../../../src/kernels/optim';
import { randomF32 } from '../helpers/random';
import { readF32, uploadBuffer } from '../helpers/webgpu';
import { expectClosePerElement, kernelHarness } from './buffer-kernel-harness';

const f = Math.fround;
// Multiples of 4 run the vec4 programs (four elements per thread), the others the f32 ones.
const SIZES = [1, 4, 7, 100, 257, 4099, 4100, 65_537];
const STEPS = 5;

interface Config {
  name: string;
  /** State buffers, in the order the reference's `update` reads them. */
  state: string[];
  hyper(step: number): ArrayBuffer;
  /**
   * Float64 reference of one element's update from f32 values (the hyperparameters as the f32 the GPU
   * reads); returns the new parameter and state, which the caller rounds to f32 as the GPU stores them.
   */
  update(p: number, g: number, s: number[], step: number): [number, ...number[]];
  dispatch(args: {
    rt: Parameters<typeof sgdUpdate>[0];
    pass: GPUComputePassEncoder;
    param: GPUBuffer;
    grad: GPUBuffer;
    state: GPUBuffer[];
    length: number;
    hyper: GPUBuffer;
  }): void;
}

const l2 = f(1e-3);
const l1 = f(2e-4);
const regularise = (p: number, g: number) => g + l2 * p + l1 * Math.sign(p);

const CONFIGS: Config[] = [
  {
    name: 'sgd with L2 and L1',
    state: [],
    hyper: () => packSgdHyper({ lr: 0.1, weightDecay: l2, l1 }),
    update: (p, g) => [p - f(0.1) * regularise(p, g)],
    dispatch: ({ rt, pass, param, grad, length, hyper }) => sgdUpdate(rt, pass, { param, grad, length, hyper }),
  },
  {
    name: 'sgd with momentum',
    state: ['velocity'],
    hyper: () => packSgdHyper({ lr: 0.05, momentum: 0.9, weightDecay: l2 }),
    update: (p, g, [v]) => {
      const v1 = f(0.9) * v + g + l2 * p;
      return [p - f(0.05) * v1, v1];
    },
    dispatch: ({ rt, pass, param, grad, state, length, hyper }) =>
      sgdUpdate(rt, pass, { param, grad, velocity: state[0], length, hyper }),
  },
  {
    name: 'sgd with Nesterov momentum and L1',
    state: ['velocity'],
    hyper: () => packSgdHyper({ lr: 0.05, momentum: 0.8, nesterov: true, l1 }),
    update: (p, g, [v]) => {
      const gr = g + l1 * Math.sign(p);
      const v1 = f(0.8) * v + gr;
      return [p - f(0.05) * (gr + f(0.8) * v1), v1];
    },
    dispatch: ({ rt, pass, param, grad, state, length, hyper }) =>
      sgdUpdate(rt, pass, { param, grad, velocity: state[0], length, hyper }),
  },
  {
    name: 'adam (bias-corrected) with L2 and L1',
    state: ['m', 'v'],
    hyper: (step) => packAdamHyper({ lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, weightDecay: l2, l1 }),
    update: (p, g, [m, v], step) => {
      const gr = regularise(p, g);
      const [b1, b2] = [f(0.9), f(0.999)];
      const m1 = b1 * m + (1 - b1) * gr;
      const v1 = b2 * v + (1 - b2) * gr * gr;
      const bc1 = f(1 - 0.9 ** step);
      const bc2 = f(1 - 0.999 ** step);
      return [p - (f(0.01) * (m1 / bc1)) / (Math.sqrt(v1 / bc2) + f(1e-8)), m1, v1];
    },
    dispatch: ({ rt, pass, param, grad, state, length, hyper }) =>
      adamUpdate(rt, pass, { param, grad, m: state[0], v: state[1], length, hyper }),
  },
  {
    name: 'rmsprop with L2',
    state: ['meanSquare'],
    hyper: () => packRmspropHyper({ lr: 0.01, rho: 0.9, eps: 1e-7, weightDecay: l2 }),
    update: (p, g, [s]) => {
      const gr = g + l2 * p;
      const s1 = f(0.9) * s + (1 - f(0.9)) * gr * gr;
      return [p - (f(0.01) * gr) / (Math.sqrt(s1) + f(1e-7)), s1];
    },
    dispatch: ({ rt, pass, param, grad, state, length, hyper }) =>
      rmspropUpdate(rt, pass, { param, grad, meanSquare: state[0], length, hyper }),
  },
];

describe('optimiser updates', () => {
  it('packs the documented 48-byte hyper layout', () => {
    const view = new DataView(
      packAdamHyper({ lr: 0.5, beta1: 0.5, beta2: 0.75, eps: 0.25, step: 2, weightDecay: 0.125, l1: 2 }),
    );
    expect(view.byteLength).toBe(OPTIM_HYPER_BYTES);
    const words = Array.from({ length: 10 }, (_, k) => view.getFloat32(4 * k, true));
    expect(words).toEqual([0.5, 0, 0.5, 0.75, 0, 0.25, 0.125, 2, 0.75, 1 - 0.75 ** 2]);
    expect([view.getUint32(40, true), view.getUint32(44, true)]).toEqual([0, 2]);
    const sgd = new DataView(packSgdHyper({ lr: 1, momentum: 0.5, nesterov: true }));
    expect([sgd.getFloat32(4, true), sgd.getUint32(40, true)]).toEqual([0.5, 1]);
    expect(() => packAdamHyper({ lr: 1, step: 0 })).toThrow(/packAdamHyper: step/);
    expect(() => packSgdHyper({ lr: NaN })).toThrow(/packSgdHyper: lr must be finite/);
  });

  for (const config of CONFIGS) {
    it(`${config.name}: ${STEPS} steps match the float64 reference at sizes ${SIZES.join(', ')}`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(optimPrograms());
      const hyper = createOptimHyperBuffer(device);
      const tensors = SIZES.map((length, k) => {
        const param = randomF32(length, 10 + k, -1, 1);
        if (length > 3) param[3] = 0; // L1's sign(0) = 0
        // Mid-run state: first moments in [-0.1, 0.1], second moments >= their square, as a real run has.
        const state = config.state.map((name) =>
          name === 'v' || name === 'meanSquare'
            ? randomF32(length, 30 + k, 0.01, 0.02)
            : randomF32(length, 20 + k, -0.1, 0.1),
        );
        return {
          length,
          param,
          state,
          buffers: {
            param: uploadBuffer(device, param),
            grad: uploadBuffer(device, new Float32Array(length)),
            state: state.map((s) => uploadBuffer(device, s)),
          },
        };
      });
      let uniformsAfterFirstStep = 0;
      for (let step = 1; step <= STEPS; step++) {
        if (step === 2) uniformsAfterFirstStep = rt.uniformBuffersCreated;
        device.queue.writeBuffer(hyper, 0, config.hyper(step));
        const grads = tensors.map((t, k) => randomF32(t.length, 1000 * step + k, -1, 1));
        tensors.forEach((t, k) => device.queue.writeBuffer(t.buffers.grad, 0, grads[k]));
        await run((pass) =>
          tensors.forEach((t) => config.dispatch({ rt, pass, ...t.buffers, length: t.length, hyper })),
        );
        // Reference: the same step in float64, with parameter and state stored back as f32.
        tensors.forEach((t, k) => {
          for (let i = 0; i < t.length; i++) {
            const [p, ...s] = config.update(
              t.param[i],
              grads[k][i],
              t.state.map((st) => st[i]),
              step,
            );
            t.param[i] = p;
            s.forEach((v, j) => (t.state[j][i] = v));
          }
        });
      }
      // Steps after the first record no new uniform buffers (hyper is rewritten, not re-created).
      expect(rt.uniformBuffersCreated).toBe(uniformsAfterFirstStep);
      for (const t of tensors) {
        // A few ulp per step (sqrt, divisions), carried over 5 steps.
        expectClosePerElement(
          await readF32(device, t.buffers.param),
          t.param,
          1e-5,
          1e-7,
          `${config.name} param n=${t.length}`,
        );
        // State is a sum of O(1) terms (gradients in [-1, 1]) that may cancel: a few ulp of 1 absolute.
        for (const [j, s] of t.state.entries()) {
          expectClosePerElement(
            await readF32(device, t.buffers.state[j]),
            s,
            1e-5,
            5e-7,
            `${config.name} ${config.state[j]} n=${t.length}`,
          );
        }
        [t.buffers.param, t.buffers.grad, ...t.buffers.state].forEach((b) => b.destroy());
      }
      hyper.destroy();
    });
  }

  it('updates four elements per thread with the same bits as one per thread', async () => {
    const { device, rt, run } = await kernelHarness();
    const hyper = createOptimHyperBuffer(device);
    device.queue.writeBuffer(hyper, 0, packAdamHyper({ lr: 0.01, step: 3, weightDecay: l2, l1 }));
    const param = randomF32(4100, 1, -1, 1);
    const grad = randomF32(4100, 2, -1, 1);
    const m = randomF32(4100, 3, -0.1, 0.1);
    const v = randomF32(4100, 4, 0.01, 0.02);
    // The same data twice: 4100 elements take the vec4 program, 4099 the f32 one.
    const sets = [4100, 4099].map((length) => ({
      length,
      param: uploadBuffer(device, param),
      grad: uploadBuffer(device, grad),
      m: uploadBuffer(device, m),
      v: uploadBuffer(device, v),
    }));
    await run((pass) => sets.forEach((b) => adamUpdate(rt, pass, { ...b, hyper })));
    for (const name of ['param', 'm', 'v'] as const) {
      const [vec, one] = await Promise.all(sets.map((b) => readF32(device, b[name])));
      for (let i = 0; i < 4099; i++) {
        if (!Object.is(vec[i], one[i])) throw new Error(`${name}[${i}]: vec4 ${vec[i]}, f32 ${one[i]}`);
      }
      expect(vec[4099]).not.toBe(one[4099]); // updated by the vec4 run only
    }
    sets.forEach((b) => [b.param, b.grad, b.m, b.v].forEach((x) => x.destroy()));
    hyper.destroy();
  });

  it('names the update and the argument that does not fit', async () => {
    const { device, rt } = await kernelHarness();
    const [param, grad] = [uploadBuffer(device, new Float32Array(8)), uploadBuffer(device, new Float32Array(4))];
    const hyper = createOptimHyperBuffer(device);
    const pass = {} as GPUComputePassEncoder;
    expect(() => sgdUpdate(rt, pass, { param, grad, length: 8, hyper })).toThrow(
      /sgdUpdate: buffer 'grad' holds 4 elements/,
    );
    expect(() => adamUpdate(rt, pass, { param, grad: param, m: grad, v: grad, length: 4, hyper })).toThrow(
      /adamUpdate: param, grad, m, v must be different buffers/,
    );
    expect(() =>
      rmspropUpdate(rt, pass, {
        param,
        grad,
        meanSquare: uploadBuffer(device, new Float32Array(4)),
        length: 4,
        hyper: grad,
      }),
    ).toThrow(/rmspropUpdate: hyper must be a UNIFORM buffer/);
  });
});
