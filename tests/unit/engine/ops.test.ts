// Every op on the webgpu backend against the cpu reference, forward and gradient, in at least five
// shapes each, including 1, primes and sizes that are not multiples of the kernels' tiles. The ops, shapes
// and tolerances are the shared table in tests/unit/helpers/op-cases.ts (the wasm test checks the same).
import { describe, it } from 'vitest';
import { checkOp } from '../helpers/checkOp';
import { caseTitle, OP_CASES } from '../helpers/op-cases';

for (const { name, f, cases, rtol, atol } of OP_CASES) {
  describe(name, () => {
    for (const specs of cases) {
      it(caseTitle(specs), () => checkOp(name, f, specs, { rtol, atol }));
    }
  });
}
