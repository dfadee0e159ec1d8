// The Engine section: which compute engine trains and why, the choice between them (saved in this
// browser), the wasm engine's threads, and the WebGPU adapter with the limits the GPU engine relies on.
import { formatBytes } from '../../src/engine/gpu/errors';
import type { AdapterSummary, EngineLimits } from '../../src/engine/gpu/device';
import { engineReason, engineTitle, useEngineStore } from '../store/engine';
import { useRunStore } from '../store/run';
import type { EnginePreference, EngineReport, ErrorReport } from '../worker/protocol';
import './engine.css';

const LIMIT_LABELS: Record<keyof EngineLimits, { label: string; bytes: boolean }> = {
  maxStorageBufferBindingSize: { label: 'Largest tensor binding', bytes: true },
  maxBufferSize: { label: 'Largest buffer', bytes: true },
  maxStorageBuffersPerShaderStage: { label: 'Storage buffers per kernel', bytes: false },
  maxComputeWorkgroupStorageSize: { label: 'Workgroup shared memory', bytes: true },
  maxComputeInvocationsPerWorkgroup: { label: 'Threads per workgroup', bytes: false },
  maxComputeWorkgroupSizeX: { label: 'Workgroup width', bytes: false },
  maxComputeWorkgroupsPerDimension: { label: 'Workgroups per dispatch axis', bytes: false },
};

const CHOICES: { value: EnginePreference; label: string; detail: string }[] = [
  {
    value: 'auto',
    label: 'Automatic',
    detail: 'WebGPU on a hardware GPU; WebAssembly where WebGPU is missing or runs in software.',
  },
  { value: 'webgpu', label: 'WebGPU', detail: 'Compute shaders on the GPU: fastest on a hardware adapter.' },
  {
    value: 'wasm',
    label: 'WebAssembly',
    detail: 'SIMD kernels on the CPU, on several threads where the page is cross-origin isolated.',
  },
  { value: 'cpu', label: 'CPU (reference)', detail: 'Plain JavaScript, slow: for checking results when debugging.' },
];

const ACTIVE_RUN = ['starting', 'running', 'paused'];

/** What compute engine trains here, why, the choice between engines, and the GPU limits. */
export function EnginePanel() {
  const status = useEngineStore((s) => s.status);
  const adapter = useEngineStore((s) => s.adapter);
  const gpuUnavailable = useEngineStore((s) => s.gpuUnavailable);
  const gpuError = useEngineStore((s) => s.gpuError);
  const dismiss = useEngineStore((s) => s.dismissGpuError);

  return (
    <>
      <header className="card intro">
        <h1>Engine</h1>
        <p>
          Everything runs in this tab: the layers you design are compiled to WebGPU compute shaders or SIMD WebAssembly
          kernels and trained on data that never leaves your machine. Here you see which engine trains and why, and can
          choose another.
        </p>
      </header>
      <section className="card" aria-labelledby="engine-heading">
        <h2 id="engine-heading">Compute engine</h2>
        {gpuError && (
          <div role="alert" className="notice notice-error">
            <strong>{gpuError.message}</strong>
            <p>{gpuError.hint}</p>
            <button type="button" onClick={dismiss}>
              Dismiss
            </button>
          </div>
        )}
        {status.state === 'probing' && (
          <p className="muted">Choosing the engine: asking the browser for a WebGPU adapter…</p>
        )}
        {status.state === 'failed' && <Failure error={status.error} />}
        {(status.state === 'webgpu' || status.state === 'wasm' || status.state === 'cpu') && (
          <InUse report={status.report} />
        )}
        <EngineChooser />
      </section>
      <section className="card" aria-labelledby="adapter-heading">
        <h2 id="adapter-heading">WebGPU adapter</h2>
        {adapter && <AdapterDetails adapter={adapter} />}
        {!adapter && gpuUnavailable && (
          <div role="status" className="notice notice-warn">
            <strong>WebGPU is not available: {gpuUnavailable.message}</strong>
            <p>The playground trains on the WebAssembly engine instead.</p>
            <p>{gpuUnavailable.hint.replace(/Training will use the WebAssembly engine on the CPU\.\s*/, '')}</p>
          </div>
        )}
        {!adapter && !gpuUnavailable && <p className="muted">Asking the browser for a WebGPU adapter…</p>}
      </section>
    </>
  );
}

function Failure({ error }: { error: ErrorReport }) {
  return (
    <div role="alert" className="notice notice-error">
      <strong>{error.message}</strong>
      <p>{error.hint}</p>
    </div>
  );
}

