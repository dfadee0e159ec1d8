// What every kernel declares about itself (after tfjs-backend-webgpu's program objects): a cache key,
// the file its WGSL lives in (named in compile errors), and the WGSL itself.

export interface KernelProgram {
  /** Short kernel name, e.g. "axpy". */
  readonly name: string;
  /** Unique per distinct WGSL text: the name plus every template parameter. */
  readonly key: string;
  /** Repository path of the .wgsl file, or of the .ts template that generates the WGSL. */
  readonly file: string;
  /** Entry point; "main" unless stated. */
  readonly entryPoint?: string;
  /** The WGSL source. */
  code(): string;
}

/** A kernel whose WGSL is a fixed .wgsl file imported with Vite's `?raw`. */
export function wgslFile(name: string, file: string, source: string): KernelProgram {
  return { name, key: name, file, code: () => source };
}

export const WORKGROUP_1D = 256;

/** Workgroup grid for `count` threads in groups of `size`, folded into 2-D past the per-dimension limit. */
export function grid1d(count: number, size = WORKGROUP_1D, maxPerDim = 65535): [number, number, number] {
  const groups = Math.ceil(count / size);
  if (groups <= maxPerDim) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}
