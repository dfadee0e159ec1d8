// Row-wise softmax and log-softmax over x [rows, cols], forward and backward, plus the row-reduction
// scaffolding that softmax_ce.ts shares.
//
// Two layouts of the same WGSL body, chosen on the host from `cols` (key `softmax:<mode>:<log>`):
// - 'thread': one thread per row, plain loops over the columns (short rows: 10 classes of MNIST);
// - 'workgroup': one 256-thread workgroup per row, strided loops and reductions through workgroup
//   memory (long rows).
// Buffers (f32, row-major [rows, cols]): forward x -> out; backward y (the forward output), dy -> dx.
// params = { rows, cols: u32 }. The row grid is folded into 2-D past 65535 workgroups.
import { requireCount, requireElements } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

export type RowMode = 'thread' | 'workgroup';
/**
 * Rows at least this long get a workgroup each. Measured on SwiftShader: a 256-invocation workgroup
 * with barriers costs ~3.5 ms (2000 rows x 64 cols took 7.2 s), while a thread looping over 1000
 * columns costs microseconds; on hardware GPUs thread-per-row is also fine at these lengths.
 */
export const ROW_WORKGROUP_MIN_COLS = 1024;

export function rowMode(cols: number): RowMode {
  return cols >= ROW_WORKGROUP_MIN_COLS ? 'workgroup' : 'thread';
}

/** The grid for `rows` rows in `mode`. */
export function rowGrid(rt: KernelRuntime, mode: RowMode, rows: number): [number, number, number] {
  return grid1d(rows, mode === 'thread' ? WORKGROUP_1D : 1, rt.device.limits.maxComputeWorkgroupsPerDimension);
}

/**
 * WGSL pieces of a row kernel in `mode`: `helpers` (module scope: row_max, row_sum, row_min_u32 and
 * f32_from_bits), `entry` (the entry point's signature up to its opening brace, defining `row` and
 * `lid`; lid is 0 in thread mode), and `forCols(j)` (a loop header visiting this invocation's columns).
 * Each row_* returns the reduction over the whole row to every invocation of it; in workgroup mode it
 * contains barriers, so call it in uniform control flow (never under a per-invocation branch).
 */
export function rowKernelParts(mode: RowMode): { helpers: string; entry: string; forCols: (j: string) => string } {
  const bits = /* wgsl */ `
// A function, so that constant evaluation (which rejects infinities) does not see the bits.
fn f32_from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}
`;
  if (mode === 'thread') {
    return {
      helpers: /* wgsl */ `${bits}
fn row_max(v: f32, lid: u32) -> f32 { return v; }
fn row_sum(v: f32, lid: u32) -> f32 { return v; }
fn row_min_u32(v: u32, lid: u32) -> u32 { return v; }
`,
      entry: /* wgsl */ `@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = gid.x + gid.y * groups.x * ${WORKGROUP_1D}u;
  let lid = 0u;`,
      forCols: (j) => `for (var ${j} = 0u; ${j} < cols; ${j}++)`,
    };
  }
  // Two levels of 16 rather than a tree of 8: each barrier is costly on software adapters, which switch
  // between all invocations at it. Every invocation reads the 16 level-one results itself, so no third
  // broadcast barrier is needed; the last barrier frees the scratch for the next reduction.
  const reduction = (
    name: string,
    type: string,
    scratch: string,
    combine: (a: string, b: string) => string,
  ) => /* wgsl */ `
fn ${name}(v: ${type}, lid: u32) -> ${type} {
  ${scratch}[lid] = v;
  workgroupBarrier();
  if (lid < 16u) {
    var part = ${scratch}[lid * 16u];
    for (var k = 1u; k < 16u; k++) {
      part = ${combine('part', `${scratch}[lid * 16u + k]`)};
    }
    ${scratch}[lid * 16u] = part;
  }
  workgroupBarrier();
  var total = ${scratch}[0];
  for (var k = 1u; k < 16u; k++) {
    total = ${combine('total', `${scratch}[k * 16u]`)};
  }
  workgroupBarrier();
  return total;
}
`;
  return {
    helpers: /* wgsl */ `${bits}
var<workgroup> row_scratch_f32: array<f32, ${WORKGROUP_1D}>;
var<workgroup> row_scratch_u32: array<u32, ${WORKGROUP_1D}>;
${reduction('row_max', 'f32', 'row_scratch_f32', (a, b) => `max(${a}, ${b})`)}
${reduction('row_sum', 'f32', 'row_scratch_f32', (a, b) => `${a} + ${b}`)}
${reduction('row_min_u32', 'u32', 'row_scratch_u32', (a, b) => `min(${a}, ${b})`)}
`,
    entry: /* wgsl */ `@compute @workgroup_size(${WORKGROUP_1D})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x;`,
    forCols: (j) => `for (var ${j} = lid; ${j} < cols; ${j} += ${WORKGROUP_1D}u)`,
  };
}

