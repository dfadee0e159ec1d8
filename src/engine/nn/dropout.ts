// Dropout layer: inverted dropout in training (seeded, counter-based RNG on the device: the mask of
// step t is a pure function of (layer seed, t, element index)), identity in evaluation.
import { dropout } from '../ops';
import type { Tensor } from '../tensor';
import type { BuildContext, ForwardContext, Layer, Parameter } from './layer';

export class Dropout implements Layer {
  readonly kind = 'dropout';
  readonly name: string;
  private seed = 0;

  constructor(
    readonly rate: number,
    options: { name?: string } = {},
  ) {
    this.name = options.name ?? 'dropout';
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`${this.name}: rate must be in [0, 1), got ${rate}`);
  }

  build(inputShape: readonly number[], ctx: BuildContext): number[] {
    this.seed = ctx.seed >>> 0;
    return [...inputShape];
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    return ctx.training ? dropout(x, this.rate, this.seed, ctx.step) : x;
  }

  parameters(): Parameter[] {
    return [];
  }
}
