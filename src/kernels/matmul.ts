// Matrix multiply with optional transposed operands and a fused bias + activation epilogue:
// out[m,n] = act(op(A) @ op(B) + bias). One TypeScript template generates the WGSL, unrolled, for two
// variants: 'register' (per-thread register tile in named variables, no workgroup memory: what SwiftShader
// runs fastest, see ARCHITECTURE.md) and 'shared' (workgroup tiles staged in workgroup memory, for GPUs).
//
// Buffer layouts (f32, dense, row-major):
//   a:    [m,k], or [k,m] when transA (so op(A) = A^T needs no transpose copy)
//   b:    [k,n], or [n,k] when transB
//   bias: [n] (optional), added to every row before the activation
//   out:  [m,n]
// Alignment decides the load width: an operand is read as vec4 along its contiguous axis when that
// axis's length is a multiple of 4, and as scalars otherwise. Edge tiles clamp their load indices (the
// loaded values are then discarded) and guard their stores, so any m, k, n >= 1 is correct.
import type { KernelProgram } from './program';
import { packParams, type Binding, type KernelRuntime } from './runtime';

export type MatmulActivation = 'none' | 'relu';
export type MatmulVariant = 'register' | 'shared';

export interface MatmulArgs {
  a: Binding;
  b: Binding;
  out: Binding;
  m: number;
  k: number;
  n: number;
  /** A is stored [k,m]. */
  transA?: boolean;
  /** B is stored [n,k]. */
  transB?: boolean;
  /** Optional [n] added to every row of the product. */
  bias?: Binding;
  activation?: MatmulActivation;
  /** 'register' for software adapters (default), 'shared' for hardware GPUs. */
  variant?: MatmulVariant;
}

/** Every parameter of the WGSL template; the program key lists all of them. */
export interface MatmulTemplate {
  variant: MatmulVariant;
  /** Output rows and columns per thread (columns a multiple of 4: accumulators are vec4 rows). */
  rowsPerThread: number;
  colsPerThread: number;
  /** Workgroup size (x along columns, y along rows). */
  workgroupX: number;
  workgroupY: number;
  /** 'shared' only: depth of the k slice staged in workgroup memory per step. */
  tileK: number;
  transA: boolean;
  transB: boolean;
  /** m % 4 == 0, k % 4 == 0, n % 4 == 0: which vec4 loads and stores are legal. */
  mAligned: boolean;
  kAligned: boolean;
  nAligned: boolean;
  bias: boolean;
  activation: MatmulActivation;
  /** Register variant code shape: one assignment per accumulator per k slice (chained), and fma() or a*b+c. */
  chain: boolean;
  mulAdd: boolean;
  /**
   * Register variant: the four lanes of a SwiftShader subgroup (threads x..x+3 of one row of the workgroup,
   * which share their rows of A) each load a quarter of those rows' A values and subgroupBroadcast them.
   * Needs the 'subgroups' feature and subgroups of exactly 4 invocations.
   */
  subgroups: boolean;
}

type TileShape = Pick<
  MatmulTemplate,
  'rowsPerThread' | 'colsPerThread' | 'workgroupX' | 'workgroupY' | 'tileK' | 'chain' | 'mulAdd' | 'subgroups'
>;

/**
 * Tile shapes per variant (what matmulTemplate picks from the shape is in registerTile). Register: 16 rows x
 * 16 columns per thread on a 4x4 workgroup, each accumulator assigned once per 4 k (chained fma()).
 * SwiftShader's Subzero JIT spills the accumulators of any useful tile, and every load from storage is a
 * per-lane branchy gather (4 scalar loads per float per subgroup), so tiles that load less per multiply-add
 * win, and chaining writes each spilled accumulator back once per 4 k instead of 4 times; the 4x4 workgroup
 * gives 2 cores enough workgroups at these sizes. bench/matmul-node.ts, Node/Dawn/SwiftShader, GFLOP/s by
 * wall time, FMA ceiling 4.2-6.3 in the same runs (128x784x500 / 784x128x500 transA / 128x500x784 transB /
 * 512^3): the old 8x16 on 8x8 1.23 / 1.59 / 1.36 / 1.44; 16x16 on 4x4 with subgroups 1.89 / - / 1.95 / 1.72,
 * chained 2.43 / - / 2.11 / 2.44 (next run 2.14 / 2.07 / 2.18 / 2.06); without subgroups, unchained 1.82 /
 * 1.66 / 1.80 / 1.37, chained 1.60 / 1.94 / 1.84 / 1.86. Slower or no better: 16x32 and 24x16 (transB 1.43
 * vs 2.13), 32x8 (wins some shapes, loses others), k slices of 8 (and 2-3x the compile time), a*b+c instead
 * of fma(), loading all of an iteration's values before its multiply-adds, 8x8 workgroups. Compiling a 16x16
 * program takes 1.1-1.6 s of CPU (8x16: 0.6-0.8 s). Shared: 64x64 workgroup tiles, 4x4 per thread, k slices
 * of 16 (for hardware GPUs; 3x slower than register on SwiftShader).
 */
