// The streaming loader in Node 20 (fetch + DecompressionStream) against a local HTTP server that can
// answer 404, send a truncated gzip, drop the connection mid-body, hold a body half-sent, or corrupt it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batcher } from '../../../src/data/batches';
import {
  loadMnist,
  memoryMnistCache,
  sharedMnistSplit,
  MnistLoadError,
  type MnistFileId,
  type MnistFileSpec,
  type MnistProgress,
} from '../../../src/data/mnist';
import { cutIdx, readMnistFile, withU32 } from './mnist-files';

const TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const ORIGINALS = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

// Small files (300 train, 100 test) for the many failure cases; the full set is loaded once.
const SMALL: Record<MnistFileId, MnistFileSpec> = {
  trainImages: { name: 'small-train-images', kind: 'images', count: 300, sha256: null },
  trainLabels: { name: 'small-train-labels', kind: 'labels', count: 300, sha256: null },
  testImages: { name: 'small-test-images', kind: 'images', count: 100, sha256: null },
  testLabels: { name: 'small-test-labels', kind: 'labels', count: 100, sha256: null },
};

/** How the server treats the train-images file (the others are always served intact). */
type Mode = 'ok' | 'missing' | 'truncated' | 'drop' | 'badmagic' | 'hold' | 'garbage' | 'plain' | 'encoded';

let server: Server;
let base = '';
const gzFiles = new Map<string, Buffer>();
const rawFiles = new Map<string, Uint8Array>();
const requests: string[] = [];
let releaseHeld: () => void = () => {};

function send(res: ServerResponse, body: Uint8Array, length = body.length) {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(length) });
  return res;
}

