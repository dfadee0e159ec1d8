// Incremental parser for the idx format MNIST ships in: push bytes as they arrive from the network and
// read how many complete items (images or labels) are already usable. Every malformation (wrong magic
// number, wrong dimensions, wrong count, a short or over-long file) is an IdxFormatError naming the file.
//
// Layout (big-endian): u32 magic = 0x0000 | type 0x08 (ubyte) | ndims; then ndims u32 sizes; then the items,
// row-major, one byte each. Labels: magic 2049, dims [count]. Images: magic 2051, dims [count, rows, cols].

export type IdxKind = 'images' | 'labels';

export const IDX_MAGIC: Record<IdxKind, number> = { labels: 2049, images: 2051 };
const IDX_DIMS: Record<IdxKind, number> = { labels: 1, images: 3 };

export type IdxErrorReason = 'bad-magic' | 'bad-dimensions' | 'wrong-count' | 'truncated' | 'trailing-bytes';

/** The bytes of an idx file are not what they should be. `file` names it; `hint` says what to do. */
export class IdxFormatError extends Error {
  constructor(
    readonly file: string,
    readonly reason: IdxErrorReason,
    message: string,
    readonly hint = 'The file is damaged. Retry the download; if it fails again the server has a bad copy.',
  ) {
    super(`${file}: ${message}`);
    this.name = 'IdxFormatError';
  }
}

/** What the caller knows the file must hold; counts and sizes given here are checked against the header. */
export interface IdxExpectation {
  kind: IdxKind;
  /** Number of items the file must declare (60 000 for MNIST train). */
  count?: number;
  /** Image height and width (28 for MNIST). */
  rows?: number;
  cols?: number;
}

export interface IdxHeader {
  kind: IdxKind;
  magic: number;
  /** dims[0] is the item count; images add rows and cols. */
  dims: number[];
  headerBytes: number;
  /** Bytes per item: rows * cols for images, 1 for labels. */
  itemBytes: number;
  /** Header plus every item: the exact length the file must have. */
  fileBytes: number;
}

/** A damaged header must not make us allocate gigabytes; MNIST's largest file is 47 MB. */
const MAX_IDX_FILE_BYTES = 512 * 1024 * 1024;

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

/**
 * Feed with push(chunk) in arrival order, then finish(). The whole file is kept in one buffer, allocated
 * once when the header arrives, so `items` can be read in place (a subarray, no copy) while bytes still arrive.
 */
export class IdxParser {
  header: IdxHeader | null = null;
  /** Bytes pushed so far. */
  bytesReceived = 0;
  private readonly headerScratch = new Uint8Array(4 + 4 * 3);
  private fileBuffer: Uint8Array | null = null;
  private failure: IdxFormatError | null = null;