export const MATMUL_TILES: Record<MatmulVariant, TileShape> = {
  register: {
    rowsPerThread: 16,
    colsPerThread: 16,
    workgroupX: 4,
    workgroupY: 4,
    tileK: 4,
    chain: true,
    mulAdd: false,
    subgroups: false,
  },
  shared: {
    rowsPerThread: 4,
    colsPerThread: 4,
    workgroupX: 16,
    workgroupY: 16,
    tileK: 16,
    chain: false,
    mulAdd: false,
    subgroups: false,
  },
};

/**
 * The register tile for a shape. Narrow outputs (the MLP's 10-way layer) get 4 columns per thread, which a
 * 16-column tile would mostly waste: 100x500x10 ran at 0.75 GFLOP/s with 16x4 vs 0.16 with 8x16 and 0.21
 * with 16x16 (subgroups on; 500x100x10 transA 0.85 vs 0.17). Subgroup broadcasts of A are used where the
 * device has them and A is read as vec4 (that is where they apply).
 */
function registerTile(m: number, k: number, n: number, transA: boolean, subgroups: boolean): TileShape {
  const vecA = transA ? m % 4 === 0 : k % 4 === 0;
  return {
    ...MATMUL_TILES.register,
    colsPerThread: n <= 16 ? 4 : MATMUL_TILES.register.colsPerThread,
    subgroups: subgroups && vecA,
  };
}

/**
 * Whether the register variant may broadcast A across a subgroup on this device: true only after
 * probeMatmulSubgroups(device) found 4-lane subgroups laid out as the kernel assumes. Devices never probed
 * (or where the probe failed) run the plain register tile, which is correct everywhere.
 */
export function matmulSubgroups(device: GPUDevice): boolean {
  return subgroupDevices.get(device) ?? false;
}

/** The probe's kernel: each thread records its subgroup lane, the subgroup size and lanes 0..3's indices. */
const SUBGROUP_PROBE_WGSL = `enable subgroups;
diagnostic(off, subgroup_uniformity);
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(4, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32,
        @builtin(subgroup_invocation_id) sid: u32, @builtin(subgroup_size) size: u32) {
  let base = (wid.x * 16u + li) * 6u;
  out[base] = sid;
  out[base + 1u] = size;
  out[base + 2u] = subgroupBroadcast(li, 0u);
  out[base + 3u] = subgroupBroadcast(li, 1u);
  out[base + 4u] = subgroupBroadcast(li, 2u);
  out[base + 5u] = subgroupBroadcast(li, 3u);
}
`;

/**
 * Decides matmulSubgroups for `device`, once: the 'subgroups' feature is enabled, the adapter reports
 * subgroups of exactly 4 lanes, and a probe dispatch shows each subgroup is the four consecutive threads
 * 4j..4j+3 of a workgroup row in lane order (how SwiftShader runs one SIMD vector), which is what the
 * broadcasts of A rely on. Any other answer, or an error, leaves the broadcasts off.
 */
export async function probeMatmulSubgroups(device: GPUDevice): Promise<boolean> {
  const known = subgroupDevices.get(device);
  if (known !== undefined) return known;
  const info = (device as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  let ok = device.features.has('subgroups') && info?.subgroupMinSize === 4 && info.subgroupMaxSize === 4;
  if (ok) {
    const groups = 4;
    const words = groups * 16 * 6;
    let out: GPUBuffer | null = null;
    let read: GPUBuffer | null = null;
    try {
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code: SUBGROUP_PROBE_WGSL, label: 'matmul subgroup probe' });
      const pipeline = await device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      out = device.createBuffer({ size: words * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      read = device.createBuffer({ size: words * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [{ binding: 0, resource: { buffer: out } }],
        }),
      );
      pass.dispatchWorkgroups(groups);
      pass.end();
      encoder.copyBufferToBuffer(out, 0, read, 0, words * 4);
      device.queue.submit([encoder.finish()]);
      const error = await device.popErrorScope();
      await read.mapAsync(GPUMapMode.READ);
      const got = new Uint32Array(read.getMappedRange().slice(0));
      read.unmap();
      ok = error === null;
      for (let t = 0; ok && t < groups * 16; t++) {
        const li = t % 16;
        const expected = [li % 4, 4, li - (li % 4), li - (li % 4) + 1, li - (li % 4) + 2, li - (li % 4) + 3];
        ok = expected.every((v, i) => got[t * 6 + i] === v);
      }
    } catch {
      ok = false;
    } finally {
      out?.destroy();
      read?.destroy();
    }
  }
  subgroupDevices.set(device, ok);
  return ok;
}
const subgroupDevices = new WeakMap<GPUDevice, boolean>();

