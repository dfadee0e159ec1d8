// What a backend is: a place where tensor storage lives and a fixed, small set of primitives runs on it.
// A backend is not a tensor library: it knows flat storage, element counts and shapes, never Tensors,
// gradients or the tape. Ops (src/engine/ops/) compose these primitives; everything else is derived.
//
// The primitive set mirrors the buffer-level WGSL kernels (docs/engine-contracts.md) one to one, in
// destination-passing style: the caller allocates every output and passes it in. Each backend implements
// the whole table `PrimitiveTable<S>`, so adding a primitive to `PrimitiveArgs` fails to type-check until
// every backend handles it (after jax-js's exhaustive rule tables).
//
// Fused primitives, and why they exist (tinygrad keeps the rest composed):
// - `matmul` with `bias` + `activation`: Dense forward is one dispatch instead of three.
// - `softmaxCrossEntropy`: loss, gradient and correct count in one pass over the logits, numerically
//   stable, and the metrics accumulate on the GPU without readback.
// - optimiser updates: one dispatch per parameter instead of ~8 element-wise ones.

import type { Conv2dGeometry, Pool2dGeometry } from '../ref/shapes';

export type DType = 'f32' | 'i32';

export type UnaryOp = 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh' | 'exp' | 'log' | 'neg' | 'abs' | 'sqrt' | 'square';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';
export type ScalarOp = 'add' | 'mul' | 'rsub' | 'pow';
export type ReduceOp = 'sum' | 'max' | 'mean';
export type MatmulActivation = 'none' | 'relu';

/**
 * Optimiser hyper-parameters for one update step, as plain numbers. The webgpu backend packs them into
 * the optimiser's own hyper buffer (`hyperStorage`) once per step; the cpu backend reads them directly.
 *
 * Update rules (g = grad + l2 * p + l1 * sign(p)):
 * - sgd:     v = momentum * v + g;  p -= lr * (nesterov ? g + momentum * v : v)   (v unused when momentum = 0)
 * - adam:    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * - rmsprop: s = rho s + (1-rho) g^2;  p -= lr * g / (sqrt(s) + eps)
 */
export interface OptimHyper {
  lr: number;
  l2: number;
  l1: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  /** The 1-based number of this update, t. */
  step: number;
  /** beta1^t and beta2^t for Adam's bias correction. */
  beta1Power: number;
  beta2Power: number;
  rho: number;
  eps: number;
}

/** The arguments of every primitive, by name. `S` is the backend's storage type. */
export interface PrimitiveArgs<S> {
  /** out[m,n] = act(op(A) @ op(B) + bias); op(A) is A [m,k] or A stored [k,m] when transA; likewise B. */
  matmul: {
    a: S;
    b: S;
    out: S;
    m: number;
    k: number;
    n: number;
    transA: boolean;
    transB: boolean;
    bias?: S;
    activation: MatmulActivation;
  };
  /** out = f(x) element-wise. */
  unary: { op: UnaryOp; x: S; out: S; length: number; alpha: number };
  /** dx = dy * f'(x), where y = f(x) is passed too because some derivatives are cheaper from it. */
  unaryBackward: { op: UnaryOp; x: S; y: S; dy: S; dx: S; length: number; alpha: number };
  /** out[i] = a[.] op b[.] over output `shape`; strides are element strides over `shape`, 0 when broadcast. */
  binary: { op: BinaryOp; a: S; b: S; out: S; shape: number[]; aStrides: number[]; bStrides: number[] };
  /** out = x op value (`rsub`: value - x). */
  scalar: { op: ScalarOp; x: S; out: S; length: number; value: number };
  /** Reduces the middle axis of x viewed as [outer, size, inner] into out [outer, inner]. */
  reduce: { op: ReduceOp; x: S; out: S; outer: number; size: number; inner: number };
  /** Row-wise softmax (log-softmax when `log`) of x [rows, cols]. */
  softmax: { x: S; out: S; rows: number; cols: number; log: boolean };
  /** dx from y = softmax(x) (or log-softmax) and dy, row-wise. */
  softmaxBackward: { y: S; dy: S; dx: S; rows: number; cols: number; log: boolean };
  /**
   * lossPerRow[r] = logsumexp(z_r) - z_r[label_r];  dlogits = (softmax(z) - onehot) / rows.
   * When `metrics` is given, adds the summed loss and the number of correct predictions (argmax == label,
   * first max wins) to metrics[2*slot] and metrics[2*slot+1].
   */
  softmaxCrossEntropy: {
    logits: S;
    labels: S;
    rows: number;
    cols: number;
    dlogits: S;
    lossPerRow: S;
    metrics?: S;
    metricsSlot: number;
  };
  /** In-place SGD (with momentum / Nesterov when hyper.momentum > 0 and `velocity` is given). */
  sgdUpdate: { param: S; grad: S; velocity?: S; length: number; hyper: OptimHyper; hyperStorage: S };
  /** In-place bias-corrected Adam. */
  adamUpdate: { param: S; grad: S; m: S; v: S; length: number; hyper: OptimHyper; hyperStorage: S };
  /** In-place RMSprop. */
  rmspropUpdate: { param: S; grad: S; meanSquare: S; length: number; hyper: OptimHyper; hyperStorage: S };
  /**
   * Inverted dropout with a counter-based RNG: keep element i with probability 1 - rate, decided by a
   * hash of (seed, step, i); mask = kept ? 1/(1-rate) : 0; out = x * mask.
   */
  dropout: { x: S; out: S; mask: S; length: number; rate: number; seed: number; step: number };
  /** out[0..length) = value. */
  fill: { out: S; length: number; value: number };
  /** dst[0..length) = src[0..length). */
  copy: { src: S; dst: S; length: number };
  // Vision primitives (src/kernels/{conv2d,pool,batchnorm}.ts, references in src/engine/ref/): NHWC
  // activations, HWIO filters; geometry from src/engine/ref/shapes.ts. Each overwrites its outputs.
  /** out = act(conv2d(x, filter) + bias). */
  conv2d: { x: S; filter: S; bias?: S; out: S; geometry: Conv2dGeometry; activation: MatmulActivation };
  /** dx of conv2d from dy (the transposed convolution). */
  conv2dBackwardInput: { dy: S; filter: S; dx: S; geometry: Conv2dGeometry };
  /** dFilter of conv2d from x and dy. */
  conv2dBackwardFilter: { x: S; dy: S; dFilter: S; geometry: Conv2dGeometry };
  /** Window maxima; argmax (i32) = flat index into x of each window's first maximum. */
  maxPool: { x: S; out: S; argmax: S; geometry: Pool2dGeometry };
  /** dx[i] = sum of dy[o] over the outputs o whose argmax is i. */
  maxPoolBackward: { dy: S; argmax: S; dx: S; geometry: Pool2dGeometry };
  /** Window means over in-bounds taps. */
  avgPool: { x: S; out: S; geometry: Pool2dGeometry };
  avgPoolBackward: { dy: S; dx: S; geometry: Pool2dGeometry };
  /**
   * Batch norm over x [rows, channels]: batch statistics (and running-average update in place) when
   * training, running averages otherwise; mean and invStd receive the statistics used.
   */
  batchNorm: {
    x: S;
    gamma: S;
    beta: S;
    runningMean: S;
    runningVar: S;
    out: S;
    mean: S;
    invStd: S;
    rows: number;
    channels: number;
    epsilon: number;
    momentum: number;
    training: boolean;
  };
  /** dx, dGamma, dBeta of batchNorm from dy and the statistics the forward pass used. */
  batchNormBackward: {
    x: S;
    dy: S;
    gamma: S;
    mean: S;
    invStd: S;
    dx: S;
    dGamma: S;
    dBeta: S;
    rows: number;
    channels: number;
    training: boolean;
  };
}

