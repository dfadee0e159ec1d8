// Sums and means over all elements or one axis, and reshape (a view: no copy, no dispatch).
// sum: dx = dy broadcast back over the reduced axis;  mean: dx = dy / size broadcast back.
import type { ReduceOp } from '../backend/backend';
import { formatShape, record, ShapeError, shapeSize, type Tensor } from '../tensor';
import { broadcastTo, checkInputs, empty, prims } from './util';
import { scalarRaw } from './elementwise';

function reduceAxis(op: ReduceOp, x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  checkInputs(op, x);
  if (axis === undefined) {
    const y = empty(x, keepDims ? x.shape.map(() => 1) : [], op);
    prims(x).reduce({ op, x: x.storage, out: y.storage, outer: 1, size: x.size, inner: 1 });
    return y;
  }
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for shape ${formatShape(x.shape)}`);
  }
  const kept = x.shape.map((d, i) => (i === a ? 1 : d));
  const y = empty(x, keepDims ? kept : x.shape.filter((_, i) => i !== a), op);
  prims(x).reduce({
    op,
    x: x.storage,
    out: y.storage,
    outer: shapeSize(x.shape.slice(0, a)),
    size: x.shape[a],
    inner: shapeSize(x.shape.slice(a + 1)),
  });
  return y;
}

/** dy (of the reduced shape) read back over x's shape, times `scale`. */
function spread(dy: Tensor, x: Tensor, axis: number | undefined, scale: number): Tensor {
  const a = axis === undefined ? undefined : axis < 0 ? axis + x.rank : axis;
  const keptShape = x.shape.map((d, i) => (a === undefined || i === a ? 1 : d));
  const scaled = scale === 1 ? dy : scalarRaw('mul', dy, scale, 'mean backward');
  return broadcastTo(scaled.view(keptShape, 'reduce backward'), x.shape);
}

/** y = sum of x over `axis` (all elements when omitted);  dx = dy broadcast. */
export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  const y = reduceAxis('sum', x, axis, keepDims);
  return record(y, 'sum', [x], (dy) => [spread(dy, x, axis, 1)]);
}

/** y = mean of x over `axis` (all elements when omitted);  dx = dy / n broadcast. */
export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const y = reduceAxis('mean', x, axis, keepDims);
  const n = axis === undefined ? x.size : x.shape[axis < 0 ? axis + x.rank : axis];
  return record(y, 'mean', [x], (dy) => [spread(dy, x, axis, 1 / n)]);
}

/** The same storage seen with another shape of the same size; -1 stands for the remaining size. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  const knownSize = shapeSize(known);
  let resolved = [...shape];
  if (inferred > 1) throw new ShapeError(`reshape: at most one -1 in ${formatShape(shape)}`);
  if (inferred === 1) {
    if (knownSize === 0 || x.size % knownSize !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / knownSize : d));
  }
  if (shapeSize(resolved) !== x.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)} ` +
        `(${shapeSize(resolved)} elements)`,
    );
  }
  const y = x.view(resolved, 'reshape');
  return record(y, 'reshape', [x], (dy) => [dy.view(x.shape, 'reshape backward')]);
}