const FILE = 'src/kernels/matmul.ts';

export function matmulKey(t: MatmulTemplate): string {
  return (
    `matmul/${t.variant}/${t.rowsPerThread}x${t.colsPerThread}/wg${t.workgroupX}x${t.workgroupY}/tk${t.tileK}` +
    `/tA${+t.transA}tB${+t.transB}/al${+t.mAligned}${+t.kAligned}${+t.nAligned}/bias${+t.bias}/${t.activation}/ch${+t.chain}ma${+t.mulAdd}sg${+t.subgroups}`
  );
}

const programs = new Map<string, KernelProgram>();

/** The (cached) program for one template instance. */
export function matmulProgramFor(t: MatmulTemplate): KernelProgram {
  const key = matmulKey(t);
  let program = programs.get(key);
  if (!program) {
    validateTemplate(t);
    const template = { ...t };
    program = {
      name: 'matmul',
      key,
      file: FILE,
      code: () => (template.variant === 'register' ? registerWgsl(template) : sharedWgsl(template)),
    };
    programs.set(key, program);
  }
  return program;
}

/**
 * The template instance a call with these arguments uses on a device where matmulSubgroups is `subgroups`
 * (matmulWith passes it; warm-up lists must pass the same to name the same programs).
 */
export function matmulTemplate(
  args: Pick<MatmulArgs, 'm' | 'k' | 'n' | 'transA' | 'transB' | 'activation' | 'variant'> & {
    bias?: unknown;
    subgroups?: boolean;
  },
  tiles?: Partial<MatmulTemplate>,
): MatmulTemplate {
  const variant = args.variant ?? 'register';
  const { m, k, n } = args;
  return {
    variant,
    ...(variant === 'register'
      ? registerTile(m, k, n, Boolean(args.transA), Boolean(args.subgroups))
      : MATMUL_TILES.shared),
    transA: Boolean(args.transA),
    transB: Boolean(args.transB),
    mAligned: m % 4 === 0,
    kAligned: k % 4 === 0,
    nAligned: n % 4 === 0,
    bias: args.bias !== undefined && args.bias !== null,
    activation: args.activation ?? 'none',
    ...tiles,
  };
}

/** A call's shape and options, for listing the programs a model will use. */
export type MatmulUse = Pick<MatmulArgs, 'm' | 'k' | 'n' | 'transA' | 'transB' | 'activation'> & { bias?: boolean };

/**
 * Programs for rt.warmUp on `device`: those the listed calls use, or, with no list, the six a wide dense
 * layer's step uses at aligned shapes (forward with and without bias and relu; dW = X^T dY; dX = dY W^T).
 * The tile depends on the shape (registerTile), so only a list of the real calls names exactly the programs
 * they run; each compile costs a second or two on SwiftShader, and anything not warmed up compiles on first use.
 */
export function matmulPrograms(
  device: GPUDevice,
  adapterIsSoftware: boolean,
  uses?: readonly MatmulUse[],
): KernelProgram[] {
  const variant: MatmulVariant = adapterIsSoftware ? 'register' : 'shared';
  const subgroups = matmulSubgroups(device);
  const aligned = { m: 256, k: 256, n: 256 };
  const list: MatmulUse[] = uses
    ? [...uses]
    : [
        ...[false, true].flatMap((bias) =>
          (['none', 'relu'] as const).map((activation) => ({ ...aligned, bias, activation })),
        ),
        { ...aligned, transA: true },
        { ...aligned, transB: true },
      ];
  const out = new Map<string, KernelProgram>();
  for (const use of list) {
    const p = matmulProgramFor(matmulTemplate({ ...use, bias: use.bias ? true : undefined, variant, subgroups }));
    out.set(p.key, p);
  }
  return [...out.values()];
}

/** Records out = act(op(A) @ op(B) + bias) into `pass`. */
export function matmul(rt: KernelRuntime, pass: GPUComputePassEncoder, args: MatmulArgs): void {
  matmulWith(rt, pass, args);
}

