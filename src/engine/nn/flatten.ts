// Flatten: [batch, d1, d2, ...] to [batch, d1*d2*...] as a view (no copy).
import { reshape } from '../ops';
import type { Tensor } from '../tensor';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export class Flatten implements Layer {
  readonly kind = 'flatten';
  constructor(readonly name = 'flatten') {}
  build(inputShape: readonly number[], _ctx: BuildContext): number[] {
    return [inputShape.reduce((a, b) => a * b, 1)];
  }
  forward(x: Tensor, _ctx: ForwardContext): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
  parameters(): Parameter[] {
    return [];
  }
}
