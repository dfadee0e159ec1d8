// Argument checks shared by the buffer-level kernels: a wrong length or a too-small buffer fails on the
// host with a message naming the kernel and the argument, before anything is recorded into the pass.

/** Throws unless `value` is a whole number in [min, max]. */
export function requireCount(kernel: string, name: string, value: number, min = 0, max = 2 ** 32 - 1): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${kernel}: ${name} must be a whole number in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `buffer` holds at least `elements` 4-byte elements. */
export function requireElements(kernel: string, name: string, buffer: GPUBuffer, elements: number): void {
  if (buffer.size < elements * 4) {
    throw new RangeError(
      `${kernel}: buffer '${name}' holds ${Math.floor(buffer.size / 4)} elements (${buffer.size} bytes), ` +
        `needs ${elements}`,
    );
  }
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T extends string>(kernel: string, name: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new RangeError(`${kernel}: unknown ${name} '${value}' (expected one of ${allowed.join(', ')})`);
  }
}

/** WGSL for the flat index of a thread in a 1-D grid of 256-wide workgroups folded into 2-D by grid1d(). */
export const FLAT_INDEX_WGSL = 'gid.x + gid.y * groups.x * 256u';
