// Every op on the wasm backend against the cpu reference through the shared op-check helper, forward and
// the gradient of every input, on the shared cases of the webgpu op tests (tests/unit/helpers/op-cases.ts)
// plus a few wasm-specific shapes, single-threaded and split over two worker threads; and the wasm
// backend's gradients against central finite differences of its own forward pass, one shape per op.
import { afterAll, describe, expect, it } from 'vitest';
import * as ops from '../../../src/engine/ops';
import { wasmBackend, type WasmBackend } from '../../../src/engine/backend/wasm/wasm';
import { checkOp } from '../helpers/checkOp';
import { caseTitle, OP_CASES, VISION_CASES, type OpCase } from '../helpers/op-cases';
import { gradcheckOn, kernelsFor } from './wasm-helpers';

/**
 * Wasm only: shapes past the wasm kernels' own edges (the 5 x 8 register tile, matmul packing blocks,
 * im2col chunks, many threads' splits) that the webgpu tests do not need.
 */
const WASM_EXTRA_CASES: OpCase[] = [
  {
    name: 'matmul past one packing block (k > 512, m > 130)',
    f: (a, b) => ops.matmul(a, b),
    cases: [[{ shape: [141, 530] }, { shape: [530, 37] }]],
    atol: 1e-5,
  },
  {
    name: 'conv2d same + relu, 9x7 input',
    f: (x, w, b) => ops.conv2d(x, w, b, { padding: 'same', activation: 'relu' }),
    cases: [[{ shape: [5, 9, 7, 3] }, { shape: [3, 3, 3, 5] }, { shape: [5] }]],
    atol: 1e-5,
  },
  {
    name: 'conv2d strided valid',
    f: (x, w) => ops.conv2d(x, w, null, { strides: [2, 2] }),
    cases: [[{ shape: [3, 11, 9, 2] }, { shape: [3, 2, 2, 4] }]],
    atol: 1e-5,
  },
  { name: 'dropout, 1031 elements', f: (x) => ops.dropout(x, 0.3, 11, 5), cases: [[{ shape: [1031] }]] },
];

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

for (const threads of [1, 2]) {
  describe(`ops on wasm (${threads} thread${threads > 1 ? 's' : ''}) match the cpu reference`, () => {
    it('runs on the asked number of threads', async () => {
      const b = await backendWith(threads);
      expect(b.threads).toBe(threads);
    });
    for (const { name, f, cases, rtol, atol } of ALL_CASES) {
      describe(name, () => {
        for (const specs of cases) {
          it(caseTitle(specs), () =>
            checkOp(name, f, specs, {
              rtol,
              atol,
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
    it(`${name} on ${caseTitle(specs)}`, async () => {
      expect(await gradcheckOn(await backendWith(1), name, f, specs)).toBeGreaterThan(0);
    });
  }
});
