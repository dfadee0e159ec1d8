import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../src/engine/gpu/pipeline';
import { GpuUnavailableError, ShaderCompileError } from '../../src/engine/gpu/errors';
import { acquireGpu, REQUIRED_LIMITS } from '../../src/engine/gpu/device';
import { axpy, axpyProgram } from '../../src/kernels/axpy';
import { KernelRuntime } from '../../src/kernels/runtime';
import { expectAllClose } from './helpers/compare';
import { randomF32 } from './helpers/random';
import { poisonedBuffer, readF32, testGpu, uploadBuffer } from './helpers/webgpu';

describe('GPU device layer', () => {
  it('gets one adapter and device and reports the limits the engine relies on', async () => {
    const ctx = await testGpu();
    expect(await testGpu()).toBe(ctx);
    expect(ctx.summary.vendor.length).toBeGreaterThan(0);
    for (const [name, least] of Object.entries(REQUIRED_LIMITS)) {
      expect(ctx.summary.limits[name as keyof typeof REQUIRED_LIMITS]).toBeGreaterThanOrEqual(least);
    }
  });

  it('names the kernel file and line when WGSL does not compile', async () => {
    const { device } = await testGpu();
    const broken = {
      name: 'broken',
      key: 'broken-test-kernel',
      file: 'src/kernels/broken.wgsl',
      code: () => '@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_thing;\n}\n',
    };
    const error = await compilePipeline(device, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    expect((error as Error).message).toMatch(/Kernel "broken" failed to compile at src\/kernels\/broken\.wgsl:3:/);
    expect((error as Error).message).toContain('undefined_thing');
  });

  it('reports a missing WebGPU as GpuUnavailableError', async () => {
    await expect(acquireGpu(undefined)).rejects.toBeInstanceOf(GpuUnavailableError);
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await expect(acquireGpu(noAdapter)).rejects.toMatchObject({ reason: 'no-adapter' });
  });

  it('turns device loss into a typed, awaited error', async () => {
    const { create } = await import('webgpu');
    const ctx = await acquireGpu(create([]));
    ctx.destroy();
    const lost = await ctx.lost;
    expect(lost.reason).toBe('destroyed');
    expect(lost.hint).toMatch(/kept/);
  });
});

describe('first kernel: axpy', () => {
  // Sizes around the workgroup size (256) and one large enough to need many workgroups.
  for (const length of [1, 7, 256, 257, 1000, 70_001]) {
    it(`computes alpha*x + y for every one of ${length} elements`, async () => {
      const { device } = await testGpu();
      const x = randomF32(length, 1 + length);
      const y = randomF32(length, 2 + length);
      const alpha = -0.75;
      const out = poisonedBuffer(device, length);
      const rt = new KernelRuntime(device);
      await rt.warmUp([axpyProgram]);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      axpy(rt, pass, { x: uploadBuffer(device, x), y: uploadBuffer(device, y), out, alpha, length });
      pass.end();
      device.queue.submit([encoder.finish()]);
      const expected = x.map((xi, i) => Math.fround(Math.fround(alpha * xi) + y[i]));
      expectAllClose(await readF32(device, out), expected, { rtol: 1e-6, atol: 1e-7 });
    });
  }
});
