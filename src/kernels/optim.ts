// Fused optimiser updates, one dispatch per parameter tensor, updating parameter and state in place; a
// thread updates four elements (vec4 loads and stores) when the length is a multiple of 4, else one.
// Hyperparameters live in a 48-byte uniform buffer the optimiser owns and rewrites with
// queue.writeBuffer before each step's submit (packSgdHyper / packAdamHyper / packRmspropHyper), so the
// step count, the scheduled learning rate and Adam's bias corrections change without new bind groups.
//
// Hyper layout (little-endian, 4 bytes each; OPTIM_HYPER_BYTES = 48):
//   0 lr f32 (after the schedule)   4 momentum f32 (SGD)   8 beta1 f32     12 beta2 f32
//  16 rho f32 (RMSprop decay)       20 eps f32             24 l2 f32       28 l1 f32
//  32 biasCorrection1 f32 = 1 - beta1^t                     36 biasCorrection2 f32 = 1 - beta2^t
//  40 nesterov u32 (0 or 1)         44 step u32 (t, 1-based)
//
// Every update first regularises the gradient (coupled weight decay, as PyTorch's weight_decay):
//   g = grad + l2 p + l1 sign(p)
// SGD:     without velocity p -= lr g; with it v = momentum v + g, p -= lr (nesterov ? g + momentum v : v)
// Adam:    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr (m / bc1) / (sqrt(v / bc2) + eps)
// RMSprop: s = rho s + (1 - rho) g^2;  p -= lr g / (sqrt(s) + eps)
// Buffers: param and state f32 [length] (read-write), grad f32 [length]; a uniform { n: u32 } and hyper.
import { FLAT_INDEX_WGSL, requireCount, requireElements } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type Binding, type KernelRuntime } from './runtime';

export const OPTIM_HYPER_BYTES = 48;

const HYPER_WGSL = /* wgsl */ `
struct Size {
  n: u32,
}

struct Hyper {
  lr: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  rho: f32,
  eps: f32,
  l2: f32,
  l1: f32,
  bias_correction1: f32,
  bias_correction2: f32,
  nesterov: u32,
  step: u32,
}
`;

type Rule = 'sgd' | 'sgd_momentum' | 'adam' | 'rmsprop';

/** Storage bindings (after param and grad) and the update body of each rule; `g` is already regularised. */
const rules: { [R in Rule]: { state: string[]; body: string } } = {
  sgd: { state: [], body: 'param[i] = p - hyper.lr * g;' },
  sgd_momentum: {
    state: ['velocity'],
    body: `let v = hyper.momentum * velocity[i] + g;
  velocity[i] = v;
  let d = select(v, g + hyper.momentum * v, hyper.nesterov != 0u);
  param[i] = p - hyper.lr * d;`,
  },
  adam: {
    state: ['m', 'v'],
    body: `let m1 = hyper.beta1 * m[i] + (1.0 - hyper.beta1) * g;
  let v1 = hyper.beta2 * v[i] + (1.0 - hyper.beta2) * g * g;
  m[i] = m1;
  v[i] = v1;
  param[i] = p - hyper.lr * (m1 / hyper.bias_correction1) / (sqrt(v1 / hyper.bias_correction2) + hyper.eps);`,
  },
  rmsprop: {
    state: ['mean_square'],
    body: `let s = hyper.rho * mean_square[i] + (1.0 - hyper.rho) * g * g;
  mean_square[i] = s;
  param[i] = p - hyper.lr * g / (sqrt(s) + hyper.eps);`,
  },
};

/**
 * The update of `rule` over f32 elements, or (`vec4`) over vec4<f32>: the same body, whose operations are
 * all per component, so both give the same bits; size.n counts the elements the threads cover.
 */
function updateWgsl(rule: Rule, vec4: boolean): string {
  const { state, body } = rules[rule];
  const storage = ['param', 'grad', ...state];
  const element = vec4 ? 'vec4<f32>' : 'f32';
  const declarations = storage.map(
    (name, b) =>
      `@group(0) @binding(${b}) var<storage, ${name === 'grad' ? 'read' : 'read_write'}> ${name}: array<${element}>;`,
  );
  return /* wgsl */ `// optimiser update ${rule}${vec4 ? ' (vec4 per thread)' : ''}; formulas and hyper layout in src/kernels/optim.ts
${HYPER_WGSL}
${declarations.join('\n')}
@group(0) @binding(${storage.length}) var<uniform> size: Size;
@group(0) @binding(${storage.length + 1}) var<uniform> hyper: Hyper;

@compute @workgroup_size(${WORKGROUP_1D})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = ${FLAT_INDEX_WGSL};
  if (i >= size.n) {
    return;
  }
  let p = param[i];
  let g = grad[i] + hyper.l2 * p + hyper.l1 * sign(p);
  ${body}
}
`;
}

