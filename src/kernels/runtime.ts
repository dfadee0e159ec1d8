// The small runtime every kernel dispatches through: pipelines cached per program key, bind groups
// cached per (pipeline, buffers), and uniform parameters stored in cached immutable buffers keyed by
// their bytes, so that a training step with fixed shapes allocates nothing after its first run.
// Parameters that change every step (an optimiser's step count) live in a buffer the caller owns and
// updates with queue.writeBuffer.
import { ShaderCompileError, type GpuError } from '../engine/gpu/errors';
import { compilePipeline, toShaderMessage } from '../engine/gpu/pipeline';
import type { KernelProgram } from './program';

/** A storage or uniform binding: a whole buffer, or a byte range of one. */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

let nextBufferId = 1;
const bufferIds = new WeakMap<GPUBuffer, number>();
function bufferId(buffer: GPUBuffer): number {
  let id = bufferIds.get(buffer);
  if (id === undefined) bufferIds.set(buffer, (id = nextBufferId++));
  return id;
}

export class KernelRuntime {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly uniforms = new Map<string, GPUBuffer>();
  private readonly scratchBuffers = new Map<string, GPUBuffer>();
  /** Number of GPUBuffers this runtime created (uniforms); tests use it to prove steady state allocates none. */
  uniformBuffersCreated = 0;

  constructor(
    readonly device: GPUDevice,
    /** Receives compile errors found after a synchronous pipeline creation. */
    private readonly reportError: (error: GpuError) => void = (e) => console.error(e),
  ) {}

  /**
   * Compiles every program ahead of use, all at once (the browser and Dawn compile asynchronous pipelines
   * on their own threads, so a list compiles in less time than one after another); rejects with the first
   * ShaderCompileError, naming file and line.
   */
  async warmUp(programs: KernelProgram[]): Promise<void> {
    const pending = new Map<string, KernelProgram>();
    for (const program of programs) if (!this.pipelines.has(program.key)) pending.set(program.key, program);
    const list = [...pending.values()];
    const compiled = await Promise.all(list.map((program) => compilePipeline(this.device, program)));
    list.forEach((program, i) => this.pipelines.set(program.key, compiled[i]));
  }

  /** The pipeline for `program`, created synchronously on first use; compile errors go to reportError. */
  pipeline(program: KernelProgram): GPUComputePipeline {
    let pipeline = this.pipelines.get(program.key);
    if (!pipeline) {
      const code = program.code();
      const module = this.device.createShaderModule({ code, label: program.key });
      void module.getCompilationInfo().then((info) => {
        const messages = info.messages.map((m) => toShaderMessage(m, code));
        if (messages.some((m) => m.type === 'error'))
          this.reportError(new ShaderCompileError(program.name, program.file, messages));
      });
      pipeline = this.device.createComputePipeline({
        label: program.key,
        layout: 'auto',
        compute: { module, entryPoint: program.entryPoint ?? 'main' },
      });
      this.pipelines.set(program.key, pipeline);
    }
    return pipeline;
  }

  /** An immutable uniform buffer holding `bytes`, shared by every dispatch with the same parameters. */
  uniform(bytes: ArrayBuffer): GPUBuffer {
    const key = bytesKey(bytes);
    let buffer = this.uniforms.get(key);
    if (!buffer) {
      buffer = this.device.createBuffer({
        size: Math.max(16, Math.ceil(bytes.byteLength / 16) * 16),
        usage: GPUBufferUsage.UNIFORM,
        mappedAtCreation: true,
        label: 'kernel params',
      });
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
      buffer.unmap();
      this.uniforms.set(key, buffer);
      this.uniformBuffersCreated++;
    }
    return buffer;
  }

  /**
   * A storage buffer of `bytes` that kernels use as scratch between their own dispatches (partial sums,
   * flags), one per (label, size), created on first use and kept for the runtime's life: a training step
   * with fixed shapes allocates none after its first run. The contents are whatever the last user left.
   */
  scratch(label: string, bytes: number): GPUBuffer {
    const key = `${label}:${bytes}`;
    let buffer = this.scratchBuffers.get(key);
    if (!buffer) {
      buffer = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE, label });
      this.scratchBuffers.set(key, buffer);
    }
    return buffer;
  }

  /** A bind group for group 0 of `pipeline` with `bindings` at 0, 1, 2, ... (cached). */
  bindGroup(program: KernelProgram, pipeline: GPUComputePipeline, bindings: Binding[]): GPUBindGroup {
    let key = program.key;
    for (const b of bindings) {
      key += b instanceof GPUBuffer ? `|${bufferId(b)}` : `|${bufferId(b.buffer)}:${b.offset ?? 0}:${b.size ?? ''}`;
    }
    let group = this.bindGroups.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: bindings.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
      });
      this.bindGroups.set(key, group);
    }
    return group;
  }

  /**
   * Records one dispatch of `program` into `pass`. `params`, when given, is bound after `bindings` as a
   * uniform buffer.
   */
  dispatch(
    pass: GPUComputePassEncoder,
    program: KernelProgram,
    bindings: Binding[],
    params: ArrayBuffer | GPUBuffer | null,
    grid: readonly [number, number?, number?],
  ): void {
    const pipeline = this.pipeline(program);
    const all = params === null ? bindings : [...bindings, params instanceof GPUBuffer ? params : this.uniform(params)];
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.bindGroup(program, pipeline, all));
    pass.dispatchWorkgroups(grid[0], grid[1] ?? 1, grid[2] ?? 1);
  }

  /** Forgets cached bind groups that mention `buffer` (call when destroying a buffer for good). */
  forgetBuffer(buffer: GPUBuffer): void {
    const id = bufferIds.get(buffer);
    if (id === undefined) return;
    const needle = new RegExp(`\\|${id}(?::|\\||$)`);
    for (const key of this.bindGroups.keys()) if (needle.test(key)) this.bindGroups.delete(key);
  }
}

function bytesKey(bytes: ArrayBuffer): string {
  const words = new Uint32Array(bytes, 0, Math.floor(bytes.byteLength / 4));
  let key = `${bytes.byteLength}:`;
  for (const w of words) key += `${w.toString(36)},`;
  const tail = new Uint8Array(bytes, words.length * 4);
  for (const b of tail) key += `${b},`;
  return key;
}

/** Packs uniform parameters: each entry is written as u32, i32 or f32 (4 bytes each, in order). */
export function packParams(values: ReadonlyArray<{ u32: number } | { i32: number } | { f32: number }>): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((values.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  values.forEach((v, i) => {
    if ('u32' in v) view.setUint32(i * 4, v.u32, true);
    else if ('i32' in v) view.setInt32(i * 4, v.i32, true);
    else view.setFloat32(i * 4, v.f32, true);
  });
  return bytes;
}
