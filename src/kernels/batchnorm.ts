// Batch normalisation on WebGPU over the last axis: x viewed as [rows, channels] (a dense layer's
// [batch, units], or a conv output NHWC flattened to [batch*h*w, channels]). Keras semantics: biased batch
// variance, running averages r = momentum*r + (1-momentum)*stat, running statistics in evaluation.
//
// Buffers (f32): x, out, dy, dx [rows, channels]; gamma, beta, runningMean, runningVar, mean, invStd,
// dGamma, dBeta [channels]. `mean` and `invStd` = 1/sqrt(var + epsilon) receive the statistics the forward
// pass used (batch or running), and backward reads them.
//
// Forward, training: 2 dispatches: `batchNormStats` (one workgroup per channel: two-pass mean and variance
// reduced in workgroup memory, running-average update) then `batchNormApply` (elementwise).
// Forward, evaluation: `batchNormStats` in eval mode (copies the running statistics into mean/invStd) then
// `batchNormApply`. Backward: `batchNormBackwardReduce` (per-channel sums of dy and dy*xhat = dBeta, dGamma)
// then `batchNormBackwardApply` (elementwise dx).
import { requireCount, requireElements } from './buffer-checks';
import { grid1d, WORKGROUP_1D, type KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';

const FILE = 'src/kernels/batchnorm.ts';
const REDUCE_WG = 256;

export interface BatchNormForwardArgs {
  x: GPUBuffer;
  gamma: GPUBuffer;
  beta: GPUBuffer;
  /** Updated in place when training. */
  runningMean: GPUBuffer;
  runningVar: GPUBuffer;
  out: GPUBuffer;
  /** Receive the statistics used, for backward. */
  mean: GPUBuffer;
  invStd: GPUBuffer;
  rows: number;
  channels: number;
  /** Keras default 1e-3. */
  epsilon: number;
  /** Keras default 0.99. */
  momentum: number;
  training: boolean;
}

export interface BatchNormBackwardArgs {
  x: GPUBuffer;
  dy: GPUBuffer;
  gamma: GPUBuffer;
  mean: GPUBuffer;
  invStd: GPUBuffer;
  dx: GPUBuffer;
  dGamma: GPUBuffer;
  dBeta: GPUBuffer;
  rows: number;
  channels: number;
  /** The forward pass used batch statistics (then they depend on x and dx has the two extra terms). */
  training: boolean;
}

const PARAMS_WGSL = 'struct Params { rows: u32, channels: u32, epsilon: f32, momentum: f32, count: u32 }';

/** Workgroup tree reduction of `red` (REDUCE_WG f32 values) into red[0], with barriers in uniform flow. */
const TREE = `  workgroupBarrier();
  for (var half = ${REDUCE_WG / 2}u; half > 0u; half = half >> 1u) {
    if (lid < half) { red[lid] = red[lid] + red[lid + half]; }
    workgroupBarrier();
  }`;

const PER_CHANNEL_HEAD = `@compute @workgroup_size(${REDUCE_WG})
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  // One workgroup per channel; every thread reaches every barrier, channels past the end only skip writes.
  let live = wid.x + wid.y * groups.x < p.channels;
  let c = min(wid.x + wid.y * groups.x, p.channels - 1u);`;

function program(name: string, bindings: string[], body: string, perChannel: boolean): KernelProgram {
  const code = [
    `// ${name} (${FILE})`,
    PARAMS_WGSL,
    ...bindings.map((b, i) => `@group(0) @binding(${i}) ${b};`),
    `@group(0) @binding(${bindings.length}) var<uniform> p: Params;`,
    perChannel ? `var<workgroup> red: array<f32, ${REDUCE_WG}>;` : '',
    '',
    perChannel
      ? PER_CHANNEL_HEAD
      : [
          `@compute @workgroup_size(${WORKGROUP_1D})`,
          'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {',
          `  let i = gid.x + gid.y * groups.x * ${WORKGROUP_1D}u;`,
          '  if (i >= p.count) { return; }',
          '  let c = i % p.channels;',
        ].join('\n'),
    body,
    '}',
    '',
  ].join('\n');
  return { name, key: `batchnorm/${name}`, file: FILE, code: () => code };
}

export const batchNormStatsProgram = program(
  'batchNormStatsTraining',
  [
    'var<storage, read> x: array<f32>',
    'var<storage, read_write> runningMean: array<f32>',
    'var<storage, read_write> runningVar: array<f32>',
    'var<storage, read_write> mean: array<f32>',
    'var<storage, read_write> invStd: array<f32>',
  ],
  `  var s = 0.0;
  for (var r = lid; r < p.rows; r += ${REDUCE_WG}u) { s += x[r * p.channels + c]; }
  red[lid] = s;
${TREE}
  let m = red[0] / f32(p.rows);
  workgroupBarrier();
  // Second pass over the deviations: no cancellation when |mean| >> std.
  var sq = 0.0;
  for (var r = lid; r < p.rows; r += ${REDUCE_WG}u) {
    let d = x[r * p.channels + c] - m;
    sq += d * d;
  }
  red[lid] = sq;
${TREE}
  if (lid == 0u && live) {
    let variance = red[0] / f32(p.rows);
    mean[c] = m;
    invStd[c] = inverseSqrt(variance + p.epsilon);
    runningMean[c] = p.momentum * runningMean[c] + (1.0 - p.momentum) * m;
    runningVar[c] = p.momentum * runningVar[c] + (1.0 - p.momentum) * variance;
  }`,
  true,
);

export const batchNormEvalStatsProgram = program(
  'batchNormStatsEval',
  [
    'var<storage, read> runningMean: array<f32>',
    'var<storage, read> runningVar: array<f32>',
    'var<storage, read_write> mean: array<f32>',
    'var<storage, read_write> invStd: array<f32>',
  ],
  `  mean[i] = runningMean[i];
  invStd[i] = inverseSqrt(runningVar[i] + p.epsilon);`,
  false,
);

export const batchNormApplyProgram = program(
  'batchNormApply',
  [
    'var<storage, read> x: array<f32>',
    'var<storage, read> gamma: array<f32>',
    'var<storage, read> beta: array<f32>',
    'var<storage, read> mean: array<f32>',
    'var<storage, read> invStd: array<f32>',
    'var<storage, read_write> out: array<f32>',
  ],
  '  out[i] = gamma[c] * (x[i] - mean[c]) * invStd[c] + beta[c];',
  false,
);

export const batchNormBackwardReduceProgram = program(
  'batchNormBackwardReduce',
  [
    'var<storage, read> x: array<f32>',
    'var<storage, read> dy: array<f32>',
    'var<storage, read> mean: array<f32>',
    'var<storage, read> invStd: array<f32>',
    'var<storage, read_write> dGamma: array<f32>',
    'var<storage, read_write> dBeta: array<f32>',
  ],
  `  let m = mean[c];
  var s = 0.0;
  var sx = 0.0;
  for (var r = lid; r < p.rows; r += ${REDUCE_WG}u) {
    let g = dy[r * p.channels + c];
    s += g;
    sx += g * (x[r * p.channels + c] - m);
  }
  red[lid] = s;
${TREE}
  let sumDy = red[0];
  workgroupBarrier();
  red[lid] = sx;
${TREE}
  if (lid == 0u && live) {
    dBeta[c] = sumDy;
    dGamma[c] = red[0] * invStd[c];
  }`,
  true,
);

/** training: dx = gamma*invStd*(dy - dBeta/rows - xhat*dGamma/rows), xhat = (x - mean)*invStd. */
export const batchNormBackwardApplyTrainingProgram = program(
  'batchNormBackwardApplyTraining',
  [
    'var<storage, read> x: array<f32>',
    'var<storage, read> dy: array<f32>',
    'var<storage, read> gamma: array<f32>',
    'var<storage, read> mean: array<f32>',
    'var<storage, read> invStd: array<f32>',
    'var<storage, read> dGamma: array<f32>',
    'var<storage, read> dBeta: array<f32>',
    'var<storage, read_write> dx: array<f32>',
  ],
  `  let s = invStd[c];
  let xhat = (x[i] - mean[c]) * s;
  let n = f32(p.rows);
  dx[i] = gamma[c] * s * (dy[i] - dBeta[c] / n - xhat * dGamma[c] / n);`,
  false,
);

/** evaluation (the statistics are constants): dx = gamma*invStd*dy. */
export const batchNormBackwardApplyEvalProgram = program(
  'batchNormBackwardApplyEval',
  [
    'var<storage, read> dy: array<f32>',
    'var<storage, read> gamma: array<f32>',
    'var<storage, read> invStd: array<f32>',
    'var<storage, read_write> dx: array<f32>',
  ],
  '  dx[i] = gamma[c] * invStd[c] * dy[i];',
  false,
);

export const batchNormPrograms: KernelProgram[] = [
  batchNormStatsProgram,
  batchNormEvalStatsProgram,
  batchNormApplyProgram,
  batchNormBackwardReduceProgram,
  batchNormBackwardApplyTrainingProgram,
  batchNormBackwardApplyEvalProgram,
];

function params(rows: number, channels: number, epsilon: number, momentum: number, count: number): ArrayBuffer {
  return packParams([{ u32: rows }, { u32: channels }, { f32: epsilon }, { f32: momentum }, { u32: count }]);
}

function check(k: string, rows: number, channels: number, buffers: [string, GPUBuffer, number][]): void {
  requireCount(k, 'rows', rows, 1);
  requireCount(k, 'channels', channels, 1);
  for (const [name, b, n] of buffers) requireElements(k, name, b, n);
}

/** Records y = gamma * (x - mean) * invStd + beta with batch (training) or running statistics. */
export function batchNormForward(rt: KernelRuntime, pass: GPUComputePassEncoder, a: BatchNormForwardArgs): void {
  const k = 'batchNormForward';
  const { rows, channels } = a;
  const n = rows * channels;
  check(k, rows, channels, [
    ['x', a.x, n],
    ['out', a.out, n],
    ['gamma', a.gamma, channels],
    ['beta', a.beta, channels],
    ['runningMean', a.runningMean, channels],
    ['runningVar', a.runningVar, channels],
    ['mean', a.mean, channels],
    ['invStd', a.invStd, channels],
  ]);
  if (!(a.epsilon > 0)) throw new RangeError(`${k}: epsilon must be > 0, got ${a.epsilon}`);
  if (!(a.momentum >= 0 && a.momentum <= 1))
    throw new RangeError(`${k}: momentum must be in [0, 1], got ${a.momentum}`);
  const maxDim = rt.device.limits.maxComputeWorkgroupsPerDimension;
  if (a.training) {
    rt.dispatch(
      pass,
      batchNormStatsProgram,
      [a.x, a.runningMean, a.runningVar, a.mean, a.invStd],
      params(rows, channels, a.epsilon, a.momentum, channels),
      grid1d(channels, 1, maxDim),
    );
  } else {
    rt.dispatch(
      pass,
      batchNormEvalStatsProgram,
      [a.runningMean, a.runningVar, a.mean, a.invStd],
      params(rows, channels, a.epsilon, a.momentum, channels),
      grid1d(channels, WORKGROUP_1D, maxDim),
    );
  }
  rt.dispatch(
    pass,
    batchNormApplyProgram,
    [a.x, a.gamma, a.beta, a.mean, a.invStd, a.out],
    params(rows, channels, a.epsilon, a.momentum, n),
    grid1d(n, WORKGROUP_1D, maxDim),
  );
}

/** Records dGamma, dBeta and dx (each overwritten) from dy and the statistics the forward pass used. */
export function batchNormBackward(rt: KernelRuntime, pass: GPUComputePassEncoder, a: BatchNormBackwardArgs): void {
  const k = 'batchNormBackward';
  const { rows, channels } = a;
  const n = rows * channels;
  check(k, rows, channels, [
    ['x', a.x, n],
    ['dy', a.dy, n],
    ['dx', a.dx, n],
    ['gamma', a.gamma, channels],
    ['mean', a.mean, channels],
    ['invStd', a.invStd, channels],
    ['dGamma', a.dGamma, channels],
    ['dBeta', a.dBeta, channels],
  ]);
  const maxDim = rt.device.limits.maxComputeWorkgroupsPerDimension;
  rt.dispatch(
    pass,
    batchNormBackwardReduceProgram,
    [a.x, a.dy, a.mean, a.invStd, a.dGamma, a.dBeta],
    params(rows, channels, 1, 0, channels),
    grid1d(channels, 1, maxDim),
  );
  rt.dispatch(
    pass,
    a.training ? batchNormBackwardApplyTrainingProgram : batchNormBackwardApplyEvalProgram,
    a.training ? [a.x, a.dy, a.gamma, a.mean, a.invStd, a.dGamma, a.dBeta, a.dx] : [a.dy, a.gamma, a.invStd, a.dx],
    params(rows, channels, 1, 0, n),
    grid1d(n, WORKGROUP_1D, maxDim),
  );
}
