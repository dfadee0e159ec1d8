// Requests to the engine worker that expect one answer: the current model as a snapshot (for export) and
// loading an imported model. Each request carries an id; the answer with that id settles its promise.
import { SYNTHETIC_SETS, type SyntheticSetKind } from '../../src/data/synthetic';
import type { NamedTensor } from '../../src/export/safetensors';
import type { DataReference } from '../../src/export/project';
import { currentMnistShared, useDataStore } from '../store/data';
import { loadedDataset, useDatasetsStore } from '../store/datasets';
import { onEngineMessage, postToEngine } from '../store/engine';
import type { TrainSettings } from '../store/run';
import type { DataRequest, FromWorker, ModelSnapshot } from '../worker/protocol';

/** A worker answer that reports a failure: what happened and what to do. */
export class EngineRequestError extends Error {
  override name = 'EngineRequestError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

let nextId = 1;

/** Posts a request and resolves with the first answer of `type` carrying its id. */
function request<T extends 'model-export' | 'model-loaded'>(
  type: T,
  send: (id: number) => void,
): Promise<Extract<FromWorker, { type: T }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    const stop = onEngineMessage((m) => {
      if (m.type !== type || (m as { id: number }).id !== id) return;
      stop();
      resolve(m as Extract<FromWorker, { type: T }>);
    });
    send(id);
  });
}

/** The current model, optimiser state and progress; throws EngineRequestError with the worker's reason. */
export async function requestSnapshot(): Promise<ModelSnapshot> {
  const answer = await request('model-export', (id) => postToEngine({ type: 'export-model', id }));
  if (!answer.snapshot) {
    throw new EngineRequestError(
      answer.message?.text ?? 'The engine sent no model.',
      answer.message?.hint ?? 'Train a model first.',
    );
  }
  return answer.snapshot;
}

/** Loads `tensors` into a model compiled from `design` and evaluates it; the answer says how it went. */
export function loadInEngine(message: {
  design: unknown;
  settings: TrainSettings;
  data: DataRequest;
  tensors: NamedTensor[];
  saved?: Pick<ModelSnapshot, 'optimizer' | 'progress'>;
  file: string;
}): Promise<Extract<FromWorker, { type: 'model-loaded' }>> {
  return request('model-loaded', (id) => postToEngine({ type: 'load-model', id, ...message }));
}

/** The data the current session trains on, as a project file records it. */
export function currentDataReference(): DataReference {
  const { choice, synthetic, datasetId } = useDataStore.getState();
  if (choice === 'mnist') return { kind: 'mnist' };
  if (choice === 'dataset') {
    const name =
      loadedDataset(datasetId)?.name ?? useDatasetsStore.getState().kept.find((d) => d.id === datasetId)?.name;
    return { kind: 'dataset', id: datasetId ?? '', name: name ?? 'your data set' };
  }
  return { kind: 'synthetic', set: choice, options: { ...synthetic } };
}

/**
 * What the worker needs to evaluate on `ref` (starting the MNIST download if needed), or a sentence
 * saying why it cannot.
 */
export function dataRequestFor(ref: DataReference): DataRequest | string {
  if (ref.kind === 'synthetic') {
    if (!(ref.set in SYNTHETIC_SETS))
      return `it was trained on the data set "${ref.set}", which this page does not have`;
    const { synthetic } = useDataStore.getState();
    return { kind: 'synthetic', options: { ...synthetic, ...ref.options, kind: ref.set as SyntheticSetKind } };
  }
  if (ref.kind === 'dataset') {
    const dataset = loadedDataset(ref.id);
    if (!dataset) {
      return `it was trained on your data set "${ref.name}", which is not the one in use: choose it under "Your data" in the Data section, then import again`;
    }
    return { kind: 'dataset', dataset };
  }
  useDataStore.getState().loadMnist();
  const shared = currentMnistShared();
  if (!shared) {
    return 'MNIST needs a cross-origin isolated page to reach the engine worker; serve the app with the COOP/COEP headers (see the README)';
  }
  return { kind: 'mnist', shared };
}
