// The engine worker: owns the GPU device (acquired here, never on the page), chooses the compute engine
// (WebGPU, WebAssembly or the reference CPU engine: the page's preference, else the rule of
// engine-choice.ts), holds its backend and the training run, and answers the page with plain data.
import { cpuBackend } from '../../src/engine/backend/cpu/cpu';
import type { Backend } from '../../src/engine/backend/backend';
import { webgpuBackend } from '../../src/engine/backend/webgpu/webgpu';
import { WasmBackend, wasmBackend } from '../../src/engine/backend/wasm/wasm';
import { acquireGpu, type GpuContext } from '../../src/engine/gpu/device';
import { GpuError, GpuUnavailableError } from '../../src/engine/gpu/errors';
import type { GpuBufferLimits } from '../../src/engine/graph';
import { autoRule, ENGINE_NAMES, enginesToTry } from './engine-choice';
import type { EngineKind, EnginePreference, EngineReport, ErrorReport, FromWorker, ToWorker } from './protocol';
import { RunError, TrainingRun } from './training';

const post = (message: FromWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

let gpu: GpuContext | null = null;
/** Why there is no GPU, once a probe failed (cleared when a probe succeeds). */
let gpuUnavailable: (ErrorReport & { reason: string }) | null = null;
/** One backend per engine, made on first use and kept, so switching back loses nothing. */
const backends: Partial<Record<EngineKind, Backend>> = {};
/** The engine the next run trains on, once chosen (the first 'probe' chooses it). */
let engine: Promise<{ kind: EngineKind; backend: Backend }> | null = null;
let preference: EnginePreference = 'auto';
let run: TrainingRun | null = null;
/** The run in progress (training, paused), null between runs: the engine cannot change under it. */
let activeRun: TrainingRun | null = null;
/** The engine the current run trains on (a device loss aborts it only when that is WebGPU). */
let runKind: EngineKind | null = null;
/** Set when a test asks for a device loss: destroy() then counts as a loss, not a deliberate release. */
let simulatedLoss = false;
/** The first completed step has been reported (once per worker, i.e. per page load). */
let firstStepPosted = false;

function report(error: unknown): ErrorReport {
  if (error instanceof GpuError) return { name: error.name, message: error.message, hint: error.hint };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, hint: 'Reload the page; if it happens again, please report it.' };
}

/** The probe in flight, so that two callers share one (and one set of device listeners). */
let probing: Promise<void> | null = null;

/** Asks for the GPU once (again after a loss); records the adapter or why there is none. */
function probe(): Promise<void> {
  probing ??= probeOnce().finally(() => (probing = null));
  return probing;
}

async function probeOnce(): Promise<void> {
  try {
    const ctx = await acquireGpu();
    gpu = ctx;
    gpuUnavailable = null;
    ctx.onError((error) => post({ type: 'gpu-error', error: report(error) }));
    void ctx.lost.then((error) => {
      // The backend dies with its device; the next Start on WebGPU gets a new one.
      gpu = null;
      delete backends.webgpu;
      if (error.reason === 'destroyed' && !simulatedLoss) return;
      simulatedLoss = false;
      post({ type: 'gpu-error', error: report(error) });
      if (runKind === 'webgpu') run?.abort({ text: error.message, hint: error.hint });
    });
    post({ type: 'gpu-ready', adapter: ctx.summary });
  } catch (error) {
    const reason = error instanceof GpuUnavailableError ? error.reason : 'device-request-failed';
    const unavailable =
      error instanceof GpuError ? error : new GpuUnavailableError('device-request-failed', String(error));
    gpuUnavailable = { ...report(unavailable), reason };
    post({ type: 'gpu-unavailable', error: gpuUnavailable });
  }
}

