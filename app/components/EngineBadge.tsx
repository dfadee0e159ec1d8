import { useEngineStore } from '../store/engine';

/** Compact engine indicator for the top bar. */
export function EngineBadge() {
  const status = useEngineStore((s) => s.status);
  if (status.state === 'probing') return <span className="badge badge-neutral">Checking GPU…</span>;
  if (status.state === 'cpu') return <span className="badge badge-warn">CPU engine</span>;
  const { vendor, architecture, isSoftware } = status.adapter;
  return (
    <span className={`badge ${isSoftware ? 'badge-warn' : 'badge-ok'}`} title="WebGPU adapter in use">
      WebGPU · {vendor} / {architecture}
    </span>
  );
}
