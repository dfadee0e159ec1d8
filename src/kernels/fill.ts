// Sets every element of an f32 buffer to one value (zeroing gradients and metrics, constant tensors).
// A copy of a buffer is not a kernel: use encoder.copyBufferToBuffer.
import { requireCount, requireElements } from './buffer-checks';
import { grid1d, WORKGROUP_1D, wgslFile } from './program';
import { packParams, type KernelRuntime } from './runtime';
import source from './fill.wgsl?raw';

export const fillProgram = wgslFile('fill', 'src/kernels/fill.wgsl', source);

/** Programs fill() may dispatch, for rt.warmUp(). */
export const fillPrograms = [fillProgram];

export interface FillArgs {
  /** f32 buffer of at least `length` elements. */
  out: GPUBuffer;
  /** Number of elements to set. */
  length: number;
  value: number;
}

/** Records out[i] = value for i < length. */
export function fill(rt: KernelRuntime, pass: GPUComputePassEncoder, { out, length, value }: FillArgs): void {
  requireCount('fill', 'length', length);
  requireElements('fill', 'out', out, length);
  if (length === 0) return;
  rt.dispatch(
    pass,
    fillProgram,
    [out],
    packParams([{ f32: value }, { u32: length }]),
    grid1d(length, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension),
  );
}