/** `matmul` with explicit tile parameters (benchmarks and tests compare tiles with it). */
export function matmulWith(
  rt: KernelRuntime,
  pass: GPUComputePassEncoder,
  args: MatmulArgs,
  tiles?: Partial<MatmulTemplate>,
): void {
  checkArgs(args);
  const t = matmulTemplate({ ...args, subgroups: matmulSubgroups(rt.device) }, tiles);
  const program = matmulProgramFor(t);
  const bindings: Binding[] = [args.a, args.b, args.out];
  if (args.bias) bindings.push(args.bias);
  const rowsPerGroup = t.rowsPerThread * t.workgroupY;
  const colsPerGroup = t.colsPerThread * t.workgroupX;
  const grid: [number, number] = [Math.ceil(args.n / colsPerGroup), Math.ceil(args.m / rowsPerGroup)];
  const maxGroups = rt.device.limits.maxComputeWorkgroupsPerDimension;
  if (grid[0] > maxGroups || grid[1] > maxGroups) {
    throw new RangeError(
      `matmul [${args.m},${args.k}]x[${args.k},${args.n}] needs a ${grid[0]}x${grid[1]} workgroup grid, ` +
        `more than the device's ${maxGroups} per dimension`,
    );
  }
  rt.dispatch(pass, program, bindings, packParams([{ u32: args.m }, { u32: args.k }, { u32: args.n }]), grid);
}

function bindingBytes(b: Binding): number {
  if (b instanceof GPUBuffer) return b.size;
  return b.size ?? b.buffer.size - (b.offset ?? 0);
}

function checkArgs(args: MatmulArgs): void {
  const { m, k, n } = args;
  const shape = `matmul(m=${m}, k=${k}, n=${n}${args.transA ? ', transA' : ''}${args.transB ? ', transB' : ''})`;
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${shape}: ${name} must be an integer >= 1, got ${v}`);
  }
  const need: [string, Binding | undefined, number, string][] = [
    ['a', args.a, m * k, args.transA ? `[${k},${m}]` : `[${m},${k}]`],
    ['b', args.b, k * n, args.transB ? `[${n},${k}]` : `[${k},${n}]`],
    ['out', args.out, m * n, `[${m},${n}]`],
    ['bias', args.bias, n, `[${n}]`],
  ];
  for (const [name, binding, elements, dims] of need) {
    if (!binding) continue;
    const bytes = bindingBytes(binding);
    if (bytes < elements * 4) {
      throw new RangeError(`${shape}: ${name} ${dims} needs ${elements * 4} bytes, its binding has ${bytes}`);
    }
  }
  if (args.activation !== undefined && args.activation !== 'none' && args.activation !== 'relu') {
    throw new RangeError(`${shape}: unknown activation "${String(args.activation)}"`);
  }
}

function validateTemplate(t: MatmulTemplate): void {
  const ok =
    Number.isInteger(t.rowsPerThread) &&
    t.rowsPerThread >= 1 &&
    Number.isInteger(t.colsPerThread) &&
    t.colsPerThread >= 4 &&
    t.colsPerThread % 4 === 0 &&
    t.tileK % 4 === 0 &&
    t.tileK >= 4 &&
    (t.variant === 'register' ? t.tileK <= 8 : t.rowsPerThread % 4 === 0) &&
    // Broadcasts need the four lanes of a subgroup on one row of the workgroup.
    (!t.subgroups || (t.variant === 'register' && t.workgroupX % 4 === 0));
  if (!ok) throw new RangeError(`matmul template ${matmulKey(t)}: unsupported tile shape`);
}

// ---------------------------------------------------------------------------------------------------------
// WGSL generation

const COMP = ['x', 'y', 'z', 'w'];
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function header(t: MatmulTemplate, vecA: boolean, vecB: boolean): string {
  const ty = (vec: boolean) => (vec ? 'array<vec4<f32>>' : 'array<f32>');
  const lines = [
    // The broadcasts run where the four lanes of a subgroup agree (see registerWgsl), which the
    // uniformity analysis cannot see.
    ...(t.subgroups ? ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'] : []),
    `// ${matmulKey(t)} (generated by ${FILE})`,
    'struct Params { m: u32, k: u32, n: u32 }',
    `@group(0) @binding(0) var<storage, read> a: ${ty(vecA)};`,
    `@group(0) @binding(1) var<storage, read> b: ${ty(vecB)};`,
    `@group(0) @binding(2) var<storage, read_write> out: ${ty(t.nAligned)};`,
  ];
  if (t.bias) lines.push(`@group(0) @binding(3) var<storage, read> bias: ${ty(t.nAligned)};`);
  lines.push(`@group(0) @binding(${t.bias ? 4 : 3}) var<uniform> params: Params;`);
  return lines.join('\n');
}

