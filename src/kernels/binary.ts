// Elementwise binary ops with broadcasting (add, sub, mul, div, max, min, pow over strided views of rank
// <= 6), and the same ops against a scalar. One WGSL template; the op and the rank after collapsing
// select the program (key `binary:<op>:r<rank>`, `scalar:<op>`).
//
// binary buffers: a and b f32, read at element offsets sum_d coord_d * aStrides[d] (resp. bStrides),
// where coord is the row-major coordinate of output element i in `shape`; out f32 [prod(shape)].
// params = { n, shape[rank], aStrides[rank], bStrides[rank] } as u32, after collapsing: size-1 axes are
// dropped and neighbouring axes merged where both a and b are contiguous across them, so a plain
// same-shape op runs as rank 1 and a bias add as rank 2.
// scalar buffers: x, out f32 [length]; params = { n: u32, value: f32 }.
import { FLAT_INDEX_WGSL, requireCount, requireElements, requireOneOf } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
export const SCALAR_OPS = ['add', 'mul', 'rsub', 'pow'] as const;
export type ScalarOp = (typeof SCALAR_OPS)[number];
export const MAX_BINARY_RANK = 6;

/** out = a (op) b as a WGSL expression of `a` and `b`. */
const binaryExpressions: { [Op in BinaryOp]: string } = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  max: 'max(a, b)',
  min: 'min(a, b)',
  pow: 'pow_f32(a, b)',
};

/** out = x (op) value as a WGSL expression of `x` and `value`; rsub is value - x. */
const scalarExpressions: { [Op in ScalarOp]: string } = {
  add: 'x + value',
  mul: 'x * value',
  rsub: 'value - x',
  pow: 'pow_f32(x, value)',
};

/**
 * a^b with the real-valued cases WGSL's pow (exp2(b * log2(a)), undefined for a <= 0) leaves out:
 * a^0 = 1; 0^b = 0 for b > 0 and +inf for b < 0; a negative base with an integer exponent gets the sign
 * of its parity; a negative base with a non-integer exponent is NaN, as in Math.pow.
 */
const POW_WGSL = /* wgsl */ `
// A function, so that WGSL's constant evaluation (which rejects inf and NaN) does not see the bits.
fn f32_from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}

fn pow_f32(a: f32, b: f32) -> f32 {
  if (b == 0.0) {
    return 1.0;
  }
  if (a == 0.0) {
    return select(f32_from_bits(0x7f800000u), 0.0, b > 0.0);
  }
  let magnitude = pow(abs(a), b);
  if (a > 0.0) {
    return magnitude;
  }
  if (a < 0.0) {
    if (floor(b) != b) {
      return f32_from_bits(0x7fc00000u);
    }
    return select(magnitude, -magnitude, floor(b * 0.5) != b * 0.5);
  }
  return a + b;
}
`;

function binaryWgsl(op: BinaryOp, rank: number): string {
  const dims = Array.from({ length: rank }, (_, d) => d);
  const fields = [
    ...dims.map((d) => `s${d}: u32,`),
    ...dims.map((d) => `a${d}: u32,`),
    ...dims.map((d) => `b${d}: u32,`),
  ];
  // Coordinates from the last axis to the first; the first axis takes what is left.
  const walk = dims
    .slice(1)
    .reverse()
    .map(
      (d) =>
        `  let c${d} = rem % params.s${d};\n  rem = rem / params.s${d};\n  ia += c${d} * params.a${d};\n  ib += c${d} * params.b${d};`,
    );
  return /* wgsl */ `// binary ${op}, rank ${rank}: out[i] = ${binaryExpressions[op]} over strided views of a and b
struct Params {
  n: u32,
  ${fields.join('\n  ')}
}

@group(0) @binding(0) var<storage, read> as_: array<f32>;
@group(0) @binding(1) var<storage, read> bs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
${POW_WGSL}
@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= params.n) {
    return;
  }
  var rem = i;
  var ia = 0u;
  var ib = 0u;
${walk.join('\n')}
  ia += rem * params.a0;
  ib += rem * params.b0;
  let a = as_[ia];
  let b = bs[ib];
  out[i] = ${binaryExpressions[op]};
}
`;
}

function scalarWgsl(op: ScalarOp): string {
  return /* wgsl */ `// scalar ${op}: out[i] = ${scalarExpressions[op]}
struct Params {
  n: u32,
  value: f32,
}

@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${POW_WGSL}
@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= params.n) {
    return;
  }
  let x = xs[i];
  let value = params.value;
  out[i] = ${scalarExpressions[op]};
}
`;
}

const programs = new Map<string, KernelProgram>();

function cached(key: string, name: string, code: () => string): KernelProgram {
  let program = programs.get(key);
  if (!program) programs.set(key, (program = { name, key, file: 'src/kernels/binary.ts', code }));
  return program;
}

