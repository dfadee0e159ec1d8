// The fast CPU backend: every primitive runs in the WebAssembly SIMD kernels of src/wasm/ (AssemblyScript,
// packed and register-tiled matmul, im2col conv), synchronously, on storage that is a byte offset into the
// kernels' one linear memory. For machines where WebGPU is missing or runs on a software rasteriser.
// Single-threaded; memory is pooled by size class, so a steady training step allocates nothing new.
import { loadWasmKernels, type WasmKernelOptions, type WasmKernels, type WasmPtr } from '../../../wasm/kernels';
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

  /** Drops every allocation; the memory itself goes with the last reference to this backend. */
  destroy(): void {
    for (const ptr of [...this.dtypes.keys()]) this.free(ptr);
  }
}

/** Loads the kernels (relaxed SIMD where the runtime validates it) and returns a wasm backend over them. */
export async function wasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  return new WasmBackend(await loadWasmKernels(options), options);
}
