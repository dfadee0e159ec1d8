// Element-wise functions, forward and backward through the unary kernels:
// y = f(x);  dx = dy * f'(x), where the kernel may use y (sigmoid: y(1-y), tanh: 1-y^2, exp: y).
import type { UnaryOp } from '../backend/backend';
import { record, type Tensor } from '../tensor';
import { empty, prims } from './util';
import { unaryRaw } from './elementwise';

function unaryOp(op: UnaryOp, x: Tensor, alpha = 0): Tensor {
  const y = unaryRaw(op, x, alpha);
  return record(y, op, [x], (dy) => {
    const dx = empty(x, x.shape, `${op} backward`);
    prims(x).unaryBackward({
      op,
      x: x.storage,
      y: y.storage,
      dy: dy.storage,
      dx: dx.storage,
      length: x.size,
      alpha,
    });
    return [dx];
  });
}

/** y = max(x, 0);  dx = dy * (x > 0) */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** y = x > 0 ? x : alpha x;  dx = dy * (x > 0 ? 1 : alpha) */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => unaryOp('leaky_relu', x, alpha);
/** y = 1 / (1 + e^-x);  dx = dy * y (1 - y) */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** y = tanh x;  dx = dy * (1 - y^2) */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** y = e^x;  dx = dy * y */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** y = ln x;  dx = dy / x */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** y = -x;  dx = -dy */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** y = |x|;  dx = dy * sign(x) */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** y = sqrt x;  dx = dy / (2 y) */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** y = x^2;  dx = 2 x dy */
export const square = (x: Tensor): Tensor => unaryOp('square', x);
