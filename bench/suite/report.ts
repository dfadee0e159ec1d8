// Turns the measured cells into the results record (JSON) and the table (markdown, also printed): rows of
// measurements, one column per engine, "n/a [i]" with a numbered reason where a cell has no figure, the
// ceilings measured in the same run, each matmul as a percentage of its ceiling, and the targets.
import { ENGINE_LABELS, ENGINES, MATMUL_SHAPES, type Cell, type EngineId, type MatmulShape, type Row } from './common';

export interface Ceilings {
  gpuFmaGflops: Cell;
  gpuCopyGBs: Cell;
  wasmFmaGflops: Cell;
  /** Every ceiling sample taken (start and end of the run), for judging noise. */
  samples: { when: string; gpuFmaGflops?: number; gpuCopyGBs?: number; wasmFmaGflops?: number }[];
  wasmKind: string;
}

/** What the page (or the Node run) measured. */
export interface Measured {
  mode: 'browser' | 'node';
  adapter: Record<string, unknown> | null;
  userAgent: string;
  cells: Record<string, Partial<Record<EngineId, Cell>>>;
  ceilings: Ceilings;
  notes: string[];
  elapsedSeconds: number;
}

export interface BenchResults extends Measured {
  date: string;
  command: string;
  machine: { nproc: number; cpuModel: string; memoryGiB: number; chromium: string | null; node: string };
  rows: Row[];
  targets: { target: string; status: string }[];
}

/**
 * The training rows: each net with Adam (ours and TF.js) and with plain SGD (ours and jax-js, whose core
 * has no Adam), so that every ratio compares the same optimiser on both sides.
 */
const TRAIN_ROWS = [
  { id: 'train-mlp', net: 'mlp', optimizer: 'Adam', label: 'MLP 784-500-10, batch 100' },
  { id: 'train-mlp-sgd', net: 'mlp', optimizer: 'SGD', label: 'MLP 784-500-10, batch 100' },
  { id: 'train-cnn', net: 'cnn', optimizer: 'Adam', label: 'classic CNN, batch 128' },
  { id: 'train-cnn-sgd', net: 'cnn', optimizer: 'SGD', label: 'classic CNN, batch 128' },
] as const;

/** "512^3" for a cube, else "128x784x500". */
const shapeLabel = (s: MatmulShape): string => (s.m === s.k && s.k === s.n ? `${s.m}^3` : `${s.m}x${s.k}x${s.n}`);

const ROW_DEFS: { id: string; label: string; unit: string }[] = [
  ...MATMUL_SHAPES.map((s) => ({
    id: s.id,
    label: `matmul ${shapeLabel(s)}`,
    unit: 'GFLOP/s',
  })),
  ...MATMUL_SHAPES.map((s) => ({
    id: `${s.id}-pct`,
    label: `matmul ${shapeLabel(s)} / ceiling`,
    unit: '%',
  })),
  ...MATMUL_SHAPES.map((s) => ({
    id: `${s.id}-beside`,
    label: `matmul ${shapeLabel(s)}: one core's ceiling beside it`,
    unit: 'GFLOP/s',
  })),
  { id: 'conv-forward', label: 'conv2d forward, 128x28x28x1 -> 32 3x3', unit: 'ms' },
  { id: 'conv-backward-input', label: 'conv2d backward dX', unit: 'ms' },
  { id: 'conv-backward-filter', label: 'conv2d backward dW', unit: 'ms' },
  { id: 'conv-backward-both', label: 'conv2d backward dX+dW in one call', unit: 'ms' },
  { id: 'conv-total', label: 'conv2d forward + both backward', unit: 'ms' },
  ...TRAIN_ROWS.map((t) => ({ id: t.id, label: `train ${t.label} (${t.optimizer})`, unit: 'samples/s' })),
  ...TRAIN_ROWS.map((t) => ({
    id: `${t.id}-steps`,
    label: `${t.net.toUpperCase()} (${t.optimizer}) timed steps behind the median`,
    unit: 'steps',
  })),
  { id: 'train-mlp-loss0', label: 'MLP loss at step 1 (same weights: should agree)', unit: 'nats' },
  { id: 'train-cnn-loss0', label: 'CNN loss at step 1 (same weights: should agree)', unit: 'nats' },
  { id: 'first-step', label: 'page open -> first training step (MNIST cached)', unit: 'ms' },
];

