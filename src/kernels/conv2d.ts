// 2-D convolution on WebGPU: forward (with fused bias + relu), gradient with respect to the input, the
// filter and the bias. One TypeScript template generates each kernel's WGSL with its register tile
// written out as named variables (SwiftShader keeps those in registers, not indexed arrays; ARCHITECTURE.md).
//
// Layouts (f32, dense, row-major):
//   x, dx:          NHWC  [batch, inH, inW, inC]
//   filter, dFilter: HWIO [kh, kw, inC, outC]   (Keras / TF.js order, so weight exports are 1:1)
//   bias, dBias:    [outC]
//   out (y), dy:    NHWC  [batch, outH, outW, outC]
// Input pixel of output (oy, ox) and tap (ky, kx): (oy*strideH + ky - padTop, ox*strideW + kx - padLeft);
// taps outside the input read 0 (that is 'same' padding; 'valid' has padTop = padLeft = 0).
//
// Algorithm (chosen by measurement, bench/conv2d-node.ts; numbers in docs/engine-contracts.md):
//   forward:         small filters (kh*kw*inC <= WINDOW_MAX_TAPS, a CNN's first layers): 'window', a SIMD
//                    group of 4 threads slides along an output row with its filter taps in registers and
//                    4 consecutive channels on its 4 lanes. Otherwise implicit GEMM ('gemm'),
//                    out[M = batch*outH*outW, outC] = X~[M, kh*kw*inC] @ W[kh*kw*inC, outC], the rows of X~
//                    gathered from x on the fly (no im2col buffer); a thread owns a rowsPerThread x
//                    colsPerThread tile. A 'direct' variant (a thread owns consecutive output pixels of one
//                    row and reuses each loaded input pixel across the kw taps) is kept for benchmarks.
//   backward input:  implicit GEMM, dx[batch*inH*inW, inC] = dY~[.., kh*kw*outC] @ W~[kh*kw*outC, inC],
//                    dY~ gathered (stride-aware: only taps with (iy + padTop - ky) % strideH == 0 exist).
//   backward filter: dFilter[kh*kw*inC, outC] = X~^T @ dY, a reduction over K = batch*outH*outW, split:
//                    SIMD groups ('lanes'; 'window' for small filters, sliding along rows like the forward)
//                    sum chunks of output rows into partial sums, a second dispatch adds the chunks. The
//                    older 'gemm' variant (one workgroup per output tile, threads split K and sum in
//                    workgroup memory) is kept for benchmarks.
//   backward bias:   column sums of dY [batch*outH*outW, outC], one workgroup per 4 columns.
// Bounds tests are unsigned compares (`u32(y) < inH`; negatives wrap to huge values) joined with the
// non-short-circuit `&`, never `&&`: WGSL's && short-circuits, and the branches it becomes made SwiftShader
// take 1-2.5 minutes to compile an 8-row tile (measured, bench/conv2d-compile-node.ts); unpadded geometries
// get code with no bounds tests at all.
import { requireCount, requireElements, requireOneOf } from './buffer-checks';
import type { KernelProgram } from './program';
import { grid1d } from './program';
import { packParams, type KernelRuntime } from './runtime';

const FILE = 'src/kernels/conv2d.ts';
const COMP = ['x', 'y', 'z', 'w'];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * For the dW kernels: filter rows row0 .. row0 + rows - 1 (clamped), each m = (ky, kx, ic) as its channel
 * ic<r> and its tap's offset from the window origin (ty<r>, tx<r>), and, unpadded, off<r>: that tap's offset
 * in x, the same for every window.
 */
function filterRowTaps(rows: number, padded: boolean): string[] {
  const s: string[] = [];
  for (const r of range(rows)) {
    s.push(
      `  let m${r} = min(row0 + ${r}u, filterRows - 1u);`,
      `  let ic${r} = m${r} % p.inC;`,
      `  let tap${r} = m${r} / p.inC;`,
      `  let ty${r} = i32(tap${r} / p.kw) - i32(p.padTop);`,
      `  let tx${r} = i32(tap${r} % p.kw) - i32(p.padLeft);`,
    );
    if (!padded) s.push(`  let off${r} = (u32(ty${r}) * p.inW + u32(tx${r})) * p.inC + ic${r};`);
  }
  return s;
}

export type Conv2dActivation = 'none' | 'relu';
/** 'gemm' and 'direct' (forward only) tile vec4 columns; 'lanes' (dW only) and 'window' (forward and dW)
 * put 4 consecutive output channels on SwiftShader's 4 SIMD lanes (see "'lanes' and 'window' kernels"). */
export type Conv2dVariant = 'gemm' | 'direct' | 'lanes' | 'window';