/**
 * The epilogue shared by both variants: adds bias, applies the activation and stores the tile whose
 * accumulator for (row r, column group c) is named acc(r, c); `row0`/`col0` are the tile's origin.
 */
function epilogue(t: MatmulTemplate, acc: (r: number, c: number) => string): string[] {
  const TM = t.rowsPerThread;
  const CG = t.colsPerThread / 4;
  const s: string[] = [];
  if (t.bias) {
    for (const c of range(CG)) {
      if (t.nAligned) s.push(`  let bias${c} = bias[min(col0 / 4u + ${c}u, n / 4u - 1u)];`);
      else {
        const parts = range(4).map((i) => `bias[min(col0 + ${4 * c + i}u, n - 1u)]`);
        s.push(`  let bias${c} = vec4<f32>(${parts.join(', ')});`);
      }
    }
  }
  for (const r of range(TM)) {
    s.push(`  if (row0 + ${r}u < m) {`);
    s.push(`    let orow = (row0 + ${r}u) * ${t.nAligned ? 'nq' : 'n'};`);
    for (const c of range(CG)) {
      let v = acc(r, c);
      if (t.bias) v = `${v} + bias${c}`;
      if (t.activation === 'relu') v = `max(${v}, vec4<f32>(0.0))`;
      s.push(`    {`, `      let v = ${v};`);
      if (t.nAligned) {
        s.push(`      if (col0 / 4u + ${c}u < nq) { out[orow + col0 / 4u + ${c}u] = v; }`);
      } else {
        for (const i of range(4)) {
          s.push(`      if (col0 + ${4 * c + i}u < n) { out[orow + col0 + ${4 * c + i}u] = v.${COMP[i]}; }`);
        }
      }
      s.push(`    }`);
    }
    s.push(`  }`);
  }
  return s;
}

/**
 * Register variant: thread (x, y) owns rows [y*TM, y*TM+TM) and columns [x*TN, x*TN+TN) and keeps its
 * TM x TN/4 vec4 accumulators in named variables (an indexed array is spilled to memory by SwiftShader,
 * ~8x slower). Each loop iteration loads a tileK-deep (4 or 8) slice of A's rows and B's columns straight
 * from storage (vec4 where the contiguous axis is aligned) and does TM*TN*tileK multiply-adds; with tileK 8
 * a 4-deep loop follows, and a scalar loop does the k % 4 remainder.
 * With `subgroups` (and A read as vec4), the four lanes of a SwiftShader subgroup are threads x..x+3 of one
 * workgroup row (workgroupX % 4 == 0), so they need the same A values: lane l loads rows 4g + l (A along k)
 * or k = kk + 4s + l (transA), and subgroupBroadcast hands each value to all four. That cuts A's loads 4x;
 * each load costs SwiftShader a gather of 4 branchy scalar loads. 512^3: 2.14-2.43 GFLOP/s vs 1.52-1.72.
 */
