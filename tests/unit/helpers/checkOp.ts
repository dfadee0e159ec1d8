// Runs one op on every backend from the same seeded inputs and compares each backend's output, and each
// input's gradient, with the cpu reference (relative error <= 1e-5 by default). New allocations are
// poisoned with NaN on both backends, so an element an implementation forgets to write fails.
import { backward, cpuBackend, step, tensorFrom, type Backend, type Tensor } from '../../../src/engine';
import { mul, sum } from '../../../src/engine/ops';
import { WebGpuBackend } from '../../../src/engine/backend/webgpu/webgpu';
import { expectAllClose } from './compare';
import { inputValues, type GradInput } from './gradcheck';
import { seededRandom } from './random';
import { testGpu } from './webgpu';

let gpuBackend: Promise<WebGpuBackend> | null = null;

/**
 * One poisoning webgpu backend per test process. Kernels compile on first use (compiling all of them up
 * front takes ~35 s on SwiftShader; a test file uses a fraction).
 */
export function testWebGpuBackend(): Promise<WebGpuBackend> {
  if (!gpuBackend) gpuBackend = testGpu().then((gpu) => new WebGpuBackend(gpu, { poison: true }));
  return gpuBackend;
}

export interface OpRun {
  output: Float32Array;
  grads: (Float32Array | null)[];
}

/** Runs `f` on `backend`: the output, and the gradient of sum(w * output) for each f32 input. */
export async function runOp(
  backend: Backend,
  f: (...inputs: Tensor[]) => Tensor,
  specs: GradInput[],
  { seed = 3, grad = true }: { seed?: number; grad?: boolean } = {},
): Promise<OpRun> {
  const inputs = specs.map((s, i) => {
    const t = tensorFrom(backend, inputValues(s, seed + i * 101), s.shape, {
      dtype: s.dtype ?? 'f32',
      persistent: true,
      origin: `input ${i}`,
    });
    t.requiresGrad = grad && s.dtype !== 'i32' && s.check !== false;
    return t;
  });
  const kept = step(() => {
    const y = f(...inputs);
    const out = [y];
    if (grad && inputs.some((t) => t.requiresGrad)) {
      const rand = seededRandom(seed + 999);
      const w = tensorFrom(
        backend,
        Float32Array.from({ length: y.size }, () => 0.5 + rand()),
        y.shape,
      );
      backward(sum(mul(y, w)));
      for (const t of inputs) if (t.requiresGrad) out.push(t.grad!);
    }
    return out.map((t) => t.keep());
  });
  const values = [];
  for (const t of kept) values.push(await t.data());
  for (const t of [...kept, ...inputs]) t.dispose();
  const grads: (Float32Array | null)[] = [];
  let k = 1;
  for (const t of inputs) grads.push(t.requiresGrad ? values[k++] : null);
  return { output: values[0], grads };
}

/**
 * Checks `f` (an op applied to tensors of `specs`) on the webgpu backend (or `target`) against the cpu
 * reference, output and gradients. A new op's test is one call per shape.
 */
export async function checkOp(
  name: string,
  f: (...inputs: Tensor[]) => Tensor,
  specs: GradInput[],
  {
    rtol = 1e-5,
    atol = 1e-6,
    grad = true,
    seed = 3,
    target,
  }: {
    rtol?: number;
    atol?: number;
    grad?: boolean;
    seed?: number;
    /** The backend under test (default: the poisoning webgpu test backend), e.g. the wasm backend. */
    target?: { name: string; backend: () => Promise<Backend> };
  } = {},
): Promise<void> {
  const reference = await runOp(cpuBackend({ poison: true }), f, specs, { seed, grad });
  const engine = target?.name ?? 'webgpu';
  const gpu = await runOp(await (target?.backend ?? testWebGpuBackend)(), f, specs, { seed, grad });
  const where = `${name} on ${specs.map((s) => JSON.stringify(s.shape)).join(', ')}`;
  try {
    expectAllClose(gpu.output, reference.output, { rtol, atol });
  } catch (e) {
    throw new Error(`${where}: ${engine} output differs from cpu: ${(e as Error).message}`, { cause: e });
  }
  reference.grads.forEach((g, i) => {
    if (!g) return;
    try {
      expectAllClose(gpu.grads[i]!, g, { rtol, atol });
    } catch (e) {
      throw new Error(`${where}: ${engine} gradient of input ${i} differs from cpu: ${(e as Error).message}`, {
        cause: e,
      });
    }
  });
}