/** The geometry every conv kernel takes; a `Conv2dGeometry` from src/engine/ref/shapes.ts fits. */
export interface Conv2dShape {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

export interface Conv2dArgs extends Conv2dShape {
  x: GPUBuffer;
  filter: GPUBuffer;
  /** Optional [outC] added before the activation. */
  bias?: GPUBuffer;
  out: GPUBuffer;
  activation?: Conv2dActivation;
}

export interface Conv2dBackwardInputArgs extends Conv2dShape {
  dy: GPUBuffer;
  filter: GPUBuffer;
  dx: GPUBuffer;
}

export interface Conv2dBackwardFilterArgs extends Conv2dShape {
  x: GPUBuffer;
  dy: GPUBuffer;
  dFilter: GPUBuffer;
}

export interface Conv2dBackwardBiasArgs {
  dy: GPUBuffer;
  dBias: GPUBuffer;
  /** batch * outH * outW. */
  rows: number;
  outC: number;
}

/** Template parameters; each distinct value set is one cached program. */
export interface Conv2dTemplate {
  kind: 'forward' | 'backwardInput' | 'backwardFilter' | 'backwardBias' | 'backwardFilterReduce';
  /** 'direct' is forward only, 'lanes' backwardFilter only, 'window' both; the other kinds are 'gemm'. */
  variant: Conv2dVariant;
  /** Output rows per thread: GEMM rows; output pixels along a row for forward 'direct' and 'window';
   * filter rows (ky, kx, ic) for backwardFilter ('window' holds them all). */
  rowsPerThread: number;
  /** Output columns per thread: a multiple of 4 (vec4 accumulators); for 'lanes'/'window' the channels
   * per thread, c0 + lane + 4j for j < colsPerThread (scalar accumulators). */
  colsPerThread: number;
  workgroupSize: number;
  /** The GEMM's column count (outC, or inC for backwardInput) is a multiple of 4: vec4 loads/stores.
   * 'lanes'/'window': outC is a multiple of 4 * colsPerThread (no partial channel tiles). */
  nAligned: boolean;
  /** Some window tap can fall outside the input (padding, or a window overhanging the bottom/right edge):
   * loads need bounds checks. Unpadded kernels read taps at a uniform offset from the window origin. */
  padded: boolean;
  /** backwardInput only: strides are 1, so no divisibility test per tap. */
  unitStride: boolean;
  bias: boolean;
  activation: Conv2dActivation;
  /** Forward 'direct' and 'window', dW 'window': filter width and horizontal stride, unrolled. */
  kw: number;
  strideW: number;
  /** 'window' only: filter height and input channels, unrolled into the code. */
  kh: number;
  inC: number;
}

/**
 * Default tiles of the 'gemm' kernels, chosen on SwiftShader with bench/conv2d-node.ts (docs/engine-contracts.md
 * has the table): forward 8 rows x 8 columns per thread (best or within noise of the best on all three
 * benchmark layers); dW 8 x 8 per thread in 32-thread workgroups (best on the 32-channel layer, within 10% on
 * the others; its workgroup-memory reduction holds 32 x 8 x 8 floats = 8 KiB of the 16 KiB every adapter
 * gives); dX 8 x 8, or 8 x 4 when inC <= 4 (fewer wasted columns). 'lanes'/'window' tiles: lanesTiles.
 */
export const CONV2D_TILES: Record<
  Conv2dTemplate['kind'],
  Pick<Conv2dTemplate, 'rowsPerThread' | 'colsPerThread' | 'workgroupSize'>
> = {
  forward: { rowsPerThread: 8, colsPerThread: 8, workgroupSize: 64 },
  backwardInput: { rowsPerThread: 8, colsPerThread: 8, workgroupSize: 64 },
  backwardFilter: { rowsPerThread: 8, colsPerThread: 8, workgroupSize: 32 },
  backwardBias: { rowsPerThread: 1, colsPerThread: 4, workgroupSize: 256 },
  backwardFilterReduce: { rowsPerThread: 1, colsPerThread: 1, workgroupSize: 64 },
};

export function conv2dKey(t: Conv2dTemplate): string {
  let unrolled = t.kind === 'forward' && t.variant !== 'gemm' ? `/kw${t.kw}sw${t.strideW}` : '';
  if (t.variant === 'window') unrolled = `/kw${t.kw}sw${t.strideW}kh${t.kh}ic${t.inC}`;
  return (
    `conv2d/${t.kind}/${t.variant}/${t.rowsPerThread}x${t.colsPerThread}` +
    `/wg${t.workgroupSize}/al${+t.nAligned}/pad${+t.padded}/us${+t.unitStride}/bias${+t.bias}/${t.activation}${unrolled}`
  );
}

const programs = new Map<string, KernelProgram>();

/** The (cached) program of one template instance. */
export function conv2dProgramFor(t: Conv2dTemplate): KernelProgram {
  const key = conv2dKey(t);
  let program = programs.get(key);
  if (!program) {
    const lanes = t.variant === 'lanes' || t.variant === 'window';
    const ok =
      Number.isInteger(t.rowsPerThread) &&
      Number.isInteger(t.colsPerThread) &&
      t.rowsPerThread >= 1 &&
      (lanes || t.kind === 'backwardFilterReduce'
        ? t.colsPerThread >= 1 && t.workgroupSize % 4 === 0
        : t.colsPerThread >= 4 && t.colsPerThread % 4 === 0) &&
      (t.variant === 'gemm' ||
        (t.kind === 'forward' && t.variant !== 'lanes') ||
        (t.kind === 'backwardFilter' && lanes)) &&
      (t.kind !== 'forward' || t.variant === 'gemm' || (t.kw >= 1 && t.strideW >= 1)) &&
      (t.variant !== 'window' || (t.kh >= 1 && t.inC >= 1)) &&
      (t.kind !== 'backwardFilter' || lanes || (t.workgroupSize & (t.workgroupSize - 1)) === 0);
    if (!ok) throw new RangeError(`conv2d template ${key}: unsupported tile shape`);
    const template = { ...t };
    const generate = {
      forward: t.variant === 'window' ? forwardWindowWgsl : forwardWgsl,
      backwardInput: backwardInputWgsl,
      backwardFilter: {
        gemm: backwardFilterWgsl,
        direct: backwardFilterWgsl,
        lanes: backwardFilterLanesWgsl,
        window: backwardFilterWindowWgsl,
      }[t.variant],
      backwardBias: backwardBiasWgsl,
      backwardFilterReduce: backwardFilterReduceWgsl,
    }[t.kind];
    program = { name: `conv2d ${t.kind}`, key, file: FILE, code: () => generate(template) };
    programs.set(key, program);
  }
  return program;
}

/** The template a call uses: the default tiles of `kind`, overridden by `tiles` (benchmarks, tests). */
export function conv2dTemplate(
  kind: Conv2dTemplate['kind'],
  shape: Pick<Conv2dShape, 'inC' | 'outC' | 'kw' | 'strideW'> & Partial<Conv2dShape>,
  options: { bias?: boolean; activation?: Conv2dActivation; variant?: Conv2dVariant } = {},
  tiles: Partial<Conv2dTemplate> = {},
): Conv2dTemplate {
  const n = kind === 'backwardInput' ? shape.inC : shape.outC;
  const variant =
    kind === 'forward' || kind === 'backwardFilter' ? (options.variant ?? conv2dVariant(kind, shape)) : 'gemm';
  // Shape parameters unrolled into the code.
  const direct = (kind === 'forward' && variant !== 'gemm') || variant === 'window';
  const reduce = kind === 'backwardFilterReduce';
  const padded = kind === 'backwardInput' || kind === 'backwardBias' || (!reduce && isPadded(shape));
  const t: Conv2dTemplate = {
    kind,
    variant,
    ...CONV2D_TILES[kind],
    ...(variant === 'lanes' || variant === 'window' ? lanesTiles(kind, variant, shape) : {}),
    nAligned: !reduce && n % 4 === 0,
    padded,
    unitStride: kind === 'backwardInput' && shape.strideW === 1 && shape.strideH === 1,
    ...(kind === 'backwardInput' && shape.inC <= 4 ? { colsPerThread: 4 } : {}),
    bias: kind === 'forward' && Boolean(options.bias),
    activation: kind === 'forward' ? (options.activation ?? 'none') : 'none',
    kw: direct ? shape.kw : 0,
    strideW: direct ? shape.strideW : 0,
    kh: variant === 'window' ? (shape.kh ?? 0) : 0,
    inC: variant === 'window' ? shape.inC : 0,
    ...tiles,
  };
  // 'lanes'/'window': every SIMD group's channels exist, so loads need no clamp and stores no guard.
  if ((variant === 'lanes' || variant === 'window') && tiles.nAligned === undefined)
    t.nAligned = shape.outC % (4 * t.colsPerThread) === 0;
  return t;
}

/**
 * The variant a layer gets by default (measured on SwiftShader, bench/conv2d-node.ts; docs/engine-contracts.md):
 * 'window' for forward and dW when the filter has at most WINDOW_MAX_TAPS taps (a CNN's first layers), else
 * 'gemm' forward and 'lanes' dW.
 */
export function conv2dVariant(
  kind: Conv2dTemplate['kind'],
  shape: Pick<Conv2dShape, 'inC'> & Partial<Conv2dShape>,
): Conv2dVariant {
  if (kind !== 'forward' && kind !== 'backwardFilter') return 'gemm';
  if (shape.kh !== undefined && shape.kw !== undefined && shape.kh * shape.kw * shape.inC <= WINDOW_MAX_TAPS)
    return 'window';
  return kind === 'forward' ? 'gemm' : 'lanes';
}

/**
 * Largest filter (kh * kw * inC taps) the 'window' kernels take: they unroll every tap, and hold
 * taps * colsPerThread filter values (forward) or accumulators (dW) per lane. Compile time grows with it:
 * at 27 taps (3x3x3) x 8 channels 0.9 s forward and 0.6 s dW on SwiftShader (bench/conv2d-compile-node.ts),
 * at 288 taps (3x3x32) over 15 s.
 */
export const WINDOW_MAX_TAPS = 27;

/** Default 'lanes'/'window' tiles: up to 8 channels per lane (32 per SIMD group of 4 threads). */
function lanesTiles(
  kind: Conv2dTemplate['kind'],
  variant: Conv2dVariant,
  shape: Pick<Conv2dShape, 'outC'> & Partial<Conv2dShape>,
): Pick<Conv2dTemplate, 'rowsPerThread' | 'colsPerThread' | 'workgroupSize'> {
  const colsPerThread = Math.min(8, Math.ceil(shape.outC / 4));
  if (kind === 'forward') return { rowsPerThread: 32, colsPerThread, workgroupSize: 64 };
  const filterRows = (shape.kh ?? 3) * (shape.kw ?? 3) * (shape.inC ?? 1);
  if (variant === 'window') return { rowsPerThread: filterRows, colsPerThread, workgroupSize: 16 };
  return { rowsPerThread: Math.min(9, filterRows), colsPerThread, workgroupSize: 16 };
}

/** Whether a window tap can fall outside the input (unknown geometry counts as padded). */
export function isPadded(s: Partial<Conv2dShape>): boolean {
  const { inH, inW, kh, kw, strideH, strideW, padTop, padLeft, outH, outW } = s;
  if ([inH, inW, kh, kw, strideH, strideW, padTop, padLeft, outH, outW].some((v) => v === undefined)) return true;
  return padTop! > 0 || padLeft! > 0 || (outH! - 1) * strideH! + kh! > inH! || (outW! - 1) * strideW! + kw! > inW!;
}

/** Programs for rt.warmUp: those the listed layer shapes use (forward, both gradients, bias gradient). */
export function conv2dPrograms(
  uses: readonly (Conv2dShape & { bias?: boolean; activation?: Conv2dActivation })[],
): KernelProgram[] {
  const out = new Map<string, KernelProgram>();
  for (const use of uses) {
    for (const kind of ['forward', 'backwardInput', 'backwardFilter', 'backwardBias'] as const) {
      const t = conv2dTemplate(kind, use, use);
      const p = conv2dProgramFor(t);
      out.set(p.key, p);
      if (kind === 'backwardFilter' && t.variant !== 'gemm') {
        const reduce = conv2dProgramFor(conv2dTemplate('backwardFilterReduce', use));
        out.set(reduce.key, reduce);
      }
    }
  }
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------------------
// Host side

function checkShape(kernel: string, s: Conv2dShape): void {
  for (const name of [
    'batch',
    'inH',
    'inW',
    'inC',
    'outC',
    'kh',
    'kw',
    'strideH',
    'strideW',
    'outH',
    'outW',
  ] as const) {
    requireCount(kernel, name, s[name], 1);
  }
  requireCount(kernel, 'padTop', s.padTop, 0, s.kh - 1);
  requireCount(kernel, 'padLeft', s.padLeft, 0, s.kw - 1);
  // The last window must start inside the (top/left-padded) input, or it reads only padding.
  if ((s.outH - 1) * s.strideH - s.padTop >= s.inH || (s.outW - 1) * s.strideW - s.padLeft >= s.inW) {
    throw new RangeError(
      `${kernel}: output ${s.outH}x${s.outW} does not fit input ${s.inH}x${s.inW} with window ${s.kh}x${s.kw}, ` +
        `strides ${s.strideH}x${s.strideW}, padding top ${s.padTop} left ${s.padLeft}`,
    );
  }
}

/** Uniform block shared by all conv kernels (see `PARAMS_WGSL`). */
function convParams(
  s: Conv2dShape,
  rows: number,
  colTiles: number,
  tiles: number,
  oxTiles: number,
  rowTiles = 0,
  chunkRows = 0,
): ArrayBuffer {
  return packParams(
    [
      s.batch,
      s.inH,
      s.inW,
      s.inC,
      s.outC,
      s.kh,
      s.kw,
      s.strideH,
      s.strideW,
      s.padTop,
      s.padLeft,
      s.outH,
      s.outW,
      rows,
      colTiles,
      tiles,
      oxTiles,
      rowTiles,
      chunkRows,
    ].map((u32) => ({ u32 })),
  );
}

const PARAMS_WGSL = `struct Params {
  batch: u32, inH: u32, inW: u32, inC: u32, outC: u32, kh: u32, kw: u32, strideH: u32, strideW: u32,
  padTop: u32, padLeft: u32, outH: u32, outW: u32,
  rows: u32,     // GEMM rows M
  colTiles: u32, // tiles along the GEMM's columns
  tiles: u32,    // total tiles (threads; workgroups for dW 'gemm'; SIMD groups for 'lanes'/'window')
  oxTiles: u32,  // forward 'direct' and 'window': tiles along an output row
  rowTiles: u32, // dW 'lanes': tiles along the filter rows (ky, kx, ic)
  chunkRows: u32, // dW 'lanes'/'window': output rows (b, oy) per partial sum
}`;

function threadGrid(rt: KernelRuntime, threads: number, workgroupSize: number): [number, number, number] {
  return grid1d(threads, workgroupSize, rt.device.limits.maxComputeWorkgroupsPerDimension);
}

/** Records out = act(conv2d(x, filter) + bias) into `pass`. */
export function conv2d(rt: KernelRuntime, pass: GPUComputePassEncoder, args: Conv2dArgs): void {
  conv2dWith(rt, pass, args);
}

/** `conv2d` with an explicit variant and tiles (benchmarks and tests compare them). */
export function conv2dWith(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: Conv2dArgs,
  variant?: Conv2dVariant,
  tileOverrides: Partial<Conv2dTemplate> = {},
): void {
  const k = 'conv2d';
  checkShape(k, args);
  requireOneOf(k, 'activation', args.activation ?? 'none', ['none', 'relu']);
  requireElements(k, 'x', args.x, args.batch * args.inH * args.inW * args.inC);
  requireElements(k, 'filter', args.filter, args.kh * args.kw * args.inC * args.outC);
  if (args.bias) requireElements(k, 'bias', args.bias, args.outC);
  requireElements(k, 'out', args.out, args.batch * args.outH * args.outW * args.outC);
  const t = conv2dTemplate(
    'forward',
    args,
    { bias: Boolean(args.bias), activation: args.activation, variant },
    tileOverrides,
  );
  const rows = args.batch * args.outH * args.outW;
  const window = t.variant === 'window';
  // 'window': a tile is one SIMD group of 4 threads covering 4 * colsPerThread channels.
  const colTiles = Math.ceil(args.outC / (window ? 4 * t.colsPerThread : t.colsPerThread));
  const oxTiles = Math.ceil(args.outW / t.rowsPerThread);
  const rowTiles = t.variant === 'gemm' ? Math.ceil(rows / t.rowsPerThread) : args.batch * args.outH * oxTiles;
  const tiles = rowTiles * colTiles;
  const bindings = args.bias ? [args.x, args.filter, args.bias, args.out] : [args.x, args.filter, args.out];
  rt.dispatch(
    pass,
    conv2dProgramFor(t),
    bindings,
    convParams(args, rows, colTiles, tiles, oxTiles),
    threadGrid(rt, window ? tiles * 4 : tiles, t.workgroupSize),
  );
}

/** Records dx = dConv/dx^T dy (the transposed convolution of dy with the filter) into `pass`. */
export function conv2dBackwardInput(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: Conv2dBackwardInputArgs,
  tileOverrides: Partial<Conv2dTemplate> = {},
): void {
  const k = 'conv2dBackwardInput';
  checkShape(k, args);
  requireElements(k, 'dy', args.dy, args.batch * args.outH * args.outW * args.outC);
  requireElements(k, 'filter', args.filter, args.kh * args.kw * args.inC * args.outC);
  requireElements(k, 'dx', args.dx, args.batch * args.inH * args.inW * args.inC);
  const t = conv2dTemplate('backwardInput', args, {}, tileOverrides);
  const rows = args.batch * args.inH * args.inW;
  const colTiles = Math.ceil(args.inC / t.colsPerThread);
  const tiles = Math.ceil(rows / t.rowsPerThread) * colTiles;
  rt.dispatch(
    pass,
    conv2dProgramFor(t),
    [args.dy, args.filter, args.dx],
    convParams(args, rows, colTiles, tiles, 0),
    threadGrid(rt, tiles, t.workgroupSize),
  );
}

/** Records dFilter = sum over batch and output pixels of x-window (outer) dy into `pass` (overwrites dFilter). */
export function conv2dBackwardFilter(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: Conv2dBackwardFilterArgs,
  tileOverrides: Partial<Conv2dTemplate> = {},
  variant?: Conv2dVariant,
): void {
  const k = 'conv2dBackwardFilter';
  checkShape(k, args);
  requireElements(k, 'x', args.x, args.batch * args.inH * args.inW * args.inC);
  requireElements(k, 'dy', args.dy, args.batch * args.outH * args.outW * args.outC);
  requireElements(k, 'dFilter', args.dFilter, args.kh * args.kw * args.inC * args.outC);
  const t = conv2dTemplate('backwardFilter', args, { variant }, tileOverrides);
  if (t.variant === 'lanes' || t.variant === 'window') {
    backwardFilterLanes(rt, pass, args, t);
    return;
  }
  const rows = args.batch * args.outH * args.outW; // the reduction length K
  const filterRows = args.kh * args.kw * args.inC;
  const colTiles = Math.ceil(args.outC / t.colsPerThread);
  const tiles = Math.ceil(filterRows / t.rowsPerThread) * colTiles;
  rt.dispatch(
    pass,
    conv2dProgramFor(t),
    [args.x, args.dy, args.dFilter],
    convParams(args, rows, colTiles, tiles, 0),
    grid1d(tiles, 1, rt.device.limits.maxComputeWorkgroupsPerDimension),
  );
}

/**
 * Target number of SIMD groups (of 4 threads) for dW 'lanes'/'window': enough workgroups (of 4 groups) for
 * every core to stay busy, few enough that the partial sums stay small (classic layer: 128 x 288 floats).
 */
const FILTER_LANES_GROUPS = 128;

/**
 * dW as a split reduction: SIMD group (chunk, tile) sums its filter tile over the output rows (b, oy) of
 * its chunk into partial[chunk, filterRows, outC]; a second dispatch adds the chunks up. With one chunk the
 * first dispatch writes dFilter directly.
 */
function backwardFilterLanes(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: Conv2dBackwardFilterArgs,
  t: Conv2dTemplate,
): void {
  const filterRows = args.kh * args.kw * args.inC;
  const filterSize = filterRows * args.outC;
  // 'window' holds every filter row.
  const rowTiles = t.variant === 'window' ? 1 : Math.ceil(filterRows / t.rowsPerThread);
  const colTiles = Math.ceil(args.outC / (4 * t.colsPerThread));
  const outRows = args.batch * args.outH;
  const maxChunks = Math.floor(rt.device.limits.maxStorageBufferBindingSize / 4 / filterSize);
  let chunks = Math.max(1, Math.min(outRows, maxChunks, Math.ceil(FILTER_LANES_GROUPS / (rowTiles * colTiles))));
  const chunkRows = Math.ceil(outRows / chunks);
  chunks = Math.ceil(outRows / chunkRows);
  const tiles = chunks * rowTiles * colTiles;
  const partial = chunks === 1 ? args.dFilter : rt.scratch('conv2d dW partial sums', chunks * filterSize * 4);
  rt.dispatch(
    pass,
    conv2dProgramFor(t),
    [args.x, args.dy, partial],
    convParams(args, filterSize, colTiles, tiles, 0, rowTiles, chunkRows),
    threadGrid(rt, tiles * 4, t.workgroupSize),
  );
  if (chunks === 1) return;
  const reduce = conv2dTemplate('backwardFilterReduce', args);
  rt.dispatch(
    pass,
    conv2dProgramFor(reduce),
    [partial, args.dFilter],
    convParams(args, filterSize, 0, chunks, 0),
    threadGrid(rt, filterSize, reduce.workgroupSize),
  );
}

/** Records dBias[c] = sum_r dy[r, c] into `pass` (overwrites dBias). */
export function conv2dBackwardBias(rt: KernelRuntime, pass: GPUComputePassEncoder, args: Conv2dBackwardBiasArgs): void {
  const k = 'conv2dBackwardBias';
  requireCount(k, 'rows', args.rows, 1);
  requireCount(k, 'outC', args.outC, 1);
  requireElements(k, 'dy', args.dy, args.rows * args.outC);
  requireElements(k, 'dBias', args.dBias, args.outC);
  const t = conv2dTemplate('backwardBias', { inC: 1, outC: args.outC, kw: 1, strideW: 1 });
  const colTiles = Math.ceil(args.outC / 4);
  const shape: Conv2dShape = {
    batch: 1,
    inH: 1,
    inW: 1,
    inC: 1,
    outC: args.outC,
    kh: 1,
    kw: 1,
    strideH: 1,
    strideW: 1,
    padTop: 0,
    padLeft: 0,
    outH: 1,
    outW: 1,
  };
  rt.dispatch(
    pass,
    conv2dProgramFor(t),
    [args.dy, args.dBias],
    convParams(shape, args.rows, colTiles, colTiles, 0),
    grid1d(colTiles, 1, rt.device.limits.maxComputeWorkgroupsPerDimension),
  );
}

// ---------------------------------------------------------------------------------------------------------
// WGSL generation. Shared conventions: a GEMM column count `n` (outC or inC) read as `nq = n / 4` vec4s
// when aligned; column indices past n are clamped for loads (the values are dropped) and guarded for stores.

const arr = (vec: boolean) => (vec ? 'array<vec4<f32>>' : 'array<f32>');

/** Per column group c: the clamped load index `wc{c}` (vec4 index when aligned, else `wc{c}_{i}` scalars). */
function columnIndices(t: Conv2dTemplate, n: string, col0: string): string[] {
  const s: string[] = [];
  for (const c of range(t.colsPerThread / 4)) {
    if (t.nAligned) s.push(`  let wc${c} = min(${col0} / 4u + ${c}u, ${n} / 4u - 1u);`);
    else for (const i of range(4)) s.push(`  let wc${c}_${i} = min(${col0} + ${4 * c + i}u, ${n} - 1u);`);
  }
  return s;
}

/** A vec4 of row `rowBase` (in vec4 units when aligned, else scalars) of the [*, n] matrix `buf`. */
function loadColumns(t: Conv2dTemplate, buf: string, rowBase: string, c: number): string {
  if (t.nAligned) return `${buf}[${rowBase} + wc${c}]`;
  return `vec4<f32>(${range(4)
    .map((i) => `${buf}[${rowBase} + wc${c}_${i}]`)
    .join(', ')})`;
}

/** Stores vec4 `v` at (row `row`, columns col0 + 4c ..) of out [*, n], guarding columns past n. */
function storeColumns(
  t: Conv2dTemplate,
  out: string,
  row: string,
  n: string,
  col0: string,
  c: number,
  v: string,
  ind: string,
): string[] {
  if (t.nAligned) {
    return [
      `${ind}if (${col0} / 4u + ${c}u < ${n} / 4u) { ${out}[${row} * (${n} / 4u) + ${col0} / 4u + ${c}u] = ${v}; }`,
    ];
  }
  return range(4).map(
    (i) =>
      `${ind}if (${col0} + ${4 * c + i}u < ${n}) { ${out}[${row} * ${n} + ${col0} + ${4 * c + i}u] = ${v}.${COMP[i]}; }`,
  );
}

function threadPrologue(t: Conv2dTemplate): string[] {
  return [
    `@compute @workgroup_size(${t.workgroupSize})`,
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {',
    `  let t = gid.x + gid.y * groups.x * ${t.workgroupSize}u;`,
    '  if (t >= p.tiles) { return; }',
    '  let colTile = t % p.colTiles;',
    '  let rowTile = t / p.colTiles;',
    `  let col0 = colTile * ${t.colsPerThread}u;`,
  ];
}

/** Bias, activation and guarded stores of the forward tile; `row(r)` is the output row or null if invalid. */
function forwardEpilogue(t: Conv2dTemplate, rowOk: (r: number) => string, row: (r: number) => string): string[] {
  const CG = t.colsPerThread / 4;
  const s: string[] = [];
  if (t.bias) for (const c of range(CG)) s.push(`  let bias${c} = ${loadColumns(t, 'bias', '0u', c)};`);
  for (const r of range(t.rowsPerThread)) {
    s.push(`  if (${rowOk(r)}) {`, `    let orow = ${row(r)};`);
    for (const c of range(CG)) {
      let v = `acc${r}_${c}`;
      if (t.bias) v = `${v} + bias${c}`;
      if (t.activation === 'relu') v = `max(${v}, vec4<f32>(0.0))`;
      s.push(`    let v${c} = ${v};`);
      s.push(...storeColumns(t, 'out', 'orow', 'p.outC', 'col0', c, `v${c}`, '    '));
    }
    s.push('  }');
  }
  return s;
}

function forwardWgsl(t: Conv2dTemplate): string {
  const TM = t.rowsPerThread;
  const CG = t.colsPerThread / 4;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> x: array<f32>;');
  s.push(`@group(0) @binding(1) var<storage, read> w: ${arr(t.nAligned)};`);
  let b = 2;
  if (t.bias) s.push(`@group(0) @binding(${b++}) var<storage, read> bias: ${arr(t.nAligned)};`);
  s.push(`@group(0) @binding(${b++}) var<storage, read_write> out: ${arr(t.nAligned)};`);
  s.push(`@group(0) @binding(${b}) var<uniform> p: Params;`, '');
  s.push(...threadPrologue(t));
  s.push(...columnIndices(t, 'p.outC', 'col0'));
  // Filter row stride (one (ky, kx, ic) row of W) in load units.
  s.push(`  let wRow = ${t.nAligned ? 'p.outC / 4u' : 'p.outC'};`);
  for (const r of range(TM)) for (const c of range(CG)) s.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  const fma = (a: string, wv: string, r: number, c: number) =>
    `acc${r}_${c} = fma(vec4<f32>(${a}), ${wv}, acc${r}_${c});`;

  if (t.variant === 'gemm' && !t.padded) {
    // Unpadded: every tap is in bounds, and for a fixed ky the taps (kx, ic) are kw*inC consecutive floats of
    // x (NHWC) and kw*inC consecutive rows of W (HWIO): one loop at a uniform offset from each row's origin.
    s.push(`  let row0 = rowTile * ${TM}u;`);
    for (const r of range(TM)) {
      s.push(
        `  let m${r} = min(row0 + ${r}u, p.rows - 1u);`,
        `  let q${r} = m${r} / p.outW;`,
        `  let xo${r} = (((q${r} / p.outH) * p.inH + (q${r} % p.outH) * p.strideH) * p.inW + (m${r} % p.outW) * p.strideW) * p.inC;`,
      );
    }
    s.push('  let span = p.kw * p.inC;', '  var wr = 0u;', '  for (var ky = 0u; ky < p.kh; ky++) {');
    s.push('    let tap = ky * p.inW * p.inC;', '    for (var j = tap; j < tap + span; j++) {');
    for (const r of range(TM)) s.push(`      let a${r} = x[xo${r} + j];`);
    for (const c of range(CG)) s.push(`      let w${c} = ${loadColumns(t, 'w', 'wr', c)};`);
    for (const r of range(TM)) for (const c of range(CG)) s.push(`      ${fma(`a${r}`, `w${c}`, r, c)}`);
    s.push('      wr += wRow;', '    }', '  }');
    s.push(
      ...forwardEpilogue(
        t,
        (r) => `row0 + ${r}u < p.rows`,
        (r) => `row0 + ${r}u`,
      ),
    );
  } else if (t.variant === 'gemm') {
    // Thread rows: GEMM rows m = (b, oy, ox); past-the-end rows clamp to the last (their stores are skipped).
    s.push(`  let row0 = rowTile * ${TM}u;`);
    for (const r of range(TM)) {
      s.push(
        `  let m${r} = min(row0 + ${r}u, p.rows - 1u);`,
        `  let q${r} = m${r} / p.outW;`,
        `  let iy${r} = i32((q${r} % p.outH) * p.strideH) - i32(p.padTop);`,
        `  let ix${r} = i32((m${r} % p.outW) * p.strideW) - i32(p.padLeft);`,
        `  let rb${r} = i32((q${r} / p.outH) * p.inH);`,
      );
    }
    s.push('  for (var ky = 0u; ky < p.kh; ky++) {', '    for (var kx = 0u; kx < p.kw; kx++) {');
    for (const r of range(TM)) {
      s.push(
        `      let yy${r} = iy${r} + i32(ky);`,
        `      let xx${r} = ix${r} + i32(kx);`,
        `      let ok${r} = (u32(yy${r}) < p.inH) & (u32(xx${r}) < p.inW);`,
        `      let xb${r} = select(0u, u32((rb${r} + yy${r}) * i32(p.inW) + xx${r}) * p.inC, ok${r});`,
      );
    }
    s.push('      var wr = (ky * p.kw + kx) * p.inC * wRow;', '      for (var ic = 0u; ic < p.inC; ic++) {');
    for (const r of range(TM)) s.push(`        let a${r} = select(0.0, x[xb${r} + ic], ok${r});`);
    for (const c of range(CG)) s.push(`        let w${c} = ${loadColumns(t, 'w', 'wr', c)};`);
    for (const r of range(TM)) for (const c of range(CG)) s.push(`        ${fma(`a${r}`, `w${c}`, r, c)}`);
    s.push('        wr += wRow;', '      }', '    }', '  }');
    s.push(
      ...forwardEpilogue(
        t,
        (r) => `row0 + ${r}u < p.rows`,
        (r) => `row0 + ${r}u`,
      ),
    );
  } else {
    // Direct: the thread's rows are TM consecutive output pixels (b, oy, ox0 + r); for each (ky, ic) it loads
    // the span of input pixels they need once and reuses each across the kw taps.
    const SW = t.strideW;
    const KW = t.kw;
    const span = (TM - 1) * SW + KW;
    s.push(
      '  let oxTile = rowTile % p.oxTiles;',
      '  let q = rowTile / p.oxTiles;',
      `  let ox0 = oxTile * ${TM}u;`,
      '  let oy = q % p.outH;',
      '  let b = q / p.outH;',
      '  let iy0 = i32(oy * p.strideH) - i32(p.padTop);',
      `  let ix0 = i32(ox0 * ${SW}u) - i32(p.padLeft);`,
    );
    s.push('  for (var ky = 0u; ky < p.kh; ky++) {', '    let yy = iy0 + i32(ky);');
    s.push('    if (u32(yy) < p.inH) {', '      let rowBase = i32((b * p.inH + u32(yy)) * p.inW);');
    for (const j of range(span)) {
      if (t.padded) {
        s.push(
          `      let ok${j} = u32(ix0 + ${j}) < p.inW;`,
          `      let xb${j} = select(0u, u32(rowBase + ix0 + ${j}) * p.inC, ok${j});`,
        );
      } else {
        // Unpadded: columns past outW (edge tiles) may overhang; clamp them to the last input pixel.
        s.push(`      let xb${j} = u32(rowBase + min(ix0 + ${j}, i32(p.inW) - 1)) * p.inC;`);
      }
    }
    s.push(`      var wr = ky * ${KW}u * p.inC * wRow;`, `      let wTap = p.inC * wRow;`);
    s.push('      for (var ic = 0u; ic < p.inC; ic++) {');
    for (const j of range(span)) {
      s.push(
        t.padded ? `        let a${j} = select(0.0, x[xb${j} + ic], ok${j});` : `        let a${j} = x[xb${j} + ic];`,
      );
    }
    for (const kx of range(KW)) {
      for (const c of range(CG)) s.push(`        let w${kx}_${c} = ${loadColumns(t, 'w', `wr + ${kx}u * wTap`, c)};`);
      for (const r of range(TM))
        for (const c of range(CG)) s.push(`        ${fma(`a${r * SW + kx}`, `w${kx}_${c}`, r, c)}`);
    }
    s.push('        wr += wRow;', '      }', '    }', '  }');
    s.push(
      ...forwardEpilogue(
        t,
        (r) => `ox0 + ${r}u < p.outW`,
        (r) => `(b * p.outH + oy) * p.outW + ox0 + ${r}u`,
      ),
    );
  }
  s.push('}');
  return s.join('\n') + '\n';
}

function backwardInputWgsl(t: Conv2dTemplate): string {
  const TM = t.rowsPerThread;
  const CG = t.colsPerThread / 4;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> dy: array<f32>;');
  s.push('@group(0) @binding(1) var<storage, read> w: array<f32>;');
  s.push(`@group(0) @binding(2) var<storage, read_write> dx: ${arr(t.nAligned)};`);
  s.push('@group(0) @binding(3) var<uniform> p: Params;', '');
  s.push(...threadPrologue(t));
  // Columns are input channels ic; W~[(ky,kx,oc), ic] = w[((ky*kw + kx)*inC + ic)*outC + oc]: scalar loads
  // with stride outC, clamped past inC.
  for (const j of range(t.colsPerThread)) s.push(`  let wc${j} = min(col0 + ${j}u, p.inC - 1u) * p.outC;`);
  s.push(`  let row0 = rowTile * ${TM}u;`);
  for (const r of range(TM)) {
    s.push(
      `  let m${r} = min(row0 + ${r}u, p.rows - 1u);`,
      `  let q${r} = m${r} / p.inW;`,
      `  let iy${r} = i32(q${r} % p.inH + p.padTop);`,
      `  let ix${r} = i32(m${r} % p.inW + p.padLeft);`,
      `  let rb${r} = (q${r} / p.inH) * p.outH;`,
    );
  }
  for (const r of range(TM)) for (const c of range(CG)) s.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  s.push('  for (var ky = 0u; ky < p.kh; ky++) {', '    for (var kx = 0u; kx < p.kw; kx++) {');
  for (const r of range(TM)) {
    // Output pixel (oy, ox) reaches input (iy, ix) through tap (ky, kx) iff oy*strideH = iy + padTop - ky.
    s.push(
      `      let ny${r} = iy${r} - i32(ky);`,
      `      let nx${r} = ix${r} - i32(kx);`,
      // A negative ny wraps to a huge u32, so the `< outH` test rejects it too.
      ...(t.unitStride
        ? [
            `      let oy${r} = u32(ny${r});`,
            `      let ox${r} = u32(nx${r});`,
            `      let ok${r} = (oy${r} < p.outH) & (ox${r} < p.outW);`,
          ]
        : [
            `      let oy${r} = u32(ny${r}) / p.strideH;`,
            `      let ox${r} = u32(nx${r}) / p.strideW;`,
            `      let ok${r} = (oy${r} * p.strideH == u32(ny${r})) & (ox${r} * p.strideW == u32(nx${r})) & ` +
              `(oy${r} < p.outH) & (ox${r} < p.outW);`,
          ]),
      `      let db${r} = select(0u, ((rb${r} + oy${r}) * p.outW + ox${r}) * p.outC, ok${r});`,
    );
  }
  s.push('      let wb = (ky * p.kw + kx) * p.inC * p.outC;', '      for (var oc = 0u; oc < p.outC; oc++) {');
  for (const r of range(TM)) s.push(`        let a${r} = select(0.0, dy[db${r} + oc], ok${r});`);
  for (const c of range(CG)) {
    const parts = range(4).map((i) => `w[wb + wc${4 * c + i} + oc]`);
    s.push(`        let w${c} = vec4<f32>(${parts.join(', ')});`);
  }
  for (const r of range(TM)) {
    for (const c of range(CG)) s.push(`        acc${r}_${c} = fma(vec4<f32>(a${r}), w${c}, acc${r}_${c});`);
  }
  s.push('      }', '    }', '  }');
  for (const r of range(TM)) {
    s.push(`  if (row0 + ${r}u < p.rows) {`);
    for (const c of range(CG))
      s.push(...storeColumns(t, 'dx', `(row0 + ${r}u)`, 'p.inC', 'col0', c, `acc${r}_${c}`, '    '));
    s.push('  }');
  }
  s.push('}');
  return s.join('\n') + '\n';
}

function backwardFilterWgsl(t: Conv2dTemplate): string {
  const TM = t.rowsPerThread;
  const CG = t.colsPerThread / 4;
  const WG = t.workgroupSize;
  const L = TM * CG;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> x: array<f32>;');
  s.push(`@group(0) @binding(1) var<storage, read> dy: ${arr(t.nAligned)};`);
  s.push(`@group(0) @binding(2) var<storage, read_write> dw: ${arr(t.nAligned)};`);
  s.push('@group(0) @binding(3) var<uniform> p: Params;');
  // Partial sums of every thread: element i of thread l at red[i * WG + l].
  s.push(`var<workgroup> red: array<vec4<f32>, ${L * WG}>;`, '');
  s.push(`@compute @workgroup_size(${WG})`);
  s.push(
    'fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,',
    '        @builtin(num_workgroups) groups: vec3<u32>) {',
  );
  // No early return: every thread must reach the barriers. Tiles past the end compute clamped rows and skip stores.
  s.push(
    '  let tile = min(wid.x + wid.y * groups.x, p.tiles - 1u);',
    '  let live = wid.x + wid.y * groups.x < p.tiles;',
  );
  s.push('  let colTile = tile % p.colTiles;', '  let rowTile = tile / p.colTiles;');
  s.push(`  let col0 = colTile * ${t.colsPerThread}u;`, `  let row0 = rowTile * ${TM}u;`);
  s.push('  let filterRows = p.kh * p.kw * p.inC;');
  s.push(...columnIndices(t, 'p.outC', 'col0'));
  s.push(`  let dyRow = ${t.nAligned ? 'p.outC / 4u' : 'p.outC'};`);
  s.push(...filterRowTaps(TM, t.padded));
  for (const r of range(TM)) for (const c of range(CG)) s.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);
  s.push(`  for (var k = lid; k < p.rows; k += ${WG}u) {`);
  s.push(
    '    let q = k / p.outW;',
    '    let y0 = i32((q % p.outH) * p.strideH);',
    '    let x0 = i32((k % p.outW) * p.strideW);',
    '    let rb = i32((q / p.outH) * p.inH);',
    '    let gb = k * dyRow;',
  );
  for (const c of range(CG)) s.push(`    let g${c} = ${loadColumns(t, 'dy', 'gb', c)};`);
  if (!t.padded) s.push('    let xo = u32((rb + y0) * i32(p.inW) + x0) * p.inC;');
  for (const r of range(TM)) {
    if (!t.padded) {
      s.push(`    let a${r} = x[xo + off${r}];`);
      for (const c of range(CG)) s.push(`    acc${r}_${c} = fma(vec4<f32>(a${r}), g${c}, acc${r}_${c});`);
      continue;
    }
    s.push(
      `    let yy${r} = y0 + ty${r};`,
      `    let xx${r} = x0 + tx${r};`,
      `    let ok${r} = (u32(yy${r}) < p.inH) & (u32(xx${r}) < p.inW);`,
      `    let a${r} = select(0.0, x[select(0u, u32((rb + yy${r}) * i32(p.inW) + xx${r}) * p.inC + ic${r}, ok${r})], ok${r});`,
    );
    for (const c of range(CG)) s.push(`    acc${r}_${c} = fma(vec4<f32>(a${r}), g${c}, acc${r}_${c});`);
  }
  s.push('  }');
  for (const r of range(TM)) for (const c of range(CG)) s.push(`  red[${r * CG + c}u * ${WG}u + lid] = acc${r}_${c};`);
  s.push('  workgroupBarrier();');
  s.push(`  for (var half = ${WG / 2}u; half > 0u; half = half >> 1u) {`);
  s.push('    if (lid < half) {');
  for (const i of range(L))
    s.push(`      red[${i * WG}u + lid] = red[${i * WG}u + lid] + red[${i * WG}u + lid + half];`);
  s.push('    }', '    workgroupBarrier();', '  }');
  // Thread 0 stores the tile.
  s.push('  if (lid == 0u && live) {');
  for (const r of range(TM)) {
    s.push(`    if (row0 + ${r}u < filterRows) {`);
    for (const c of range(CG)) {
      s.push(`      let v${r}_${c} = red[${r * CG + c}u * ${WG}u];`);
      s.push(...storeColumns(t, 'dw', `(row0 + ${r}u)`, 'p.outC', 'col0', c, `v${r}_${c}`, '      '));
    }
    s.push('    }');
  }
  s.push('  }', '}');
  return s.join('\n') + '\n';
}

function backwardBiasWgsl(t: Conv2dTemplate): string {
  const WG = t.workgroupSize;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push(`@group(0) @binding(0) var<storage, read> dy: ${arr(t.nAligned)};`);
  s.push(`@group(0) @binding(1) var<storage, read_write> db: ${arr(t.nAligned)};`);
  s.push('@group(0) @binding(2) var<uniform> p: Params;');
  s.push(`var<workgroup> red: array<vec4<f32>, ${WG}>;`, '');
  s.push(`@compute @workgroup_size(${WG})`);
  s.push(
    'fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,',
    '        @builtin(num_workgroups) groups: vec3<u32>) {',
  );
  s.push(
    '  let tile = min(wid.x + wid.y * groups.x, p.tiles - 1u);',
    '  let live = wid.x + wid.y * groups.x < p.tiles;',
  );
  s.push('  let col0 = tile * 4u;');
  s.push(...columnIndices(t, 'p.outC', 'col0'));
  s.push(`  let dyRow = ${t.nAligned ? 'p.outC / 4u' : 'p.outC'};`);
  s.push('  var acc = vec4<f32>(0.0);');
  s.push(
    `  for (var r = lid; r < p.rows; r += ${WG}u) {`,
    `    acc += ${loadColumns(t, 'dy', 'r * dyRow', 0)};`,
    '  }',
  );
  s.push('  red[lid] = acc;', '  workgroupBarrier();');
  s.push(`  for (var half = ${WG / 2}u; half > 0u; half = half >> 1u) {`);
  s.push('    if (lid < half) { red[lid] = red[lid] + red[lid + half]; }', '    workgroupBarrier();', '  }');
  s.push('  if (lid == 0u && live) {', '    let v = red[0];');
  s.push(...storeColumns(t, 'db', '0u', 'p.outC', 'col0', 0, 'v', '    '));
  s.push('  }', '}');
  return s.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// 'lanes' and 'window' kernels. SwiftShader runs invocations 4l .. 4l+3 as the 4 SIMD lanes of one x86
// vector and turns a storage load into one vector load when the 4 addresses are consecutive and into one
// load + broadcast when they are equal (a gather otherwise). So the 4 threads of a SIMD group take 4
// consecutive output channels (thread `lane` owns channels c0 + lane + 4j) and share everything else:
// filter and dy loads are consecutive, x loads are equal, output stores are consecutive, and all index
// arithmetic and branches (window position, padding tests, loop bounds) are the same on the 4 lanes.
// Accumulators are scalars. Workgroup sizes are multiples of 4, so a SIMD group is one workgroup's.
// Measured on the classic first layer (bench/conv2d-node.ts, same run): a forward that keeps the gemm's
// short-lived tiles in this layout was slower than 'gemm' (108 vs 71 ms) and was dropped; what pays is
// long-lived groups that load the filter once and slide along rows ('window': 22 ms). Guarding each store
// with `c < outC` costs 1.7x on that forward (37 vs 22 ms), so full channel tiles skip it (nAligned).

/** Opening of a 'lanes'/'window' kernel: `lane`, the SIMD group's tile `g` (returns past p.tiles) and channels. */
function lanesPrologue(t: Conv2dTemplate): string[] {
  const J = t.colsPerThread;
  const s = [
    `@compute @workgroup_size(${t.workgroupSize})`,
    'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {',
    `  let t = gid.x + gid.y * groups.x * ${t.workgroupSize}u;`,
    '  let g = t / 4u;',
    '  if (g >= p.tiles) { return; }',
    '  let lane = t % 4u;',
    '  let colTile = g % p.colTiles;',
    `  let c0 = colTile * ${4 * J}u + lane;`,
  ];
  // Clamped channel of each j, for loads (past outC the value is dropped).
  for (const j of range(J))
    s.push(`  let oc${j} = ${t.nAligned ? `c0 + ${4 * j}u` : `min(c0 + ${4 * j}u, p.outC - 1u)`};`);
  return s;
}

/** Store of channel j of a 'lanes'/'window' tile: `buf[o + 4j] = v`, guarded past outC unless aligned. */
function laneStore(t: Conv2dTemplate, buf: string, j: number, v: string, ind: string): string {
  const store = `${buf}[o + ${4 * j}u] = ${v};`;
  return t.nAligned ? `${ind}${store}` : `${ind}if (c0 + ${4 * j}u < p.outC) { ${store} }`;
}

/**
 * dW, 'lanes', first pass: SIMD group (chunk, rowTile, colTile) sums x-tap (outer) dy over the output
 * rows (b, oy) of its chunk, all output columns ox, for rowsPerThread filter rows (ky, kx, ic) and
 * 4 * colsPerThread channels, and stores partial[chunk, filter row, channel].
 */
function backwardFilterLanesWgsl(t: Conv2dTemplate): string {
  const R = t.rowsPerThread;
  const J = t.colsPerThread;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> x: array<f32>;');
  s.push('@group(0) @binding(1) var<storage, read> dy: array<f32>;');
  s.push('@group(0) @binding(2) var<storage, read_write> partial: array<f32>;');
  s.push('@group(0) @binding(3) var<uniform> p: Params;', '');
  s.push(...lanesPrologue(t));
  s.push(
    '  let tile = g / p.colTiles;',
    '  let rowTile = tile % p.rowTiles;',
    '  let chunk = tile / p.rowTiles;',
    `  let row0 = rowTile * ${R}u;`,
    '  let filterRows = p.kh * p.kw * p.inC;',
  );
  s.push(...filterRowTaps(R, t.padded));
  for (const r of range(R)) for (const j of range(J)) s.push(`  var acc${r}_${j} = 0.0;`);
  s.push(
    '  let orow0 = chunk * p.chunkRows;',
    '  let orow1 = min(orow0 + p.chunkRows, p.batch * p.outH);',
    '  for (var orow = orow0; orow < orow1; orow++) {',
    '    let oy = orow % p.outH;',
    '    let rb = i32((orow / p.outH) * p.inH);',
    '    let y0 = i32(oy * p.strideH);',
    '    var gb = orow * p.outW * p.outC;',
  );
  if (t.padded) {
    for (const r of range(R)) {
      s.push(
        `    let yy${r} = y0 + ty${r};`,
        `    let yok${r} = u32(yy${r}) < p.inH;`,
        `    let xr${r} = (rb + yy${r}) * i32(p.inW);`,
      );
    }
    s.push('    var x0 = 0;', '    for (var ox = 0u; ox < p.outW; ox++) {');
  } else {
    s.push('    var xo = u32(rb + y0) * p.inW * p.inC;', '    let xStep = p.strideW * p.inC;');
    s.push('    for (var ox = 0u; ox < p.outW; ox++) {');
  }
  for (const j of range(J)) s.push(`      let g${j} = dy[gb + oc${j}];`);
  for (const r of range(R)) {
    if (t.padded) {
      s.push(
        `      let xx${r} = x0 + tx${r};`,
        `      let ok${r} = yok${r} & (u32(xx${r}) < p.inW);`,
        `      let a${r} = select(0.0, x[select(0u, u32(xr${r} + xx${r}) * p.inC + ic${r}, ok${r})], ok${r});`,
      );
    } else {
      s.push(`      let a${r} = x[xo + off${r}];`);
    }
    for (const j of range(J)) s.push(`      acc${r}_${j} = fma(a${r}, g${j}, acc${r}_${j});`);
  }
  s.push('      gb += p.outC;', t.padded ? '      x0 += i32(p.strideW);' : '      xo += xStep;', '    }', '  }');
  s.push('  let pb = chunk * filterRows;');
  for (const r of range(R)) {
    s.push(`  if (row0 + ${r}u < filterRows) {`, `    let o = (pb + row0 + ${r}u) * p.outC + c0;`);
    for (const j of range(J)) s.push(laneStore(t, 'partial', j, `acc${r}_${j}`, '    '));
    s.push('  }');
  }
  s.push('}');
  return s.join('\n') + '\n';
}

/** dW, 'lanes', second pass: dw[i] = sum over chunks c of partial[c, i] (i = filter row * outC + channel). */
function backwardFilterReduceWgsl(t: Conv2dTemplate): string {
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> partial: array<f32>;');
  s.push('@group(0) @binding(1) var<storage, read_write> dw: array<f32>;');
  s.push('@group(0) @binding(2) var<uniform> p: Params;', '');
  s.push(`@compute @workgroup_size(${t.workgroupSize})`);
  s.push('fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {');
  s.push(`  let i = gid.x + gid.y * groups.x * ${t.workgroupSize}u;`, '  if (i >= p.rows) { return; }');
  s.push('  var sum = 0.0;', '  for (var c = 0u; c < p.tiles; c++) { sum += partial[c * p.rows + i]; }');
  s.push('  dw[i] = sum;', '}');
  return s.join('\n') + '\n';
}

/**
 * Forward, 'window': a SIMD group slides along rowsPerThread consecutive output pixels of one row (a loop,
 * not unrolled) for 4 * colsPerThread channels. Its filter taps (kh * kw * inC * colsPerThread values per
 * lane) are loaded once into named variables; the input window (kh x kw x inC values, equal on all lanes)
 * is held in named variables too and, at stride 1, slides: each step loads only its newest column.
 * Per pixel: kh * inC (stride 1) loads of x, colsPerThread consecutive stores, and all FMAs from registers
 * or the stack. For layers with few input channels (the filter must fit: see WINDOW_MAX_TAPS).
 */
/** 'window': per filter row ky, the element offset xr{ky} of input row iy0 + ky (and yok{ky}: it exists). */
function windowRows(t: Conv2dTemplate, ind: string): string[] {
  const s: string[] = [];
  for (const ky of range(t.kh)) {
    s.push(`${ind}let yy${ky} = iy0 + ${ky};`);
    if (t.padded) s.push(`${ind}let yok${ky} = u32(yy${ky}) < p.inH;`);
    s.push(`${ind}let xr${ky} = i32((b * p.inH) * p.inW) + yy${ky} * i32(p.inW);`);
  }
  return s;
}

/** 'window': loads input column `col` (an i32 expression) into a{ky}_{kx}_{ic} for every ky and ic. */
function windowColumn(t: Conv2dTemplate, kx: number, col: string, ind: string): string[] {
  const s: string[] = [];
  for (const ky of range(t.kh)) {
    const idx = `u32(xr${ky} + ${col}) * ${t.inC}u`;
    if (t.padded) {
      s.push(`${ind}let ok${ky}_${kx} = yok${ky} & (u32(${col}) < p.inW);`);
      s.push(`${ind}let xi${ky}_${kx} = select(0u, ${idx}, ok${ky}_${kx});`);
      for (const ic of range(t.inC))
        s.push(`${ind}a${ky}_${kx}_${ic} = select(0.0, x[xi${ky}_${kx} + ${ic}u], ok${ky}_${kx});`);
    } else {
      s.push(`${ind}let xi${ky}_${kx} = ${idx};`);
      for (const ic of range(t.inC)) s.push(`${ind}a${ky}_${kx}_${ic} = x[xi${ky}_${kx} + ${ic}u];`);
    }
  }
  return s;
}

function forwardWindowWgsl(t: Conv2dTemplate): string {
  const P = t.rowsPerThread;
  const J = t.colsPerThread;
  const { kh: KH, kw: KW, inC: IC, strideW: SW } = t;
  const slide = SW === 1 && KW > 1;
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> x: array<f32>;');
  s.push('@group(0) @binding(1) var<storage, read> w: array<f32>;');
  let b = 2;
  if (t.bias) s.push(`@group(0) @binding(${b++}) var<storage, read> bias: array<f32>;`);
  s.push(`@group(0) @binding(${b++}) var<storage, read_write> out: array<f32>;`);
  s.push(`@group(0) @binding(${b}) var<uniform> p: Params;`, '');
  s.push(...lanesPrologue(t));
  s.push(
    '  let rowTile = g / p.colTiles;',
    '  let oxTile = rowTile % p.oxTiles;',
    '  let q = rowTile / p.oxTiles;',
    `  let ox0 = oxTile * ${P}u;`,
    `  let ox1 = min(ox0 + ${P}u, p.outW);`,
    '  let oy = q % p.outH;',
    '  let b = q / p.outH;',
    '  let iy0 = i32(oy * p.strideH) - i32(p.padTop);',
  );
  // Filter taps w[ky, kx, ic, oc_j], held for the whole row.
  for (const ky of range(KH))
    for (const kx of range(KW))
      for (const ic of range(IC))
        for (const j of range(J))
          s.push(`  let w${ky}_${kx}_${ic}_${j} = w[${(ky * KW + kx) * IC + ic}u * p.outC + oc${j}];`);
  if (t.bias) for (const j of range(J)) s.push(`  let bias${j} = bias[oc${j}];`);
  s.push(...windowRows(t, '  '));
  // Window variables are declared up front so that loads inside blocks assign to them.
  for (const ky of range(KH))
    for (const kx of range(KW)) for (const ic of range(IC)) s.push(`  var a${ky}_${kx}_${ic} = 0.0;`);
  s.push(`  let ixStart = i32(ox0 * ${SW}u) - i32(p.padLeft);`);
  if (slide) {
    // Columns 0 .. kw-2 of the first window; each step loads column kw-1 and shifts.
    for (const kx of range(KW - 1)) s.push(...windowColumn(t, kx, `(ixStart + ${kx})`, '  '));
  }
  s.push('  var ix = ixStart;', '  for (var ox = ox0; ox < ox1; ox++) {');
  if (slide) s.push(...windowColumn(t, KW - 1, `(ix + ${KW - 1})`, '    '));
  else for (const kx of range(KW)) s.push(...windowColumn(t, kx, `(ix + ${kx})`, '    '));
  for (const j of range(J)) s.push(`    var acc${j} = ${t.bias ? `bias${j}` : '0.0'};`);
  for (const ky of range(KH)) {
    for (const kx of range(KW)) {
      for (const ic of range(IC)) {
        for (const j of range(J)) s.push(`    acc${j} = fma(a${ky}_${kx}_${ic}, w${ky}_${kx}_${ic}_${j}, acc${j});`);
      }
    }
  }
  s.push(`    let o = ((b * p.outH + oy) * p.outW + ox) * p.outC + c0;`);
  for (const j of range(J)) {
    const v = t.activation === 'relu' ? `max(acc${j}, 0.0)` : `acc${j}`;
    s.push(laneStore(t, 'out', j, v, '    '));
  }
  if (slide) {
    for (const ky of range(KH))
      for (const kx of range(KW - 1))
        for (const ic of range(IC)) s.push(`    a${ky}_${kx}_${ic} = a${ky}_${kx + 1}_${ic};`);
  }
  s.push(`    ix += ${SW};`, '  }', '}');
  return s.join('\n') + '\n';
}

/**
 * dW, 'window', first pass: like 'lanes', but a SIMD group holds every filter row (ky, kx, ic) of its
 * 4 * colsPerThread channels and slides the input window along each output row as the forward 'window'
 * does: per output pixel kh * inC (stride 1) loads of x and colsPerThread of dy. For few input channels.
 */
function backwardFilterWindowWgsl(t: Conv2dTemplate): string {
  const J = t.colsPerThread;
  const { kh: KH, kw: KW, inC: IC, strideW: SW } = t;
  const slide = SW === 1 && KW > 1;
  const taps: [number, number, number][] = [];
  for (const ky of range(KH)) for (const kx of range(KW)) for (const ic of range(IC)) taps.push([ky, kx, ic]);
  const s: string[] = [`// ${conv2dKey(t)} (generated by ${FILE})`, PARAMS_WGSL];
  s.push('@group(0) @binding(0) var<storage, read> x: array<f32>;');
  s.push('@group(0) @binding(1) var<storage, read> dy: array<f32>;');
  s.push('@group(0) @binding(2) var<storage, read_write> partial: array<f32>;');
  s.push('@group(0) @binding(3) var<uniform> p: Params;', '');
  s.push(...lanesPrologue(t));
  s.push('  let chunk = g / p.colTiles;');
  for (const [ky, kx, ic] of taps) for (const j of range(J)) s.push(`  var acc${ky}_${kx}_${ic}_${j} = 0.0;`);
  for (const [ky, kx, ic] of taps) s.push(`  var a${ky}_${kx}_${ic} = 0.0;`);
  s.push(
    '  let orow0 = chunk * p.chunkRows;',
    '  let orow1 = min(orow0 + p.chunkRows, p.batch * p.outH);',
    '  for (var orow = orow0; orow < orow1; orow++) {',
    '    let oy = orow % p.outH;',
    '    let b = orow / p.outH;',
    '    let iy0 = i32(oy * p.strideH) - i32(p.padTop);',
    '    var gb = orow * p.outW * p.outC;',
    '    let ixStart = -i32(p.padLeft);',
  );
  s.push(...windowRows(t, '    '));
  if (slide) for (const kx of range(KW - 1)) s.push(...windowColumn(t, kx, `(ixStart + ${kx})`, '    '));
  s.push('    var ix = ixStart;', '    for (var ox = 0u; ox < p.outW; ox++) {');
  if (slide) s.push(...windowColumn(t, KW - 1, `(ix + ${KW - 1})`, '      '));
  else for (const kx of range(KW)) s.push(...windowColumn(t, kx, `(ix + ${kx})`, '      '));
  for (const j of range(J)) s.push(`      let g${j} = dy[gb + oc${j}];`);
  for (const [ky, kx, ic] of taps) {
    for (const j of range(J))
      s.push(`      acc${ky}_${kx}_${ic}_${j} = fma(a${ky}_${kx}_${ic}, g${j}, acc${ky}_${kx}_${ic}_${j});`);
  }
  if (slide) {
    for (const ky of range(KH))
      for (const kx of range(KW - 1))
        for (const ic of range(IC)) s.push(`      a${ky}_${kx}_${ic} = a${ky}_${kx + 1}_${ic};`);
  }
  s.push(`      ix += ${SW};`, '      gb += p.outC;', '    }', '  }');
  s.push(`  let pb = chunk * ${taps.length}u;`);
  for (const [m, [ky, kx, ic]] of taps.entries()) {
    s.push(`  {`, `    let o = (pb + ${m}u) * p.outC + c0;`);
    for (const j of range(J)) s.push(laneStore(t, 'partial', j, `acc${ky}_${kx}_${ic}_${j}`, '    '));
    s.push('  }');
  }
  s.push('}');
  return s.join('\n') + '\n';
}
