// Shared helpers for ops: typed access to a tensor's backend storage, broadcasting, and reducing a
// broadcast gradient back to its input's shape.
import type { Backend, PrimitiveTable } from '../backend/backend';
import { formatShape, ShapeError, shapeSize, Tensor } from '../tensor';

/** The primitive table of `t`'s backend, typed for storage handles of unknown type. */
export function prims(t: Tensor): PrimitiveTable<unknown> {
  return t.backend.run as PrimitiveTable<unknown>;
}

/** A new f32 tensor on `like`'s backend. */
export function empty(like: Tensor | Backend, shape: readonly number[], origin: string): Tensor {
  const backend = like instanceof Tensor ? like.backend : like;
  return new Tensor(backend, shape, 'f32', origin);
}

/** Throws unless every tensor lives on the same backend and is f32 (labels are checked by their op). */
export function checkInputs(op: string, ...tensors: Tensor[]): void {
  const backend = tensors[0].backend;
  for (const t of tensors) {
    void t.storage; // use-after-release check before any work is recorded
    if (t.backend !== backend) {
      throw new Error(`${op}: inputs live on different backends (${backend.name} and ${t.backend.name})`);
    }
    if (t.dtype !== 'f32') throw new Error(`${op}: expects f32 inputs, got ${t.describe()}`);
  }
}

/** Numpy broadcasting of two shapes; the error names the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(axis ${i} from the left of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides of a row-major tensor of `shape` read over `outShape` (0 on broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = rank - shape.length + i;
    strides[axis] = shape[i] === 1 && outShape[axis] !== 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * Merges adjacent axes where both inputs are contiguous or both broadcast the same way, so the kernel
 * sees the smallest rank (rank <= 6 is the kernel's limit; [m, n] + [n] becomes rank 2 at most).
 */
export function simplifyBroadcast(
  shape: number[],
  aStrides: number[],
  bStrides: number[],
): { shape: number[]; aStrides: number[]; bStrides: number[] } {
  const s: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && as[last] === aStrides[i] * shape[i] && bs[last] === bStrides[i] * shape[i]) {
      s[last] *= shape[i];
      as[last] = aStrides[i];
      bs[last] = bStrides[i];
    } else {
      s.push(shape[i]);
      as.push(aStrides[i]);
      bs.push(bStrides[i]);
    }
  }
  if (s.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  return { shape: s, aStrides: as, bStrides: bs };
}

/** dy summed over the axes along which an input of `shape` was broadcast to dy's shape. */
export function sumToShape(dy: Tensor, shape: readonly number[]): Tensor {
  if (dy.shape.length === shape.length && dy.shape.every((d, i) => d === shape[i])) return dy;
  const rank = dy.shape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  let current = dy;
  let currentShape = [...dy.shape];
  let axis = 0;
  while (axis < rank) {
    if (padded[axis] === 1 && currentShape[axis] !== 1) {
      // Reduce the run of adjacent broadcast axes [axis, end) in one dispatch.
      let end = axis + 1;
      while (end < rank && padded[end] === 1) end++;
      const outer = shapeSize(currentShape.slice(0, axis));
      const size = shapeSize(currentShape.slice(axis, end));
      const inner = shapeSize(currentShape.slice(end));
      const nextShape = currentShape.map((d, i) => (i >= axis && i < end ? 1 : d));
      const out = empty(dy, nextShape, 'sum over broadcast axes');
      prims(dy).reduce({ op: 'sum', x: current.storage, out: out.storage, outer, size, inner });
      current = out;
      currentShape = nextShape;
      axis = end;
    } else {
      axis++;
    }
  }
  return current.view(shape, 'sum over broadcast axes');
}

/** x read over `shape` (broadcast, materialised): max(x, x) with broadcast strides needs no constant. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const out = empty(x, shape, 'broadcast');
  const strides = broadcastStrides(x.shape, shape);
  const simple = simplifyBroadcast([...shape], strides, strides);
  prims(x).binary({ op: 'max', a: x.storage, b: x.storage, out: out.storage, ...simple });
  return out;
}
