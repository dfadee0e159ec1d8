// Import in the Export section: a drop zone and a file picker for .safetensors weights and project
// files, the confirmation before the current design is replaced, progress while the engine loads and
// evaluates the model, and the result (or the reason a file was refused, naming it).
import { useRef, useState, type DragEvent } from 'react';
import { MAX_IMPORT_BYTES } from '../../src/export/project';
import { useRunStore } from '../store/run';
import { formatPercent } from '../train/format';
import { formatMegabytes, IMPORT_ACCEPT, type Imported } from './imports';
import { cancelImport, chooseFile, confirmImport, resumeBlocker, resumeProject, useImportStore } from './import-store';

const ACTIVE = ['starting', 'running', 'paused'];

function describe(imported: Imported): string {
  if (imported.kind === 'weights') {
    return `Weights for "${imported.design.name}" (${imported.tensors.length} tensors, ${formatMegabytes(imported.bytes)}).`;
  }
  const { project } = imported;
  return (
    `Project "${project.design.name}": ${project.progress.stepCount.toLocaleString('en-US')} steps, ` +
    `${project.progress.epoch} epoch${project.progress.epoch === 1 ? '' : 's'} trained with ${project.settings.optimizer}` +
    ` (${formatMegabytes(imported.bytes)}).`
  );
}

function Confirm({ imported }: { imported: Imported }) {
  return (
    <div className="notice notice-warn import-confirm" role="alertdialog" aria-label="Replace the current design?">
      <strong>{describe(imported)}</strong>
      <p>
        Loading it replaces the current design
        {imported.kind === 'project' ? ', training settings and charts' : ' and the trained weights'}. The current
        design stays in the undo history (Undo in the Design section brings it back).
      </p>
      <div className="import-actions">
        <button type="button" className="primary" onClick={() => void confirmImport(imported)}>
          Replace and load
        </button>
        <button type="button" onClick={cancelImport}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ResumeButton() {
  const saved = useImportStore((s) => s.project);
  const settings = useRunStore((s) => s.settings);
  const state = useRunStore((s) => s.state);
  if (!saved) return null;
  const blocker = resumeBlocker(saved.project, settings, state);
  return (
    <div className="import-actions">
      <button
        type="button"
        className="primary"
        disabled={blocker !== null}
        aria-describedby={blocker ? 'resume-blocker' : undefined}
        onClick={() => {
          resumeProject();
          window.location.hash = '#/train';
        }}
      >
        Resume training
      </button>
      {blocker && (
        <span className="muted small" id="resume-blocker">
          {blocker}
        </span>
      )}
    </div>
  );
}

export function ImportCard() {
  const status = useImportStore((s) => s.status);
  const runState = useRunStore((s) => s.state);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const busy = status.step === 'reading' || status.step === 'loading' || ACTIVE.includes(runState);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file && !busy) void chooseFile(file);
  };

  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import</h2>
      <p className="muted small">
        A <strong>.safetensors</strong> file exported here or written by train.py (the design comes from the file), or a{' '}
        <strong>project file</strong> (.project.safetensors), which also restores settings, charts and optimiser state.
        Up to {formatMegabytes(MAX_IMPORT_BYTES)}.
      </p>
      <div
        className={dragging ? 'import-drop dragging' : 'import-drop'}
        role="group"
        aria-label="Drop a .safetensors or project file here"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>Drop a .safetensors or project file here, or</span>
        <button type="button" onClick={() => input.current?.click()} disabled={busy}>
          Choose file…
        </button>
        <input
          ref={input}
          type="file"
          accept={IMPORT_ACCEPT}
          hidden
          aria-label="Model or project file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void chooseFile(file);
          }}
        />
        {ACTIVE.includes(runState) && <span className="small">Stop the run in the Train section to import.</span>}
      </div>

      {status.step === 'reading' && (
        <p className="import-progress" role="status" aria-label="Import status">
          <progress aria-label={`Reading ${status.file}`} /> Reading and checking {status.file}…
        </p>
      )}
      {status.step === 'confirm' && <Confirm imported={status.imported} />}
      {status.step === 'loading' && (
        <p className="import-progress" role="status" aria-label="Import status">
          <progress aria-label={`Loading ${status.file}`} /> Loading the weights of {status.file} and evaluating them on
          the test set…
        </p>
      )}
      {status.step === 'refused' && (
        <div className="notice notice-error" role="alert" aria-label="Import refused">
          <strong>
            {status.file} was not imported: {status.reason.replace(/\.$/, '')}.
          </strong>
          <p>{status.hint} Nothing in the current session was changed.</p>
        </div>
      )}
      {status.step === 'done' && (
        <div className="notice import-done" role="status" aria-label="Import result">
          <strong>
            Loaded {status.file}
            {status.test?.accuracy != null
              ? `: test accuracy ${formatPercent(status.test.accuracy)} on ${status.test.samples.toLocaleString('en-US')} examples.`
              : status.test
                ? `: test loss ${status.test.loss.toPrecision(4)} on ${status.test.samples.toLocaleString('en-US')} examples.`
                : '.'}
          </strong>
          <p>
            {status.kind === 'project'
              ? 'The design, settings, charts and optimiser state are restored; draw a digit or see the charts in the Train section, or resume training.'
              : 'The design and weights are loaded: try it in the Train section (draw a digit, the confusion matrix), or export it in another format.'}
          </p>
          {status.kind === 'project' && <ResumeButton />}
        </div>
      )}
    </section>
  );
}