export type Primitive = keyof PrimitiveArgs<unknown>;

/** One implementation per primitive; a backend that misses one does not type-check. */
export type PrimitiveTable<S> = { readonly [P in Primitive]: (args: PrimitiveArgs<S>[P]) => void };

/** The names of every primitive, checked complete by the compiler. */
export const PRIMITIVES = Object.keys({
  matmul: 1,
  unary: 1,
  unaryBackward: 1,
  binary: 1,
  scalar: 1,
  reduce: 1,
  softmax: 1,
  softmaxBackward: 1,
  softmaxCrossEntropy: 1,
  sgdUpdate: 1,
  adamUpdate: 1,
  rmspropUpdate: 1,
  dropout: 1,
  fill: 1,
  copy: 1,
  conv2d: 1,
  conv2dBackwardInput: 1,
  conv2dBackwardFilter: 1,
  maxPool: 1,
  maxPoolBackward: 1,
  avgPool: 1,
  avgPoolBackward: 1,
  batchNorm: 1,
  batchNormBackward: 1,
} satisfies Record<Primitive, 1>) as Primitive[];

export type BackendName = 'cpu' | 'webgpu' | 'wasm';

/**
 * A backend: storage plus the primitive table. Storage handles are opaque to everything but the backend.
 * Primitives are *recorded*: the cpu backend runs them at once, the webgpu backend records them into the
 * current step's compute pass and runs them at `flush()`. Nothing but `read()` waits for results.
 */
// `Backend` without an argument is any backend: storage handles are opaque outside their backend, and
// Backend<S> is invariant in S (S appears in arguments and results), so the erased type must be `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Backend<S = any> {
  readonly name: BackendName;
  /** Storage for `length` elements of `dtype`, contents undefined. `what` names the tensor in errors. */
  alloc(length: number, dtype: DType, what: string): S;
  /** Returns storage for reuse (a pool on webgpu). The handle must not be used afterwards. */
  free(storage: S): void;
  /** Copies `data` into `storage` (ordered before any primitive recorded after this call). */
  write(storage: S, data: Float32Array | Int32Array): void;
  /** Reads `length` elements back; on webgpu this flushes pending work and maps a staging buffer. */
  read(storage: S, length: number, dtype: DType): Promise<Float32Array | Int32Array>;
  /** The primitive table. */
  readonly run: PrimitiveTable<S>;
  /** Submits everything recorded so far (one submit per training step on webgpu); a no-op on cpu. */
  flush(): void;
  /**
   * Resolves once at most `maxInFlight` flushed command buffers are still executing, so a training loop
   * that records faster than the device runs does not queue without bound. Resolves at once on cpu.
   */
  throttle(maxInFlight: number): Promise<void>;
  /** Releases every resource the backend holds. */
  destroy(): void;
}