const GPU_ENGINES: EngineId[] = ['ours-webgpu', 'jax-webgpu', 'tfjs-webgpu'];

const value = (c: Cell | undefined): number | null => (c && 'value' in c ? c.value : null);

/**
 * Adds the "% of ceiling" cells: GPU engines against the adapter's FMA ceiling, CPU ones against one core
 * (sampled beside each figure where it was: the "ceiling beside it" rows; else the run's ceiling).
 */
function percentCells(measured: Measured): Record<string, Partial<Record<EngineId, Cell>>> {
  const out: Record<string, Partial<Record<EngineId, Cell>>> = {};
  const gpu = value(measured.ceilings.gpuFmaGflops);
  const cpu = value(measured.ceilings.wasmFmaGflops);
  for (const s of MATMUL_SHAPES) {
    const row = measured.cells[s.id];
    if (!row) continue;
    const pct: Partial<Record<EngineId, Cell>> = {};
    const besideRow: Partial<Record<EngineId, Cell>> = {};
    for (const engine of ENGINES) {
      const v = value(row[engine]);
      if (v === null) continue;
      const isGpu = GPU_ENGINES.includes(engine);
      const cell = row[engine];
      const beside = !isGpu && cell && 'value' in cell ? cell : null;
      const ceiling = isGpu ? gpu : cpu;
      if (ceiling === null && beside?.ofCeilingBeside === undefined) {
        pct[engine] = { unavailable: `the ${isGpu ? 'GPU' : 'wasm'} ceiling was not measured` };
        continue;
      }
      // Ours on N threads: per thread, against one core.
      const threads = beside?.threads ?? 1;
      const notes: string[] = [];
      if (engine === 'jax-wasm') notes.push('jax-js wasm may use several threads; the ceiling is one core');
      else if (threads > 1) notes.push(`per thread (${threads} threads)`);
      // CPU figures: against one core's ceiling sampled around each timed sample, where it was.
      const ratio = beside?.ofCeilingBeside;
      if (ratio !== undefined) {
        notes.push("against one core's ceiling sampled before and after each timed sample");
        if (beside?.ceilingBeside !== undefined) besideRow[engine] = { value: beside.ceilingBeside };
      }
      pct[engine] = {
        value: ratio !== undefined ? (100 * ratio) / threads : (100 * v) / threads / (ceiling as number),
        note: notes.join('; ') || undefined,
      };
    }
    out[`${s.id}-pct`] = pct;
    if (Object.keys(besideRow).length) out[`${s.id}-beside`] = besideRow;
  }
  return out;
}

function ratio(a: Cell | undefined, b: Cell | undefined): number | null {
  const x = value(a);
  const y = value(b);
  return x !== null && y !== null && y > 0 ? x / y : null;
}

