import { describe, expect, it } from 'vitest';
import { dropout, dropoutConstants, dropoutPrograms } from '../../../src/kernels/dropout';
import { randomF32 } from '../helpers/random';
import { poisonedBuffer, readF32, uploadBuffer } from '../helpers/webgpu';
import { FOLDED_LENGTH, kernelHarness } from './buffer-kernel-harness';

/** The kernel's hash in JS (Math.imul for u32 products), so masks can be compared bit for bit. */
function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The mask of elements [from, length). */
function referenceMask(length: number, rate: number, seed: number, step: number, from = 0): Float32Array {
  const { scale, threshold } = dropoutConstants(rate);
  const key = lowbias32((seed ^ lowbias32((step ^ 0x9e3779b9) >>> 0)) >>> 0);
  const mask = new Float32Array(length - from);
  for (let i = from; i < length; i++) {
    const bits = lowbias32((lowbias32((i ^ key) >>> 0) + key) >>> 0);
    mask[i - from] = bits >= threshold ? scale : 0;
  }
  return mask;
}

function sameArrays(got: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) throw new Error(`${what}: [${i}] got ${got[i]}, expected ${expected[i]}`);
  }
}

describe('dropout', () => {
  const SIZES = [1, 7, 257, 4099, 65_537];
  for (const rate of [0, 0.1, 0.5, 0.9]) {
    it(`rate ${rate}: mask is 0 or 1/(1-rate), matches the hash bit for bit, out = x * mask`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(dropoutPrograms);
      const runs = SIZES.map((length, k) => {
        const x = randomF32(length, 40 + k);
        return {
          length,
          x,
          xb: uploadBuffer(device, x),
          out: poisonedBuffer(device, length),
          mask: poisonedBuffer(device, length),
        };
      });
      await run((pass) =>
        runs.forEach((r) =>
          dropout(rt, pass, { x: r.xb, out: r.out, mask: r.mask, length: r.length, rate, seed: 1234, step: 7 }),
        ),
      );
      const scale = Math.fround(1 / (1 - rate));
      for (const r of runs) {
        const mask = await readF32(device, r.mask);
        const expected = referenceMask(r.length, rate, 1234, 7);
        sameArrays(mask, expected, `mask n=${r.length}`);
        expect(mask.every((m) => m === 0 || m === scale)).toBe(true);
        sameArrays(
          await readF32(device, r.out),
          r.x.map((v, i) => v * expected[i]),
          `out n=${r.length}`,
        );
        if (r.length === 65_537) {
          // Binomial: 5 standard deviations of the kept fraction.
          const kept = mask.filter((m) => m !== 0).length / r.length;
          const sigma = Math.sqrt((rate * (1 - rate)) / r.length);
          expect(Math.abs(kept - (1 - rate))).toBeLessThanOrEqual(5 * sigma + 1e-12);
        }
        [r.xb, r.out, r.mask].forEach((b) => b.destroy());
      }
    });
  }

  it('is deterministic per (seed, step), differs across steps and seeds, and reads a step buffer', async () => {
    const { device, rt, run } = await kernelHarness();
    const length = 65_537;
    const rate = 0.3;
    const x = uploadBuffer(device, randomF32(length, 3));
    const stepBuffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(stepBuffer, 0, new Uint32Array([8, 0, 0, 0]));
    const variants = [
      { seed: 5, step: 7 },
      { seed: 5, step: 7 },
      { seed: 5, step: 8 },
      { seed: 6, step: 7 },
      { seed: 5, step: stepBuffer },
    ];
    const buffers = variants.map(() => ({ out: poisonedBuffer(device, length), mask: poisonedBuffer(device, length) }));
    await run((pass) => variants.forEach((v, k) => dropout(rt, pass, { x, ...buffers[k], length, rate, ...v })));
    const masks = await Promise.all(buffers.map((b) => readF32(device, b.mask)));
    sameArrays(masks[1], masks[0], 'same seed and step');
    sameArrays(masks[4], masks[2], 'step 8 from a buffer');
    // Independent masks agree where both keep or both drop: p^2 + q^2 of the elements.
    const agreement = (a: Float32Array, b: Float32Array) =>
      a.filter((m, i) => (m === 0) === (b[i] === 0)).length / a.length;
    const independent = rate ** 2 + (1 - rate) ** 2;
    for (const k of [2, 3]) expect(Math.abs(agreement(masks[0], masks[k]) - independent)).toBeLessThan(0.01);
    // Advancing the step buffer records no new uniform: a training loop allocates nothing per step.
    const uniforms = rt.uniformBuffersCreated;
    device.queue.writeBuffer(stepBuffer, 0, new Uint32Array([7]));
    await run((pass) => dropout(rt, pass, { x, ...buffers[4], length, rate, seed: 5, step: stepBuffer }));
    expect(rt.uniformBuffersCreated).toBe(uniforms);
    sameArrays(await readF32(device, buffers[4].mask), masks[0], 'step 7 from a buffer');
    buffers.forEach((b) => [b.out, b.mask].forEach((buffer) => buffer.destroy()));
  });

  it(`covers all ${FOLDED_LENGTH} elements of a folded grid`, async () => {
    const { device, rt, run } = await kernelHarness();
    const length = FOLDED_LENGTH;
    const x = uploadBuffer(device, new Float32Array(length).fill(1));
    const [out, mask] = [poisonedBuffer(device, length), poisonedBuffer(device, length)];
    await run((pass) => dropout(rt, pass, { x, out, mask, length, rate: 0.5, seed: 9, step: 1 }));
    // Every element written with a legal value; the hash checked bit for bit on the last 70 000 (the
    // part of the grid beyond the first dimension) to keep the JS reference cheap.
    const got = await readF32(device, mask);
    for (let i = 0; i < length; i++) if (got[i] !== 0 && got[i] !== 2) throw new Error(`mask[${i}] = ${got[i]}`);
    const tail = 70_000;
    const expected = referenceMask(length, 0.5, 9, 1, length - tail);
    sameArrays(got.subarray(length - tail), expected, 'mask tail');
    [x, out, mask].forEach((b) => b.destroy());
  });

  it('rejects a rate outside [0, 1) and aliased buffers', async () => {
    const { device, rt } = await kernelHarness();
    const b = poisonedBuffer(device, 4);
    const pass = {} as GPUComputePassEncoder;
    expect(() =>
      dropout(rt, pass, {
        x: b,
        out: poisonedBuffer(device, 4),
        mask: poisonedBuffer(device, 4),
        length: 4,
        rate: 1,
        seed: 0,
        step: 0,
      }),
    ).toThrow(/dropout: rate must be in \[0, 1\), got 1/);
    expect(() =>
      dropout(rt, pass, { x: b, out: b, mask: poisonedBuffer(device, 4), length: 4, rate: 0.5, seed: 0, step: 0 }),
    ).toThrow(/dropout: x, out and mask must be different/);
  });
});
