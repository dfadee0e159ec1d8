// Inverted dropout with a counter-based RNG: element i of step `step` is kept when
// hash(i, seed, step) >= rate * 2^32, so a mask needs no RNG state, is the same on every run for the
// same (seed, step), and the backward pass reuses it (dx = dy * mask, with binary mul).
//
//   key     = h(seed ^ h(step ^ 0x9e3779b9))
//   bits_i  = h(h(i ^ key) + key)          h = lowbias32 (C. Wellons' 32-bit integer hash)
//   mask[i] = bits_i >= threshold ? 1 / (1 - rate) : 0,   threshold = round(rate * 2^32)
//   out[i]  = x[i] * mask[i]
// Buffers: x, out, mask f32 [length]. params = { n, seed, step, threshold: u32, scale: f32 }; with a
// step buffer (`dropout:stepbuf`), `step` is read from the first u32 of that uniform buffer instead,
// so a training loop can advance it with queue.writeBuffer and record no new uniforms per step.
import { FLAT_INDEX_WGSL, requireCount, requireElements } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

function dropoutWgsl(stepFromBuffer: boolean): string {
  return /* wgsl */ `// dropout (inverted, counter-based hash RNG); formulas in src/kernels/dropout.ts
struct Params {
  n: u32,
  seed: u32,
  step: u32,
  threshold: u32,
  scale: f32,
}

struct Step {
  step: u32,
}

@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<f32>;
${stepFromBuffer ? '@group(0) @binding(3) var<uniform> step_source: Step;\n@group(0) @binding(4)' : '@group(0) @binding(3)'} var<uniform> params: Params;

fn lowbias32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= params.n) {
    return;
  }
  let step = ${stepFromBuffer ? 'step_source.step' : 'params.step'};
  let key = lowbias32(params.seed ^ lowbias32(step ^ 0x9e3779b9u));
  let bits = lowbias32(lowbias32(i ^ key) + key);
  let m = select(0.0, params.scale, bits >= params.threshold);
  mask[i] = m;
  out[i] = xs[i] * m;
}
`;
}

export const dropoutProgram: KernelProgram = {
  name: 'dropout',
  key: 'dropout',
  file: 'src/kernels/dropout.ts',
  code: () => dropoutWgsl(false),
};

export const dropoutStepBufferProgram: KernelProgram = {
  name: 'dropout',
  key: 'dropout:stepbuf',
  file: 'src/kernels/dropout.ts',
  code: () => dropoutWgsl(true),
};

/** Every program dropout() may dispatch, for rt.warmUp(). */
export const dropoutPrograms = [dropoutProgram, dropoutStepBufferProgram];

export interface DropoutArgs {
  x: GPUBuffer;
  out: GPUBuffer;
  /** Receives 0 or 1 / (1 - rate) per element, for the backward pass. */
  mask: GPUBuffer;
  length: number;
  /** Probability of dropping an element, in [0, 1). */
  rate: number;
  /** u32; give each dropout layer its own. */
  seed: number;
  /**
   * u32 training step: a number (packed into a cached uniform: one small buffer per distinct value), or a
   * UNIFORM buffer whose first u32 is the step, rewritten by the caller each step (allocates nothing).
   */
  step: number | GPUBuffer;
}

/** The f32 mask value of a kept element and the u32 drop threshold for `rate`. */
export function dropoutConstants(rate: number): { scale: number; threshold: number } {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  return { scale: Math.fround(1 / (1 - rate)), threshold: Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32)) };
}

/** Records out = x * mask with a fresh mask for (seed, step). */
export function dropout(rt: KernelRuntime, pass: GPUComputePassEncoder, args: DropoutArgs): void {
  const { x, out, mask, length, rate, seed, step } = args;
  const { scale, threshold } = dropoutConstants(rate);
  requireCount('dropout', 'length', length);
  requireCount('dropout', 'seed', seed);
  for (const [name, buffer] of Object.entries({ x, out, mask })) requireElements('dropout', name, buffer, length);
  if (new Set([x, out, mask]).size < 3) throw new RangeError('dropout: x, out and mask must be different buffers');
  const stepBuffer = step instanceof GPUBuffer ? step : undefined;
  if (stepBuffer && !(stepBuffer.usage & GPUBufferUsage.UNIFORM)) {
    throw new RangeError('dropout: a step buffer must have UNIFORM usage (its first u32 is the step)');
  }
  if (!stepBuffer) requireCount('dropout', 'step', step as number);
  if (length === 0) return;
  const params = packParams([
    { u32: length },
    { u32: seed },
    { u32: stepBuffer ? 0 : (step as number) },
    { u32: threshold },
    { f32: scale },
  ]);
  const grid = grid1d(length, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension);
  if (stepBuffer) rt.dispatch(pass, dropoutStepBufferProgram, [x, out, mask, stepBuffer], params, grid);
  else rt.dispatch(pass, dropoutProgram, [x, out, mask], params, grid);
}