function targetStatus(measured: Measured): { target: string; status: string }[] {
  const c = measured.cells;
  const out: { target: string; status: string }[] = [];
  const check = (target: string, r: number | null, want: number, unit = 'x') => {
    const shown = r === null ? null : unit === '%' ? `${r.toFixed(0)}%` : `${r.toFixed(2)}x`;
    out.push({
      target,
      status: shown === null ? 'not measurable (a figure is missing)' : `${r! >= want ? 'met' : 'NOT met'}: ${shown}`,
    });
  };
  // jax-js's core has no Adam: its targets compare the SGD rows (plain SGD on both sides); TF.js's the Adam rows.
  for (const net of ['mlp', 'cnn'] as const) {
    const adam = c[`train-${net}`] ?? {};
    const sgd = c[`train-${net}-sgd`] ?? {};
    check(
      `${net.toUpperCase()} training, ours WebGPU >= 2x jax-js WebGPU (both plain SGD)`,
      ratio(sgd['ours-webgpu'], sgd['jax-webgpu']),
      2,
    );
    check(
      `${net.toUpperCase()} training, ours WebGPU >= 5x TF.js WebGPU (both Adam)`,
      ratio(adam['ours-webgpu'], adam['tfjs-webgpu']),
      5,
    );
  }
  const pct = percentCells(measured);
  for (const id of ['matmul-512', 'matmul-1024']) {
    check(`${id}, ours WebGPU >= 50% of the adapter's FMA ceiling`, value(pct[`${id}-pct`]?.['ours-webgpu']), 50, '%');
  }
  for (const [engine, what] of [
    ['ours-wasm', 'ours wasm matmul >= 60% of one core at every size'],
    ['ours-wasm-mt', 'ours wasm N threads matmul >= 60% of one core per thread at every size'],
  ] as const) {
    const wasmPcts = MATMUL_SHAPES.map((s) => value(pct[`${s.id}-pct`]?.[engine])).filter((v) => v !== null);
    check(what, wasmPcts.length ? Math.min(...(wasmPcts as number[])) : null, 60, '%');
  }
  // jax-js wasm runs a worker per core where the page is cross-origin isolated (as the bench page is), so
  // the page's pair is multi vs multi; single vs single is `bench/wasm-train.ts` in Node (no workers there).
  for (const net of ['mlp', 'cnn'] as const) {
    const row = c[`train-${net}-sgd`] ?? {};
    check(
      `${net.toUpperCase()} training, ours wasm N threads >= 1.5x jax-js wasm (multi vs multi; both plain SGD)`,
      ratio(row['ours-wasm-mt'], row['jax-wasm']),
      1.5,
    );
    check(
      `${net.toUpperCase()} training, ours wasm 1 thread >= 1.5x jax-js wasm (as the page runs it; both plain SGD)`,
      ratio(row['ours-wasm'], row['jax-wasm']),
      1.5,
    );
  }
  return out;
}

/**
 * The first training step's loss per engine: equal initial weights and data give equal losses. It is
 * computed before any update, so the optimiser does not change it: the Adam row's figure where an engine
 * has one, else the SGD row's (jax-js). Where an engine's Adam and SGD runs disagree, the cell says so.
 */
function lossCells(measured: Measured): Record<string, Partial<Record<EngineId, Cell>>> {
  const out: Record<string, Partial<Record<EngineId, Cell>>> = {};
  const first = (c: Cell | undefined) => (c && 'value' in c ? c.firstLoss : undefined);
  for (const net of ['mlp', 'cnn']) {
    const adam = measured.cells[`train-${net}`] ?? {};
    const sgd = measured.cells[`train-${net}-sgd`] ?? {};
    const row: Partial<Record<EngineId, Cell>> = {};
    for (const engine of ENGINES) {
      const a = first(adam[engine]);
      const s = first(sgd[engine]);
      const loss = a ?? s;
      if (loss === undefined) continue;
      const disagree = a !== undefined && s !== undefined && Math.abs(a - s) > 1e-4 * Math.max(1, Math.abs(a));
      row[engine] = disagree
        ? { value: loss, note: `the SGD run's first loss differs: ${s!.toFixed(4)}` }
        : { value: loss, note: a === undefined ? 'from the SGD run' : undefined };
    }
    out[`train-${net}-loss0`] = row;
  }
  return out;
}

/** How many timed steps each training figure is the median of (the issue asks for at least 20). */
function stepCells(measured: Measured): Record<string, Partial<Record<EngineId, Cell>>> {
  const out: Record<string, Partial<Record<EngineId, Cell>>> = {};
  for (const { id } of TRAIN_ROWS) {
    const row: Partial<Record<EngineId, Cell>> = {};
    for (const [engine, cell] of Object.entries(measured.cells[id] ?? {})) {
      if ('value' in cell && cell.samples !== undefined) row[engine as EngineId] = { value: cell.samples };
    }
    out[`${id}-steps`] = row;
  }
  return out;
}

