// Reverse mode: sort the recorded graph topologically from the loss, walk it backwards, and sum the
// gradients of every tensor that was used more than once (micrograd's backward(), over tensors).
import { formatShape, noGrad, Tensor } from './tensor';

/**
 * Computes d(loss)/d(leaf) for every leaf with requiresGrad that the loss depends on and stores it in
 * `leaf.grad` (replacing an earlier one). The gradients belong to the current step.
 */
export function backward(loss: Tensor): void {
  if (loss.size !== 1) {
    throw new Error(
      `backward() needs a scalar loss, got ${loss.describe()} (shape ${formatShape(loss.shape)}); ` +
        `reduce it first with sum() or mean()`,
    );
  }
  if (!loss.requiresGrad) {
    throw new Error(`backward(): ${loss.describe()} does not depend on any tensor that requires a gradient`);
  }
  void loss.storage; // throws when the loss was already released

  // Topological order by iterative depth-first search (graphs are deep: no recursion).
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[loss, 0]];
  visited.add(loss);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].node?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }

  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    const seed = new Tensor(loss.backend, loss.shape, 'f32', 'backward seed');
    loss.backend.run.fill({ out: seed.storage, length: 1, value: 1 });
    seed.isOnes = true;
    grads.set(loss, seed);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const dy = grads.get(t);
      if (!dy) continue;
      if (!t.node) {
        t.grad = dy;
        continue;
      }
      const inputGrads = t.node.backward(dy);
      t.node.inputs.forEach((input, j) => {
        const g = inputGrads[j];
        if (!g || !input.requiresGrad) return;
        if (g.size !== input.size) {
          throw new Error(
            `gradient rule of ${t.node!.op} returned ${formatShape(g.shape)} for an input of shape ` +
              `${formatShape(input.shape)}`,
          );
        }
        const previous = grads.get(input);
        grads.set(input, previous ? accumulate(previous, g) : g);
      });
    }
  });
}

/** a + b for two gradients of the same size (a tensor used twice). */
function accumulate(a: Tensor, b: Tensor): Tensor {
  const out = new Tensor(a.backend, a.shape, 'f32', 'gradient sum');
  a.backend.run.binary({
    op: 'add',
    a: a.storage,
    b: b.storage,
    out: out.storage,
    shape: [a.size],
    aStrides: [1],
    bStrides: [1],
  });
  return out;
}
