// Sum, max and mean over the middle axis of x viewed as [outer, size, inner], into out [outer, inner]
// (sum-all is outer = inner = 1; a bias gradient is outer = 1, size = batch (x pixels), inner = channels).
//
// One barrier-free kernel (`reduce_strided:<op>`), one thread per (o, p, i) of [outer, parts, inner]:
//   out[(o * parts + p) * inner + i] = op over j = p, p + parts, p + 2 parts, ... < size of x[o, j, i]
// with i fastest across threads, so neighbouring threads read neighbouring addresses whether inner is 1
// or not. parts = 1 is the whole reduction. When there are few outputs and long rows, a first dispatch
// splits each row into `parts` (about sqrt(size)) partials in a scratch buffer this module owns
// (REDUCE_SCRATCH_ELEMENTS f32 per runtime, created on first use), and a second reduces the partials
// viewed as [outer, parts, inner]. No atomics, so results do not depend on scheduling; and no
// workgroup barriers, which cost milliseconds per workgroup on SwiftShader: measured there (2 busy cores)
// against a 256-wide workgroup-tree version, a 16.8M-element sum took 1.1-1.4 s instead of 6.3 s, and a
// conv bias gradient ([1, 100352, 32]) 0.2 s instead of 1.5 s.
// Sums are accumulated in blocks of 64 terms, so rounding error grows far slower than size * eps.
// Where inner is a multiple of 4, `reduce_strided:<op>:vec4` does the same with x and out read as vec4
// (four neighbouring i per thread, inner counted in vec4s), each sum in the same order.
// params = { threads, size, inner, parts: u32, scale: f32 }; mean is sum with scale = 1/size.
import { requireCount, requireElements, requireOneOf } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

export const REDUCE_OPS = ['sum', 'max', 'mean'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];
type Combine = 'sum' | 'max';

/** Capacity of the partials buffer: outputs * parts never exceeds it. */
export const REDUCE_SCRATCH_ELEMENTS = 65536;
/** Below this many outputs, rows of at least REDUCE_SPLIT_MIN_SIZE are split into partials. */
export const REDUCE_SPLIT_MAX_OUTPUTS = 8192;
export const REDUCE_SPLIT_MIN_SIZE = 1024;
const BLOCK = 64;

const combineWgsl: { [C in Combine]: { identity: string; combine: (a: string, b: string) => string } } = {
  sum: { identity: '0.0', combine: (a, b) => `${a} + ${b}` },
  max: { identity: 'f32_from_bits(0xff800000u)', combine: (a, b) => `max(${a}, ${b})` },
};

/**
 * `vec4`: x and out seen as vec4<f32> (inner a multiple of 4, `inner` in params counting vec4s), four
 * neighbouring outputs per thread, each summed in the same order as by the f32 program: the same bits.
 */
function stridedWgsl(op: Combine, vec4: boolean): string {
  const { identity: scalarIdentity, combine } = combineWgsl[op];
  const element = vec4 ? 'vec4<f32>' : 'f32';
  const identity = vec4 ? `vec4<f32>(${scalarIdentity})` : scalarIdentity;
  return /* wgsl */ `// reduce ${op}${vec4 ? ' (vec4 per thread)' : ''}: out[(o * parts + p) * inner + i] = ${op} over j = p + k * parts < size of x[(o * size + j) * inner + i]
struct Params {
  threads: u32,
  size: u32,
  inner: u32,
  parts: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> xs: array<${element}>;
@group(0) @binding(1) var<storage, read_write> out: array<${element}>;
@group(0) @binding(2) var<uniform> params: Params;

// A function, so that constant evaluation (which rejects infinities) does not see the bits.
fn f32_from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}

@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * ${WORKGROUP_1D}u;
  if (t >= params.threads) {
    return;
  }
  let inner = params.inner;
  let parts = params.parts;
  let i = t % inner;
  let q = t / inner;
  let p = q % parts;
  let o = q / parts;
  let base = o * params.size * inner + i;
  let step = parts * inner;
  var acc = ${identity};
  var j = p;
  while (j < params.size) {
    var block = ${identity};
    for (var k = 0u; k < ${BLOCK}u && j < params.size; k++) {
      block = ${combine('block', 'xs[base + j * inner]')};
      j += parts;
    }
    acc = ${combine('acc', 'block')};
  }
  out[t] = ${op === 'sum' ? 'acc * params.scale' : 'acc'};
}
`;
}

