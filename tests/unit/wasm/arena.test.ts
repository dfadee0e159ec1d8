// The wasm kernels' memory: reuse by size class (no growth over many steps), clear errors for a
// buffer that does not fit, for freeing twice and for pointers that are not allocations.
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmMemoryError } from '../../../src/wasm/arena';
import { loadWasmKernels, supportsRelaxedSimd, type WasmKernels } from '../../../src/wasm/kernels';
import { kernelsFor, SIMD_LEVELS } from './wasm-helpers';

describe('wasm kernel memory', () => {
  let k: WasmKernels;
  beforeAll(async () => {
    k = await kernelsFor('simd');
  });

  it('reuses freed blocks of the same size class, so a repeated step does not grow memory', () => {
    const sizes = [784 * 500, 500, 128 * 500, 10, 1];
    const step = () => {
      const ptrs = sizes.map((n) => k.alloc(n, 'step tensor'));
      ptrs.forEach((p) => k.free(p));
      return ptrs;
    };
    const first = step();
    const reserved = k.arena.bytesReserved;
    const inUse = k.arena.bytesInUse;
    for (let i = 0; i < 10_000; i++) step();
    expect(k.arena.bytesReserved).toBe(reserved);
    expect(k.arena.bytesInUse).toBe(inUse);
    expect(new Set(step())).toEqual(new Set(first));
  });

  it('hands out 64-byte aligned, non-overlapping blocks', () => {
    const ptrs = [1, 17, 64, 3].map((n) => k.alloc(n, 'block'));
    ptrs.forEach((p) => expect(p % 64).toBe(0));
    const sorted = [...ptrs].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThanOrEqual(64);
  });

  it('says what did not fit and the limit when memory runs out', async () => {
    const small = await loadWasmKernels({ simd: 'simd', maximumMemoryMiB: 16 });
    expect(() => small.alloc(4 * 2 ** 20, 'dense_1 weights')).toThrow(WasmMemoryError);
    expect(() => small.alloc(4 * 2 ** 20, 'dense_1 weights')).toThrow(
      /cannot allocate 16\.0 MiB for dense_1 weights: .* in use, limit 16\.0 MiB/,
    );
    // Still usable after the failure.
    const p = small.alloc(1000, 'after');
    small.fill({ out: p, length: 1000, value: 1 });
    expect(small.readF32(p, 1000).every((v) => v === 1)).toBe(true);
  });

  it('rejects a double free and pointers that are not allocations', () => {
    const p = k.alloc(10, 'x');
    k.free(p);
    expect(() => k.free(p)).toThrow(/not a live allocation \(double free\?\)/);
    expect(() => k.fill({ out: p + 4, length: 1, value: 0 })).toThrow(/wasm fill: out .* is not a live allocation/);
    expect(() => k.alloc(-1, 'bad')).toThrow(/element count of bad must be a non-negative integer/);
  });

  it('picks relaxed SIMD only where the runtime validates it, and honours an explicit choice', async () => {
    expect(SIMD_LEVELS.includes('relaxed')).toBe(supportsRelaxedSimd());
    const auto = await loadWasmKernels();
    expect(auto.simd).toBe(supportsRelaxedSimd() ? 'relaxed' : 'simd');
    if (!supportsRelaxedSimd()) await expect(loadWasmKernels({ simd: 'relaxed' })).rejects.toThrow(/relaxed SIMD/);
  });
});
