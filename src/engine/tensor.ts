// Tensors: a shape, a dtype and backend storage, plus what autograd needs (requiresGrad, grad, the tape
// node that made it). Lifetime without tidy(): a tensor made inside a step belongs to that step's scope
// and goes back to the backend's pool when the step ends; parameters and optimiser state are made
// persistent and live until dispose(). A tensor used after release throws, naming its shape and origin.
import type { Backend, DType } from './backend/backend';

/** Storage shared by a tensor and its views (reshape); freed when the last holder releases it. */
interface StorageRef {
  handle: unknown;
  holders: number;
}

/** One recorded op: its inputs and the rule that maps the output's gradient to the inputs' gradients. */
export interface TapeNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients for each input (null where an input needs none). Runs in no-grad mode. */
  readonly backward: (dy: Tensor) => ReadonlyArray<Tensor | null>;
}

/** The tensors (and tape) of one step; released together when the step ends. */
class Scope {
  readonly tensors: Tensor[] = [];
  readonly tape: TapeNode[] = [];
}

const scopes: Scope[] = [];
let noGradDepth = 0;

export class TensorReleasedError extends Error {
  constructor(what: string) {
    super(
      `${what} was used after it was released (its step ended or dispose() was called). ` +
        `Keep tensors across steps with keep(), or read them with data() inside the step.`,
    );
    this.name = 'TensorReleasedError';
  }
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  readonly size: number;
  /** True when gradients flow to this tensor (parameters, and anything computed from them). */
  requiresGrad = false;
  /** The gradient after backward(), for tensors with requiresGrad that no op produced (leaves). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, while its step's tape is alive. */
  node: TapeNode | null = null;
  /** Set by backward's seed: a scalar known to hold 1, so ops may skip multiplying by it. */
  isOnes = false;
  private ref: StorageRef | null;
  private scope: Scope | null;

  constructor(
    readonly backend: Backend,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** The op (or role, such as a parameter's name) that made this tensor; named in errors. */
    readonly origin: string,
    storage?: { ref: StorageRef },
    persistent = false,
  ) {
    this.size = shapeSize(shape);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${origin}: invalid shape ${formatShape(shape)}`);
    }
    if (storage) {
      storage.ref.holders++;
      this.ref = storage.ref;
    } else {
      this.ref = { handle: backend.alloc(Math.max(this.size, 1), dtype, this.describe()), holders: 1 };
    }
    this.scope = persistent ? null : (scopes[scopes.length - 1] ?? null);
    this.scope?.tensors.push(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** "tensor [100, 10] f32 from matmul". */
  describe(): string {
    return `tensor ${formatShape(this.shape)} ${this.dtype} from ${this.origin}`;
  }

  /** The backend storage; throws TensorReleasedError after release. */
  get storage(): unknown {
    if (!this.ref) throw new TensorReleasedError(this.describe());
    return this.ref.handle;
  }

  get isReleased(): boolean {
    return this.ref === null;
  }

  /** A tensor with the same storage and another shape of the same size (no copy). */
  view(shape: readonly number[], origin: string): Tensor {
    if (!this.ref) throw new TensorReleasedError(this.describe());
    return new Tensor(this.backend, shape, this.dtype, origin, { ref: this.ref });
  }

  /** Reads the values back (waits for the GPU on webgpu; flushes pending work first). */
  async data(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`${this.describe()}: data() reads f32 tensors; use labels() for i32`);
    return (await this.backend.read(this.storage, this.size, 'f32')) as Float32Array;
  }

  /** Reads an i32 tensor back. */
  async labels(): Promise<Int32Array> {
    if (this.dtype !== 'i32') throw new Error(`${this.describe()}: labels() reads i32 tensors`);
    return (await this.backend.read(this.storage, this.size, 'i32')) as Int32Array;
  }

  /** Releases the storage now (idempotent). Views keep the storage alive until they are released too. */
  dispose(): void {
    if (!this.ref) return;
    const ref = this.ref;
    this.ref = null;
    this.node = null;
    this.grad = null;
    if (--ref.holders === 0) this.backend.free(ref.handle);
  }

  /** Takes this tensor out of its step scope so it survives the step; the caller disposes it. */
  keep(): this {
    if (this.scope) {
      const list = this.scope.tensors;
      const i = list.lastIndexOf(this);
      if (i >= 0) list.splice(i, 1);
      this.scope = null;
    }
    return this;
  }
}

/** Makes a tensor from values. Persistent tensors (parameters) outlive any step. */
export function tensorFrom(
  backend: Backend,
  data: Float32Array | Int32Array | readonly number[],
  shape: readonly number[],
  { dtype, origin = 'input', persistent = false }: { dtype?: DType; origin?: string; persistent?: boolean } = {},
): Tensor {
  const type: DType = dtype ?? (data instanceof Int32Array ? 'i32' : 'f32');
  const t = new Tensor(backend, shape, type, origin, undefined, persistent);
  if (data.length !== t.size) {
    t.dispose();
    throw new ShapeError(`${origin}: ${data.length} values do not fill shape ${formatShape(shape)} (${t.size})`);
  }
  const typed =
    data instanceof Float32Array || data instanceof Int32Array
      ? data
      : type === 'i32'
        ? Int32Array.from(data)
        : Float32Array.from(data);
  backend.write(t.storage, typed);
  return t;
}

/** A tensor of `value` everywhere. */
export function full(
  backend: Backend,
  shape: readonly number[],
  value: number,
  { origin = 'full', persistent = false }: { origin?: string; persistent?: boolean } = {},
): Tensor {
  const t = new Tensor(backend, shape, 'f32', origin, undefined, persistent);
  backend.run.fill({ out: t.storage, length: t.size, value });
  return t;
}

/**
 * Runs `fn` as one step: every tensor made inside (that is not kept or persistent) is released when it
 * returns, in reverse order of creation, so the next step with the same shapes gets the same buffers back
 * from the pool (which keeps the bind-group cache warm). `fn` must be synchronous: a step records work.
 */
export function step<T>(fn: () => T): T {
  const scope = new Scope();
  scopes.push(scope);
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new Error('step(fn): fn must be synchronous (a step records work; await results after it)');
    }
    return result;
  } finally {
    scopes.pop();
    for (let i = scope.tensors.length - 1; i >= 0; i--) scope.tensors[i].dispose();
  }
}

/** True while gradients are being recorded (not inside noGrad). */
export function isGradEnabled(): boolean {
  return noGradDepth === 0;
}

/** Runs `fn` without recording a tape: evaluation, prediction, and the backward pass itself. */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/**
 * Records that `output` was computed from `inputs`; `backward` maps dy to the inputs' gradients. Does
 * nothing in no-grad mode or when no input needs a gradient. Returns `output`.
 */
export function record(
  output: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (dy: Tensor, needs: readonly boolean[]) => ReadonlyArray<Tensor | null>,
): Tensor {
  if (noGradDepth > 0 || !inputs.some((t) => t.requiresGrad)) return output;
  const needs = inputs.map((t) => t.requiresGrad);
  const node: TapeNode = { op, inputs, backward: (dy) => backward(dy, needs) };
  output.requiresGrad = true;
  output.node = node;
  scopes[scopes.length - 1]?.tape.push(node);
  return output;
}
