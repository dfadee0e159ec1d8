// GPUBuffers pooled by size class and usage, so a training step with fixed shapes reuses last step's
// buffers instead of creating new ones. Size classes are powers of two split into quarters (at most 25%
// waste). Free lists are LIFO: a step that releases its buffers in reverse order of allocation gets the
// same buffer for the same tensor next step, which keeps the runtime's bind-group cache hitting.
import { GpuLimitError } from '../../gpu/errors';

/** Bytes of the size class that holds `bytes` (>= 16). */
export function sizeClassBytes(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  const pow = 2 ** Math.floor(Math.log2(b));
  if (pow < 64) return Math.ceil(b / 16) * 16;
  const quarter = pow / 4;
  return Math.ceil(b / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  /** GPUBuffers this pool created; a steady-state step leaves it unchanged. */
  created = 0;
  /** Bytes currently held by buffers handed out plus those waiting in free lists. */
  totalBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
  ) {}

  /**
   * A buffer of at least `bytes` with `usage`. Throws GpuLimitError, before creating anything, when
   * `bytes` exceeds `limitBytes` (the binding limit for storage buffers).
   */
  acquire(bytes: number, usage: GPUBufferUsageFlags, what: string, limitBytes: number, limitName: string): GPUBuffer {
    if (bytes > limitBytes) throw new GpuLimitError(what, bytes, limitBytes, limitName);
    const size = Math.min(sizeClassBytes(bytes), Math.max(16, Math.floor(limitBytes / 4) * 4));
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    if (reused) return reused;
    this.created++;
    this.totalBytes += size;
    return this.device.createBuffer({ size, usage, label: `${this.label} ${size}B` });
  }

  /** Returns `buffer` to its free list. */
  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
  }

  /** Destroys every free buffer (buffers still handed out are the holder's). */
  trim(): GPUBuffer[] {
    const destroyed: GPUBuffer[] = [];
    for (const list of this.free.values()) {
      for (const b of list) {
        this.totalBytes -= b.size;
        b.destroy();
        destroyed.push(b);
      }
    }
    this.free.clear();
    return destroyed;
  }
}
