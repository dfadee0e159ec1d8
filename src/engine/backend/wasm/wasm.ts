// The fast CPU backend: every primitive runs in the WebAssembly SIMD kernels of src/wasm/ (AssemblyScript,
// packed and register-tiled matmul, im2col conv), synchronously, on storage that is a byte offset into the
// kernels' one linear memory. For machines where WebGPU is missing or runs on a software rasteriser.
// Matmul, the convolutions and large element-wise ops and optimiser updates split over worker threads
// sharing the kernels' memory where that works (a cross-origin isolated page, or Node), else one thread,
// with the reason in `singleThreadReason`.
// Memory is pooled by size class, so a steady training step allocates nothing new.
import { WasmMemoryError } from '../../../wasm/arena';
import {
  loadWasmKernels,
  type MatmulTile,
  type WasmKernelOptions,
  type WasmKernels,
  type WasmPtr,
} from '../../../wasm/kernels';
import type { Backend, DType, PrimitiveTable } from '../backend';

export interface WasmBackendOptions extends WasmKernelOptions {
  /** Fill every new f32 allocation with NaN (tests: an element a primitive forgets to write fails). */
  poison?: boolean;
}

export class WasmBackend implements Backend<WasmPtr> {
  readonly name = 'wasm' as const;
  readonly run: PrimitiveTable<WasmPtr>;
  /** The dtype of every live allocation: fill writes i32 values into i32 storage. */
  private readonly dtypes = new Map<WasmPtr, DType>();

  constructor(
    readonly kernels: WasmKernels,
    private readonly options: WasmBackendOptions = {},
  ) {
    const k = kernels;
    this.run = {
      matmul: (a) => k.matmul(a),
      unary: (a) => k.unary(a),
      unaryBackward: (a) => k.unaryBackward(a),
      binary: (a) => k.binary(a),
      scalar: (a) => k.scalar(a),
      reduce: (a) => k.reduce(a),
      softmax: (a) => k.softmax(a),
      softmaxBackward: (a) => k.softmaxBackward(a),
      softmaxCrossEntropy: (a) => k.softmaxCrossEntropy(a),
      sgdUpdate: (a) => k.sgdUpdate(a),
      adamUpdate: (a) => k.adamUpdate(a),
      rmspropUpdate: (a) => k.rmspropUpdate(a),
      dropout: (a) => k.dropout(a),
      fill: (a) => {
        if (this.dtypes.get(a.out) === 'i32') k.arena.i32(a.out, a.length).fill(a.value);
        else k.fill(a);
      },
      copy: (a) => k.copy(a),
      conv2d: (a) => k.conv2d(a),
      conv2dBackwardInput: (a) => k.conv2dBackwardInput(a),
      conv2dBackwardFilter: (a) => k.conv2dBackwardFilter(a),
      maxPool: (a) => k.maxPool(a),
      maxPoolBackward: (a) => k.maxPoolBackward(a),
      avgPool: (a) => k.avgPool(a),
      avgPoolBackward: (a) => k.avgPoolBackward(a),
      batchNorm: (a) => k.batchNorm(a),
      batchNormBackward: (a) => k.batchNormBackward(a),
    };
  }

  /** Which kernel build runs: 'relaxed' (fused multiply-add) or plain 'simd'. */
  get simd(): 'relaxed' | 'simd' {
    return this.kernels.simd;
  }

  /** The matmul's register tile, the faster of two on this engine (timed when the kernels loaded). */
  get matmulTile(): MatmulTile {
    return this.kernels.matmulTile;
  }

  /** Threads the heavy kernels (matmul, conv2d and its gradients, large element-wise ops) run on. */
  get threads(): number {
    return this.kernels.threads;
  }

  /** Why the backend runs on one thread (e.g. "the page is not cross-origin isolated, ..."); null when not. */
  get singleThreadReason(): string | null {
    return this.kernels.singleThreadReason;
  }

  /** The most bytes of memory the kernels may use. */
  get memoryLimitBytes(): number {
    return this.kernels.arena.maximumBytes;
  }

  /**
   * Throws a WasmMemoryError before training starts when `bytes` more (e.g. a design's estimated training
   * step, src/engine/graph's MemoryEstimate.totalBytes) would not fit beside what is already allocated.
   * `what` names the model and batch in the message ("the model at batch 512").
   */
  assertFits(bytes: number, what: string): void {
    const arena = this.kernels.arena;
    const need = arena.bytesInUse + bytes;
    if (need > arena.maximumBytes) {
      const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
      throw new WasmMemoryError(
        `${what} needs about ${mib(bytes)} of WebAssembly memory (${mib(need)} with the engine's own buffers), ` +
          `more than the wasm engine's limit of ${mib(arena.maximumBytes)}. Use a smaller batch size or ` +
          `smaller layers (fewer units or filters), or the WebGPU engine where it is available.`,
      );
    }
  }

  alloc(length: number, dtype: DType, what: string): WasmPtr {
    const ptr = this.kernels.alloc(length, what);
    this.dtypes.set(ptr, dtype);
    if (this.options.poison && dtype === 'f32') this.kernels.arena.f32(ptr, length).fill(Number.NaN);
    return ptr;
  }

  free(storage: WasmPtr): void {
    this.kernels.free(storage);
    this.dtypes.delete(storage);
  }

  write(storage: WasmPtr, data: Float32Array | Int32Array): void {
    this.kernels.write(storage, data);
  }

  async read(storage: WasmPtr, length: number, dtype: DType): Promise<Float32Array | Int32Array> {
    return dtype === 'i32' ? this.kernels.readI32(storage, length) : this.kernels.readF32(storage, length);
  }

  /** Primitives run when called: nothing is pending. */
  flush(): void {}

  async throttle(): Promise<void> {}

  /** Drops every allocation and stops the worker threads; the memory goes with the last reference. */
  destroy(): void {
    for (const ptr of [...this.dtypes.keys()]) this.free(ptr);
    this.kernels.stopThreads();
  }
}

/**
 * Loads the kernels (relaxed SIMD where the runtime validates it), starts `threads - 1` worker threads
 * where shared memory works (default: every core up to 8; `threads: 1` forces one), and returns a wasm
 * backend over them. Never fails for want of threads: it falls back to one and says why.
 */
export async function wasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return new WasmBackend(await loadWasmKernels(options), options);
}
