import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdxFormatError, IdxParser, parseIdx } from '../../../src/data/idx';
import { seededRandom } from '../helpers/random';
import { cutIdx, readMnistFile, withU32 } from './mnist-files';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

function idxError(run: () => unknown): IdxFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IdxFormatError);
    return error as IdxFormatError;
  }
  throw new Error('expected an IdxFormatError, nothing was thrown');
}

/** Feeds `bytes` in chunks of seeded random sizes (1 byte to maxChunk), checking progress after each. */
function parseChunked(name: string, bytes: Uint8Array, kind: 'images' | 'labels', seed: number, maxChunk: number) {
  const parser = new IdxParser(name, { kind });
  const rand = seededRandom(seed);
  const itemBytes = kind === 'images' ? 784 : 1;
  const headerBytes = kind === 'images' ? 16 : 8;
  let offset = 0;
  let lastItems = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(rand() * maxChunk);
    parser.push(bytes.subarray(offset, offset + size));
    offset = Math.min(bytes.length, offset + size);
    const expectedItems = offset < headerBytes ? 0 : Math.floor((offset - headerBytes) / itemBytes);
    expect(parser.itemsComplete).toBe(expectedItems);
    expect(parser.itemsComplete).toBeGreaterThanOrEqual(lastItems);
    lastItems = parser.itemsComplete;
  }
  parser.finish();
  return parser;
}

describe('idx parser on the real MNIST files', () => {
  it('reads the 60 000 training labels with the known count of each digit', () => {
    const { header, items } = parseIdx('train-labels-idx1-ubyte', readMnistFile('train-labels-idx1-ubyte'), {
      kind: 'labels',
      count: 60_000,
    });
    expect(header.dims).toEqual([60_000]);
    const counts = new Array(10).fill(0);
    for (const label of items) counts[label]++;
    expect(counts).toEqual(TRAIN_LABEL_COUNTS);
    // The first training digits, as every MNIST tutorial prints them.
    expect(Array.from(items.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
  });

  it('reads the training images: image bytes match slices of the file taken directly', () => {
    const raw = readMnistFile('train-images-idx3-ubyte');
    const { header, items } = parseIdx('train-images-idx3-ubyte', raw, {
      kind: 'images',
      count: 60_000,
      rows: 28,
      cols: 28,
    });
    expect(header.dims).toEqual([60_000, 28, 28]);
    expect(items.length).toBe(60_000 * 784);
    for (const index of [0, 1, 12_345, 59_999]) {
      const direct = raw.subarray(16 + index * 784, 16 + (index + 1) * 784);
      expect(sha256(items.subarray(index * 784, (index + 1) * 784)), `image ${index}`).toBe(sha256(direct));
    }
    // Image 0 (a 5): its checksum and ink, pinned so a change in the source data is noticed.
    const image0 = items.subarray(0, 784);
    expect(image0.reduce((a, b) => a + b, 0)).toBe(27_525);
    expect(sha256(image0)).toBe(sha256(raw.subarray(16, 800)));
  });

  it('gives identical results when fed in random chunks as in one piece', () => {
    const labels = readMnistFile('t10k-labels-idx1-ubyte');
    const images = readMnistFile('t10k-images-idx3-ubyte');
    for (const seed of [1, 2]) {
      const chunkedLabels = parseChunked('t10k-labels-idx1-ubyte', labels, 'labels', seed, 37);
      expect(Buffer.from(chunkedLabels.items).equals(labels.subarray(8))).toBe(true);
      const chunkedImages = parseChunked('t10k-images-idx3-ubyte', images, 'images', seed, 65_536);
      const oneShot = parseIdx('t10k-images-idx3-ubyte', images, { kind: 'images' }).items;
      expect(Buffer.from(chunkedImages.items).equals(oneShot)).toBe(true);
      expect(chunkedImages.itemsComplete).toBe(10_000);
    }
  });
});

describe('idx parser on corrupted copies', () => {
  const images = cutIdx('t10k-images-idx3-ubyte', 20);
  const labels = cutIdx('t10k-labels-idx1-ubyte', 20);

  it('rejects a bad magic number, and says so when the bytes are still gzip', () => {
    const error = idxError(() => parseIdx('x-images', withU32(images, 0, 2049), { kind: 'images' }));
    expect(error.reason).toBe('bad-magic');
    expect(error.message).toMatch(/^x-images: bad magic number 2049 .*2051/);
    const gz = idxError(() => parseIdx('y-labels', gzipSync(labels), { kind: 'labels' }));
    expect(gz.reason).toBe('bad-magic');
    expect(gz.message).toContain('y-labels');
    expect(gz.message).toContain('gzip');
  });

  it('rejects a count that differs from the expected one', () => {
    const error = idxError(() => parseIdx('z-images', withU32(images, 4, 21), { kind: 'images', count: 20 }));
    expect(error.reason).toBe('wrong-count');
    expect(error.message).toMatch(/^z-images: .*21 images, expected 20/);
  });

  it('rejects a header that declares more items than the file holds (short read)', () => {
    const error = idxError(() => parseIdx('z-labels', withU32(labels, 4, 25), { kind: 'labels' }));
    expect(error.reason).toBe('truncated');
    expect(error.message).toMatch(/^z-labels: the file is truncated: 28 bytes of 33 bytes.*20 labels of 25/);
  });

  it('rejects a header that declares fewer items than the bytes that follow', () => {
    const error = idxError(() => parseIdx('z-labels', withU32(labels, 4, 10), { kind: 'labels' }));
    expect(error.reason).toBe('trailing-bytes');
    expect(error.message).toContain('z-labels');
  });

  it('rejects a truncated file, also one cut inside the header', () => {
    const cut = images.subarray(0, images.length - 100);
    const error = idxError(() => parseIdx('t-images', cut, { kind: 'images', count: 20 }));
    expect(error.reason).toBe('truncated');
    expect(error.message).toMatch(/^t-images: .*19 images of 20/);
    const header = idxError(() => parseIdx('t-images', images.subarray(0, 10), { kind: 'images' }));
    expect(header.reason).toBe('truncated');
    expect(header.message).toContain('before its header was complete');
  });

  it('rejects wrong image dimensions and a header that would need gigabytes', () => {
    const error = idxError(() => parseIdx('d-images', withU32(images, 8, 27), { kind: 'images', rows: 28, cols: 28 }));
    expect(error.reason).toBe('bad-dimensions');
    expect(error.message).toContain('27x28');
    const huge = idxError(() => parseIdx('h-images', withU32(images, 4, 4_000_000), { kind: 'images' }));
    expect(huge.reason).toBe('bad-dimensions');
  });

  it('stays failed: pushing after an error throws the same error', () => {
    const parser = new IdxParser('s-labels', { kind: 'labels' });
    const first = idxError(() => parser.push(withU32(labels, 0, 7)));
    expect(idxError(() => parser.push(labels))).toBe(first);
    expect(parser.error).toBe(first);
  });
});