function forwardWgsl(mode: RowMode, log: boolean): string {
  const { helpers, entry, forCols } = rowKernelParts(mode);
  const write = log ? 'out[base + j] = (xs[base + j] - m) - log_s;' : 'out[base + j] = exp(xs[base + j] - m) * inv_s;';
  return /* wgsl */ `// ${log ? 'log-softmax' : 'softmax'} per row (${mode} per row):
// m = max_j x_j; s = sum_j exp(x_j - m); ${log ? 'out_j = x_j - m - log(s)' : 'out_j = exp(x_j - m) / s'}
struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${helpers}
${entry}
  if (row >= params.rows) {
    return;
  }
  let cols = params.cols;
  let base = row * cols;
  var m = f32_from_bits(0xff800000u);
  ${forCols('j')} {
    m = max(m, xs[base + j]);
  }
  m = row_max(m, lid);
  var s = 0.0;
  ${forCols('j')} {
    s += exp(xs[base + j] - m);
  }
  s = row_sum(s, lid);
  let inv_s = 1.0 / s;
  let log_s = log(s);
  ${forCols('j')} {
    ${write}
  }
}
`;
}

function backwardWgsl(mode: RowMode, log: boolean): string {
  const { helpers, entry, forCols } = rowKernelParts(mode);
  const gather = log ? 'acc += dys[base + j];' : 'acc += dys[base + j] * ys[base + j];';
  const write = log
    ? 'dx[base + j] = dys[base + j] - exp(ys[base + j]) * acc;'
    : 'dx[base + j] = ys[base + j] * (dys[base + j] - acc);';
  return /* wgsl */ `// ${log ? 'log-softmax' : 'softmax'} backward per row (${mode} per row):
// ${log ? 'dx_j = dy_j - exp(y_j) * sum_k dy_k' : 'dx_j = y_j * (dy_j - sum_k dy_k y_k)'}
struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> ys: array<f32>;
@group(0) @binding(1) var<storage, read> dys: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
${helpers}
${entry}
  if (row >= params.rows) {
    return;
  }
  let cols = params.cols;
  let base = row * cols;
  var acc = 0.0;
  ${forCols('j')} {
    ${gather}
  }
  acc = row_sum(acc, lid);
  ${forCols('j')} {
    ${write}
  }
}
`;
}

const programs = new Map<string, KernelProgram>();

function cached(key: string, code: () => string): KernelProgram {
  let p = programs.get(key);
  if (!p) programs.set(key, (p = { name: key.split(':')[0], key, file: 'src/kernels/softmax.ts', code }));
  return p;
}

export function softmaxProgram(mode: RowMode, log: boolean): KernelProgram {
  return cached(`softmax:${mode}:${log ? 'log' : 'plain'}`, () => forwardWgsl(mode, log));
}

export function softmaxBackwardProgram(mode: RowMode, log: boolean): KernelProgram {
  return cached(`softmax_backward:${mode}:${log ? 'log' : 'plain'}`, () => backwardWgsl(mode, log));
}

/** Every program softmax() and softmaxBackward() may dispatch, for rt.warmUp(). */
export function softmaxPrograms(): KernelProgram[] {
  return (['thread', 'workgroup'] as const).flatMap((mode) =>
    [false, true].flatMap((log) => [softmaxProgram(mode, log), softmaxBackwardProgram(mode, log)]),
  );
}

export interface SoftmaxArgs {
  x: GPUBuffer;
  out: GPUBuffer;
  rows: number;
  cols: number;
  /** Log-softmax instead of softmax. */
  log?: boolean;
}

export interface SoftmaxBackwardArgs {
  /** The forward output (softmax, or log-softmax when `log`). */
  y: GPUBuffer;
  dy: GPUBuffer;
  dx: GPUBuffer;
  rows: number;
  cols: number;
  log?: boolean;
}

function checkRows(kernel: string, rows: number, cols: number, buffers: Record<string, GPUBuffer>): void {
  requireCount(kernel, 'rows', rows);
  requireCount(kernel, 'cols', cols, 1);
  requireCount(kernel, 'rows * cols', rows * cols);
  for (const [name, buffer] of Object.entries(buffers)) requireElements(kernel, name, buffer, rows * cols);
}

/**
 * Records out = softmax(x) per row, or log-softmax when `log`; both subtract the row's max first, so no
 * logit overflows exp.
 */
export function softmax(rt: KernelRuntime, pass: GPUComputePassEncoder, args: SoftmaxArgs): void {
  const { x, out, rows, cols, log = false } = args;
  const kernel = log ? 'logSoftmax' : 'softmax';
  checkRows(kernel, rows, cols, { x, out });
  if (x === out) throw new RangeError(`${kernel}: out must not be the same buffer as x`);
  if (rows === 0) return;
  const mode = rowMode(cols);
  rt.dispatch(
    pass,
    softmaxProgram(mode, log),
    [x, out],
    packParams([{ u32: rows }, { u32: cols }]),
    rowGrid(rt, mode, rows),
  );
}

/** Records dx from dy through softmax (dx = y (dy - <dy, y>)) or log-softmax (dx = dy - exp(y) sum dy). */
export function softmaxBackward(rt: KernelRuntime, pass: GPUComputePassEncoder, args: SoftmaxBackwardArgs): void {
  const { y, dy, dx, rows, cols, log = false } = args;
  const kernel = log ? 'logSoftmaxBackward' : 'softmaxBackward';
  checkRows(kernel, rows, cols, { y, dy, dx });
  if (dx === y || dx === dy) throw new RangeError(`${kernel}: dx must not be the same buffer as y or dy`);
  if (rows === 0) return;
  const mode = rowMode(cols);
  rt.dispatch(
    pass,
    softmaxBackwardProgram(mode, log),
    [y, dy, dx],
    packParams([{ u32: rows }, { u32: cols }]),
    rowGrid(rt, mode, rows),
  );
}