/** The program for `op` over a collapsed rank in 1..6. */
export function binaryProgram(op: BinaryOp, rank: number): KernelProgram {
  return cached(`binary:${op}:r${rank}`, 'binary', () => binaryWgsl(op, rank));
}

export function scalarProgram(op: ScalarOp): KernelProgram {
  return cached(`scalar:${op}`, 'scalar', () => scalarWgsl(op));
}

/**
 * Programs for rt.warmUp(): every op at ranks 1 and 2 (same-shape and bias-like broadcasts) and every
 * scalar op, unless narrowed; higher ranks compile on first use.
 */
export function binaryPrograms(
  ops: readonly BinaryOp[] = BINARY_OPS,
  ranks: readonly number[] = [1, 2],
  scalarOps: readonly ScalarOp[] = SCALAR_OPS,
): KernelProgram[] {
  return [...ops.flatMap((op) => ranks.map((r) => binaryProgram(op, r))), ...scalarOps.map(scalarProgram)];
}

export interface BinaryArgs {
  op: BinaryOp;
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
  /** Output shape, rank 1..6 (axes of size 1 and contiguous runs are collapsed before the rank check). */
  shape: readonly number[];
  /** Element strides of a over `shape`; 0 on broadcast axes. */
  aStrides: readonly number[];
  bStrides: readonly number[];
}

export interface ScalarArgs {
  op: ScalarOp;
  x: GPUBuffer;
  out: GPUBuffer;
  length: number;
  value: number;
}

/** A shape and two stride lists with size-1 axes dropped and jointly contiguous neighbours merged. */
export function collapseBroadcast(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const s: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = s.length - 1;
    // Axis `last` followed by axis d is one axis of size s[last] * shape[d] when, for both operands,
    // stepping once along `last` equals stepping shape[d] times along d.
    if (last >= 0 && as[last] === aStrides[d] * shape[d] && bs[last] === bStrides[d] * shape[d]) {
      s[last] *= shape[d];
      as[last] = aStrides[d];
      bs[last] = bStrides[d];
    } else {
      s.push(shape[d]);
      as.push(aStrides[d]);
      bs.push(bStrides[d]);
    }
  }
  if (s.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return { shape: s, aStrides: as, bStrides: bs };
}

/** Records out[i] = a[...] (op) b[...] for every element of `shape`, broadcasting through the strides. */
export function binary(rt: KernelRuntime, pass: GPUComputePassEncoder, args: BinaryArgs): void {
  const { op, a, b, out, shape, aStrides, bStrides } = args;
  requireOneOf('binary', 'op', op, BINARY_OPS);
  const kernel = `binary ${op}`;
  const described = `shape [${shape.join(', ')}], aStrides [${aStrides.join(', ')}], bStrides [${bStrides.join(', ')}]`;
  if (shape.length !== aStrides.length || shape.length !== bStrides.length) {
    throw new RangeError(`${kernel}: shape and strides differ in rank (${described})`);
  }
  for (const v of [...shape, ...aStrides, ...bStrides]) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`${kernel}: sizes and strides must be whole numbers >= 0 (${described})`);
  }
  if (out === a || out === b) throw new RangeError(`${kernel}: out must not be the same buffer as a or b`);
  const length = shape.reduce((p, s) => p * s, 1);
  requireCount(kernel, 'element count', length);
  if (length === 0) return;
  const span = (strides: readonly number[]) => 1 + shape.reduce((sum, s, d) => sum + (s - 1) * strides[d], 0);
  requireElements(kernel, 'a', a, span(aStrides));
  requireElements(kernel, 'b', b, span(bStrides));
  requireElements(kernel, 'out', out, length);
  const c = collapseBroadcast(shape, aStrides, bStrides);
  if (c.shape.length > MAX_BINARY_RANK) {
    throw new RangeError(
      `${kernel}: rank ${c.shape.length} after collapsing exceeds ${MAX_BINARY_RANK} (${described})`,
    );
  }
  const params = packParams([length, ...c.shape, ...c.aStrides, ...c.bStrides].map((u32) => ({ u32 })));
  rt.dispatch(pass, binaryProgram(op, c.shape.length), [a, b, out], params, grid(rt, length));
}

/** Records out[i] = x[i] (op) value for i < length; rsub is value - x[i]. */
export function scalar(rt: KernelRuntime, pass: GPUComputePassEncoder, args: ScalarArgs): void {
  const { op, x, out, length, value } = args;
  requireOneOf('scalar', 'op', op, SCALAR_OPS);
  const kernel = `scalar ${op}`;
  requireCount(kernel, 'length', length);
  requireElements(kernel, 'x', x, length);
  requireElements(kernel, 'out', out, length);
  if (out === x) throw new RangeError(`${kernel}: out must not be the same buffer as x`);
  if (length === 0) return;
  rt.dispatch(pass, scalarProgram(op), [x, out], packParams([{ u32: length }, { f32: value }]), grid(rt, length));
}

function grid(rt: KernelRuntime, length: number): [number, number, number] {
  return grid1d(length, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension);
}
