// Tape semantics and bad input on the cpu backend: sums where a tensor is used twice, topological order
// on a diamond, no-grad mode, step scopes releasing tensors, and the errors that name what went wrong.
import { describe, expect, it } from 'vitest';
import {
  backward,
  cpuBackend,
  noGrad,
  ShapeError,
  step,
  tensorFrom,
  TensorReleasedError,
  type Tensor,
} from '../../../src/engine';
import * as ops from '../../../src/engine/ops';
import { record } from '../../../src/engine/tensor';
import { gradcheck } from '../helpers/gradcheck';

const cpu = cpuBackend();

function param(values: number[], shape = [values.length]): Tensor {
  const t = tensorFrom(cpu, values, shape, { persistent: true, origin: 'param' });
  t.requiresGrad = true;
  return t;
}

describe('autograd', () => {
  it('sums the gradients of a tensor used twice and walks a diamond in topological order', async () => {
    const x = param([1.5, -2]);
    const grad = step(() => {
      // y = sum(x*x + exp(x) * x): x feeds four uses along paths of different lengths.
      const y = ops.sum(ops.add(ops.mul(x, x), ops.mul(ops.exp(x), x)));
      backward(y);
      return x.grad!.keep();
    });
    const g = await grad.data();
    const expected = [1.5, -2].map((v) => 2 * v + Math.exp(v) * (1 + v));
    expect(g[0]).toBeCloseTo(expected[0], 5);
    expect(g[1]).toBeCloseTo(expected[1], 5);
    expect(() => step(async () => 1)).toThrow(/must be synchronous/);
  });

  it('records nothing in no-grad mode', () => {
    const x = param([1, 2, 3]);
    step(() => {
      const y = noGrad(() => ops.sum(ops.mul(x, x)));
      expect(y.requiresGrad).toBe(false);
      expect(y.node).toBeNull();
      expect(() => backward(y)).toThrow(/does not depend on any tensor that requires a gradient/);
    });
  });

  it('refuses backward() from a non-scalar, naming its shape', () => {
    const x = param([1, 2, 3, 4], [2, 2]);
    step(() => {
      expect(() => backward(ops.mul(x, x))).toThrow(
        /backward\(\) needs a scalar loss, got tensor \[2, 2\] f32 from mul/,
      );
    });
  });

  it('releases step tensors when the step ends; using one afterwards names it', () => {
    const x = param([1, 2]);
    const inside = step(() => ops.relu(x));
    expect(inside.isReleased).toBe(true);
    expect(() => ops.exp(inside)).toThrow(TensorReleasedError);
    expect(() => ops.exp(inside)).toThrow(/tensor \[2\] f32 from relu was used after it was released/);
    const kept = step(() => ops.relu(x).keep());
    expect(kept.isReleased).toBe(false);
    kept.dispose();
    expect(() => kept.storage).toThrow(TensorReleasedError);
    expect(x.isReleased).toBe(false);
  });

  it('names the op and both shapes on a mismatch', () => {
    const a = param([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = param([1, 2, 3, 4], [4]);
    expect(() => ops.add(a, b)).toThrow(ShapeError);
    expect(() => ops.add(a, b)).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast together/);
    expect(() => ops.matmul(a, a)).toThrow(
      /matmul: shapes \[2, 3\] and \[2, 3\] do not match \(inner dimensions 3 and 2\)/,
    );
    expect(() => ops.reshape(a, [4, 2])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/);
    const labels = tensorFrom(cpu, new Int32Array([0, 1, 2]), [3]);
    expect(() => ops.softmaxCrossEntropy(a, labels)).toThrow(/logits \[2, 3\] and labels \[3\] disagree/);
  });

  it('the finite-difference check catches a wrong gradient rule', () => {
    // y = 3x with a backward that forgets the factor 3.
    expect(() =>
      gradcheck(
        (x) => {
          const y = noGrad(() => ops.mulScalar(x, 3));
          return record(y, 'wrong', [x], (dy) => [dy]);
        },
        [{ shape: [3] }],
      ),
    ).toThrow(/backward\(\) gives/);
  });
});
