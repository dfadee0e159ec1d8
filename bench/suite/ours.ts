// Our engines' measurements, the same in the browser page and in Node on Dawn: matmul through the webgpu
// backend's primitive and the wasm kernels, conv2d through the kernels of src/kernels/conv2d.ts and
// src/wasm/, and training through Sequential + Optimizer + Trainer (src/engine/index.ts), each net once
// with Adam (compared with TF.js) and once with plain SGD (compared with jax-js, whose core has no Adam).
// Our modules are imported dynamically inside each measurement, so a part that is missing or broken turns
// into an "unavailable" cell with its error instead of stopping the run.
import {
  ADAM,
  attempt,
  batchData,
  CNN_BATCH,
  cnnWeights,
  CONV,
  gflopsCell,
  MATMUL_SHAPES,
  mlpWeights,
  MLP_BATCH,
  progress,
  SGD_LR,
  timePerRep,
  trainThroughput,
  uniform,
  type Budget,
  type Cell,
  type MatmulShape,
} from './common';
import { wasmCeilingSampler } from './ceilings';

import type * as EngineModule from '../../src/engine/index';
import type { WasmKernels } from '../../src/wasm/kernels';

type Engine = typeof EngineModule;
type WebGpuBackend = InstanceType<Engine['WebGpuBackend']>;

/** Results of our part, keyed by row id. */
export type OurCells = Record<string, { webgpu?: Cell; wasm?: Cell; wasmThreads?: Cell }>;

/** Our two wasm columns: one thread, and the default thread count (every core up to 8). */
type WasmColumn = 'wasm' | 'wasmThreads';

export interface OursContext {
  gpu: GPU | undefined;
  budget: Budget;
  shapes: MatmulShape[];
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSoftware: boolean;
}

async function gpuBackend(gpu: GPU | undefined): Promise<{ backend: WebGpuBackend; adapter: AdapterReport }> {
  const { acquireGpu } = await import('../../src/engine/gpu/device');
  const { webgpuBackend } = await import('../../src/engine/index');
  const ctx = await acquireGpu(gpu);
  const s = ctx.summary;
  const backend = await webgpuBackend(ctx);
  return {
    backend,
    adapter: {
      vendor: s.vendor,
      architecture: s.architecture,
      device: s.device,
      description: s.description,
      isSoftware: s.isSoftware,
    },
  };
}

function set(out: OurCells, row: string, engine: 'webgpu' | WasmColumn, cell: Cell): void {
  (out[row] ??= {})[engine] = cell;
}

const msCell = (t: { seconds: number; samples: number }): Cell => ({ value: t.seconds * 1000, samples: t.samples });

// ---------------------------------------------------------------------------------------------------------
// WebGPU

async function webgpuMatmul(backend: WebGpuBackend, shape: MatmulShape, budget: Budget): Promise<Cell> {
  const { m, k, n } = shape;
  const a = backend.alloc(m * k, 'f32', 'bench A');
  const b = backend.alloc(k * n, 'f32', 'bench B');
  const out = backend.alloc(m * n, 'f32', 'bench out');
  try {
    backend.write(a, uniform(m * k, 1));
    backend.write(b, uniform(k * n, 2));
    const t = await timePerRep(async (reps) => {
      for (let i = 0; i < reps; i++) {
        backend.run.matmul({ a, b, out, m, k, n, transA: false, transB: false, activation: 'none' });
      }
      backend.flush();
      await backend.device.queue.onSubmittedWorkDone();
    }, budget.kernelSeconds);
    return gflopsCell(2 * m * k * n, t);
  } finally {
    backend.free(a);
    backend.free(b);
    backend.free(out);
  }
}

