// Softmax and log-softmax over the last axis, through the row-wise softmax kernels.
// softmax:     y = e^(x - max) / sum;   dx = y * (dy - sum(dy * y))
// log-softmax: y = x - logsumexp(x);    dx = dy - e^y * sum(dy)
import { record, ShapeError, type Tensor } from '../tensor';
import { checkInputs, empty, prims } from './util';

function softmaxOp(x: Tensor, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  checkInputs(op, x);
  if (x.rank < 1 || x.size === 0) throw new ShapeError(`${op}: needs at least one axis, got ${x.describe()}`);
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const y = empty(x, x.shape, op);
  prims(x).softmax({ x: x.storage, out: y.storage, rows, cols, log });
  return record(y, op, [x], (dy) => {
    const dx = empty(x, x.shape, `${op} backward`);
    prims(x).softmaxBackward({ y: y.storage, dy: dy.storage, dx: dx.storage, rows, cols, log });
    return [dx];
  });
}

export const softmax = (x: Tensor): Tensor => softmaxOp(x, false);
export const logSoftmax = (x: Tensor): Tensor => softmaxOp(x, true);
