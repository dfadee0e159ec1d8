// Elementwise activations and math functions, forward and backward, as one WGSL template in which the
// op selects the expression: one program per op and direction (key `unary:<op>` / `unary_backward:<op>`).
//
// Buffers (all f32, at least `length` elements): forward reads x and writes out; backward reads dy and
// whichever of x and y = f(x) its formula needs, and writes dx. params = { n: u32, alpha: f32 }, n the
// threads: `length`, or length / 4 for the vec4 programs (lengths that are a multiple of 4).
// Grids are 1-D in workgroups of 256, folded into 2-D past 65535 workgroups (lengths up to 2^32 - 1).
import { FLAT_INDEX_WGSL, requireCount, requireElements, requireOneOf } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

export const UNARY_OPS = [
  'relu',
  'leaky_relu',
  'sigmoid',
  'tanh',
  'exp',
  'log',
  'neg',
  'abs',
  'sqrt',
  'square',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

interface UnaryRule {
  /** WGSL expression of `x` (and `alpha`) for y = f(x). */
  forward: string;
  /** WGSL expression of `dy` and `x` and/or `y` (and `alpha`) for dx = dy * f'(x). */
  backward: string;
  /** Which of x and y the backward expression reads (only those are bound). */
  backwardReads: { x: boolean; y: boolean };
}

/**
 * Forward and backward of every op, side by side. NaN inputs propagate (relu uses `select`, not `max`,
 * so a diverging run is not hidden). sigmoid and tanh, and their derivatives, are computed from
 * e = exp(-|x|) so that neither overflows for large |x| nor cancels (1 - y^2 near |y| = 1 would).
 */
const unaryRules: { [Op in UnaryOp]: UnaryRule } = {
  // y = max(x, 0);  dx = dy * (x > 0)
  relu: {
    forward: 'select(x, 0.0, x < 0.0)',
    backward: 'select(0.0, dy, x > 0.0)',
    backwardReads: { x: true, y: false },
  },
  // y = x > 0 ? x : alpha * x;  dx = dy * (x > 0 ? 1 : alpha)
  leaky_relu: {
    forward: 'select(x, alpha * x, x < 0.0)',
    backward: 'select(alpha * dy, dy, x > 0.0)',
    backwardReads: { x: true, y: false },
  },
  // y = 1 / (1 + exp(-x));  dx = dy * y * (1 - y) = dy * e / (1 + e)^2 with e = exp(-|x|)
  sigmoid: { forward: 'sigmoid_f32(x)', backward: 'dy * sigmoid_grad_f32(x)', backwardReads: { x: true, y: false } },
  // y = tanh(x);  dx = dy * (1 - y^2) = dy * 4t / (1 + t)^2 with t = exp(-2|x|)
  tanh: { forward: 'tanh_f32(x)', backward: 'dy * tanh_grad_f32(x)', backwardReads: { x: true, y: false } },
  // y = exp(x);  dx = dy * y
  exp: { forward: 'exp(x)', backward: 'dy * y', backwardReads: { x: false, y: true } },
  // y = log(x);  dx = dy / x
  log: { forward: 'log(x)', backward: 'dy / x', backwardReads: { x: true, y: false } },
  // y = -x;  dx = -dy
  neg: { forward: '-x', backward: '-dy', backwardReads: { x: false, y: false } },
  // y = |x|;  dx = dy * sign(x)  (0 at x = 0)
  abs: { forward: 'abs(x)', backward: 'dy * sign(x)', backwardReads: { x: true, y: false } },
  // y = sqrt(x);  dx = dy / (2 y)
  sqrt: { forward: 'sqrt(x)', backward: 'dy * 0.5 / y', backwardReads: { x: false, y: true } },
  // y = x^2;  dx = 2 x dy
  square: { forward: 'x * x', backward: '2.0 * x * dy', backwardReads: { x: true, y: false } },
};

/**
 * tanh(x): an odd Taylor polynomial below |x| = 0.55 (8 terms: truncation < 5e-8 relative), else
 * sign(x) (1 - t) / (1 + t) with t = exp(-2|x|) <= 0.33, which neither cancels nor overflows. The WGSL
 * builtin is specified only as sinh/cosh, which overflows past |x| ~ 89 and cancels near 0.
 */
const UNARY_HELPERS_WGSL = /* wgsl */ `
fn sigmoid_f32(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}

fn sigmoid_grad_f32(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return e * s * s;
}

fn tanh_f32(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.55) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.3333333333 + x2 * (0.1333333333 + x2 * (-0.0539682540 + x2 * (0.0218694885
      + x2 * (-0.0088632355 + x2 * (0.0035921280 + x2 * -0.0014558344)))))));
  }
  let t = exp(-2.0 * a);
  return sign(x) * (1.0 - t) / (1.0 + t);
}

fn tanh_grad_f32(x: f32) -> f32 {
  let t = exp(-2.0 * abs(x));
  let d = 1.0 + t;
  return 4.0 * t / (d * d);
}
`;

const PARAMS_WGSL = /* wgsl */ `
struct Params {
  n: u32,
  alpha: f32,
}
`;

/**
 * One template for both program shapes: a thread per element (`f32`), or, for lengths that are a multiple
 * of 4, a thread per four elements (`vec4<f32>`). Either way the op's scalar expression is a function
 * applied to each element (component), so the two give the same bits.
 */
function elementType(vec4: boolean): string {
  return vec4 ? 'vec4<f32>' : 'f32';
}

const COMPONENTS = ['x', 'y', 'z', 'w'];

/** `call` applied to each component of the named vec4 operands, or to the f32 operands as they are. */
function perElement(vec4: boolean, call: (c: string) => string): string {
  return vec4 ? `vec4<f32>(${COMPONENTS.map((c) => call(`.${c}`)).join(', ')})` : call('');
}

function forwardWgsl(op: UnaryOp, vec4: boolean): string {
  const ty = elementType(vec4);
  return /* wgsl */ `// unary ${op}${vec4 ? ', vec4 per thread' : ''}: out[i] = ${unaryRules[op].forward}
${PARAMS_WGSL}
@group(0) @binding(0) var<storage, read> xs: array<${ty}>;
@group(0) @binding(1) var<storage, read_write> out: array<${ty}>;
@group(0) @binding(2) var<uniform> params: Params;
${UNARY_HELPERS_WGSL}
fn f(x: f32, alpha: f32) -> f32 {
  return ${unaryRules[op].forward};
}

@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= params.n) {
    return;
  }
  let a = params.alpha;
  let x = xs[i];
  out[i] = ${perElement(vec4, (c) => `f(x${c}, a)`)};
}
`;
}

function backwardWgsl(op: UnaryOp, vec4: boolean): string {
  const { backward, backwardReads } = unaryRules[op];
  const ty = elementType(vec4);
  const inputs = [...(backwardReads.x ? ['xs'] : []), ...(backwardReads.y ? ['ys'] : []), 'dys'];
  const declarations = inputs.map((name, b) => `@group(0) @binding(${b}) var<storage, read> ${name}: array<${ty}>;`);
  // An operand the formula does not read is passed as zero (its buffer is not bound).
  const x = backwardReads.x ? 'xs[i]' : `${ty}()`;
  const y = backwardReads.y ? 'ys[i]' : `${ty}()`;
  return /* wgsl */ `// unary ${op} backward${vec4 ? ', vec4 per thread' : ''}: dx[i] = ${backward}
${PARAMS_WGSL}
${declarations.join('\n')}
@group(0) @binding(${inputs.length}) var<storage, read_write> dx: array<${ty}>;
@group(0) @binding(${inputs.length + 1}) var<uniform> params: Params;
${UNARY_HELPERS_WGSL}
fn g(x: f32, y: f32, dy: f32, alpha: f32) -> f32 {
  return ${backward};
}

@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= params.n) {
    return;
  }
  let a = params.alpha;
  let x = ${x};
  let y = ${y};
  let dy = dys[i];
  dx[i] = ${perElement(vec4, (c) => `g(x${c}, y${c}, dy${c}, a)`)};
}
`;
}

const forwardPrograms = new Map<string, KernelProgram>();
const backwardPrograms = new Map<string, KernelProgram>();

/** The forward program of `op` (`vec4`: four elements per thread). */
export function unaryProgram(op: UnaryOp, vec4 = false): KernelProgram {
  const key = `unary:${op}${vec4 ? ':vec4' : ''}`;
  let program = forwardPrograms.get(key);
  if (!program) {
    const code = () => forwardWgsl(op, vec4);
    program = { name: 'unary', key, file: 'src/kernels/unary.ts', code };
    forwardPrograms.set(key, program);
  }
  return program;
}

/** The backward program of `op` (`vec4`: four elements per thread). */
export function unaryBackwardProgram(op: UnaryOp, vec4 = false): KernelProgram {
  const key = `unary_backward:${op}${vec4 ? ':vec4' : ''}`;
  let program = backwardPrograms.get(key);
  if (!program) {
    const code = () => backwardWgsl(op, vec4);
    program = { name: 'unary_backward', key, file: 'src/kernels/unary.ts', code };
    backwardPrograms.set(key, program);
  }
  return program;
}

/** Every program unary() and unaryBackward() may dispatch, for rt.warmUp(). */
export function unaryPrograms(ops: readonly UnaryOp[] = UNARY_OPS): KernelProgram[] {
  return ops.flatMap((op) => [false, true].flatMap((v) => [unaryProgram(op, v), unaryBackwardProgram(op, v)]));
}

export interface UnaryArgs {
  op: UnaryOp;
  x: GPUBuffer;
  out: GPUBuffer;
  length: number;
  /** leaky_relu's slope for x < 0 (default 0.01); ignored by the other ops. */
  alpha?: number;
}

export interface UnaryBackwardArgs {
  op: UnaryOp;
  /** The forward input. */
  x: GPUBuffer;
  /** The forward output f(x); read by exp and sqrt, whose derivatives are cheapest from it. */
  y: GPUBuffer;
  dy: GPUBuffer;
  dx: GPUBuffer;
  length: number;
  alpha?: number;
}

const DEFAULT_LEAKY_SLOPE = 0.01;

/** Records out[i] = f(x[i]) for i < length; out and x are different buffers. */
export function unary(rt: KernelRuntime, pass: GPUComputePassEncoder, args: UnaryArgs): void {
  const { op, x, out, length, alpha = DEFAULT_LEAKY_SLOPE } = args;
  requireOneOf('unary', 'op', op, UNARY_OPS);
  requireCount(`unary ${op}`, 'length', length);
  requireElements(`unary ${op}`, 'x', x, length);
  requireElements(`unary ${op}`, 'out', out, length);
  if (x === out) throw new RangeError(`unary ${op}: out must not be the same buffer as x (no in-place update)`);
  if (length === 0) return;
  const threads = threadsFor(length);
  rt.dispatch(
    pass,
    unaryProgram(op, threads !== length),
    [x, out],
    packParams([{ u32: threads }, { f32: alpha }]),
    grid(rt, threads),
  );
}

/** Records dx[i] = dy[i] * f'(x[i]) for i < length. */
export function unaryBackward(rt: KernelRuntime, pass: GPUComputePassEncoder, args: UnaryBackwardArgs): void {
  const { op, x, y, dy, dx, length, alpha = DEFAULT_LEAKY_SLOPE } = args;
  requireOneOf('unaryBackward', 'op', op, UNARY_OPS);
  const kernel = `unaryBackward ${op}`;
  requireCount(kernel, 'length', length);
  const reads = unaryRules[op].backwardReads;
  if (reads.x) requireElements(kernel, 'x', x, length);
  if (reads.y) requireElements(kernel, 'y', y, length);
  requireElements(kernel, 'dy', dy, length);
  requireElements(kernel, 'dx', dx, length);
  if (length === 0) return;
  const bindings = [...(reads.x ? [x] : []), ...(reads.y ? [y] : []), dy, dx];
  const threads = threadsFor(length);
  rt.dispatch(
    pass,
    unaryBackwardProgram(op, threads !== length),
    bindings,
    packParams([{ u32: threads }, { f32: alpha }]),
    grid(rt, threads),
  );
}

/**
 * Threads for `length` elements: one per four (the vec4 programs) when `length` is a multiple of 4.
 * SwiftShader pays per invocation: the classic CNN's relu backward over 2.77M elements took 70-80 ms one
 * element per thread and 28-41 ms four per thread (Node on SwiftShader, bench/step-profile-node.ts).
 */
function threadsFor(length: number): number {
  return length % 4 === 0 ? length / 4 : length;
}

function grid(rt: KernelRuntime, length: number): [number, number, number] {
  return grid1d(length, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension);
}
