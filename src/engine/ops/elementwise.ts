// Element-wise arithmetic with numpy broadcasting. Each op's gradient sums over the axes its input was
// broadcast along (sumToShape), so `x @ W + b` gives b a gradient of b's own shape.
import type { BinaryOp, ScalarOp, UnaryOp } from '../backend/backend';
import { record, type Tensor } from '../tensor';
import { broadcastShapes, broadcastStrides, checkInputs, empty, prims, simplifyBroadcast, sumToShape } from './util';

/** out = a op b, broadcast; no tape. */
export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, name: string = op): Tensor {
  checkInputs(name, a, b);
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = empty(a, shape, name);
  const simple = simplifyBroadcast(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
  prims(a).binary({ op, a: a.storage, b: b.storage, out: out.storage, ...simple });
  return out;
}

/** out = x op value; no tape. */
export function scalarRaw(op: ScalarOp, x: Tensor, value: number, name: string): Tensor {
  checkInputs(name, x);
  const out = empty(x, x.shape, name);
  prims(x).scalar({ op, x: x.storage, out: out.storage, length: x.size, value });
  return out;
}

/** out = f(x); no tape. */
export function unaryRaw(op: UnaryOp, x: Tensor, alpha = 0): Tensor {
  checkInputs(op, x);
  const out = empty(x, x.shape, op);
  prims(x).unary({ op, x: x.storage, out: out.storage, length: x.size, alpha });
  return out;
}

// y = a + b;  da = dy, db = dy (each summed to its own shape)
export function add(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('add', a, b);
  return record(y, 'add', [a, b], (dy, needs) => [
    needs[0] ? sumToShape(dy, a.shape) : null,
    needs[1] ? sumToShape(dy, b.shape) : null,
  ]);
}

// y = a - b;  da = dy, db = -dy
export function sub(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('sub', a, b);
  return record(y, 'sub', [a, b], (dy, needs) => [
    needs[0] ? sumToShape(dy, a.shape) : null,
    needs[1] ? sumToShape(unaryRaw('neg', dy), b.shape) : null,
  ]);
}

// y = a * b;  da = dy * b, db = dy * a
export function mul(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('mul', a, b);
  return record(y, 'mul', [a, b], (dy, needs) => [
    needs[0] ? sumToShape(binaryRaw('mul', dy, b), a.shape) : null,
    needs[1] ? sumToShape(binaryRaw('mul', dy, a), b.shape) : null,
  ]);
}

// y = a / b;  da = dy / b, db = -dy * y / b
export function div(a: Tensor, b: Tensor): Tensor {
  const y = binaryRaw('div', a, b);
  return record(y, 'div', [a, b], (dy, needs) => [
    needs[0] ? sumToShape(binaryRaw('div', dy, b), a.shape) : null,
    needs[1] ? sumToShape(unaryRaw('neg', binaryRaw('div', binaryRaw('mul', dy, y), b)), b.shape) : null,
  ]);
}

// y = x + c;  dx = dy
export function addScalar(x: Tensor, c: number): Tensor {
  const y = scalarRaw('add', x, c, 'addScalar');
  return record(y, 'addScalar', [x], (dy) => [dy]);
}

// y = x * c;  dx = c * dy
export function mulScalar(x: Tensor, c: number): Tensor {
  const y = scalarRaw('mul', x, c, 'mulScalar');
  return record(y, 'mulScalar', [x], (dy) => [scalarRaw('mul', dy, c, 'mulScalar backward')]);
}
