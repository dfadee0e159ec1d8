// The allocator for the WebAssembly kernels' one linear memory: a bump pointer plus free lists by size
// class (64-byte multiples), so a training step that allocates the same sizes every step reuses the same
// blocks and memory stops growing after the first step. Pointers are byte offsets into the memory.

/** Thrown when a buffer does not fit under the memory's maximum; names what was being allocated. */
export class WasmMemoryError extends Error {
  override readonly name = 'WasmMemoryError';
}

const PAGE_BYTES = 65536;
/** Alignment and size class granularity: one cache line, and a multiple of the 16-byte v128. */
export const ALIGN_BYTES = 64;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export class WasmArena {
  private top: number;
  private readonly sizes = new Map<number, number>();
  private readonly freeLists = new Map<number, number[]>();
  private inUseBytes = 0;
  private peakBytes = 0;

  /**
   * @param memory the module's memory (imported by the kernels).
   * @param baseBytes first byte the arena may hand out (the module's static data lies below).
   * @param maximumBytes the memory's maximum size; allocations beyond it fail with a WasmMemoryError.
   */
  constructor(
    readonly memory: WebAssembly.Memory,
    baseBytes: number,
    readonly maximumBytes: number,
  ) {
    this.top = Math.ceil(baseBytes / ALIGN_BYTES) * ALIGN_BYTES;
  }

  /** Bytes currently handed out (live allocations, rounded to size classes). */
  get bytesInUse(): number {
    return this.inUseBytes;
  }

  /** The most bytes ever handed out at once (the high-water mark of bytesInUse). */
  get highWaterBytes(): number {
    return this.peakBytes;
  }

  /** End of the highest block ever handed out: the address space the arena has claimed. */
  get topBytes(): number {
    return this.top;
  }

  /** The memory's current size in bytes. */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` bytes, 64-byte aligned, contents undefined. `what` names it in errors. */
  alloc(bytes: number, what: string): number {
    if (!Number.isInteger(bytes) || bytes < 0) {
      throw new RangeError(`wasm alloc for ${what}: byte count must be a non-negative integer, got ${bytes}`);
    }
    const size = Math.max(ALIGN_BYTES, Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES);
    const reused = this.freeLists.get(size)?.pop();
    const ptr = reused ?? this.bump(size, what);
    this.sizes.set(ptr, size);
    this.inUseBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.inUseBytes);
    return ptr;
  }

  /** Returns a block from `alloc` for reuse. Freeing anything else throws. */
  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`wasm free: ${ptr} is not a live allocation (double free?)`);
    this.sizes.delete(ptr);
    this.inUseBytes -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  /** The usable size of a live allocation, or undefined when `ptr` is not the start of one. */
  sizeOf(ptr: number): number | undefined {
    return this.sizes.get(ptr);
  }

  /** A Float32Array over `length` elements at `ptr` (make a new one after any alloc: growth detaches views). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length);
  }

  /** An Int32Array over `length` elements at `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }

  private bump(size: number, what: string): number {
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.maximumBytes) {
      throw new WasmMemoryError(
        `wasm memory: cannot allocate ${mib(size)} for ${what}: ${mib(this.inUseBytes)} in use, ` +
          `limit ${mib(this.maximumBytes)}: use a smaller batch size or smaller layers`,
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least a quarter of the current size so a run of allocations grows a few times, not per call.
      const wantBytes = Math.min(this.maximumBytes, Math.max(end, have + have / 4));
      const pages = Math.ceil((wantBytes - have) / PAGE_BYTES);
      try {
        this.memory.grow(pages);
      } catch (error) {
        throw new WasmMemoryError(
          `wasm memory: growing to ${mib(have + pages * PAGE_BYTES)} for ${what} failed ` +
            `(${(error as Error).message}); ${mib(this.inUseBytes)} in use`,
        );
      }
    }
    this.top = end;
    return ptr;
  }
}
