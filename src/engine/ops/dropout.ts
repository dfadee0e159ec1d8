// Inverted dropout: in training keep each element with probability 1 - rate and scale it by
// 1 / (1 - rate), decided by a counter-based hash of (seed, step, index) on the device; identity in eval.
// y = x * mask;  dx = dy * mask
import { record, type Tensor } from '../tensor';
import { binaryRaw } from './elementwise';
import { checkInputs, empty, prims } from './util';

export function dropout(x: Tensor, rate: number, seed: number, step: number): Tensor {
  checkInputs('dropout', x);
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const y = empty(x, x.shape, 'dropout');
  const mask = empty(x, x.shape, 'dropout mask');
  prims(x).dropout({ x: x.storage, out: y.storage, mask: mask.storage, length: x.size, rate, seed, step });
  return record(y, 'dropout', [x], (dy) => [binaryRaw('mul', dy, mask)]);
}