/** The wasm backend's worker threads, and why there is only one (the backend says; e.g. no isolation). */
function wasmThreads(b: Backend): { threads: number; reason: string | null } {
  if (!(b instanceof WasmBackend)) return { threads: 1, reason: 'this is not the WebAssembly engine' };
  if (b.threads > 1) return { threads: b.threads, reason: null };
  const fallback = self.crossOriginIsolated
    ? 'the engine runs on one thread'
    : 'the page is not cross-origin isolated (served without the COOP/COEP headers), so it cannot share memory with worker threads';
  return { threads: 1, reason: b.singleThreadReason ?? fallback };
}

/** Makes (or reuses) the backend for one engine; throws when that engine cannot start here. */
async function backendFor(kind: EngineKind): Promise<Backend> {
  const existing = backends[kind];
  if (existing) return existing;
  let made: Backend;
  if (kind === 'webgpu') {
    if (!gpu) await probe();
    if (!gpu) throw new Error(`WebGPU cannot start: ${gpuUnavailable?.message ?? 'no adapter'}`);
    made = await webgpuBackend(gpu);
  } else if (kind === 'wasm') {
    // Every core up to 8 where the page is cross-origin isolated; one thread (and the reason) elsewhere.
    made = await wasmBackend();
  } else {
    made = cpuBackend();
  }
  backends[kind] = made;
  return made;
}

/** How many engine choices were started (the latest one reports to the page). */
let choices = 0;

/** Picks the engine for `wanted` (the rule's pick for 'auto'), falling back when it cannot start. */
async function chooseEngine(wanted: EnginePreference): Promise<{ kind: EngineKind; backend: Backend }> {
  // Only the latest choice reports, so a slow earlier one cannot overwrite what the page shows.
  const mine = ++choices;
  if (!gpu && !gpuUnavailable) await probe();
  const rule = autoRule(gpu?.summary ?? null, gpuUnavailable);
  const target = wanted === 'auto' ? rule.kind : wanted;
  let fallback: EngineReport['fallback'] = null;
  for (const kind of enginesToTry(target)) {
    try {
      const b = await backendFor(kind);
      const threads = kind === 'wasm' ? wasmThreads(b) : null;
      if (mine !== choices) return { kind, backend: b };
      post({
        type: 'engine',
        report: {
          kind,
          preference: wanted,
          rule,
          fallback,
          adapter: gpu?.summary ?? null,
          gpuUnavailable,
          threads: threads?.threads ?? null,
          singleThreadReason: threads?.reason ?? null,
          wasmKernels: b instanceof WasmBackend ? { simd: b.simd, matmulTile: b.matmulTile } : null,
        },
      });
      return { kind, backend: b };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      fallback ??= {
        wanted: target,
        message: `The ${ENGINE_NAMES[target]} engine could not start: ${message.replace(/\.$/, '')}.`,
        hint:
          target === 'webgpu'
            ? 'Training uses the engine below instead. Use a browser with WebGPU enabled (Chrome or Edge 113+), or choose Automatic.'
            : 'Training uses the engine below instead. Reload the page; if it happens again, please report it.',
      };
    }
  }
  throw new Error('No compute engine could start in this browser.');
}

/** Switches the engine for the next run; refused while a run is in progress (its model stays either way). */
function switchEngine(wanted: EnginePreference): void {
  if (activeRun) {
    post({
      type: 'engine-refused',
      message: {
        text: 'The engine cannot change while a run is in progress.',
        hint: 'Stop the run first (your design, settings and trained weights are kept), then switch.',
      },
    });
    return;
  }
  preference = wanted;
  engine = chooseEngine(wanted);
  engine.catch(() => undefined);
}

/**
 * The backend the next run trains on: the chosen engine's (a new WebGPU device after a loss; another
 * engine, with a message, when that fails).
 */
async function currentBackend(): Promise<Backend> {
  engine ??= chooseEngine(preference);
  let chosen = await engine;
  if (!backends[chosen.kind]) {
    engine = chooseEngine(preference);
    chosen = await engine;
  }
  return chosen.backend;
}

