// The engine indicator in the top bar: which engine trains and, in a word, why; the full reason is in
// its title and accessible name, and a click opens the Engine section.
import { engineExplanation, engineLabel, useEngineStore, type EngineStatus } from '../store/engine';
import './engine.css';
import { softwareRenderer } from '../worker/engine-choice';

function shortReason(status: EngineStatus, source: string): string {
  if (status.state === 'probing' || status.state === 'failed') return '';
  const { report } = status;
  if (report.fallback) return 'fallback';
  if (report.preference !== 'auto') return source === 'url' ? 'set by URL' : 'your choice';
  if (!report.adapter) return 'no WebGPU';
  const renderer = softwareRenderer(report.adapter);
  return renderer ? `GPU is software (${renderer})` : `${report.adapter.vendor} GPU`;
}

/** Compact engine indicator for the top bar. */
export function EngineBadge() {
  const status = useEngineStore((s) => s.status);
  const source = useEngineStore((s) => s.source);
  if (status.state === 'probing') return <span className="badge badge-neutral">Choosing engine…</span>;
  if (status.state === 'failed') {
    return (
      <a href="#/engine" className="badge badge-warn engine-badge" title={status.error.message}>
        No engine
      </a>
    );
  }
  const why = engineExplanation(status.report, status.report.preference === 'auto' ? 'auto' : source);
  const good =
    !status.report.fallback && (status.state === 'wasm' || (status.state === 'webgpu' && !status.adapter.isSoftware));
  const reason = shortReason(status, source);
  return (
    <a
      href="#/engine"
      className={`badge ${good ? 'badge-ok' : 'badge-warn'} engine-badge`}
      title={why}
      aria-label={`Engine: ${why}`}
      data-testid="engine-badge"
    >
      {engineLabel(status)}
      {reason && <span className="engine-badge-reason"> · {reason}</span>}
    </a>
  );
}
