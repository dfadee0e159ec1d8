// Which compute engine the app has (the WebGPU adapter the worker got, or why there is none), and the
// one channel to the engine worker: postToEngine() sends, onEngineMessage() listens.
import { create } from 'zustand';
import type { AdapterSummary } from '../../src/engine/gpu/device';
import type { ErrorReport, FromWorker, ToWorker } from '../worker/protocol';

export type EngineStatus =
  | { state: 'probing' }
  | { state: 'webgpu'; adapter: AdapterSummary }
  | { state: 'cpu'; reason: ErrorReport & { reason: string } };

interface EngineStore {
  status: EngineStatus;
  /** The last asynchronous GPU error (device lost, validation), shown until dismissed. */
  gpuError: ErrorReport | null;
  dismissGpuError(): void;
}

export const useEngineStore = create<EngineStore>()((set) => ({
  status: { state: 'probing' },
  gpuError: null,
  dismissGpuError: () => set({ gpuError: null }),
}));

let worker: Worker | undefined;
const listeners = new Set<(message: FromWorker) => void>();

/** Subscribes to every message from the engine worker; returns the unsubscribe function. */
export function onEngineMessage(listener: (message: FromWorker) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Sends a message to the engine worker (started on first use). */
export function postToEngine(message: ToWorker, transfer: Transferable[] = []): void {
  startEngine();
  worker!.postMessage(message, transfer);
}

function handleEngineStatus(message: FromWorker): void {
  if (message.type === 'gpu-ready') useEngineStore.setState({ status: { state: 'webgpu', adapter: message.adapter } });
  else if (message.type === 'gpu-unavailable')
    useEngineStore.setState({ status: { state: 'cpu', reason: message.error } });
  else if (message.type === 'gpu-error') useEngineStore.setState({ gpuError: message.error });
}

/** Starts the engine worker once and asks it which GPU it has. */
export function startEngine(): void {
  if (worker) return;
  worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  listeners.add(handleEngineStatus);
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    for (const listener of listeners) listener(event.data);
  };
  worker.onerror = (event) =>
    useEngineStore.setState({
      status: {
        state: 'cpu',
        reason: {
          name: 'WorkerError',
          reason: 'worker-failed',
          message: `The engine worker failed to start: ${event.message || 'unknown error'}.`,
          hint: 'Reload the page. If it keeps failing, your browser may block module workers.',
        },
      },
    });
  worker.postMessage({ type: 'probe' } satisfies ToWorker);
}
