// Activation layers: parameter-free, shape-preserving wrappers over the activation ops.
import { leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from '../ops';
import type { Tensor } from '../tensor';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export type ActivationKind = 'linear' | 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh' | 'softmax' | 'log_softmax';

export function applyActivation(kind: ActivationKind, x: Tensor, alpha = 0.01): Tensor {
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      return relu(x);
    case 'leaky_relu':
      return leakyRelu(x, alpha);
    case 'sigmoid':
      return sigmoid(x);
    case 'tanh':
      return tanh(x);
    case 'softmax':
      return softmax(x);
    case 'log_softmax':
      return logSoftmax(x);
  }
}

export class Activation implements Layer {
  readonly name: string;
  constructor(
    readonly kind: ActivationKind,
    options: { name?: string; alpha?: number } = {},
  ) {
    this.name = options.name ?? kind;
    this.alpha = options.alpha ?? 0.01;
  }
  private readonly alpha: number;

  build(inputShape: readonly number[], _ctx: BuildContext): number[] {
    return [...inputShape];
  }

  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return applyActivation(this.kind, x, this.alpha);
  }

  parameters(): Parameter[] {
    return [];
  }
}
