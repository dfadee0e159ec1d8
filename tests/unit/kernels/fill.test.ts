import { describe, expect, it } from 'vitest';
import { fill, fillPrograms } from '../../../src/kernels/fill';
import { poisonedBuffer, readF32 } from '../helpers/webgpu';
import { FOLDED_LENGTH, kernelHarness } from './buffer-kernel-harness';

describe('fill', () => {
  for (const length of [1, 7, 256, 257, 65_537, FOLDED_LENGTH]) {
    it(`sets all ${length} elements and nothing past them`, async () => {
      const { device, rt, run } = await kernelHarness();
      await rt.warmUp(fillPrograms);
      const value = -3.25 + length / 1024;
      const out = poisonedBuffer(device, length + 3);
      await run((pass) => fill(rt, pass, { out, length, value }));
      const got = await readF32(device, out);
      const expected = Math.fround(value);
      for (let i = 0; i < length; i++) {
        if (got[i] !== expected) throw new Error(`[${i}] got ${got[i]}, expected ${expected}`);
      }
      expect(Array.from(got.subarray(length))).toEqual([NaN, NaN, NaN]);
      out.destroy();
    });
  }

  it('rejects a length the buffer cannot hold, naming the kernel', async () => {
    const { device, rt, run } = await kernelHarness();
    const out = poisonedBuffer(device, 4);
    await expect(run((pass) => fill(rt, pass, { out, length: 5, value: 0 }))).rejects.toThrow(
      /fill: buffer 'out' holds 4 elements/,
    );
    expect(() => fill(rt, {} as GPUComputePassEncoder, { out, length: 1.5, value: 0 })).toThrow(/fill: length/);
  });
});