async function webgpuConv(backend: WebGpuBackend, budget: Budget): Promise<Record<string, Cell>> {
  const kernels = await import('../../src/kernels/conv2d');
  const { device, rt } = backend;
  const shape = { ...CONV, strideH: 1, strideW: 1, padTop: 0, padLeft: 0 };
  const xLen = CONV.batch * CONV.inH * CONV.inW * CONV.inC;
  const fLen = CONV.kh * CONV.kw * CONV.inC * CONV.outC;
  const yLen = CONV.batch * CONV.outH * CONV.outW * CONV.outC;
  const buffer = (data: Float32Array) => {
    const b = device.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const x = buffer(uniform(xLen, 3, 0, 1));
  const filter = buffer(uniform(fLen, 4));
  const dy = buffer(uniform(yLen, 5));
  const y = buffer(new Float32Array(yLen));
  const dx = buffer(new Float32Array(xLen));
  const dFilter = buffer(new Float32Array(fLen));
  const runner = (record: (pass: GPUComputePassEncoder) => void) => async (reps: number) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let i = 0; i < reps; i++) record(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  try {
    const fwd = await timePerRep(
      runner((pass) => kernels.conv2d(rt, pass, { ...shape, x, filter, out: y })),
      budget.kernelSeconds,
    );
    const bwdInput = await timePerRep(
      runner((pass) => kernels.conv2dBackwardInput(rt, pass, { ...shape, dy, filter, dx })),
      budget.kernelSeconds,
    );
    const bwdFilter = await timePerRep(
      runner((pass) => kernels.conv2dBackwardFilter(rt, pass, { ...shape, x, dy, dFilter })),
      budget.kernelSeconds,
    );
    return {
      'conv-forward': msCell(fwd),
      'conv-backward-input': msCell(bwdInput),
      'conv-backward-filter': msCell(bwdFilter),
      'conv-total': { value: (fwd.seconds + bwdInput.seconds + bwdFilter.seconds) * 1000 },
    };
  } finally {
    for (const b of [x, filter, dy, y, dx, dFilter]) b.destroy();
  }
}

/** The optimisers our training cells run: Adam (beside TF.js) and plain SGD (beside jax-js, whose core has no Adam). */
export type TrainOptimizer = 'adam' | 'sgd';

function optimizerFor(engine: Engine, kind: TrainOptimizer): InstanceType<Engine['Optimizer']> {
  return new engine.Optimizer(kind === 'adam' ? { kind: 'adam', ...ADAM } : { kind: 'sgd', lr: SGD_LR, momentum: 0 });
}

/** MLP 784-500-10 training on any backend of ours, Adam or plain SGD, from the shared initial weights. */
export async function trainMlp(
  backendOf: () => Promise<unknown>,
  budget: Budget,
  optimizerKind: TrainOptimizer = 'adam',
): Promise<Cell> {
  const engine = await import('../../src/engine/index');
  const backend = (await backendOf()) as ConstructorParameters<Engine['Sequential']>[2];
  const model = new engine.Sequential(
    [new engine.Dense({ units: 500, activation: 'relu' }), new engine.Dense({ units: 10 })],
    [784],
    backend,
  );
  model.setWeights(mlpWeights());
  const optimizer = optimizerFor(engine, optimizerKind);
  const trainer = new engine.Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 1 });
  const { x, y } = batchData(MLP_BATCH, 7);
  try {
    const { cell, losses } = await trainThroughput(
      async () => {
        await trainer.trainStep(x, y);
        const report = await trainer.readMetrics();
        return report ? report.loss : Number.NaN;
      },
      MLP_BATCH,
      budget,
    );
    progress(`    losses ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}`);
    return cell;
  } finally {
    trainer.dispose();
    model.dispose();
    // A wasm backend is made for each training cell; the shared webgpu backend is destroyed at the end.
    if (backend.name !== 'webgpu') backend.destroy();
  }
}

/** The classic CNN on any backend of ours, Adam or plain SGD, from the shared initial weights (HWIO conv kernel). */
export async function trainCnn(
  backendOf: () => Promise<unknown>,
  budget: Budget,
  optimizerKind: TrainOptimizer = 'adam',
): Promise<Cell> {
  const e = await import('../../src/engine/index');
  const backend = (await backendOf()) as ConstructorParameters<Engine['Sequential']>[2];
  const model = new e.Sequential(
    [
      new e.Conv2D({ filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }),
      new e.MaxPool2D({ poolSize: 2, strides: 2 }),
      new e.Flatten(),
      new e.Dense({ units: 128, activation: 'relu' }),
      new e.Dense({ units: 10 }),
    ],
    [28, 28, 1],
    backend,
  );
  model.setWeights(cnnWeights());
  const trainer = new e.Trainer(model, optimizerFor(e, optimizerKind), {
    loss: 'softmax-cross-entropy',
    stepsPerReadback: 1,
  });
  const { x, y } = batchData(CNN_BATCH, 8);
  try {
    const { cell, losses } = await trainThroughput(
      async () => {
        await trainer.trainStep(x, y);
        const report = await trainer.readMetrics();
        return report ? report.loss : Number.NaN;
      },
      CNN_BATCH,
      budget,
    );
    progress(`    losses ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}`);
    return cell;
  } finally {
    trainer.dispose();
    model.dispose();
    // A wasm backend is made for each training cell; the shared webgpu backend is destroyed at the end.
    if (backend.name !== 'webgpu') backend.destroy();
  }
}

