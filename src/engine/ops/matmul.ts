// Matrix products. The transposed-operand flags let every gradient be one more matmul without
// materialising a transpose: for Y = op(A) op(B),
//   dA = dY op(B)^T  (or its transpose when A is stored transposed),  dB = op(A)^T dY  (likewise).
import type { MatmulActivation } from '../backend/backend';
import { formatShape, record, ShapeError, type Tensor } from '../tensor';
import { checkInputs, empty, prims } from './util';

export interface MatmulOptions {
  /** A is stored [k, m] and used transposed. */
  transA?: boolean;
  /** B is stored [n, k] and used transposed. */
  transB?: boolean;
}

function dims(op: string, a: Tensor, b: Tensor, transA: boolean, transB: boolean) {
  if (a.rank !== 2 || b.rank !== 2) {
    throw new ShapeError(`${op}: needs two matrices, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [m, ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    const ta = transA ? 'ᵀ' : '';
    const tb = transB ? 'ᵀ' : '';
    throw new ShapeError(
      `${op}: shapes ${formatShape(a.shape)}${ta} and ${formatShape(b.shape)}${tb} do not match ` +
        `(inner dimensions ${ka} and ${kb})`,
    );
  }
  return { m, k: ka, n };
}

/** out = act(op(A) op(B) + bias), no tape. */
export function matmulRaw(
  a: Tensor,
  b: Tensor,
  { transA = false, transB = false }: MatmulOptions = {},
  bias?: Tensor,
  activation: MatmulActivation = 'none',
  op = 'matmul',
): Tensor {
  checkInputs(op, a, b, ...(bias ? [bias] : []));
  const { m, k, n } = dims(op, a, b, transA, transB);
  if (bias && bias.size !== n) {
    throw new ShapeError(`${op}: bias ${formatShape(bias.shape)} does not match ${n} output columns`);
  }
  const out = empty(a, [m, n], op);
  prims(a).matmul({
    a: a.storage,
    b: b.storage,
    out: out.storage,
    m,
    k,
    n,
    transA,
    transB,
    bias: bias?.storage,
    activation,
  });
  return out;
}

/** Gradients of Y = op(A) op(B) for A and B, each a single matmul with the right flags. */
function matmulGrads(a: Tensor, b: Tensor, dy: Tensor, transA: boolean, transB: boolean, needs: readonly boolean[]) {
  const da = !needs[0]
    ? null
    : transA
      ? matmulRaw(b, dy, { transA: transB, transB: true }, undefined, 'none', 'matmul backward (A)') // [k,m]
      : matmulRaw(dy, b, { transB: !transB }, undefined, 'none', 'matmul backward (A)'); // [m,k]
  const db = !needs[1]
    ? null
    : transB
      ? matmulRaw(dy, a, { transA: true, transB: transA }, undefined, 'none', 'matmul backward (B)') // [n,k]
      : matmulRaw(a, dy, { transA: !transA }, undefined, 'none', 'matmul backward (B)'); // [k,n]
  return [da, db];
}

/** Y = op(A) op(B). */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const y = matmulRaw(a, b, { transA, transB });
  return record(y, 'matmul', [a, b], (dy, needs) => matmulGrads(a, b, dy, transA, transB, needs));
}

/**
 * A dense layer's forward in one dispatch: Y = act(X W + b), X [m,k], W [k,n], b [n].
 * dZ = dY * act'(Z) (relu: from Y > 0);  dX = dZ Wᵀ;  dW = Xᵀ dZ;  db = sum_rows dZ.
 */
export function dense(x: Tensor, w: Tensor, b: Tensor | null, activation: MatmulActivation = 'none'): Tensor {
  const y = matmulRaw(x, w, {}, b ?? undefined, activation, 'dense');
  const inputs = b ? [x, w, b] : [x, w];
  return record(y, 'dense', inputs, (dy, needs) => {
    let dz = dy;
    if (activation === 'relu') {
      dz = empty(y, y.shape, 'dense backward (relu)');
      prims(y).unaryBackward({
        op: 'relu',
        x: y.storage,
        y: y.storage,
        dy: dy.storage,
        dx: dz.storage,
        length: y.size,
        alpha: 0,
      });
    }
    const [dx, dw] = matmulGrads(x, w, dz, false, false, needs);
    let db: Tensor | null = null;
    if (b && needs[2]) {
      db = empty(b, b.shape, 'dense backward (bias)');
      prims(dz).reduce({ op: 'sum', x: dz.storage, out: db.storage, outer: 1, size: y.shape[0], inner: y.shape[1] });
    }
    return b ? [dx, dw, db] : [dx, dw];
  });
}

/** y = x + b with b [n] added to every row of x [..., n];  dx = dy, db = sum over rows of dy. */
export function biasAdd(x: Tensor, b: Tensor): Tensor {
  checkInputs('biasAdd', x, b);
  const n = x.shape[x.rank - 1];
  if (b.rank !== 1 || b.size !== n) {
    throw new ShapeError(
      `biasAdd: bias ${formatShape(b.shape)} does not match input ${formatShape(x.shape)} (needs [${n}])`,
    );
  }
  const y = empty(x, x.shape, 'biasAdd');
  const rows = x.size / n;
  prims(x).binary({
    op: 'add',
    a: x.storage,
    b: b.storage,
    out: y.storage,
    shape: [rows, n],
    aStrides: [n, 1],
    bStrides: [0, 1],
  });
  return record(y, 'biasAdd', [x, b], (dy, needs) => {
    let db: Tensor | null = null;
    if (needs[1]) {
      db = empty(b, b.shape, 'biasAdd backward');
      prims(dy).reduce({ op: 'sum', x: dy.storage, out: db.storage, outer: 1, size: rows, inner: n });
    }
    return [dy, db];
  });
}
