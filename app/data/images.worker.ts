// Decodes a folder's or a zip's images off the page's thread: each file is decoded with
// createImageBitmap, drawn into an OffscreenCanvas to read its RGBA pixels, resized, and placed in the
// data set; progress is posted as it goes. The pixels never leave the person's machine.
import { DEFAULT_IMAGE_LIMITS, ImageImportError, formatMegabytes } from '../../src/data/images/errors';
import { importImages, type ImageSourceFile } from '../../src/data/images/pipeline';
import type { RgbaImage } from '../../src/data/images/resize';
import { zipFiles } from '../../src/data/images/zip';
import type { ImagesFromWorker, ImagesToWorker, ImportRequest } from './own/image-import';

/** How often progress is posted (every image would flood the page for a folder of small files). */
const PROGRESS_INTERVAL_MS = 100;

let canvas: OffscreenCanvas | null = null;
let controller: AbortController | null = null;

const post = (message: ImagesFromWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(message, transfer);

/** The browser's decoder: PNG or JPEG bytes to straight (not premultiplied) RGBA. */
async function decodeInBrowser(bytes: Uint8Array, path: string): Promise<RgbaImage> {
  const type = /\.png$/i.test(path) ? 'image/png' : 'image/jpeg';
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), {
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
  });
  try {
    const { width, height } = bitmap;
    // Too many pixels to draw: the import skips it by its size (reported by name) without drawing it.
    if (width * height > DEFAULT_IMAGE_LIMITS.maxPixelsPerImage) return { width, height, data: new Uint8Array(0) };
    canvas ??= new OffscreenCanvas(1, 1);
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw images off the page');
    context.clearRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    return { width, height, data: context.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}

async function sourceFiles(request: ImportRequest): Promise<ImageSourceFile[]> {
  if (request.kind === 'files') {
    return request.files.map(({ path, file }) => ({
      path,
      size: file.size,
      read: async () => new Uint8Array(await file.arrayBuffer()),
    }));
  }
  const { file } = request;
  if (file.size > DEFAULT_IMAGE_LIMITS.maxTotalBytes) {
    throw new ImageImportError(
      'too-large',
      `${file.name} is ${formatMegabytes(file.size)}, more than the ${formatMegabytes(DEFAULT_IMAGE_LIMITS.maxTotalBytes)} this page reads.`,
      'Make a smaller archive (fewer images per class), or choose the unpacked folder.',
    );
  }
  return zipFiles(new Uint8Array(await file.arrayBuffer()), file.name);
}

async function run(message: Extract<ImagesToWorker, { type: 'import' }>): Promise<void> {
  controller = new AbortController();
  let lastPostMs = 0;
  try {
    const files = await sourceFiles(message.request);
    const result = await importImages(files, decodeInBrowser, {
      ...message.options,
      signal: controller.signal,
      onProgress: (progress) => {
        const now = performance.now();
        if (now - lastPostMs < PROGRESS_INTERVAL_MS && progress.done < progress.total) return;
        lastPostMs = now;
        post({ type: 'progress', progress });
      },
    });
    const { x, labels } = result.dataset;
    post({ type: 'done', result }, [x.buffer, labels.buffer]);
  } catch (error) {
    if (error instanceof ImageImportError) {
      post({ type: 'error', reason: error.reason, message: error.message, hint: error.hint });
    } else {
      const text = error instanceof Error ? error.message : String(error);
      post({
        type: 'error',
        reason: 'failed',
        message: `Reading the images failed: ${text}`,
        hint: 'Try again; if it keeps failing, try a smaller folder or another browser.',
      });
    }
  }
}

self.onmessage = (event: MessageEvent<ImagesToWorker>) => {
  const message = event.data;
  if (message.type === 'cancel') controller?.abort();
  else void run(message);
};
