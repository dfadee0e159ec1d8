// out = alpha * x + y over f32 buffers: the engine's gradient accumulation, and the kernel the
// foundation tests use to prove that WGSL compiles and runs on this machine's adapter.
import { grid1d, wgslFile } from './program';
import { packParams, type KernelRuntime } from './runtime';
import source from './axpy.wgsl?raw';

export const axpyProgram = wgslFile('axpy', 'src/kernels/axpy.wgsl', source);

export interface AxpyArgs {
  x: GPUBuffer;
  y: GPUBuffer;
  out: GPUBuffer;
  alpha: number;
  /** Number of elements. */
  length: number;
}

/** Records out = alpha * x + y into `pass`. */
export function axpy(rt: KernelRuntime, pass: GPUComputePassEncoder, { x, y, out, alpha, length }: AxpyArgs): void {
  const params = packParams([{ f32: alpha }, { u32: length }]);
  rt.dispatch(
    pass,
    axpyProgram,
    [x, y, out],
    params,
    grid1d(length, 256, rt.device.limits.maxComputeWorkgroupsPerDimension),
  );
}
