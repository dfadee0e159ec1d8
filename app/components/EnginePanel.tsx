import { formatBytes } from '../../src/engine/gpu/errors';
import type { EngineLimits } from '../../src/engine/gpu/device';
import { useEngineStore } from '../store/engine';

const LIMIT_LABELS: Record<keyof EngineLimits, { label: string; bytes: boolean }> = {
  maxStorageBufferBindingSize: { label: 'Largest tensor binding', bytes: true },
  maxBufferSize: { label: 'Largest buffer', bytes: true },
  maxStorageBuffersPerShaderStage: { label: 'Storage buffers per kernel', bytes: false },
  maxComputeWorkgroupStorageSize: { label: 'Workgroup shared memory', bytes: true },
  maxComputeInvocationsPerWorkgroup: { label: 'Threads per workgroup', bytes: false },
  maxComputeWorkgroupSizeX: { label: 'Workgroup width', bytes: false },
  maxComputeWorkgroupsPerDimension: { label: 'Workgroups per dispatch axis', bytes: false },
};

/** What compute engine this browser gives the playground, and the GPU limits the engine relies on. */
export function EnginePanel() {
  const status = useEngineStore((s) => s.status);
  const gpuError = useEngineStore((s) => s.gpuError);
  const dismiss = useEngineStore((s) => s.dismissGpuError);

  return (
    <>
      <section className="intro">
        <h1>Build a network, train it on your GPU, take it with you</h1>
        <p>
          Everything runs in this tab: the layers you design are compiled to WebGPU compute shaders, trained on data
          that never leaves your machine, and exported in formats other tools load.
        </p>
      </section>
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
        {status.state === 'probing' && <p className="muted">Asking the browser for a WebGPU adapter…</p>}
        {status.state === 'cpu' && (
          <div role="status" className="notice notice-warn">
            <strong>WebGPU is not available: {status.reason.message}</strong>
            <p>{status.reason.hint}</p>
            <p>The playground will train on the slower CPU engine instead.</p>
          </div>
        )}
        {status.state === 'webgpu' && (
          <>
            <p className="adapter-line" data-testid="adapter-line">
              WebGPU adapter:{' '}
              <strong>
                {status.adapter.vendor} / {status.adapter.architecture}
              </strong>
              {status.adapter.isSoftware && <span className="badge badge-warn inline">software</span>}
            </p>
            {status.adapter.isSoftware && (
              <p className="muted">
                This adapter is a software rasteriser running on the CPU, so GPU training will be slow here. A machine
                with a hardware GPU and an up-to-date browser trains many times faster.
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
                  const value = status.adapter.limits[name];
                  return (
                    <tr key={name}>
                      <td>{LIMIT_LABELS[name].label}</td>
                      <td>
                        <code>{name}</code>
                      </td>
                      <td className="num">
                        {LIMIT_LABELS[name].bytes ? formatBytes(value) : value.toLocaleString('en-US')}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <p className="muted small">
              Features:{' '}
              {status.adapter.features.length ? status.adapter.features.join(', ') : 'none beyond core WebGPU'}
            </p>
          </>
        )}
      </section>
    </>
  );
}