/** Our training cells: each net with Adam (row `train-<net>`) and with plain SGD (row `train-<net>-sgd`). */
const TRAIN_ROWS: { id: string; net: 'mlp' | 'cnn'; optimizer: TrainOptimizer; what: string }[] = [
  { id: 'train-mlp', net: 'mlp', optimizer: 'adam', what: 'MLP Adam' },
  { id: 'train-mlp-sgd', net: 'mlp', optimizer: 'sgd', what: 'MLP SGD' },
  { id: 'train-cnn', net: 'cnn', optimizer: 'adam', what: 'CNN Adam' },
  { id: 'train-cnn-sgd', net: 'cnn', optimizer: 'sgd', what: 'CNN SGD' },
];

// ---------------------------------------------------------------------------------------------------------
// WebAssembly

function wasmTimer(seconds: number, beside?: () => number) {
  return (run: () => void) =>
    timePerRep(
      async (reps) => {
        for (let i = 0; i < reps; i++) run();
      },
      seconds,
      beside,
    );
}

async function wasmMatmul(kernels: WasmKernels, shape: MatmulShape, budget: Budget): Promise<Cell> {
  const { m, k, n } = shape;
  const a = kernels.alloc(m * k, 'bench A');
  const b = kernels.alloc(k * n, 'bench B');
  const out = kernels.alloc(m * n, 'bench out');
  try {
    kernels.write(a, uniform(m * k, 1));
    kernels.write(b, uniform(k * n, 2));
    const t = await wasmTimer(
      budget.kernelSeconds,
      await wasmCeilingSampler(),
    )(() => kernels.matmul({ a, b, out, m, k, n, transA: false, transB: false, activation: 'none' }));
    const threads = kernels.threads;
    const cell = gflopsCell(
      2 * m * k * n,
      t,
      `${kernels.simd} SIMD, ${kernels.matmulTile} tile, ${threads} thread${threads > 1 ? 's' : ''}`,
    );
    return { ...cell, threads };
  } finally {
    kernels.free(a);
    kernels.free(b);
    kernels.free(out);
  }
}

async function wasmConv(kernels: WasmKernels, budget: Budget): Promise<Record<string, Cell>> {
  const { conv2dGeometry } = await import('../../src/engine/ref/shapes');
  const geometry = conv2dGeometry(
    'bench conv',
    [CONV.batch, CONV.inH, CONV.inW, CONV.inC],
    [CONV.kh, CONV.kw, CONV.inC, CONV.outC],
  );
  const xLen = CONV.batch * CONV.inH * CONV.inW * CONV.inC;
  const fLen = CONV.kh * CONV.kw * CONV.inC * CONV.outC;
  const yLen = CONV.batch * CONV.outH * CONV.outW * CONV.outC;
  const x = kernels.alloc(xLen, 'x');
  const filter = kernels.alloc(fLen, 'filter');
  const dy = kernels.alloc(yLen, 'dy');
  const y = kernels.alloc(yLen, 'y');
  const dx = kernels.alloc(xLen, 'dx');
  const dFilter = kernels.alloc(fLen, 'dFilter');
  kernels.write(x, uniform(xLen, 3, 0, 1));
  kernels.write(filter, uniform(fLen, 4));
  kernels.write(dy, uniform(yLen, 5));
  const time = wasmTimer(budget.kernelSeconds);
  try {
    const fwd = await time(() => kernels.conv2d({ x, filter, out: y, geometry, activation: 'none' }));
    const bwdInput = await time(() => kernels.conv2dBackwardInput({ dy, filter, dx, geometry }));
    const bwdFilter = await time(() => kernels.conv2dBackwardFilter({ x, dy, dFilter, geometry }));
    return {
      'conv-forward': msCell(fwd),
      'conv-backward-input': msCell(bwdInput),
      'conv-backward-filter': msCell(bwdFilter),
      'conv-total': { value: (fwd.seconds + bwdInput.seconds + bwdFilter.seconds) * 1000 },
    };
  } finally {
    for (const p of [x, filter, dy, y, dx, dFilter]) kernels.free(p);
  }
}

/**
 * Our wasm training backend (src/engine/backend/wasm): the SIMD kernels behind the Backend interface, on
 * `threads` threads (default: every core up to 8, where the page is cross-origin isolated or in Node).
 */
export async function wasmTrainingBackend(threads?: number): Promise<unknown> {
  const { wasmBackend } = await import('../../src/engine/index');
  return wasmBackend({ threads });
}

