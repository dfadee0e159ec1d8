// Which compute engine the app trains on (WebGPU, WebAssembly or the reference CPU engine), why, and the
// person's choice (saved in localStorage; `?engine=webgpu|wasm|cpu` in the address forces one), plus the
// one channel to the engine worker: postToEngine() sends, onEngineMessage() listens.
import { create } from 'zustand';
import type { AdapterSummary } from '../../src/engine/gpu/device';
import { parsePreference } from '../worker/engine-choice';
import type { EnginePreference, EngineReport, ErrorReport, FromWorker, ToWorker } from '../worker/protocol';

/** The engine in use. `webgpu` carries its adapter (the designer checks layer sizes against its limits). */
export type EngineStatus =
  | { state: 'probing' }
  | { state: 'webgpu'; adapter: AdapterSummary; report: EngineReport }
  | { state: 'wasm'; report: EngineReport }
  | { state: 'cpu'; report: EngineReport }
  | { state: 'failed'; error: ErrorReport };

/** Where the preference came from: the address (?engine=), the person's saved choice, or neither. */
export type EngineSource = 'url' | 'saved' | 'auto';

interface EngineStore {
  status: EngineStatus;
  /** The WebGPU adapter the worker found (whichever engine is in use), or why there is none. */
  adapter: AdapterSummary | null;
  gpuUnavailable: (ErrorReport & { reason: string }) | null;
  preference: EnginePreference;
  source: EngineSource;
  /** A switch was asked for and the worker has not answered yet. */
  switching: boolean;
  /** The worker refused a switch (a run was in progress), shown until the next switch. */
  refused: { text: string; hint: string } | null;
  /** The last asynchronous GPU error (device lost, validation), shown until dismissed. */
  gpuError: ErrorReport | null;
  dismissGpuError(): void;
  /** Switches engine for the next run and saves the choice ('auto' forgets it). */
  choose(preference: EnginePreference): void;
}

/** localStorage key of the person's engine choice. */
export const ENGINE_STORAGE_KEY = 'playground:engine';
/** The performance mark set when the first training step of this page load has completed. */
export const FIRST_STEP_MARK = 'playground:first-step';

function initialPreference(): { preference: EnginePreference; source: EngineSource } {
  const fromUrl =
    typeof location === 'undefined' ? null : parsePreference(new URLSearchParams(location.search).get('engine'));
  if (fromUrl) return { preference: fromUrl, source: 'url' };
  let saved: EnginePreference | null = null;
  try {
    saved = parsePreference(localStorage.getItem(ENGINE_STORAGE_KEY));
  } catch {
    // Storage blocked (private mode, policy): the automatic rule applies.
  }
  return saved && saved !== 'auto' ? { preference: saved, source: 'saved' } : { preference: 'auto', source: 'auto' };
}

function saveChoice(preference: EnginePreference): void {
  try {
    if (preference === 'auto') localStorage.removeItem(ENGINE_STORAGE_KEY);
    else localStorage.setItem(ENGINE_STORAGE_KEY, preference);
  } catch {
    // Not saved; the choice still holds for this page.
  }
  // A choice made here replaces one forced by the address, so that a reload keeps what the person chose.
  const query = new URLSearchParams(location.search);
  if (query.has('engine')) {
    query.delete('engine');
    const search = query.toString();
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }
}

