// Every op on the wasm backend against the cpu reference through the shared op-check helper, forward and
// the gradient of every input, on the shapes of the webgpu op tests (relative error <= 1e-5), single-
// threaded and split over two worker threads; and the wasm backend's gradients against central finite
// differences of its own forward pass, one shape per op.
import { afterAll, describe, expect, it } from 'vitest';
import { wasmBackend, type WasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { checkOp } from '../helpers/checkOp';
import { OP_CASES, VISION_CASES, WASM_EXTRA_CASES, type OpCase } from './op-cases';
import { gradcheckOn, kernelsFor } from './wasm-helpers';

const ALL_CASES: OpCase[] = [...OP_CASES, ...VISION_CASES, ...WASM_EXTRA_CASES];

const backends = new Map<number, Promise<WasmBackend>>();

/** One poisoning wasm backend per thread count; parallel kernels split even the smallest op (tests). */
function backendWith(threads: number): Promise<WasmBackend> {
  let b = backends.get(threads);
  if (!b) {
    b = kernelsFor('simd').then(() => wasmBackend({ poison: true, threads, minParallelFlops: 0 }));
    backends.set(threads, b);
  }
  return b;
}

afterAll(async () => {
  for (const b of backends.values()) (await b).destroy();
});

const shapes = (specs: { shape: number[] }[]) => specs.map((s) => JSON.stringify(s.shape)).join(' x ');

for (const threads of [1, 2]) {
  describe(`ops on wasm (${threads} thread${threads > 1 ? 's' : ''}) match the cpu reference`, () => {
    it('runs on the asked number of threads', async () => {
      const b = await backendWith(threads);
      expect(b.threads).toBe(threads);
    });
    for (const { name, f, cases, rtol, atol } of ALL_CASES) {
      describe(name, () => {
        for (const specs of cases) {
          it(shapes(specs), () =>
            checkOp(name, f, specs, {
              rtol: rtol ?? 1e-5,
              atol: atol ?? 1e-6,
              target: { name: `wasm x${threads}`, backend: () => backendWith(threads) },
            }),
          );
        }
      });
    }
  });
}

describe('gradients on wasm match finite differences of its forward pass', () => {
  for (const { name, f, cases } of ALL_CASES) {
    // The largest shape of each op: the one that crosses the most tile and chunk edges.
    const specs = cases[cases.length - 1];
    if (!specs.some((s) => s.dtype !== 'i32' && s.check !== false)) continue;
    it(`${name} on ${shapes(specs)}`, async () => {
      expect(await gradcheckOn(await backendWith(1), name, f, specs)).toBeGreaterThan(0);
    });
  }
});
