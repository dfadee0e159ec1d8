// Shared setup for the WebAssembly kernel tests: builds the .wasm if it is stale, turns on relaxed SIMD
// in Node 20 (where V8 has it behind a flag), and lists the builds this runtime can run.
import v8 from 'node:v8';
import { buildWasm } from '../../../scripts/build-wasm.mjs';
import { loadWasmKernels, supportsRelaxedSimd, type WasmKernels, type WasmSimdLevel } from '../../../src/wasm/kernels';

// Must run before any module is compiled; harmless where relaxed SIMD is already on (Chromium, Node >= 22).
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

/** The builds to test: plain SIMD always, relaxed where this runtime validates it. */
export const SIMD_LEVELS: WasmSimdLevel[] = supportsRelaxedSimd() ? ['simd', 'relaxed'] : ['simd'];

export async function kernelsFor(level: WasmSimdLevel): Promise<WasmKernels> {
  await buildWasm();
  return loadWasmKernels({ simd: level });
}

/** Copies `data` into a fresh buffer of the kernels' memory. */
export function upload(k: WasmKernels, data: Float32Array | Int32Array, what = 'input'): number {
  const ptr = k.alloc(data.length, what);
  k.write(ptr, data);
  return ptr;
}

/** A buffer of `length` elements filled with NaN, so an element the kernel never writes fails the check. */
export function poisoned(k: WasmKernels, length: number, what = 'output'): number {
  return upload(k, new Float32Array(length).fill(NaN), what);
}
