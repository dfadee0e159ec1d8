// Totals of the whole design: parameters, FLOPs per sample, a training step's GPU memory at the chosen
// batch size, and whether the design can train, with every reason it cannot.
import { useId, useState } from 'react';
import {
  useDesignAnalysis,
  useDesignStore,
  useGpuBufferLimits,
  MAX_BATCH_SIZE,
  NO_BUFFER_LIMITS,
} from '../store/design';
import { useRunStore } from '../store/run';
import { formatBytes, formatCount, formatFlops } from './format';

export function SummaryBar() {
  const analysis = useDesignAnalysis();
  const design = useDesignStore((s) => s.design);
  // The run settings' batch size: the one training uses, so the memory estimate is for the real step.
  const batchSize = useRunStore((s) => s.settings.batchSize);
  const setSetting = useRunStore((s) => s.setSetting);
  const setBatchSize = (n: number) => setSetting('batchSize', n);
  const setSelection = useDesignStore((s) => s.setSelection);
  const limits = useGpuBufferLimits();
  const batchId = useId();
  const [draft, setDraft] = useState(String(batchSize));
  const [shown, setShown] = useState(batchSize);
  if (shown !== batchSize) {
    setShown(batchSize);
    setDraft(String(batchSize));
  }
  const batchError =
    /^\d+$/.test(draft.trim()) && Number(draft) >= 1 && Number(draft) <= MAX_BATCH_SIZE
      ? null
      : `Batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}`;
  const names = new Map(design.nodes.map((n) => [n.id, n.name]));
  // Layers whose shape is unknown add nothing to the totals yet.
  const incomplete = [...analysis.layers.values()].some((l) => l.outputShape === null);
  const soFar = incomplete ? <span className="muted small"> so far</span> : null;
  const m = analysis.memory;
  const memoryTitle = [
    `weights ${formatBytes(m.parameterBytes)}`,
    `gradients ${formatBytes(m.gradientBytes)}`,
    `Adam state ${formatBytes(m.optimizerBytes)}`,
    `activations ${formatBytes(m.activationBytes)}`,
    `activation gradients ${formatBytes(m.activationGradientBytes)}`,
  ].join(', ');

  return (
    <section className="designer-summary card" aria-label="Design summary" data-testid="design-summary">
      <dl className="summary-figures">
        <div>
          <dt>Parameters</dt>
          <dd data-testid="total-params">
            {formatCount(analysis.totalParams)}
            {soFar}
            {analysis.nonTrainableParams > 0 && (
              <span className="muted small"> ({formatCount(analysis.nonTrainableParams)} fixed)</span>
            )}
          </dd>
        </div>
        <div>
          <dt>FLOPs / sample</dt>
          <dd data-testid="total-flops" title="Forward pass; a training step costs about three times this">
            {formatFlops(analysis.flopsPerSample)}
            {soFar}
          </dd>
        </div>
        <div>
          <dt>
            <label htmlFor={batchId}>Batch size</label>
          </dt>
          <dd>
            <input
              id={batchId}
              className="batch-input"
              type="text"
              inputMode="numeric"
              value={draft}
              aria-invalid={batchError ? true : undefined}
              aria-describedby={batchError ? `${batchId}-error` : undefined}
              onChange={(e) => {
                setDraft(e.target.value);
                const n = Number(e.target.value.trim());
                if (/^\d+$/.test(e.target.value.trim()) && n >= 1 && n <= MAX_BATCH_SIZE) setBatchSize(n);
              }}
            />
          </dd>
        </div>
        <div>
          <dt>Training memory</dt>
          <dd data-testid="total-memory" title={`Estimated for one training step with Adam: ${memoryTitle}`}>
            {formatBytes(m.totalBytes)}
            {soFar}
          </dd>
        </div>
        {limits !== NO_BUFFER_LIMITS && (
          // Only WebGPU limits one buffer; the wasm engine checks its whole memory when a run starts.
          <div>
            <dt>GPU buffer limit</dt>
            <dd className="muted">{formatBytes(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize))}</dd>
          </div>
        )}
        <div className="summary-status">
          <dt className="visually-hidden">Status</dt>
          <dd>
            {analysis.valid ? (
              <span className="badge badge-ok" data-testid="design-status">
                Valid: ready to train
              </span>
            ) : (
              <span className="badge badge-error" data-testid="design-status">
                {analysis.errors.length} problem{analysis.errors.length === 1 ? '' : 's'}
              </span>
            )}
          </dd>
        </div>
      </dl>
      {batchError && (
        <p id={`${batchId}-error`} className="field-error" role="alert">
          {batchError}
        </p>
      )}
      {!analysis.valid && (
        <ul className="summary-errors" aria-label="Design problems" data-testid="design-errors">
          {analysis.errors.map((e, i) => (
            <li key={i}>
              {e.nodeId ? (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => setSelection({ nodeIds: [e.nodeId!], edgeIds: [] })}
                >
                  {names.get(e.nodeId) ?? e.nodeId}
                </button>
              ) : (
                <strong>Design</strong>
              )}
              : {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
