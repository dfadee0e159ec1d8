// The one WebGPU harness every kernel test shares: Dawn (the `webgpu` package) gives Node a
// navigator.gpu-compatible object; vite.config.ts points it at SwiftShader where there is no GPU.
import { create, globals } from 'webgpu';
import { acquireGpu, type GpuContext } from '../../../src/engine/gpu/device';

let gpu: GPU | undefined;

/** The GPU object for this test process (created once; Dawn is slow to start). */
export function nodeGpu(): GPU {
  if (!gpu) {
    // GPUBufferUsage, GPUMapMode, ... are globals in browsers; Dawn exports them separately.
    Object.assign(globalThis, globals);
    gpu = create([]);
  }
  return gpu;
}

/** The shared device context for kernel tests. Fails with a clear message when Dawn finds no adapter. */
export async function testGpu(): Promise<GpuContext> {
  try {
    return await acquireGpu(nodeGpu());
  } catch (e) {
    throw new Error(
      `WebGPU in Node is unavailable (${(e as Error).message}). Install the Vulkan loader and SwiftShader ` +
        `(apt-get install -y libvulkan1 chromium) or run on a machine with a GPU driver.`,
      { cause: e },
    );
  }
}

/** A storage buffer holding `data`. */
export function uploadBuffer(device: GPUDevice, data: Float32Array | Uint32Array | Int32Array, usage = 0): GPUBuffer {
  const buffer = device.createBuffer({
    size: Math.max(align4(data.byteLength), 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | usage,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

/** A storage buffer of `length` f32 filled with NaN, so that an element a kernel never writes fails the check. */
export function poisonedBuffer(device: GPUDevice, length: number): GPUBuffer {
  return uploadBuffer(device, new Float32Array(length).fill(Number.NaN));
}

/** Copies `buffer` back to the CPU. */
export async function readF32(device: GPUDevice, buffer: GPUBuffer, length = buffer.size / 4): Promise<Float32Array> {
  const staging = device.createBuffer({ size: length * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, length * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