/** The engine in use, why, what happened when the chosen one could not start, and the wasm threads. */
function InUse({ report }: { report: EngineReport }) {
  const source = useEngineStore((s) => s.source);
  return (
    <>
      <p className="engine-in-use" data-testid="engine-in-use">
        Training on <strong>{engineTitle(report)}</strong>
      </p>
      <p data-testid="engine-why">Why: {engineReason(report, report.preference === 'auto' ? 'auto' : source)}</p>
      {report.fallback && (
        <div role="alert" className="notice notice-warn">
          <strong>{report.fallback.message}</strong>
          <p>{report.fallback.hint}</p>
        </div>
      )}
      {report.kind === 'wasm' && (
        <p className="muted" data-testid="engine-threads">
          {report.threads && report.threads > 1
            ? `${report.threads} threads: the page is cross-origin isolated, so the kernels share memory with worker threads.`
            : `Single-threaded: ${report.singleThreadReason ?? 'the engine runs on one thread'}.`}
        </p>
      )}
      {report.wasmKernels && (
        <p className="muted" data-testid="engine-kernels">
          {report.wasmKernels.simd === 'relaxed'
            ? 'Kernels: 128-bit SIMD with fused multiply-add (relaxed SIMD).'
            : 'Kernels: 128-bit SIMD; this browser has no relaxed SIMD, so multiply and add are separate steps.'}{' '}
          Matrix products use the faster of two register tiles on this browser, timed when the engine started:{' '}
          {report.wasmKernels.matmulTile === 'splat loads' ? 'splat loads' : 'lane shuffles'}.
        </p>
      )}
    </>
  );
}

/** The radio group: Automatic / WebGPU / WebAssembly / CPU; refused (disabled) while a run is in progress. */
function EngineChooser() {
  const preference = useEngineStore((s) => s.preference);
  const choose = useEngineStore((s) => s.choose);
  const switching = useEngineStore((s) => s.switching);
  const refused = useEngineStore((s) => s.refused);
  const runState = useRunStore((s) => s.state);
  const running = ACTIVE_RUN.includes(runState);
  return (
    <>
      <fieldset
        className="tile-grid engine-choices"
        disabled={running}
        aria-describedby={running ? 'engine-locked' : undefined}
      >
        <legend>Engine to train on</legend>
        {CHOICES.map((c) => {
          const selected = c.value === preference;
          const className = `tile${selected ? ' selected' : ''}${running ? ' disabled' : ''}`;
          return (
            <label key={c.value} className={className}>
              <input
                type="radio"
                name="engine"
                value={c.value}
                checked={selected}
                onChange={() => choose(c.value)}
                aria-labelledby={`engine-choice-${c.value}`}
                aria-describedby={`engine-choice-${c.value}-detail`}
              />
              <span className="tile-label" id={`engine-choice-${c.value}`}>
                {c.label}
              </span>
              <span className="tile-detail" id={`engine-choice-${c.value}-detail`}>
                {c.detail}
              </span>
            </label>
          );
        })}
      </fieldset>
      {running && (
        <p className="muted small engine-note" id="engine-locked">
          A run is in progress: stop it in the Train section to switch engines. Your design, settings and trained
          weights are kept.
        </p>
      )}
      {switching && !running && <p className="muted small engine-note">Starting the engine…</p>}
      {refused && (
        <div role="alert" className="notice notice-warn engine-note">
          <strong>{refused.text}</strong>
          <p>{refused.hint}</p>
        </div>
      )}
    </>
  );
}

/** The adapter the worker got (whether or not WebGPU is the engine in use) and its limits. */
function AdapterDetails({ adapter }: { adapter: AdapterSummary }) {
  return (
    <>
      <p className="adapter-line" data-testid="adapter-line">
        WebGPU adapter:{' '}
        <strong>
          {adapter.vendor} / {adapter.architecture}
        </strong>
        {adapter.isSoftware && <span className="badge badge-warn inline">software</span>}
      </p>
      {adapter.isSoftware && (
        <p className="muted">
          This adapter is a software rasteriser running on the CPU, so GPU training is slow here. A machine with a
          hardware GPU and an up-to-date browser trains many times faster.
        </p>
      )}
      <table className="limits" aria-label="GPU limits the engine relies on">
        <thead>
          <tr>
            <th scope="col">Limit</th>
            <th scope="col">WebGPU name</th>
            <th scope="col" className="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {(Object.keys(LIMIT_LABELS) as (keyof EngineLimits)[]).map((name) => {
            const value = adapter.limits[name];
            return (
              <tr key={name}>
                <td>{LIMIT_LABELS[name].label}</td>
                <td>
                  <code>{name}</code>
                </td>
                <td className="num">{LIMIT_LABELS[name].bytes ? formatBytes(value) : value.toLocaleString('en-US')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">
        Features: {adapter.features.length ? adapter.features.join(', ') : 'none beyond core WebGPU'}
      </p>
    </>
  );
}
