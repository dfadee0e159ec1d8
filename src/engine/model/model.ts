// What the trainer needs of a model, whether a plain stack of layers (Sequential) or a graph compiled
// from a design (GraphModel).
import type { Backend } from '../backend/backend';
import type { ForwardContext, Layer, Parameter } from '../nn/layer';
import { formatShape, ShapeError, type Tensor } from '../tensor';

export interface NamedWeights {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Model {
  readonly backend: Backend;
  /** Per-sample input and output shapes (no batch axis). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Maps a batch [batch, ...inputShape] to [batch, ...outputShape]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  parameters(): Parameter[];
  /** The layer that produces the output (the trainer checks it is not a softmax before a softmax loss). */
  outputLayer(): Layer | undefined;
  getWeights(): Promise<NamedWeights[]>;
  setWeights(weights: ReadonlyArray<{ name?: string; data: Float32Array }>): void;
  dispose(): void;
}

/** Copies every parameter back to the host, in parameter order. */
export async function readWeights(params: readonly Parameter[]): Promise<NamedWeights[]> {
  const out: NamedWeights[] = [];
  for (const p of params) out.push({ name: p.name, shape: [...p.value.shape], data: await p.value.data() });
  return out;
}

/** Writes parameters by position after checking every size, so a bad list changes nothing. */
export function writeWeights(
  backend: Backend,
  params: readonly Parameter[],
  weights: ReadonlyArray<{ name?: string; data: Float32Array }>,
): void {
  if (weights.length !== params.length) {
    throw new Error(`setWeights: the model has ${params.length} parameter tensors, got ${weights.length}`);
  }
  params.forEach((p, i) => {
    const w = weights[i];
    if (w.data.length !== p.value.size) {
      throw new ShapeError(
        `setWeights: ${p.name} ${formatShape(p.value.shape)} needs ${p.value.size} values, got ${w.data.length}` +
          (w.name ? ` (from ${w.name})` : ''),
      );
    }
  });
  params.forEach((p, i) => backend.write(p.value.storage, weights[i].data));
}
