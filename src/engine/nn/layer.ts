// What a layer is: something that knows its output shape from its input shape, owns its parameters
// (persistent tensors with requiresGrad), and maps a batch to a batch with ops from src/engine/ops.
// Shapes here are per sample (no batch axis); tensors passed to forward() carry the batch axis first.
import type { Backend } from '../backend/backend';
import type { Tensor } from '../tensor';

export interface Parameter {
  /** "dense_1/kernel", "dense_1/bias". */
  readonly name: string;
  readonly value: Tensor;
  /** Whether L1/L2 weight decay applies (kernels yes, biases no). */
  readonly decay: boolean;
}

export interface ForwardContext {
  /** Training mode: dropout active. */
  readonly training: boolean;
  /** The optimiser step being computed (dropout's RNG counter). */
  readonly step: number;
}

export interface BuildContext {
  readonly backend: Backend;
  /** Seed for this layer's initialiser and RNG (derived from the model seed and the layer's position). */
  readonly seed: number;
}

export interface Layer {
  /** "dense", "relu", "dropout", ... */
  readonly kind: string;
  readonly name: string;
  /** Creates parameters for `inputShape` and returns the output shape; throws a ShapeError naming the layer. */
  build(inputShape: readonly number[], ctx: BuildContext): number[];
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  parameters(): Parameter[];
}
