// The Export section: downloads of the current model in every format (safetensors, TF.js, ONNX, a
// PyTorch project, the project file), and import of safetensors and project files: the design is
// replaced (after a confirmation, as one undoable step) only once the weights have loaded and been
// evaluated; a project also restores settings, charts and optimiser state, and can resume training.
import { useState } from 'react';
import { useRunStore, type RunState } from '../store/run';
import { currentDataReference, EngineRequestError, requestSnapshot } from './engine-calls';
import { buildExport, download, EXPORTS, type ExportKind } from './exports';
import { ImportCard } from './ImportCard';
import './export.css';

/** Why no model can be exported now, or null. */
export function exportBlocker(state: RunState, step: number): string | null {
  if (state === 'idle') return 'No model yet: train one in the Train section, or import a file below.';
  if (state === 'starting') return 'The run is starting; wait for the first steps.';
  if (state === 'running') return 'The model is training: pause or stop the run to export it.';
  if (state === 'failed' && step === 0) return 'The last run failed before it trained; fix it and train again.';
  return null;
}

type RowStatus =
  { kind: 'working'; text: string } | { kind: 'done'; text: string } | { kind: 'error'; text: string; hint: string };

/** Lets the browser paint the progress line before the (synchronous) file building starts. */
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 30));

function ExportRow({ kind, blocker }: { kind: ExportKind; blocker: string | null }) {
  const option = EXPORTS.find((e) => e.kind === kind)!;
  const [status, setStatus] = useState<RowStatus | null>(null);
  const working = status?.kind === 'working';

  const run = async () => {
    try {
      setStatus({ kind: 'working', text: 'Reading the weights from the engine…' });
      const snapshot = await requestSnapshot();
      setStatus({ kind: 'working', text: 'Writing the file…' });
      await nextFrame();
      const file = buildExport(kind, snapshot, currentDataReference());
      download(file);
      setStatus({ kind: 'done', text: `Saved ${file.name} (${formatSize(file.bytes.length)}).` });
    } catch (error) {
      const hint =
        error instanceof EngineRequestError
          ? error.hint
          : 'Your model is unchanged. Rename or replace the layer it names in the Design section, train again, and export again.';
      setStatus({ kind: 'error', text: error instanceof Error ? error.message : String(error), hint });
    }
  };

  const id = `export-${kind}`;
  return (
    <li className="export-row">
      <div className="export-text">
        <strong id={`${id}-label`}>{option.label}</strong>
        <span className="muted small" id={`${id}-purpose`}>
          {option.purpose}
        </span>
        {status && (
          <span
            className={`export-status export-status-${status.kind}`}
            role={status.kind === 'error' ? 'alert' : 'status'}
            aria-label={`${option.label}: ${status.kind === 'error' ? 'export failed' : 'export status'}`}
          >
            {status.kind === 'working' && <progress aria-label={`Exporting ${option.label}`} />}
            {status.text}
            {status.kind === 'error' && <span className="muted"> {status.hint}</span>}
          </span>
        )}
      </div>
      <button
        type="button"
        onClick={() => void run()}
        disabled={blocker !== null || working}
        aria-describedby={`${id}-purpose`}
        aria-label={`Download ${option.label}`}
      >
        {working ? 'Exporting…' : 'Download'}
      </button>
    </li>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ExportPanel() {
  const state = useRunStore((s) => s.state);
  const step = useRunStore((s) => s.figures.step);
  const blocker = exportBlocker(state, step);
  return (
    <div className="export">
      <header className="card intro">
        <h1>Export and import</h1>
        <p className="muted">
          Take the trained model out of the browser, carry on training it elsewhere, or bring a model or a whole session
          back in. Files are made and read on this computer; nothing is uploaded.
        </p>
      </header>
      <section className="card" aria-labelledby="export-heading">
        <h2 id="export-heading">Export the current model</h2>
        {blocker && (
          <p className="notice notice-warn" role="status" aria-label="Why nothing can be exported">
            {blocker}
          </p>
        )}
        <ul className="export-list" aria-label="Export formats">
          {EXPORTS.map((e) => (
            <ExportRow key={e.kind} kind={e.kind} blocker={blocker} />
          ))}
        </ul>
      </section>
      <ImportCard />
    </div>
  );
}
