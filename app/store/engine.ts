// Which compute engine the app has: the WebGPU adapter the worker got, or why there is none.
import { create } from 'zustand';
import type { AdapterSummary } from '../../src/engine/gpu/device';
import type { ErrorReport, FromWorker } from '../worker/protocol';

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

/** Starts the engine worker once and asks it which GPU it has. */
export function startEngine(): void {
  if (worker) return;
  worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === 'gpu-ready')
      useEngineStore.setState({ status: { state: 'webgpu', adapter: message.adapter } });
    else if (message.type === 'gpu-unavailable')
      useEngineStore.setState({ status: { state: 'cpu', reason: message.error } });
    else useEngineStore.setState({ gpuError: message.error });
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
  worker.postMessage({ type: 'probe' });
}
