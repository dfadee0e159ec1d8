// The engine worker: owns the GPU device (acquired here, never on the page), the backend and the
// training run, and answers the page's messages with plain data.
import { cpuBackend } from '../../src/engine/backend/cpu/cpu';
import type { Backend } from '../../src/engine/backend/backend';
import { webgpuBackend } from '../../src/engine/backend/webgpu/webgpu';
import { acquireGpu, type GpuContext } from '../../src/engine/gpu/device';
import { GpuError, GpuUnavailableError } from '../../src/engine/gpu/errors';
import type { ErrorReport, FromWorker, ToWorker } from './protocol';
import { TrainingRun } from './training';

const post = (message: FromWorker, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

let gpu: GpuContext | null = null;
let backend: Backend | null = null;
let run: TrainingRun | null = null;
/** Set when a test asks for a device loss: destroy() then counts as a loss, not a deliberate release. */
let simulatedLoss = false;

function report(error: unknown): ErrorReport {
  if (error instanceof GpuError) return { name: error.name, message: error.message, hint: error.hint };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, hint: 'Reload the page; if it happens again, please report it.' };
}

async function probe(): Promise<void> {
  try {
    const ctx = await acquireGpu();
    gpu = ctx;
    ctx.onError((error) => post({ type: 'gpu-error', error: report(error) }));
    void ctx.lost.then((error) => {
      // The backend dies with its device; the next Start gets a new one.
      gpu = null;
      backend = null;
      if (error.reason === 'destroyed' && !simulatedLoss) return;
      simulatedLoss = false;
      post({ type: 'gpu-error', error: report(error) });
      run?.abort({ text: error.message, hint: error.hint });
    });
    post({ type: 'gpu-ready', adapter: ctx.summary });
  } catch (error) {
    const reason = error instanceof GpuUnavailableError ? error.reason : 'device-request-failed';
    const unavailable =
      error instanceof GpuError ? error : new GpuUnavailableError('device-request-failed', String(error));
    post({ type: 'gpu-unavailable', error: { ...report(unavailable), reason } });
  }
}

/** The WebGPU backend when there is a device (getting a new one after a loss), else the CPU engine. */
async function currentBackend(): Promise<Backend> {
  if (backend) return backend;
  if (!gpu) await probe();
  backend = gpu ? await webgpuBackend(gpu) : cpuBackend();
  return backend;
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
  const current = new TrainingRun(b, post, gpu?.summary.limits);
  run = current;
  const loseDevice = () => {
    simulatedLoss = true;
    gpu?.destroy();
  };
  await current.run(message.design, message.settings, message.data, { ...message.faults, loseDevice });
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
      void probe();
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
  }
};
