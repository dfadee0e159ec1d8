// Typed errors for everything that can go wrong between the engine and the GPU, so the UI can say what
// happened and what to do instead of printing a stack trace.

/** Base class: every GPU failure the engine reports is one of these. `hint` says what a person can do. */
export class GpuError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type GpuUnavailableReason = 'no-webgpu' | 'no-adapter' | 'device-request-failed';

/** WebGPU cannot be used at all here; the engine falls back to the CPU. */
export class GpuUnavailableError extends GpuError {
  constructor(
    readonly reason: GpuUnavailableReason,
    detail = '',
  ) {
    const messages: Record<GpuUnavailableReason, string> = {
      'no-webgpu': 'This browser does not expose WebGPU (navigator.gpu is missing).',
      'no-adapter': 'WebGPU is present but no GPU adapter is available.',
      'device-request-failed': `The GPU adapter refused to create a device${detail ? `: ${detail}` : '.'}`,
    };
    super(
      messages[reason],
      'Training will use the WebAssembly engine on the CPU. To use the GPU, open the page over https or localhost in a ' +
        'browser with WebGPU enabled (Chrome/Edge 113+, Safari 26+, Firefox 141+ on Windows; on Linux start ' +
        'Chrome with --enable-unsafe-webgpu --enable-features=Vulkan).',
    );
  }
}

/** The device was lost (driver reset, GPU removed, tab in the background too long, or destroy()). */
export class GpuDeviceLostError extends GpuError {
  constructor(
    readonly reason: GPUDeviceLostReason | 'unknown',
    detail: string,
  ) {
    super(
      `The GPU device was lost${detail ? `: ${detail}` : '.'}`,
      'Your network design and the last good weights are kept. Start training again to get a new device.',
    );
  }
}

/** A WebGPU validation error: a bug in the engine or a limit that was not checked. */
export class GpuValidationError extends GpuError {
  constructor(detail: string) {
    super(
      `The GPU rejected a command: ${detail}`,
      'This is a bug in the playground; please report it with this message.',
    );
  }
}

/** The GPU ran out of memory while allocating. */
export class GpuOutOfMemoryError extends GpuError {
  constructor(detail: string) {
    super(`The GPU ran out of memory: ${detail}`, 'Use a smaller batch size or a smaller network, then start again.');
  }
}

/** A buffer or binding would exceed what this device allows; thrown before any GPU work is queued. */
export class GpuLimitError extends GpuError {
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly limitBytes: number,
    readonly limitName: string,
  ) {
    super(
      `${what} needs ${formatBytes(bytes)}, more than this GPU allows (${limitName} = ${formatBytes(limitBytes)}).`,
      'Make the layer smaller or lower the batch size.',
    );
  }
}

/** One message from the WGSL compiler, located in the kernel's source file. */
export interface ShaderMessage {
  type: GPUCompilationMessageType;
  text: string;
  /** 1-based line and column in the WGSL source (or the generated source of a template kernel). */
  line: number;
  column: number;
  /** The offending source line, for template kernels whose generated text is not on disk. */
  sourceLine: string;
}

/** A kernel failed to compile. The message names the kernel, its file and the first error's line. */
export class ShaderCompileError extends GpuError {
  constructor(
    readonly kernel: string,
    readonly file: string,
    readonly messages: ShaderMessage[],
  ) {
    const first = messages.find((m) => m.type === 'error') ?? messages[0];
    const where = first ? `${file}:${first.line}:${first.column}` : file;
    const text = first ? `${first.text}\n    ${first.sourceLine.trim()}` : 'unknown compiler error';
    super(
      `Kernel "${kernel}" failed to compile at ${where}: ${text}`,
      'This is a bug in the playground; please report it.',
    );
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