export function buildResults(
  measured: Measured,
  extra: Pick<BenchResults, 'date' | 'command' | 'machine'>,
): BenchResults {
  const cells = { ...measured.cells, ...percentCells(measured), ...stepCells(measured), ...lossCells(measured) };
  const rows: Row[] = ROW_DEFS.filter((d) => cells[d.id] && Object.keys(cells[d.id]).length > 0).map((d) => ({
    ...d,
    cells: cells[d.id],
  }));
  return { ...measured, ...extra, cells, rows, targets: targetStatus(measured) };
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** The markdown tables with numbered reasons for every missing figure. */
export function markdown(r: BenchResults): string {
  const engines = ENGINES.filter((e) => r.rows.some((row) => row.cells[e]));
  const reasons: string[] = [];
  const notes: string[] = [];
  const ref = (list: string[], text: string) => {
    let i = list.indexOf(text);
    if (i < 0) i = list.push(text) - 1;
    return i + 1;
  };
  const cellText = (c: Cell | undefined) => {
    if (!c) return '';
    if ('unavailable' in c) return `n/a [${ref(reasons, c.unavailable)}]`;
    return fmt(c.value) + (c.note ? ` (${ref(notes, c.note)})` : '');
  };
  const lines: string[] = [];
  lines.push(`| measurement | unit | ${engines.map((e) => ENGINE_LABELS[e]).join(' | ')} |`);
  lines.push(`|---|---|${engines.map(() => '---:').join('|')}|`);
  for (const row of r.rows) {
    lines.push(`| ${row.label} | ${row.unit} | ${engines.map((e) => cellText(row.cells[e])).join(' | ')} |`);
  }
  const c = r.ceilings;
  lines.push('', 'Ceilings measured in the same run (the higher of the samples at the start and end of the run):', '');
  lines.push('| ceiling | value | samples |', '|---|---:|---|');
  const samples = (key: 'gpuFmaGflops' | 'gpuCopyGBs' | 'wasmFmaGflops') =>
    c.samples.map((s) => (s[key] === undefined ? '-' : `${s.when} ${fmt(s[key]!)}`)).join(', ');
  lines.push(`| adapter register-only vec4 FMA (GFLOP/s) | ${cellText(c.gpuFmaGflops)} | ${samples('gpuFmaGflops')} |`);
  lines.push(`| adapter copy kernel, read + write (GB/s) | ${cellText(c.gpuCopyGBs)} | ${samples('gpuCopyGBs')} |`);
  lines.push(`| one core, wasm ${c.wasmKind} (GFLOP/s) | ${cellText(c.wasmFmaGflops)} | ${samples('wasmFmaGflops')} |`);
  lines.push('');
  if (notes.length) lines.push('Notes: ' + notes.map((n, i) => `(${i + 1}) ${n}`).join('; ') + '.', '');
  if (reasons.length) {
    lines.push('Not available:', '');
    reasons.forEach((why, i) => lines.push(`- [${i + 1}] ${why}`));
  }
  lines.push('', 'Targets of issue 13 (ratios from this run):', '');
  lines.push('| target | status |', '|---|---|');
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.status} |`);
  return lines.join('\n');
}

/** The header of a results section: machine, adapter, date, command. */
export function environmentText(r: BenchResults): string {
  const a = r.adapter;
  const adapter = a
    ? `${a.vendor} / ${a.architecture} / ${a.device || '-'} / ${a.description || '-'}${a.isSoftware ? ' (software)' : ''}`
    : 'none';
  return [
    `- date: ${r.date}`,
    `- command: \`${r.command}\``,
    `- machine: ${r.machine.nproc} cores, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB`,
    `- browser: ${r.machine.chromium ?? 'none (Node on Dawn)'}; Node ${r.machine.node}`,
    `- WebGPU adapter: ${adapter}`,
    `- run took ${r.elapsedSeconds.toFixed(0)} s`,
    ...r.notes.map((n) => `- ${n}`),
  ].join('\n');
}