const programs = new Map<string, KernelProgram>();

export function optimProgram(rule: Rule, vec4 = false): KernelProgram {
  const key = `optim:${rule}${vec4 ? ':vec4' : ''}`;
  let p = programs.get(key);
  if (!p)
    programs.set(key, (p = { name: 'optim', key, file: 'src/kernels/optim.ts', code: () => updateWgsl(rule, vec4) }));
  return p;
}

/** Every program the update functions may dispatch, for rt.warmUp(). */
export function optimPrograms(): KernelProgram[] {
  return (['sgd', 'sgd_momentum', 'adam', 'rmsprop'] as const).flatMap((r) => [optimProgram(r), optimProgram(r, true)]);
}

/** A hyper buffer (UNIFORM | COPY_DST, OPTIM_HYPER_BYTES), for the optimiser to own and rewrite each step. */
export function createOptimHyperBuffer(device: GPUDevice, label = 'optimiser hyperparameters'): GPUBuffer {
  return device.createBuffer({
    size: OPTIM_HYPER_BYTES,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    label,
  });
}

interface Regularisation {
  /** L2 coefficient: adds l2 * p to the gradient. Default 0. */
  weightDecay?: number;
  /** L1 coefficient: adds l1 * sign(p) to the gradient. Default 0. */
  l1?: number;
}

interface HyperFields {
  lr: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  rho?: number;
  eps?: number;
  l2?: number;
  l1?: number;
  biasCorrection1?: number;
  biasCorrection2?: number;
  nesterov?: boolean;
  step?: number;
}

function packHyper(kind: string, h: HyperFields): ArrayBuffer {
  for (const [name, value] of Object.entries(h)) {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new RangeError(`${kind}: ${name} must be finite, got ${value}`);
  }
  const bytes = new ArrayBuffer(OPTIM_HYPER_BYTES);
  const view = new DataView(bytes);
  const f32 = [h.lr, h.momentum ?? 0, h.beta1 ?? 0, h.beta2 ?? 0, h.rho ?? 0, h.eps ?? 0, h.l2 ?? 0, h.l1 ?? 0];
  f32.push(h.biasCorrection1 ?? 1, h.biasCorrection2 ?? 1);
  f32.forEach((v, k) => view.setFloat32(4 * k, v, true));
  view.setUint32(40, h.nesterov ? 1 : 0, true);
  view.setUint32(44, h.step ?? 0, true);
  return bytes;
}

export interface SgdHyper extends Regularisation {
  lr: number;
  /** Needs a velocity buffer when non-zero. Default 0. */
  momentum?: number;
  nesterov?: boolean;
  step?: number;
}

export interface AdamHyper extends Regularisation {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** The 1-based number of this update; sets the bias corrections 1 - beta^step. */
  step: number;
}

export interface RmspropHyper extends Regularisation {
  lr: number;
  /** Decay of the mean square (Keras / TF.js default 0.9). */
  rho?: number;
  eps?: number;
  step?: number;
}

/** Hyper bytes for sgdUpdate. */
export function packSgdHyper({
  lr,
  momentum = 0,
  nesterov = false,
  weightDecay = 0,
  l1 = 0,
  step = 0,
}: SgdHyper): ArrayBuffer {
  return packHyper('packSgdHyper', { lr, momentum, nesterov, l2: weightDecay, l1, step });
}

/** Hyper bytes for adamUpdate; the bias corrections are computed here in float64. */
export function packAdamHyper({
  lr,
  beta1 = 0.9,
  beta2 = 0.999,
  eps = 1e-8,
  step,
  weightDecay = 0,
  l1 = 0,
}: AdamHyper): ArrayBuffer {
  requireCount('packAdamHyper', 'step', step, 1);
  return packHyper('packAdamHyper', {
    lr,
    beta1,
    beta2,
    eps,
    l2: weightDecay,
    l1,
    biasCorrection1: 1 - beta1 ** step,
    biasCorrection2: 1 - beta2 ** step,
    step,
  });
}