function registerWgsl(t: MatmulTemplate): string {
  const TM = t.rowsPerThread;
  const TN = t.colsPerThread;
  const CG = TN / 4;
  // vec4 loads along A's / B's contiguous axis.
  const vecA = t.transA ? t.mAligned && TM % 4 === 0 : t.kAligned;
  const vecB = t.transB ? t.kAligned : t.nAligned;
  const s: string[] = [header(t, vecA, vecB), ''];
  s.push(`@compute @workgroup_size(${t.workgroupX}, ${t.workgroupY})`);
  // Subgroup broadcasts of A need all four lanes of a subgroup live. They share row0 (one row of the
  // workgroup), so leaving when row0 >= m is uniform in the subgroup; lanes past n compute on clamped
  // columns and only their stores are skipped.
  const sgA = t.subgroups && vecA && TM % 4 === 0;
  s.push(
    `fn main(@builtin(global_invocation_id) gid: vec3<u32>${sgA ? ', @builtin(subgroup_invocation_id) sid: u32' : ''}) {`,
  );
  s.push('  let m = params.m;', '  let k = params.k;', '  let n = params.n;');
  s.push('  let mq = m / 4u;', '  let kq = k / 4u;', '  let nq = n / 4u;');
  s.push(`  let row0 = gid.y * ${TM}u;`, `  let col0 = gid.x * ${TN}u;`);
  s.push(sgA ? '  if (row0 >= m) { return; }' : '  if (row0 >= m || col0 >= n) { return; }');

  // Clamped base offsets, computed once: rows past m and columns past n reread the last valid one.
  if (!t.transA && sgA) {
    // Lane sid loads rows 4g + sid.
    for (const g of range(TM / 4)) s.push(`  let asl${g} = min(row0 + ${4 * g}u + sid, m - 1u) * kq;`);
  } else if (!t.transA) {
    for (const r of range(TM)) s.push(`  let ar${r} = min(row0 + ${r}u, m - 1u) * ${vecA ? 'kq' : 'k'};`);
  } else if (vecA) {
    for (const g of range(TM / 4)) s.push(`  let ag${g} = min(row0 / 4u + ${g}u, mq - 1u);`);
  } else {
    for (const r of range(TM)) s.push(`  let ar${r} = min(row0 + ${r}u, m - 1u);`);
  }
  if (!t.transB) {
    if (vecB) for (const c of range(CG)) s.push(`  let bg${c} = min(col0 / 4u + ${c}u, nq - 1u);`);
    else for (const j of range(TN)) s.push(`  let bc${j} = min(col0 + ${j}u, n - 1u);`);
  } else {
    for (const j of range(TN)) s.push(`  let bc${j} = min(col0 + ${j}u, n - 1u) * ${vecB ? 'kq' : 'k'};`);
  }
  for (const r of range(TM)) for (const c of range(CG)) s.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);

  // Loads for the k index `kk + q`, as statements plus the expression of A(r) and of B's row group c.
  const loadsAtK = (q: number, ind: string, tail = false) => {
    const st: string[] = [];
    const kx = q === 0 ? 'kk' : `(kk + ${q}u)`;
    const aName = (r: number) => (t.transA && vecA ? `at${q}_${r >> 2}.${COMP[r & 3]}` : `a${q}_${r}`);
    if (!t.transA) {
      for (const r of range(TM)) st.push(`let a${q}_${r} = a[ar${r} + ${kx}];`);
    } else if (vecA && sgA && !tail) {
      // Lane sid loaded k = kk + 4 * (q / 4) + sid.
      for (const g of range(TM / 4)) st.push(`let at${q}_${g} = subgroupBroadcast(ats${q >> 2}_${g}, ${q & 3}u);`);
    } else if (vecA) {
      for (const g of range(TM / 4)) st.push(`let at${q}_${g} = a[${kx} * mq + ag${g}];`);
    } else {
      for (const r of range(TM)) st.push(`let a${q}_${r} = a[${kx} * m + ar${r}];`);
    }
    if (!t.transB) {
      if (vecB) for (const c of range(CG)) st.push(`let b${q}_${c} = b[${kx} * nq + bg${c}];`);
      else {
        st.push(`let bk${q} = ${kx} * n;`);
        for (const c of range(CG)) {
          const parts = range(4).map((i) => `b[bk${q} + bc${4 * c + i}]`);
          st.push(`let b${q}_${c} = vec4<f32>(${parts.join(', ')});`);
        }
      }
    } else {
      for (const c of range(CG)) {
        const parts = range(4).map((i) => `b[bc${4 * c + i} + ${kx}]`);
        st.push(`let b${q}_${c} = vec4<f32>(${parts.join(', ')});`);
      }
    }
    return { st: st.map((x) => ind + x), aName };
  };
  const fma = (x: string, y: string, acc: string) => (t.mulAdd ? `${x} * ${y} + ${acc}` : `fma(${x}, ${y}, ${acc})`);
  const fmas = (q: number, aName: (r: number) => string, ind: string) => {
    const st: string[] = [];
    for (const r of range(TM)) {
      for (const c of range(CG))
        st.push(`${ind}acc${r}_${c} = ${fma(`vec4<f32>(${aName(r)})`, `b${q}_${c}`, `acc${r}_${c}`)};`);
    }
    return st;
  };

  // One loop iteration covers `depth` k values (4 or 8): loads for all of them, then the FMAs, each
  // accumulator assigned once (chain) or once per k.
  const body = (depth: number, ind: string): string[] => {
    const st: string[] = [];
    const aNames: ((r: number) => string)[] = [];
    for (const q of range(depth)) {
      const [sl, ql] = [q >> 2, q & 3];
      // k-contiguous vec4 loads cover four q at once.
      if (ql === 0 && !t.transA && vecA && sgA) {
        for (const g of range(TM / 4)) st.push(`${ind}let avs${g}_${sl} = a[asl${g} + kk / 4u + ${sl}u];`);
        for (const r of range(TM)) {
          st.push(`${ind}let av${r}_${sl} = subgroupBroadcast(avs${r >> 2}_${sl}, ${r & 3}u);`);
        }
      } else if (ql === 0 && !t.transA && vecA) {
        for (const r of range(TM)) st.push(`${ind}let av${r}_${sl} = a[ar${r} + kk / 4u + ${sl}u];`);
      }
      if (ql === 0 && t.transA && sgA) {
        for (const g of range(TM / 4)) st.push(`${ind}let ats${sl}_${g} = a[(kk + ${4 * sl}u + sid) * mq + ag${g}];`);
      }
      if (ql === 0 && t.transB && vecB) {
        for (const j of range(TN)) st.push(`${ind}let bt${j}_${sl} = b[bc${j} + kk / 4u + ${sl}u];`);
      }
      const l = loadsAtK(q, ind);
      let aName = l.aName;
      if (!t.transA && vecA) aName = (r) => `av${r}_${sl}.${COMP[ql]}`;
      else st.push(...l.st.filter((x) => !/let b|let bk/.test(x)));
      if (t.transB && vecB) {
        for (const c of range(CG)) {
          const parts = range(4).map((i) => `bt${4 * c + i}_${sl}.${COMP[ql]}`);
          st.push(`${ind}let b${q}_${c} = vec4<f32>(${parts.join(', ')});`);
        }
      } else st.push(...l.st.filter((x) => /let b|let bk/.test(x)));
      if (t.chain) aNames.push(aName);
      else st.push(...fmas(q, aName, ind));
    }
    if (t.chain) {
      // acc = a3 * b3 + a2 * b2 + a1 * b1 + a0 * b0 + acc (or nested fma()): SwiftShader writes a loop
      // variable back once per assignment, so one assignment per iteration leaves more time for arithmetic.
      for (const r of range(TM)) {
        for (const c of range(CG)) {
          let e = `acc${r}_${c}`;
          for (const q of range(depth)) e = fma(`vec4<f32>(${aNames[q](r)})`, `b${q}_${c}`, e);
          st.push(`${ind}acc${r}_${c} = ${e};`);
        }
      }
    }
    return st;
  };
  const depth = t.tileK;
  s.push('  var kk = 0u;');
  s.push(`  for (; kk + ${depth}u <= k; kk += ${depth}u) {`, ...body(depth, '    '), '  }');
  if (depth > 4) s.push(`  for (; kk + 4u <= k; kk += 4u) {`, ...body(4, '    '), '  }');
  if (!t.kAligned) {
    // k % 4 remainder, one k at a time; here neither operand is read as vec4 along k.
    const l = loadsAtK(0, '    ', true);
    s.push('  for (; kk < k; kk += 1u) {', ...l.st, ...fmas(0, l.aName, '    '), '  }');
  }
  s.push(...epilogue(t, (r, c) => `acc${r}_${c}`));
  s.push('}');
  return s.join('\n') + '\n';
}