const programs = new Map<string, KernelProgram>();

/** The strided reduction program of `op` (`vec4`: four neighbouring outputs per thread). */
export function reduceProgram(op: Combine, vec4: boolean): KernelProgram {
  const key = `reduce_strided:${op}${vec4 ? ':vec4' : ''}`;
  let p = programs.get(key);
  if (!p) {
    p = { name: 'reduce', key, file: 'src/kernels/reduce.ts', code: () => stridedWgsl(op, vec4) };
    programs.set(key, p);
  }
  return p;
}

/** Every program reduce() may dispatch, for rt.warmUp(). */
export function reducePrograms(): KernelProgram[] {
  return (['sum', 'max'] as const).flatMap((op) => [reduceProgram(op, false), reduceProgram(op, true)]);
}

/** Partials per output reduce() uses for `outputs` rows of `size` (1: a single pass). */
export function reduceParts(outputs: number, size: number): number {
  if (outputs > REDUCE_SPLIT_MAX_OUTPUTS || size < REDUCE_SPLIT_MIN_SIZE) return 1;
  return Math.max(1, Math.min(Math.ceil(Math.sqrt(size)), Math.floor(REDUCE_SCRATCH_ELEMENTS / outputs)));
}

export interface ReduceArgs {
  op: ReduceOp;
  /** f32 [outer, size, inner]. */
  x: GPUBuffer;
  /** f32 [outer, inner]; must not be x. */
  out: GPUBuffer;
  outer: number;
  size: number;
  inner: number;
}

/**
 * Records out[o, i] = op_j x[o, j, i]. sum: plain sum; mean: sum / size; max: largest element
 * (-inf for size 0; mean of size 0 is NaN).
 */
export function reduce(rt: KernelRuntime, pass: GPUComputePassEncoder, args: ReduceArgs): void {
  const { op, x, out, outer, size, inner } = args;
  requireOneOf('reduce', 'op', op, REDUCE_OPS);
  const kernel = `reduce ${op}`;
  requireCount(kernel, 'outer', outer);
  requireCount(kernel, 'size', size);
  requireCount(kernel, 'inner', inner);
  const outputs = outer * inner;
  requireCount(kernel, 'outer * inner', outputs);
  requireElements(kernel, 'x', x, outputs * size);
  requireElements(kernel, 'out', out, outputs);
  if (x === out) throw new RangeError(`${kernel}: out must not be the same buffer as x`);
  if (outputs === 0) return;
  const combine: Combine = op === 'max' ? 'max' : 'sum';
  const scale = op === 'mean' ? 1 / size : 1;
  const maxPerDim = rt.device.limits.maxComputeWorkgroupsPerDimension;
  // Four neighbouring outputs per thread (vec4 loads) where inner allows: SwiftShader pays per invocation
  // (the classic CNN's conv bias gradient, [1, 86528, 32], took 38-41 ms one output per thread and 14-16 ms
  // four per thread). The split into parts is chosen from the f32 outputs, so the sums run in the same order.
  const lanes = inner % 4 === 0 ? 4 : 1;
  const dispatch = (from: GPUBuffer, to: GPUBuffer, size_: number, parts: number, scale_: number) => {
    const threads = (outputs / lanes) * parts;
    const params = packParams([
      { u32: threads },
      { u32: size_ },
      { u32: inner / lanes },
      { u32: parts },
      { f32: scale_ },
    ]);
    rt.dispatch(
      pass,
      reduceProgram(combine, lanes === 4),
      [from, to],
      params,
      grid1d(threads, WORKGROUP_1D, maxPerDim),
    );
  };
  const parts = reduceParts(outputs, size);
  if (parts === 1) {
    dispatch(x, out, size, 1, scale);
    return;
  }
  // Partials [outer, parts, inner] in scratch, then the same kernel over them with parts = 1.
  const partials = rt.scratch('reduce partials', REDUCE_SCRATCH_ELEMENTS * 4);
  dispatch(x, partials, size, parts, 1);
  dispatch(partials, out, parts, 1, scale);
}