/** Adds the thread count to a measured cell (and to its note), or leaves a missing one as it is. */
function withThreads(cell: Cell, threads: number): Cell {
  if ('unavailable' in cell) return cell;
  const says = `${threads} thread${threads > 1 ? 's' : ''}`;
  return {
    ...cell,
    threads,
    note: cell.note?.includes('thread') ? cell.note : [cell.note, says].filter(Boolean).join(', '),
  };
}

// ---------------------------------------------------------------------------------------------------------

/** Our wasm kernels and training on `threads` threads into `column`. */
async function measureWasm(
  cells: OurCells,
  column: WasmColumn,
  threads: number | undefined,
  { shapes, budget }: OursContext,
): Promise<void> {
  let kernels: WasmKernels | null = null;
  let kernelsError = '';
  try {
    const { loadWasmKernels } = await import('../../src/wasm/kernels');
    kernels = await loadWasmKernels({ threads });
    if (threads === undefined && kernels.threads === 1) {
      kernelsError = `one thread only here: ${kernels.singleThreadReason}`;
      kernels = null;
    }
  } catch (e) {
    kernelsError = `our wasm kernels did not load: ${(e as Error).message}`;
  }
  const label = threads === 1 ? 'ours wasm 1 thread' : `ours wasm ${kernels?.threads ?? 'N'} threads`;
  for (const shape of shapes) {
    progress(`${label} ${shape.id}`);
    const k = kernels;
    set(
      cells,
      shape.id,
      column,
      k ? await attempt('wasm matmul', () => wasmMatmul(k, shape, budget)) : { unavailable: kernelsError },
    );
  }
  progress(`${label} conv2d`);
  if (kernels) {
    const k = kernels;
    try {
      for (const [row, cell] of Object.entries(await wasmConv(k, budget))) {
        set(cells, row, column, withThreads(cell, k.threads));
      }
    } catch (e) {
      set(cells, 'conv-forward', column, { unavailable: `wasm conv2d failed: ${(e as Error).message}` });
    }
  } else {
    set(cells, 'conv-forward', column, { unavailable: kernelsError });
  }
  if (!kernels) {
    for (const row of TRAIN_ROWS) set(cells, row.id, column, { unavailable: kernelsError });
    return;
  }
  const used = kernels.threads;
  kernels.stopThreads();
  progress(`${label} training`);
  const backend = () => wasmTrainingBackend(threads);
  for (const row of TRAIN_ROWS) {
    const train = row.net === 'mlp' ? trainMlp : trainCnn;
    const cell = await attempt(`wasm ${row.what} training`, () => train(backend, budget, row.optimizer));
    set(cells, row.id, column, withThreads(cell, used));
  }
}

/** Runs every measurement of ours; returns the cells and the adapter our backend got. */
export async function measureOurs(ctx: OursContext): Promise<{ cells: OurCells; adapter: AdapterReport | null }> {
  const cells: OurCells = {};
  const { budget } = ctx;
  let adapter: AdapterReport | null = null;

  // WebGPU
  let backend: WebGpuBackend | null = null;
  let backendError = '';
  try {
    const got = await gpuBackend(ctx.gpu);
    backend = got.backend;
    adapter = got.adapter;
  } catch (e) {
    backendError = `our webgpu backend did not start: ${(e as Error).message}`;
  }
  for (const shape of ctx.shapes) {
    progress(`ours webgpu ${shape.id}`);
    const b = backend;
    set(
      cells,
      shape.id,
      'webgpu',
      b ? await attempt('matmul', () => webgpuMatmul(b, shape, budget)) : { unavailable: backendError },
    );
  }
  progress('ours webgpu conv2d');
  if (backend) {
    const b = backend;
    try {
      for (const [row, cell] of Object.entries(await webgpuConv(b, budget))) set(cells, row, 'webgpu', cell);
    } catch (e) {
      set(cells, 'conv-forward', 'webgpu', { unavailable: `conv2d kernels failed: ${(e as Error).message}` });
    }
  }
  for (const row of TRAIN_ROWS) {
    progress(`ours webgpu ${row.what} training`);
    const b = backend;
    const train = row.net === 'mlp' ? trainMlp : trainCnn;
    set(
      cells,
      row.id,
      'webgpu',
      b
        ? await attempt(`${row.what} training`, () => train(async () => b, budget, row.optimizer))
        : { unavailable: backendError },
    );
  }
  backend?.destroy();

  // WebAssembly: one thread, then the default thread count (the second column says why it is 1 if it is).
  for (const [column, threads] of [
    ['wasm', 1],
    ['wasmThreads', undefined],
  ] as const) {
    await measureWasm(cells, column, threads, ctx);
  }
  return { cells, adapter };
}

export { MATMUL_SHAPES };
