// Compute pipelines, created inside error scopes and cached per device, so that a WGSL compile error
// surfaces as a ShaderCompileError naming the kernel, its source file and the line.
import type { KernelProgram } from '../../kernels/program';
import { GpuValidationError, ShaderCompileError, type ShaderMessage } from './errors';

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** Compiles `program` (once per device and key) and resolves to its pipeline, or rejects with a typed error. */
export function compilePipeline(device: GPUDevice, program: KernelProgram): Promise<GPUComputePipeline> {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  let pipeline = cache.get(program.key);
  if (!pipeline) {
    pipeline = createPipeline(device, program);
    cache.set(program.key, pipeline);
    pipeline.catch(() => cache.delete(program.key));
  }
  return pipeline;
}

async function createPipeline(device: GPUDevice, program: KernelProgram): Promise<GPUComputePipeline> {
  const code = program.code();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: program.key });
  const info = await module.getCompilationInfo();
  const scoped = await device.popErrorScope();
  const messages = info.messages.map((m) => toShaderMessage(m, code));
  if (messages.some((m) => m.type === 'error') || scoped) {
    throw new ShaderCompileError(program.name, program.file, messages.length ? messages : [fallbackMessage(scoped)]);
  }
  device.pushErrorScope('validation');
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: program.key,
      layout: 'auto',
      compute: { module, entryPoint: program.entryPoint ?? 'main' },
    });
  } catch (e) {
    await device.popErrorScope();
    throw new GpuValidationError(`pipeline for kernel "${program.name}" (${program.file}): ${(e as Error).message}`);
  }
  const error = await device.popErrorScope();
  if (error) throw new GpuValidationError(`pipeline for kernel "${program.name}" (${program.file}): ${error.message}`);
  return pipeline;
}

export function toShaderMessage(m: GPUCompilationMessage, code: string): ShaderMessage {
  const lines = code.split('\n');
  return {
    type: m.type,
    text: m.message,
    line: m.lineNum,
    column: m.linePos,
    sourceLine: lines[m.lineNum - 1] ?? '',
  };
}

function fallbackMessage(error: GPUError | null): ShaderMessage {
  return { type: 'error', text: error?.message ?? 'unknown error', line: 0, column: 0, sourceLine: '' };
}