/** Hyper bytes for rmspropUpdate. */
export function packRmspropHyper({
  lr,
  rho = 0.9,
  eps = 1e-8,
  weightDecay = 0,
  l1 = 0,
  step = 0,
}: RmspropHyper): ArrayBuffer {
  return packHyper('packRmspropHyper', { lr, rho, eps, l2: weightDecay, l1, step });
}

export interface SgdUpdateArgs {
  param: GPUBuffer;
  grad: GPUBuffer;
  /** Momentum state; without it the update is plain SGD and hyper.momentum is ignored. */
  velocity?: GPUBuffer;
  length: number;
  /** OPTIM_HYPER_BYTES of packSgdHyper() output. */
  hyper: Binding;
}

export interface AdamUpdateArgs {
  param: GPUBuffer;
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  length: number;
  hyper: Binding;
}

export interface RmspropUpdateArgs {
  param: GPUBuffer;
  grad: GPUBuffer;
  meanSquare: GPUBuffer;
  length: number;
  hyper: Binding;
}

function dispatchUpdate(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  rule: Rule,
  kernel: string,
  buffers: Record<string, GPUBuffer>,
  length: number,
  hyper: Binding,
): void {
  requireCount(kernel, 'length', length);
  for (const [name, buffer] of Object.entries(buffers)) requireElements(kernel, name, buffer, length);
  if (new Set(Object.values(buffers)).size < Object.keys(buffers).length) {
    throw new RangeError(`${kernel}: ${Object.keys(buffers).join(', ')} must be different buffers`);
  }
  const hyperBuffer = hyper instanceof GPUBuffer ? hyper : hyper.buffer;
  const hyperSize = hyper instanceof GPUBuffer ? hyper.size : (hyper.size ?? hyper.buffer.size - (hyper.offset ?? 0));
  if (hyperSize < OPTIM_HYPER_BYTES || !(hyperBuffer.usage & GPUBufferUsage.UNIFORM)) {
    throw new RangeError(`${kernel}: hyper must be a UNIFORM buffer (range) of at least ${OPTIM_HYPER_BYTES} bytes`);
  }
  if (length === 0) return;
  // Four elements per thread where the length allows: SwiftShader pays per invocation. Adam over the MLP's
  // 392k-element kernel took 19.5-19.9 ms one element per thread and 10.3-10.4 ms four per thread (Node
  // on SwiftShader, bench/step-profile-node.ts); its 11 MB of traffic take ~6.5 ms at the copy ceiling.
  const vec4 = length % 4 === 0;
  const threads = vec4 ? length / 4 : length;
  rt.dispatch(
    pass,
    optimProgram(rule, vec4),
    [...Object.values(buffers), rt.uniform(packParams([{ u32: threads }])), hyper],
    null,
    grid1d(threads, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension),
  );
}

/** Records one SGD step (with momentum and Nesterov when `velocity` is given) over `length` elements. */
export function sgdUpdate(rt: KernelRuntime, pass: GPUComputePassEncoder, args: SgdUpdateArgs): void {
  const { param, grad, velocity, length, hyper } = args;
  const buffers: Record<string, GPUBuffer> = velocity ? { param, grad, velocity } : { param, grad };
  dispatchUpdate(rt, pass, velocity ? 'sgd_momentum' : 'sgd', 'sgdUpdate', buffers, length, hyper);
}

/** Records one Adam step over `length` elements. */
export function adamUpdate(rt: KernelRuntime, pass: GPUComputePassEncoder, args: AdamUpdateArgs): void {
  const { param, grad, m, v, length, hyper } = args;
  dispatchUpdate(rt, pass, 'adam', 'adamUpdate', { param, grad, m, v }, length, hyper);
}

/** Records one RMSprop step over `length` elements. */
export function rmspropUpdate(rt: KernelRuntime, pass: GPUComputePassEncoder, args: RmspropUpdateArgs): void {
  const { param, grad, meanSquare, length, hyper } = args;
  dispatchUpdate(rt, pass, 'rmsprop', 'rmspropUpdate', { param, grad, meanSquare }, length, hyper);
}