/**
 * Shared variant: a workgroup of WX x WY threads computes a (WY*TM) x (WX*TN) tile. Per step it stages a
 * TK-deep slice of A (as As[kk][row / 4], vec4 over 4 rows) and of B (as Bs[kk][col / 4], vec4 over 4
 * columns) in workgroup memory, zero-filled outside the matrix, then every thread accumulates its TM x TN
 * outputs from them. Transposes are absorbed by the staging loads.
 */
function sharedWgsl(t: MatmulTemplate): string {
  const TM = t.rowsPerThread;
  const TN = t.colsPerThread;
  const WX = t.workgroupX;
  const WY = t.workgroupY;
  const TK = t.tileK;
  const BM = TM * WY; // rows per workgroup tile
  const BN = TN * WX; // columns per workgroup tile
  const threads = WX * WY;
  const RG = BM / 4; // row groups (vec4 of rows) per k in As
  const CGW = BN / 4; // column groups per k in Bs
  const vecA = t.transA ? t.mAligned : t.kAligned;
  const vecB = t.transB ? t.kAligned : t.nAligned;
  const s: string[] = [header(t, vecA, vecB), ''];
  s.push(`var<workgroup> As: array<vec4<f32>, ${TK * RG}>;`);
  s.push(`var<workgroup> Bs: array<vec4<f32>, ${TK * CGW}>;`);
  s.push('');
  s.push(`@compute @workgroup_size(${WX}, ${WY})`);
  s.push(
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, ' +
      '@builtin(local_invocation_index) li: u32) {',
  );
  s.push('  let m = params.m;', '  let k = params.k;', '  let n = params.n;');
  s.push('  let mq = m / 4u;', '  let kq = k / 4u;', '  let nq = n / 4u;');
  s.push(`  let tileRow = wid.y * ${BM}u;`, `  let tileCol = wid.x * ${BN}u;`);
  for (const r of range(TM)) for (const c of range(TN / 4)) s.push(`  var acc${r}_${c} = vec4<f32>(0.0);`);

  // Staging: each operand slice holds TK*BM (resp. TK*BN) floats, read in units of 4 floats; thread li
  // handles units li, li + threads, ...
  const stage = (
    name: 'a' | 'b',
    arr: 'As' | 'Bs',
    trans: boolean,
    vec: boolean,
    outer: string, // extent of the non-k axis (m or n)
    tileOrigin: string,
    groups: number, // vec4 groups along the non-k axis per k (RG or CGW)
    span: number, // BM or BN
  ): string[] => {
    const st: string[] = [];
    const units = (TK * span) / 4;
    for (let u0 = 0; u0 < units; u0 += threads) {
      const guard = u0 + threads > units ? `if (li + ${u0}u < ${units}u) ` : '';
      st.push(`  ${guard}{`);
      st.push(`    let u = li + ${u0}u;`);
      // Non-transposed A ([m,k]) and transposed B ([n,k]) are contiguous along k: a unit is 4 k values
      // of one row (column), written transposed into the staging array.
      const alongK = name === 'a' ? !trans : trans;
      if (alongK) {
        st.push(`    let i = u / ${TK / 4}u;`, `    let kk4 = (u % ${TK / 4}u) * 4u;`);
        st.push(`    let gi = ${tileOrigin} + i;`, `    let gk = k0 + kk4;`);
        if (vec) {
          st.push(`    var v = vec4<f32>(0.0);`);
          st.push(`    if (gi < ${outer} && gk < k) { v = ${name}[gi * kq + gk / 4u]; }`);
        } else {
          st.push(`    var v = vec4<f32>(0.0);`);
          for (const q of range(4)) {
            st.push(`    if (gi < ${outer} && gk + ${q}u < k) { v.${COMP[q]} = ${name}[gi * k + gk + ${q}u]; }`);
          }
        }
        for (const q of range(4)) st.push(`    ${arr}[(kk4 + ${q}u) * ${groups}u + i / 4u][i % 4u] = v.${COMP[q]};`);
      } else {
        // Contiguous along the non-k axis: a unit is 4 consecutive rows (columns) at one k.
        st.push(`    let kk = u / ${groups}u;`, `    let g = u % ${groups}u;`);
        st.push(`    let gk = k0 + kk;`, `    let gi = ${tileOrigin} + g * 4u;`);
        st.push(`    var v = vec4<f32>(0.0);`);
        if (vec) {
          st.push(`    if (gk < k && gi < ${outer}) { v = ${name}[gk * ${outer === 'm' ? 'mq' : 'nq'} + gi / 4u]; }`);
        } else {
          for (const q of range(4)) {
            st.push(`    if (gk < k && gi + ${q}u < ${outer}) { v.${COMP[q]} = ${name}[gk * ${outer} + gi + ${q}u]; }`);
          }
        }
        st.push(`    ${arr}[kk * ${groups}u + g] = v;`);
      }
      st.push('  }');
    }
    return st.map((x) => '  ' + x);
  };

  s.push(`  for (var k0 = 0u; k0 < k; k0 += ${TK}u) {`);
  s.push(...stage('a', 'As', t.transA, vecA, 'm', 'tileRow', RG, BM));
  s.push(...stage('b', 'Bs', t.transB, vecB, 'n', 'tileCol', CGW, BN));
  s.push('    workgroupBarrier();');
  // Thread (x, y) owns rows y*TM .. y*TM+TM-1 and column groups x*TN/4 .. of the workgroup tile.
  s.push(`    for (var kk = 0u; kk < ${TK}u; kk += 1u) {`);
  for (const g of range(TM / 4)) s.push(`      let av${g} = As[kk * ${RG}u + lid.y * ${TM / 4}u + ${g}u];`);
  for (const c of range(TN / 4)) s.push(`      let bv${c} = Bs[kk * ${CGW}u + lid.x * ${TN / 4}u + ${c}u];`);
  for (const r of range(TM)) {
    for (const c of range(TN / 4)) {
      s.push(`      acc${r}_${c} = fma(vec4<f32>(av${r >> 2}.${COMP[r & 3]}), bv${c}, acc${r}_${c});`);
    }
  }
  s.push('    }');
  s.push('    workgroupBarrier();');
  s.push('  }');
  s.push(`  let row0 = tileRow + lid.y * ${TM}u;`, `  let col0 = tileCol + lid.x * ${TN}u;`);
  s.push('  if (col0 < n) {');
  s.push(...epilogue(t, (r, c) => `acc${r}_${c}`).map((x) => '  ' + x));
  s.push('  }');
  s.push('}');
  return s.join('\n') + '\n';
}