/** The GPU's buffer limits when `b` is the WebGPU backend (other engines have no such limits). */
function limitsFor(b: Backend): GpuBufferLimits | undefined {
  return b === backends.webgpu ? gpu?.summary.limits : undefined;
}

async function train(message: Extract<ToWorker, { type: 'train' }>): Promise<void> {
  run?.stop();
  let b: Backend;
  try {
    b = await currentBackend();
  } catch (error) {
    const r = report(error);
    post({ type: 'run-state', state: 'failed', message: { text: r.message, hint: r.hint } });
    return;
  }
  const current = new TrainingRun(b, post, limitsFor(b));
  run = current;
  activeRun = current;
  runKind = b === backends.webgpu ? 'webgpu' : b === backends.wasm ? 'wasm' : 'cpu';
  const loseDevice = () => {
    if (runKind !== 'webgpu') return;
    simulatedLoss = true;
    gpu?.destroy();
  };
  const onFirstStep = (ms: number) => {
    if (firstStepPosted) return;
    firstStepPosted = true;
    post({ type: 'first-step', ms });
  };
  try {
    await current.run(
      message.design,
      message.settings,
      message.data,
      { ...message.faults, loseDevice, onFirstStep },
      message.resume,
    );
  } finally {
    if (activeRun === current) activeRun = null;
  }
}

/** Error text and hint for a failed export or import (a RunError or ModelFileError carries its own hint). */
function failure(error: unknown): { text: string; hint: string } {
  if (error instanceof Error && 'hint' in error && typeof error.hint === 'string') {
    const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : error.message;
    return { text: reason, hint: error.hint };
  }
  const r = report(error);
  return { text: r.message, hint: 'Nothing was changed. Check that the file belongs to this design.' };
}

async function exportModel(id: number): Promise<void> {
  try {
    if (!run)
      throw new RunError(
        'No model has been trained or loaded yet.',
        'Train one in the Train section, or import a file.',
      );
    post({ type: 'model-export', id, snapshot: await run.snapshot() });
  } catch (error) {
    post({ type: 'model-export', id, snapshot: null, message: failure(error) });
  }
}

/** Loads an imported model into a new run; the current run (and model) stays unless the load succeeds. */
async function loadModel(message: Extract<ToWorker, { type: 'load-model' }>): Promise<void> {
  const { id } = message;
  try {
    const b = await currentBackend();
    const loaded = new TrainingRun(b, post, limitsFor(b));
    const result = await loaded.load(
      message.design,
      message.settings,
      message.data,
      message.tensors,
      message.saved,
      message.file,
    );
    run?.stop();
    run = loaded;
    post({ type: 'model-loaded', id, ...result });
  } catch (error) {
    post({ type: 'model-loaded', id, test: null, evaluation: null, message: failure(error) });
  }
}

async function predict(id: number, pixels: Float32Array): Promise<void> {
  try {
    if (!run) throw new Error('No model has been trained yet: press Start first.');
    const probabilities = await run.predict(pixels);
    post({ type: 'prediction', id, probabilities });
  } catch (error) {
    post({
      type: 'prediction',
      id,
      probabilities: null,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'probe':
      // The first probe chooses the engine (the page's saved or URL preference, else the rule).
      if (!engine) switchEngine(message.preference ?? 'auto');
      break;
    case 'use-engine':
      switchEngine(message.preference);
      break;
    case 'train':
      void train(message);
      break;
    case 'pause':
      run?.pause();
      break;
    case 'resume':
      run?.resume();
      break;
    case 'stop':
      run?.stop();
      break;
    case 'reset':
      run?.stop();
      run = null;
      break;
    case 'predict':
      void predict(message.id, message.pixels);
      break;
    case 'export-model':
      void exportModel(message.id);
      break;
    case 'load-model':
      void loadModel(message);
      break;
  }
};