export const useEngineStore = create<EngineStore>()((set) => ({
  status: { state: 'probing' },
  adapter: null,
  gpuUnavailable: null,
  ...initialPreference(),
  switching: false,
  refused: null,
  gpuError: null,
  dismissGpuError: () => set({ gpuError: null }),
  choose: (preference) => {
    saveChoice(preference);
    set({ preference, source: preference === 'auto' ? 'auto' : 'saved', switching: true, refused: null });
    postToEngine({ type: 'use-engine', preference });
  },
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

function statusOf(report: EngineReport): EngineStatus {
  if (report.kind === 'webgpu' && report.adapter) return { state: 'webgpu', adapter: report.adapter, report };
  return report.kind === 'wasm' ? { state: 'wasm', report } : { state: 'cpu', report };
}

function handleEngineStatus(message: FromWorker): void {
  switch (message.type) {
    case 'engine':
      useEngineStore.setState({
        status: statusOf(message.report),
        adapter: message.report.adapter,
        gpuUnavailable: message.report.gpuUnavailable,
        switching: false,
      });
      break;
    case 'engine-refused':
      useEngineStore.setState({ refused: message.message, switching: false });
      break;
    case 'gpu-ready':
      useEngineStore.setState({ adapter: message.adapter, gpuUnavailable: null });
      break;
    case 'gpu-unavailable':
      useEngineStore.setState({ adapter: null, gpuUnavailable: message.error });
      break;
    case 'gpu-error':
      useEngineStore.setState({ gpuError: message.error });
      break;
    case 'first-step':
      // Once per page load: the benchmark reads this mark (ms since navigation start).
      if (performance.getEntriesByName(FIRST_STEP_MARK).length === 0) performance.mark(FIRST_STEP_MARK);
      break;
  }
}

/** Starts the engine worker once and asks it to choose the engine (the saved or forced choice, else the rule). */
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
        state: 'failed',
        error: {
          name: 'WorkerError',
          message: `The engine worker failed to start: ${event.message || 'unknown error'}.`,
          hint: 'Reload the page. If it keeps failing, your browser may block module workers.',
        },
      },
    });
  worker.postMessage({ type: 'probe', preference: useEngineStore.getState().preference } satisfies ToWorker);
}

/** A short name of the engine in use, for figures and badges ("WebGPU", "WebAssembly · 2 threads"). */
export function engineLabel(status: EngineStatus): string {
  switch (status.state) {
    case 'probing':
      return 'choosing…';
    case 'failed':
      return 'none';
    case 'webgpu':
      return 'WebGPU';
    case 'wasm':
      return `WebAssembly · ${threadsText(status.report.threads ?? 1)}`;
    case 'cpu':
      return 'CPU (reference)';
  }
}

export function threadsText(threads: number): string {
  return threads > 1 ? `${threads} threads` : 'single-threaded';
}

const NAMES: Record<EngineReport['kind'], string> = {
  webgpu: 'WebGPU',
  wasm: 'WebAssembly',
  cpu: 'the reference CPU engine',
};

/** The engine in use with its threads: "WebGPU", "WebAssembly (4 threads)", "WebAssembly (single-threaded)". */
export function engineTitle(report: EngineReport): string {
  if (report.kind !== 'wasm') return NAMES[report.kind];
  return `WebAssembly (${threadsText(report.threads ?? 1)})`;
}

/** Why this engine runs: the rule's reason, the person's choice, the address, or a failed start. */
export function engineReason(report: EngineReport, source: EngineSource): string {
  const ruleName = NAMES[report.rule.kind];
  const rule = `The automatic choice here would be ${ruleName}, because ${report.rule.why}.`;
  if (report.fallback) return `${NAMES[report.fallback.wanted]} was asked for but could not start here (see below).`;
  if (source === 'url') return `forced by ?engine=${report.preference} in the address. ${rule}`;
  if (source === 'saved') {
    return report.rule.kind === report.kind
      ? `your choice, saved in this browser (the automatic choice agrees: ${report.rule.why}).`
      : `your choice, saved in this browser. ${rule}`;
  }
  return `${report.rule.why}.`;
}

/** One or two sentences: which engine runs and why ("WebAssembly (4 threads): this GPU adapter is ..."). */
export function engineExplanation(report: EngineReport, source: EngineSource): string {
  if (report.fallback) return `${engineTitle(report)} runs instead: ${report.fallback.message}`;
  return `${engineTitle(report)}: ${engineReason(report, source)}`;
}