beforeAll(async () => {
  for (const name of ORIGINALS) {
    rawFiles.set(name, readMnistFile(name));
    gzFiles.set(name, gzipSync(readMnistFile(name), { level: 1 }));
  }
  const cuts: [string, string, number][] = [
    ['small-train-images', 'train-images-idx3-ubyte', 300],
    ['small-train-labels', 'train-labels-idx1-ubyte', 300],
    ['small-test-images', 't10k-images-idx3-ubyte', 100],
    ['small-test-labels', 't10k-labels-idx1-ubyte', 100],
  ];
  for (const [name, from, count] of cuts) {
    rawFiles.set(name, cutIdx(from, count));
    gzFiles.set(name, gzipSync(cutIdx(from, count)));
  }
  server = createServer((req, res) => {
    const [, mode, file] = (req.url ?? '').split('/') as [string, Mode, string];
    requests.push(`${mode}/${file}`);
    const name = file.replace(/\.gz$/, '');
    const gz = gzFiles.get(name);
    if (!gz || (mode === 'missing' && name.includes('train-images'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!name.includes('train-images') || mode === 'ok') return void send(res, gz).end(gz);
    if (mode === 'truncated') return void send(res, gz.subarray(0, gz.length >> 1)).end(gz.subarray(0, gz.length >> 1));
    if (mode === 'badmagic') {
      const bad = gzipSync(withU32(rawFiles.get(name)!, 0, 2049));
      return void send(res, bad).end(bad);
    }
    if (mode === 'garbage') {
      const bad = Buffer.from(gz);
      bad.fill(0x55, 100, 400); // inside the deflate stream
      return void send(res, bad).end(bad);
    }
    if (mode === 'plain') {
      // A server that already stripped the gzip layer.
      const raw = rawFiles.get(name)!;
      return void send(res, raw).end(raw);
    }
    if (mode === 'encoded') {
      // What Vite's preview server does with a .gz file: the client unpacks it before the loader sees it.
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gz.length) });
      return void res.end(gz);
    }
    if (mode === 'drop') {
      send(res, gz).write(gz.subarray(0, gz.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    // 'hold': the first half now, the rest when the test says so.
    send(res, gz).write(gz.subarray(0, gz.length >> 1));
    releaseHeld = () => res.end(gz.subarray(gz.length >> 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function loadError(promise: Promise<unknown>): Promise<MnistLoadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MnistLoadError);
  return error as MnistLoadError;
}

describe('MNIST streaming loader', () => {
  it('streams the full set with progress, verifies it, caches it, and loads it from the cache next time', async () => {
    const cache = memoryMnistCache();
    const seen: MnistProgress[] = [];
    const loader = loadMnist({ baseUrl: `${base}/ok/`, cache, onProgress: (p) => seen.push(p) });
    const final = await loader.done;
    expect(final.complete).toBe(true);
    expect(final.percent).toBe(100);
    expect(final.fromCache).toBe(false);
    expect(final.trainAvailable).toBe(60_000);
    expect(final.testAvailable).toBe(10_000);
    expect(final.files.trainImages.bytesDownloaded).toBe(gzFiles.get('train-images-idx3-ubyte')!.length);
    expect(final.files.trainImages.bytesDownloadTotal).toBe(gzFiles.get('train-images-idx3-ubyte')!.length);
    expect(final.files.trainImages.bytesDecoded).toBe(47_040_016);
    // Progress rises monotonically and was reported many times along the way.
    expect(seen.length).toBeGreaterThan(50);
    for (let i = 1; i < seen.length; i++) expect(seen[i].percent).toBeGreaterThanOrEqual(seen[i - 1].percent);
    expect(seen.some((p) => p.trainAvailable > 0 && p.trainAvailable < 60_000)).toBe(true);

    const counts = new Array(10).fill(0);
    for (const label of loader.train.labels()) counts[label]++;
    expect(counts).toEqual(TRAIN_LABEL_COUNTS);
    expect(Buffer.from(loader.test.pixels()).equals(rawFiles.get('t10k-images-idx3-ubyte')!.subarray(16))).toBe(true);
    expect([...cache.entries.keys()].sort()).toEqual(ORIGINALS.map((n) => `${base}/ok/${n}.gz`).sort());

    const before = requests.length;
    const again = loadMnist({ baseUrl: `${base}/ok/`, cache });
    const second = await again.done;
    expect(requests.length).toBe(before);
    expect(second.fromCache).toBe(true);
    expect(Buffer.from(again.train.pixels()).equals(loader.train.pixels())).toBe(true);
  });

  it('makes images and batches available before the download ends', async () => {
    let sawPartial!: () => void;
    const partial = new Promise<void>((resolve) => (sawPartial = resolve));
    const loader = loadMnist({
      baseUrl: `${base}/hold/`,
      cache: null,
      files: SMALL,
      onProgress: (p) => {
        if (p.trainAvailable > 0) sawPartial();
      },
    });
    await partial;
    const available = loader.train.available();
    expect(available).toBeGreaterThan(0);
    expect(available).toBeLessThan(300);
    expect(loader.train.complete()).toBe(false);
    const batcher = new Batcher(loader.train, { batchSize: 16, seed: 3 });
    expect(batcher.ready()).toBe(true);
    const batch = batcher.next();
    expect(batch.streaming).toBe(true);
    expect(batch.epoch).toBe(0);
    for (const index of batch.indices) expect(index).toBeLessThan(available);
    expect(batch.labels[0]).toBe(loader.train.labels()[batch.indices[0]]);

    releaseHeld();
    const final = await loader.done;
    expect(final.trainAvailable).toBe(300);
    const full = batcher.next();
    expect(full.streaming).toBe(false);
    expect(full.epoch).toBe(1);
  });

  it('shares the streaming files with a worker through SharedArrayBuffers', async () => {
    let sawPartial!: () => void;
    const partial = new Promise<void>((resolve) => (sawPartial = resolve));
    const loader = loadMnist({
      baseUrl: `${base}/hold/`,
      cache: null,
      files: SMALL,
      shared: true,
      onProgress: (p) => {
        if (p.trainAvailable > 0) sawPartial();
      },
    });
    // structuredClone is what postMessage does: the clone must see bytes written after it was made.
    const shared = structuredClone(loader.shared()!);
    expect(shared.files.trainImages.buffer).toBeInstanceOf(SharedArrayBuffer);
    const train = sharedMnistSplit(shared, 'train');
    expect(train.available()).toBe(0);
    await partial;
    expect(train.available()).toBe(loader.train.available());
    expect(train.complete()).toBe(false);
    releaseHeld();
    await loader.done;
    expect(train.available()).toBe(300);
    expect(train.complete()).toBe(true);
    expect(sharedMnistSplit(shared, 'test').complete()).toBe(true);
    expect(Buffer.from(train.pixels()).equals(rawFiles.get('small-train-images')!.subarray(16))).toBe(true);
    expect(Buffer.from(train.labels()).equals(rawFiles.get('small-train-labels')!.subarray(8))).toBe(true);
    const batch = new Batcher(train, { batchSize: 300, shuffle: false }).next();
    expect(batch.x[784 * 299 + 400]).toBe(Math.fround(rawFiles.get('small-train-images')![16 + 784 * 299 + 400] / 255));

    const failed = loadMnist({ baseUrl: `${base}/missing/`, cache: null, files: SMALL, shared: true });
    const failedShare = structuredClone(failed.shared()!);
    await loadError(failed.done);
    expect(sharedMnistSplit(failedShare, 'train').available()).toBe(0);
    expect(sharedMnistSplit(failedShare, 'train').error()?.message).toMatch(/Loading MNIST failed/);
  });

  it('verifies SHA-256 over shared memory too (the full set)', async () => {
    const loader = loadMnist({
      baseUrl: `${base}/ok/`,
      cache: null,
      shared: true,
      files: { trainImages: SMALL.trainImages, trainLabels: SMALL.trainLabels },
    });
    const progress = await loader.done;
    expect(progress.files.testImages.state).toBe('done');
    expect(loader.shared()!.files.testImages.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reports a 404 as an http error naming the file and URL', async () => {
    const cache = memoryMnistCache();
    const loader = loadMnist({ baseUrl: `${base}/missing/`, cache, files: SMALL });
    const error = await loadError(loader.done);
    expect(error.reason).toBe('http');
    expect(error.status).toBe(404);
    expect(error.file).toBe('small-train-images.gz');
    expect(error.message).toContain('404');
    expect(error.message).toContain(`${base}/missing/small-train-images.gz`);
    expect(error.hint).toMatch(/npm install/);
    expect(loader.train.available()).toBe(0);
    expect(cache.entries.has(`${base}/missing/small-train-images.gz`)).toBe(false);
  });

  it('reports a dropped connection as a network error and caches nothing of it', async () => {
    const cache = memoryMnistCache();
    const loader = loadMnist({ baseUrl: `${base}/drop/`, cache, files: SMALL });
    const error = await loadError(loader.done);
    expect(error.reason).toBe('network');
    expect(error.file).toBe('small-train-images.gz');
    expect(error.message).toMatch(/connection was lost/);
    expect(loader.train.available()).toBe(0);
    expect(loader.train.error()).toBe(error);
    expect(() => new Batcher(loader.train, { batchSize: 4 }).next()).toThrow(error);
    expect(cache.entries.has(`${base}/drop/small-train-images.gz`)).toBe(false);
  });

  it('reports a truncated gzip file as damaged', async () => {
    const cache = memoryMnistCache();
    const error = await loadError(loadMnist({ baseUrl: `${base}/truncated/`, cache, files: SMALL }).done);
    expect(['corrupt', 'truncated']).toContain(error.reason);
    expect(error.file).toBe('small-train-images.gz');
    expect(error.message).toMatch(/small-train-images\.gz .*(cut short|truncated)/);
    expect(cache.entries.has(`${base}/truncated/small-train-images.gz`)).toBe(false);
  });

  it('reports a bad magic number and damaged deflate data as corrupt', async () => {
    const bad = await loadError(loadMnist({ baseUrl: `${base}/badmagic/`, cache: null, files: SMALL }).done);
    expect(bad.reason).toBe('corrupt');
    expect(bad.message).toMatch(/small-train-images\.gz is damaged: bad magic number 2049/);
    const garbage = await loadError(loadMnist({ baseUrl: `${base}/garbage/`, cache: null, files: SMALL }).done);
    expect(garbage.reason).toBe('corrupt');
    expect(garbage.file).toBe('small-train-images.gz');
  });

  it('rejects right-sized files with the wrong contents by their SHA-256', async () => {
    const files = { ...SMALL, testLabels: { ...SMALL.testLabels, sha256: '0'.repeat(64) } };
    const error = await loadError(loadMnist({ baseUrl: `${base}/ok/`, cache: null, files }).done);
    expect(error.reason).toBe('corrupt');
    expect(error.file).toBe('small-test-labels.gz');
    expect(error.message).toMatch(/wrong contents \(SHA-256/);
  });

  it('accepts a body the server already decompressed, or sent with Content-Encoding: gzip', async () => {
    const loader = loadMnist({ baseUrl: `${base}/plain/`, cache: null, files: SMALL });
    await loader.done;
    expect(Buffer.from(loader.train.pixels()).equals(rawFiles.get('small-train-images')!.subarray(16))).toBe(true);
    const encoded = loadMnist({ baseUrl: `${base}/encoded/`, cache: null, files: SMALL });
    const progress = await encoded.done;
    expect(Buffer.from(encoded.train.pixels()).equals(rawFiles.get('small-train-images')!.subarray(16))).toBe(true);
    expect(progress.files.trainImages.downloadEstimated).toBe(true);
    expect(progress.files.trainImages.bytesDownloaded).toBe(gzFiles.get('small-train-images')!.length);
  });

  it('replaces a damaged cache entry with a fresh download', async () => {
    const cache = memoryMnistCache();
    const url = `${base}/ok/small-train-labels.gz`;
    await cache.put(url, new Blob([new Uint8Array(gzFiles.get('small-train-labels')!.subarray(0, 40))]));
    const before = requests.length;
    const loader = loadMnist({ baseUrl: `${base}/ok/`, cache, files: SMALL });
    const progress = await loader.done;
    expect(progress.files.trainLabels.fromCache).toBe(false);
    expect(requests.slice(before)).toContain('ok/small-train-labels.gz');
    expect((await cache.entries.get(url)!.arrayBuffer()).byteLength).toBe(gzFiles.get('small-train-labels')!.length);
  });

  it('stops when aborted', async () => {
    const loader = loadMnist({ baseUrl: `${base}/hold/`, cache: null, files: SMALL });
    loader.abort();
    const error = await loadError(loader.done);
    expect(error.reason).toBe('aborted');
    releaseHeld();
  });
});
