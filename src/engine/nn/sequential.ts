// A model as a list of layers applied in order. Building gives every layer its input shape and a seed
// derived from the model seed and its position, so the same design and seed give the same weights on
// every backend. Weights come out and go in as plain Float32Arrays (for the UI, export and tests).
import type { Backend } from '../backend/backend';
import { formatShape, ShapeError, type Tensor } from '../tensor';
import type { ForwardContext, Layer, Parameter } from './layer';
import { readWeights, writeWeights, type Model, type NamedWeights } from '../model/model';

export type { NamedWeights } from '../model/model';

export class Sequential implements Model {
  readonly outputShape: number[];
  private readonly shapes: number[][];

  constructor(
    readonly layers: readonly Layer[],
    readonly inputShape: readonly number[],
    readonly backend: Backend,
    readonly seed = 1,
  ) {
    let shape = [...inputShape];
    this.shapes = [shape];
    layers.forEach((layer, i) => {
      try {
        shape = layer.build(shape, { backend, seed: (Math.imul(seed, 0x9e3779b1) + i * 7919 + 1) >>> 0 });
      } catch (e) {
        if (e instanceof ShapeError) throw new ShapeError(`layer ${i} (${layer.name}): ${e.message}`);
        throw e;
      }
      this.shapes.push(shape);
    });
    this.outputShape = shape;
  }

  /** Runs every layer; `x` is [batch, ...inputShape]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const perSample = x.shape.slice(1);
    if (perSample.length !== this.inputShape.length || perSample.some((d, i) => d !== this.inputShape[i])) {
      throw new ShapeError(`model input ${formatShape(x.shape)} does not match [batch, ${this.inputShape.join(', ')}]`);
    }
    let y = x;
    for (const layer of this.layers) y = layer.forward(y, ctx);
    return y;
  }

  outputLayer(): Layer | undefined {
    return this.layers[this.layers.length - 1];
  }

  parameters(): Parameter[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.value.size, 0);
  }

  /** Copies every parameter back to the host. */
  getWeights(): Promise<NamedWeights[]> {
    return readWeights(this.parameters());
  }

  setWeights(weights: ReadonlyArray<{ name?: string; data: Float32Array }>): void {
    writeWeights(this.backend, this.parameters(), weights);
  }

  dispose(): void {
    for (const p of this.parameters()) p.value.dispose();
  }
}
