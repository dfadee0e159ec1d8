// Shared by the buffer-level kernel tests (fill, unary, binary, reduce, softmax, softmax_ce, optim,
// dropout): one device and runtime per test file, a helper that records kernels into one compute pass and
// submits it, and readback of f32 / i32 buffers.
import { KernelRuntime } from '../../../src/kernels/runtime';
import { testGpu } from '../helpers/webgpu';

export interface KernelHarness {
  device: GPUDevice;
  rt: KernelRuntime;
  /** Records `body` into one compute pass, submits it, and waits until the queue has finished it. */
  run(body: (pass: GPUComputePassEncoder) => void): Promise<void>;
}

let harness: Promise<KernelHarness> | undefined;

/** The device and a KernelRuntime whose compile errors fail the test that triggered them. */
export function kernelHarness(): Promise<KernelHarness> {
  harness ??= (async () => {
    const { device } = await testGpu();
    const rt = new KernelRuntime(device, (e) => {
      throw e;
    });
    return {
      device,
      rt,
      async run(body) {
        device.pushErrorScope('validation');
        const encoder = device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        try {
          body(pass);
        } catch (e) {
          pass.end();
          await device.popErrorScope();
          throw e;
        }
        pass.end();
        device.queue.submit([encoder.finish()]);
        const error = await device.popErrorScope();
        if (error) throw new Error(`WebGPU validation error: ${error.message}`);
        await device.queue.onSubmittedWorkDone();
      },
    };
  })();
  return harness;
}

/** Copies the first `length` i32 elements of `buffer` back to the CPU. */
export async function readI32(device: GPUDevice, buffer: GPUBuffer, length: number): Promise<Int32Array> {
  const staging = device.createBuffer({ size: length * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, length * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Int32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

/**
 * Throws naming the first mismatches unless |actual - expected| <= atol[i] + rtol * |expected| for every
 * element, where atol may be given per element (sums, whose error bound scales with the sum of |terms|).
 */
export function expectClosePerElement(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number | ArrayLike<number>,
  what = 'output',
): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const tol = (typeof atol === 'number' ? atol : atol[i]) + rtol * Math.abs(e);
    const ok = Number.isNaN(e) ? Number.isNaN(a) : e === a || Math.abs(a - e) <= tol;
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, expected ${e} (tolerance ${tol.toExponential(2)})`);
    }
  }
  if (count > 0) throw new Error(`${what}: ${count} of ${expected.length} elements differ: ${bad.join('; ')}`);
}

/** A buffer size for grid-folding tests: more 256-wide workgroups than the 65535 one dimension allows. */
export const FOLDED_LENGTH = 65535 * 256 + 4099;
