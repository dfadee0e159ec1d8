// Fused, numerically stable softmax cross-entropy from logits and integer labels: the loss per row, the
// gradient of the batch-mean loss, and (optionally) the batch's loss sum and correct count added into a
// metrics buffer on the GPU, so a training loop reads metrics back only every N steps.
//
// Dispatch 1 (`softmax_ce:<mode>`, a row kernel from softmax.ts: a thread or a workgroup per row):
//   m = max_j z_j,  s = sum_j exp(z_j - m),  p_j = exp(z_j - m) / s
//   lossPerRow[r] = log(s) - (z_label - m)            (= logsumexp(z) - z_label, never overflowing)
//   dlogits[r, j] = (p_j - [j == label]) / rows
//   correct[r]    = 1 if the first index of the max equals label, else 0 (scratch owned by this module)
//   A label outside [0, cols) gives lossPerRow NaN, correct 0 and dlogits p / rows.
// Dispatch 2 (`softmax_ce_metrics`, only when `metrics` is given; one workgroup of 256):
//   metrics[2 slot] += sum_r lossPerRow[r];  metrics[2 slot + 1] += sum_r correct[r]
//   A single workgroup sums in a fixed order, so no float atomics are needed and the result does not
//   depend on scheduling. Counts are exact in f32 up to 2^24 correct predictions per slot.
// Buffers: logits, dlogits f32 [rows, cols]; labels i32 [rows]; lossPerRow f32 [rows]; metrics f32
// [>= 2 slot + 2]. params = { rows, cols: u32, invRows: f32 } and { rows, slot: u32 }.
import { requireCount, requireElements } from './buffer-checks';
import type { KernelProgram } from './program';
import { packParams, type KernelRuntime } from './runtime';
import { rowGrid, rowKernelParts, rowMode, type RowMode } from './softmax';

function rowsWgsl(mode: RowMode): string {
  const { helpers, entry, forCols } = rowKernelParts(mode);
  return /* wgsl */ `// softmax cross-entropy per row (${mode} per row); see src/kernels/softmax_ce.ts for the formulas.
struct Params {
  rows: u32,
  cols: u32,
  inv_rows: f32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_per_row: array<f32>;
@group(0) @binding(4) var<storage, read_write> correct: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;
${helpers}
${entry}
  if (row >= params.rows) {
    return;
  }
  let cols = params.cols;
  let base = row * cols;
  let label = labels[row];
  let valid = label >= 0 && u32(label) < cols;
  var m = f32_from_bits(0xff800000u);
  ${forCols('j')} {
    m = max(m, logits[base + j]);
  }
  m = row_max(m, lid);
  var s = 0.0;
  var first = 0xffffffffu;
  ${forCols('j')} {
    let z = logits[base + j];
    s += exp(z - m);
    if (z == m) {
      first = min(first, j);
    }
  }
  s = row_sum(s, lid);
  first = row_min_u32(first, lid);
  let inv_s = 1.0 / s;
  ${forCols('j')} {
    let p = exp(logits[base + j] - m) * inv_s;
    let onehot = select(0.0, 1.0, valid && j == u32(label));
    dlogits[base + j] = (p - onehot) * params.inv_rows;
  }
  if (lid == 0u) {
    if (valid) {
      loss_per_row[row] = log(s) - (logits[base + u32(label)] - m);
      correct[row] = select(0.0, 1.0, first == u32(label));
    } else {
      loss_per_row[row] = f32_from_bits(0x7fc00000u);
      correct[row] = 0.0;
    }
  }
}
`;
}

const METRICS_WGSL = /* wgsl */ `// softmax cross-entropy metrics: metrics[2 slot] += sum loss_per_row, metrics[2 slot + 1] += sum correct.
struct Params {
  rows: u32,
  slot: u32,
}

@group(0) @binding(0) var<storage, read> loss_per_row: array<f32>;
@group(0) @binding(1) var<storage, read> correct: array<f32>;
@group(0) @binding(2) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> loss_part: array<f32, 256>;
var<workgroup> correct_part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var loss = 0.0;
  var hits = 0.0;
  for (var r = lid; r < params.rows; r += 256u) {
    loss += loss_per_row[r];
    hits += correct[r];
  }
  loss_part[lid] = loss;
  correct_part[lid] = hits;
  workgroupBarrier();
  if (lid < 16u) {
    var loss16 = loss_part[lid * 16u];
    var hits16 = correct_part[lid * 16u];
    for (var k = 1u; k < 16u; k++) {
      loss16 += loss_part[lid * 16u + k];
      hits16 += correct_part[lid * 16u + k];
    }
    loss_part[lid * 16u] = loss16;
    correct_part[lid * 16u] = hits16;
  }
  workgroupBarrier();
  if (lid == 0u) {
    loss = loss_part[0];
    hits = correct_part[0];
    for (var k = 1u; k < 16u; k++) {
      loss += loss_part[k * 16u];
      hits += correct_part[k * 16u];
    }
    metrics[2u * params.slot] += loss;
    metrics[2u * params.slot + 1u] += hits;
  }
}
`;

