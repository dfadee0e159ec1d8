// The start-up rule that picks the compute engine for this machine, as plain functions of what the WebGPU
// probe found: a hardware adapter trains fastest on WebGPU; where WebGPU is missing or its adapter is a
// software renderer (SwiftShader and the like run WebGPU on the CPU: the MNIST MLP and CNN train 10-25x
// slower there than on SIMD WebAssembly on the same cores, docs/benchmarks.md) the wasm engine does. Used by the engine worker; no engine objects here.
import type { AdapterSummary } from '../../src/engine/gpu/device';
import type { EngineKind, EnginePreference } from './protocol';

/** Human names of the engines, for messages and the UI. */
export const ENGINE_NAMES: Record<EngineKind, string> = {
  webgpu: 'WebGPU',
  wasm: 'WebAssembly',
  cpu: 'reference CPU engine',
};

/** The URL parameter and localStorage values an engine preference may take. */
export function parsePreference(value: string | null | undefined): EnginePreference | null {
  return value === 'webgpu' || value === 'wasm' || value === 'cpu' || value === 'auto' ? value : null;
}

/** The software renderer's name when the adapter is one (SwiftShader, llvmpipe, ...), else null. */
export function softwareRenderer(adapter: AdapterSummary): string | null {
  const text = `${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`;
  if (/swiftshader/i.test(text)) return 'SwiftShader';
  if (/llvmpipe/i.test(text)) return 'llvmpipe';
  if (/lavapipe/i.test(text)) return 'lavapipe';
  if (/\bwarp\b/i.test(text)) return 'WARP';
  return adapter.isSoftware ? 'a fallback adapter' : null;
}

/**
 * The automatic rule: 'webgpu' on a hardware adapter; 'wasm' where WebGPU is absent or the adapter is a
 * software renderer. `why` is one sentence fragment a person can read after "because".
 */
export function autoRule(
  adapter: AdapterSummary | null,
  unavailable: { reason: string } | null,
): { kind: EngineKind; why: string } {
  if (!adapter) {
    const what =
      unavailable?.reason === 'no-adapter'
        ? 'WebGPU offers no GPU adapter in this browser'
        : unavailable?.reason === 'device-request-failed'
          ? 'the WebGPU device could not be created in this browser'
          : 'this browser does not expose WebGPU';
    return { kind: 'wasm', why: `${what}, so SIMD WebAssembly is the fastest engine here` };
  }
  const renderer = softwareRenderer(adapter);
  if (renderer) {
    return {
      kind: 'wasm',
      why:
        `this GPU adapter is a software renderer (${renderer}) running on the CPU, where WebGPU trained ` +
        '10 to 25 times slower than SIMD WebAssembly in our benchmarks',
    };
  }
  return {
    kind: 'webgpu',
    why: `this browser has a hardware GPU adapter (${adapter.vendor} / ${adapter.architecture}), where WebGPU trains fastest`,
  };
}

/** The engines to try for a preference, in order: the one asked for, then the fallbacks. */
export function enginesToTry(wanted: EngineKind): EngineKind[] {
  if (wanted === 'webgpu') return ['webgpu', 'wasm', 'cpu'];
  if (wanted === 'wasm') return ['wasm', 'cpu'];
  return ['cpu'];
}
