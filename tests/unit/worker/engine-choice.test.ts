// The start-up engine rule (app/worker/engine-choice.ts): hardware adapter -> WebGPU; no WebGPU, or a
// software adapter (fallback, SwiftShader by vendor/architecture or description, llvmpipe) -> wasm.
import { describe, expect, it } from 'vitest';
import { autoRule, enginesToTry, parsePreference, softwareRenderer } from '../../../app/worker/engine-choice';
import { REQUIRED_LIMITS, type AdapterSummary } from '../../../src/engine/gpu/device';

function adapter(fields: Partial<AdapterSummary>): AdapterSummary {
  return {
    vendor: 'nvidia',
    architecture: 'ampere',
    device: '',
    description: '',
    isSoftware: false,
    features: [],
    limits: REQUIRED_LIMITS,
    ...fields,
  };
}

describe('autoRule', () => {
  it('picks WebGPU on a hardware adapter and names it', () => {
    const rule = autoRule(adapter({}), null);
    expect(rule.kind).toBe('webgpu');
    expect(rule.why).toContain('hardware GPU adapter (nvidia / ampere)');
  });

  it('picks wasm on SwiftShader, found by vendor and architecture or by description', () => {
    for (const a of [
      adapter({ vendor: 'google', architecture: 'swiftshader', isSoftware: true }),
      adapter({ vendor: '', architecture: '', description: 'SwiftShader Device (Subzero)', isSoftware: true }),
    ]) {
      const rule = autoRule(a, null);
      expect(rule.kind).toBe('wasm');
      expect(rule.why).toBe(
        'this GPU adapter is a software renderer (SwiftShader) running on the CPU, where WebGPU trained 10 to 25 times slower than SIMD WebAssembly in our benchmarks',
      );
    }
  });

  it('picks wasm on a fallback adapter and on llvmpipe', () => {
    expect(autoRule(adapter({ vendor: 'intel', isSoftware: true }), null).why).toContain('(a fallback adapter)');
    expect(
      autoRule(adapter({ description: 'llvmpipe (LLVM 15.0.7, 256 bits)', isSoftware: true }), null).why,
    ).toContain('(llvmpipe)');
    expect(softwareRenderer(adapter({}))).toBeNull();
  });

  it('picks wasm without WebGPU and says which way it is missing', () => {
    expect(autoRule(null, { reason: 'no-webgpu' })).toEqual({
      kind: 'wasm',
      why: 'this browser does not expose WebGPU, so SIMD WebAssembly is the fastest engine here',
    });
    expect(autoRule(null, { reason: 'no-adapter' }).why).toMatch(/^WebGPU offers no GPU adapter/);
  });
});

describe('preferences', () => {
  it('accepts the four values and nothing else', () => {
    expect(['webgpu', 'wasm', 'cpu', 'auto', 'gpu', '', null].map(parsePreference)).toEqual([
      'webgpu',
      'wasm',
      'cpu',
      'auto',
      null,
      null,
      null,
    ]);
  });

  it('falls back from WebGPU to wasm to the CPU engine', () => {
    expect(enginesToTry('webgpu')).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(enginesToTry('wasm')).toEqual(['wasm', 'cpu']);
    expect(enginesToTry('cpu')).toEqual(['cpu']);
  });
});