const programs = new Map<string, KernelProgram>();

export function softmaxCrossEntropyProgram(mode: RowMode): KernelProgram {
  const key = `softmax_ce:${mode}`;
  let p = programs.get(key);
  if (!p)
    programs.set(key, (p = { name: 'softmax_ce', key, file: 'src/kernels/softmax_ce.ts', code: () => rowsWgsl(mode) }));
  return p;
}

export const softmaxCrossEntropyMetricsProgram: KernelProgram = {
  name: 'softmax_ce_metrics',
  key: 'softmax_ce_metrics',
  file: 'src/kernels/softmax_ce.ts',
  code: () => METRICS_WGSL,
};

/** Every program softmaxCrossEntropy() may dispatch, for rt.warmUp(). */
export function softmaxCrossEntropyPrograms(): KernelProgram[] {
  return [
    softmaxCrossEntropyProgram('thread'),
    softmaxCrossEntropyProgram('workgroup'),
    softmaxCrossEntropyMetricsProgram,
  ];
}

/** Scratch for the per-row correct flags: at least 1024 rows, sizes in powers of two (few distinct buffers). */
function correctScratch(rt: KernelRuntime, rows: number): GPUBuffer {
  return rt.scratch('softmax_ce correct flags', Math.max(1024, 2 ** Math.ceil(Math.log2(rows))) * 4);
}

export interface SoftmaxCrossEntropyArgs {
  /** f32 [rows, cols]. */
  logits: GPUBuffer;
  /** i32 [rows], each in [0, cols). */
  labels: GPUBuffer;
  rows: number;
  cols: number;
  /** f32 [rows, cols]: d(mean loss) / d logits. */
  dlogits: GPUBuffer;
  /** f32 [rows]. */
  lossPerRow: GPUBuffer;
  /** f32 accumulators; when given, this batch's loss sum and correct count are added at 2 slot, 2 slot + 1. */
  metrics?: GPUBuffer;
  metricsSlot?: number;
}

/** Records the fused softmax cross-entropy of one batch (one or two dispatches, no readback). */
export function softmaxCrossEntropy(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: SoftmaxCrossEntropyArgs,
): void {
  const { logits, labels, rows, cols, dlogits, lossPerRow, metrics, metricsSlot = 0 } = args;
  const kernel = 'softmaxCrossEntropy';
  requireCount(kernel, 'rows', rows);
  requireCount(kernel, 'cols', cols, 1);
  requireCount(kernel, 'rows * cols', rows * cols);
  requireElements(kernel, 'logits', logits, rows * cols);
  requireElements(kernel, 'dlogits', dlogits, rows * cols);
  requireElements(kernel, 'labels', labels, rows);
  requireElements(kernel, 'lossPerRow', lossPerRow, rows);
  if (new Set([logits, labels, dlogits, lossPerRow]).size < 4) {
    throw new RangeError(`${kernel}: logits, labels, dlogits and lossPerRow must be four different buffers`);
  }
  if (metrics) {
    requireCount(kernel, 'metricsSlot', metricsSlot);
    requireElements(kernel, 'metrics', metrics, 2 * metricsSlot + 2);
  }
  if (rows === 0) return;
  const mode = rowMode(cols);
  const correct = correctScratch(rt, rows);
  rt.dispatch(
    pass,
    softmaxCrossEntropyProgram(mode),
    [logits, labels, dlogits, lossPerRow, correct],
    packParams([{ u32: rows }, { u32: cols }, { f32: 1 / rows }]),
    rowGrid(rt, mode, rows),
  );
  if (metrics) {
    rt.dispatch(
      pass,
      softmaxCrossEntropyMetricsProgram,
      [lossPerRow, correct, metrics],
      packParams([{ u32: rows }, { u32: metricsSlot }]),
      [1, 1, 1],
    );
  }
}
