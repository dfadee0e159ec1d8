// The engine worker: owns the GPU device (acquired here, never on the page) and reports its state.
import { acquireGpu } from '../../src/engine/gpu/device';
import { GpuError, GpuUnavailableError } from '../../src/engine/gpu/errors';
import type { ErrorReport, FromWorker, ToWorker } from './protocol';

const post = (message: FromWorker) => self.postMessage(message);

function report(error: unknown): ErrorReport {
  if (error instanceof GpuError) return { name: error.name, message: error.message, hint: error.hint };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, hint: 'Reload the page; if it happens again, please report it.' };
}

async function probe(): Promise<void> {
  try {
    const ctx = await acquireGpu();
    ctx.onError((error) => post({ type: 'gpu-error', error: report(error) }));
    void ctx.lost.then((error) => error.reason !== 'destroyed' && post({ type: 'gpu-error', error: report(error) }));
    post({ type: 'gpu-ready', adapter: ctx.summary });
  } catch (error) {
    const reason = error instanceof GpuUnavailableError ? error.reason : 'device-request-failed';
    const unavailable =
      error instanceof GpuError ? error : new GpuUnavailableError('device-request-failed', String(error));
    post({ type: 'gpu-unavailable', error: { ...report(unavailable), reason } });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type === 'probe') void probe();
};
