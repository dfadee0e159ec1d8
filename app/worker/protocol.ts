// Messages between the page and the engine worker. Plain data only: the worker owns the GPU device
// and every engine object; the page sees summaries.
import type { AdapterSummary } from '../../src/engine/gpu/device';

export type ToWorker = { type: 'probe' };

export interface ErrorReport {
  name: string;
  message: string;
  hint: string;
}

export type FromWorker =
  | { type: 'gpu-ready'; adapter: AdapterSummary }
  | { type: 'gpu-unavailable'; error: ErrorReport & { reason: string } }
  | { type: 'gpu-error'; error: ErrorReport };
