// The dropout keep/drop decision as a pure function of (seed, step, index): the same counter-based hash
// as src/kernels/dropout.ts (written out again here, so the reference does not borrow the kernel's code),
// so the cpu backend drops exactly the elements the webgpu backend drops.
//   key = h(seed ^ h(step ^ 0x9e3779b9));  bits_i = h(h(i ^ key) + key);  keep when bits_i >= round(rate 2^32)

/** lowbias32 (C. Wellons' 32-bit integer hash). */
export function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The per-(seed, step) key the element hashes mix in. */
export function dropoutKey(seed: number, step: number): number {
  return lowbias32((seed ^ lowbias32((step ^ 0x9e3779b9) >>> 0)) >>> 0);
}

/** u32 threshold below which an element is dropped. */
export function dropoutThreshold(rate: number): number {
  return Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32));
}

/** True when element `index` survives, given the key of its (seed, step) and the threshold of its rate. */
export function dropoutKeep(key: number, index: number, threshold: number): boolean {
  return lowbias32((lowbias32((index ^ key) >>> 0) + key) >>> 0) >= threshold;
}