  constructor(
    /** Named in every error, e.g. `train-images-idx3-ubyte`. */
    readonly file: string,
    readonly expected: IdxExpectation,
    /** Allocates the file buffer (a SharedArrayBuffer-backed one can be handed to a worker). */
    private readonly allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes),
  ) {}

  /** The whole file as received so far (header included); null until the header is complete. */
  get fileBytes(): Uint8Array | null {
    return this.fileBuffer;
  }

  /** The items region, [count * itemBytes] bytes; only the first `itemsComplete * itemBytes` are filled yet. */
  get items(): Uint8Array {
    if (!this.header || !this.fileBuffer) return new Uint8Array(0);
    return this.fileBuffer.subarray(this.header.headerBytes);
  }

  /** How many whole items have arrived. */
  get itemsComplete(): number {
    const h = this.header;
    if (!h) return 0;
    return Math.min(h.dims[0], Math.floor((this.bytesReceived - h.headerBytes) / h.itemBytes));
  }

  get error(): IdxFormatError | null {
    return this.failure;
  }

  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.header) {
        offset += this.pushHeaderBytes(chunk.subarray(offset));
        continue;
      }
      const buffer = this.fileBuffer!;
      const room = buffer.length - this.bytesReceived;
      const take = Math.min(room, chunk.length - offset);
      if (take === 0) {
        this.fail(
          'trailing-bytes',
          `the file is longer than its header says: it declares ${plural(this.header.dims[0], this.itemName)} ` +
            `(${plural(this.header.fileBytes, 'byte')}) but more bytes follow (wrong count in the header?).`,
        );
      }
      buffer.set(chunk.subarray(offset, offset + take), this.bytesReceived);
      this.bytesReceived += take;
      offset += take;
    }
  }

  /** Call when the stream has ended: a short file is an error here. Returns the validated header. */
  finish(): IdxHeader {
    if (this.failure) throw this.failure;
    const h = this.header;
    if (!h) {
      this.fail(
        'truncated',
        `the file ended after ${plural(this.bytesReceived, 'byte')}, before its header was complete.`,
      );
    }
    if (this.bytesReceived < h.fileBytes) {
      this.fail(
        'truncated',
        `the file is truncated: ${plural(this.bytesReceived, 'byte')} of ${plural(h.fileBytes, 'byte')} arrived ` +
          `(${plural(this.itemsComplete, this.itemName)} of ${h.dims[0].toLocaleString('en-US')}).`,
      );
    }
    return h;
  }

  private get itemName(): string {
    return this.expected.kind === 'images' ? 'image' : 'label';
  }

  private fail(reason: IdxErrorReason, message: string, hint?: string): never {
    this.failure = new IdxFormatError(this.file, reason, message, hint);
    throw this.failure;
  }

  /** Collects header bytes; parses once the header is complete. Returns how many bytes of `bytes` it used. */
  private pushHeaderBytes(bytes: Uint8Array): number {
    const scratch = this.headerScratch;
    const have = this.bytesReceived;
    // Until the magic number is in, we do not know the header length; after it, 4 + 4 * ndims.
    const headerBytes = have >= 4 ? 4 + 4 * scratch[3] : 4;
    const take = Math.min(headerBytes - have, bytes.length);
    scratch.set(bytes.subarray(0, take), have);
    this.bytesReceived += take;
    if (this.bytesReceived === 4) this.checkMagic();
    if (this.bytesReceived >= 4 && this.bytesReceived === 4 + 4 * scratch[3]) this.parseHeader();
    return take;
  }

  private checkMagic(): void {
    const view = new DataView(this.headerScratch.buffer);
    const magic = view.getUint32(0, false);
    const { kind } = this.expected;
    if (magic !== IDX_MAGIC[kind]) {
      const gzip = this.headerScratch[0] === 0x1f && this.headerScratch[1] === 0x8b;
      this.fail(
        'bad-magic',
        `bad magic number ${magic} (${hex(magic)}); an idx ${kind} file starts with ${IDX_MAGIC[kind]} ` +
          `(${hex(IDX_MAGIC[kind])})${gzip ? '. These bytes are gzip data that was not decompressed' : ''}.`,
      );
    }
  }

  private parseHeader(): void {
    const { kind, count, rows, cols } = this.expected;
    const view = new DataView(this.headerScratch.buffer);
    const ndims = this.headerScratch[3];
    const dims: number[] = [];
    for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
    if (ndims !== IDX_DIMS[kind]) {
      this.fail('bad-dimensions', `expected ${IDX_DIMS[kind]} dimensions for ${kind}, the header has ${ndims}.`);
    }
    if (count !== undefined && dims[0] !== count) {
      this.fail(
        'wrong-count',
        `the header declares ${plural(dims[0], this.itemName)}, expected ${count.toLocaleString('en-US')}.`,
      );
    }
    if (kind === 'images') {
      if (
        (rows !== undefined && dims[1] !== rows) ||
        (cols !== undefined && dims[2] !== cols) ||
        !dims[1] ||
        !dims[2]
      ) {
        this.fail(
          'bad-dimensions',
          `images are ${dims[1]}x${dims[2]} pixels, expected ${rows ?? 'any'}x${cols ?? 'any'}.`,
        );
      }
    }
    const headerBytes = 4 + 4 * ndims;
    const itemBytes = kind === 'images' ? dims[1] * dims[2] : 1;
    const fileBytes = headerBytes + dims[0] * itemBytes;
    if (fileBytes > MAX_IDX_FILE_BYTES) {
      this.fail(
        'bad-dimensions',
        `the header declares ${plural(fileBytes, 'byte')}, more than the ${plural(MAX_IDX_FILE_BYTES, 'byte')} ` +
          'this loader accepts; the header is probably damaged.',
      );
    }
    this.header = { kind, magic: IDX_MAGIC[kind], dims, headerBytes, itemBytes, fileBytes };
    this.fileBuffer = this.allocate(fileBytes);
    this.fileBuffer.set(this.headerScratch.subarray(0, headerBytes), 0);
  }
}

/** Parses a whole idx file held in memory (tests, small files). */
export function parseIdx(
  file: string,
  bytes: Uint8Array,
  expected: IdxExpectation,
): { header: IdxHeader; items: Uint8Array } {
  const parser = new IdxParser(file, expected);
  parser.push(bytes);
  const header = parser.finish();
  return { header, items: parser.items };
}
