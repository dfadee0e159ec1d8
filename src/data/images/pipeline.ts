// From a folder's (or zip's) files to a Dataset: group by class folder, check the groups and the memory
// limits before anything is decoded, decode each image with the decoder given (createImageBitmap in the
// browser, a PNG reader in the Node tests), resize it, and split the samples stratified by class.
// Undecodable images are skipped, named and counted; every other problem refuses the whole import, so
// nothing half-read is ever trained on.
import type { Dataset } from '../dataset';
import { ImageImportError, DEFAULT_IMAGE_LIMITS, formatMegabytes, type ImageLimits } from './errors';
import { groupByClass, type ClassGroup, type ImageFileInfo, type SkippedFile } from './group';
import { resizeImage, type ColorMode, type RgbaImage } from './resize';
import { stratifiedSplit } from './split';

/** A file whose bytes can be read when its turn comes (a File, or an entry of a zip). */
export interface ImageSourceFile extends ImageFileInfo {
  read(): Promise<Uint8Array>;
}

/** Decodes PNG/JPEG bytes to RGBA; throws (any error, its message is shown) when it cannot. */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<RgbaImage>;

export interface ImageImportOptions {
  height: number;
  width: number;
  color: ColorMode;
  /** Data set name shown in lists; `source` names the folder or zip in messages. */
  name: string;
  source: string;
  seed?: number;
  /** Per-class fractions held out (defaults 0.1 and 0.2). */
  validationFraction?: number;
  testFraction?: number;
  limits?: Partial<ImageLimits>;
  onProgress?: (progress: ImageImportProgress) => void;
  signal?: AbortSignal;
  /** Defaults to a random UUID and the current time. */
  id?: string;
  createdAt?: number;
}

export interface ImageImportProgress {
  /** Images read and decoded so far, of `total`. */
  done: number;
  total: number;
  skipped: number;
  /** The file being decoded. */
  path: string;
}

export interface ImageImportResult {
  dataset: Dataset;
  /** Files left out (unsupported, outside a class folder, undecodable), each with its reason. */
  skipped: SkippedFile[];
  /** Images per class, index = label. */
  counts: number[];
}

export const MIN_IMAGES_PER_CLASS = 2;
export const MAX_IMAGE_SIDE = 256;
/** Labels reach training as bytes (ImageSource.labels()). */
export const MAX_CLASSES = 256;

/** The checks that need only paths and sizes: classes, examples per class, counts and bytes. */
export function checkGroups(
  classes: ClassGroup[],
  emptyClasses: string[],
  skipped: SkippedFile[],
  options: Pick<ImageImportOptions, 'height' | 'width' | 'color' | 'source' | 'limits'>,
): void {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };
  const { source } = options;
  if (classes.length === 0) {
    const note = skipped.length ? ` (${skipped.length} other file${skipped.length === 1 ? '' : 's'} skipped)` : '';
    throw new ImageImportError(
      'no-images',
      `No PNG or JPEG images found in ${source}${note}.`,
      'Choose a folder (or .zip) with one subfolder per class, each holding .png or .jpg images.',
    );
  }
  if (emptyClasses.length > 0) {
    const names = emptyClasses.map((n) => `"${n}"`).join(', ');
    throw new ImageImportError(
      'empty-class',
      `Class folder ${names} in ${source} has no PNG or JPEG images.`,
      'Add images to it, or remove the folder, and choose the data again.',
    );
  }
  if (classes.length < 2) {
    throw new ImageImportError(
      'one-class',
      `${source} has only one class folder, "${classes[0].name}"; a classifier needs at least two.`,
      'Put each class in its own subfolder (for example cats/ and dogs/) and choose the parent folder.',
    );
  }
  if (classes.length > MAX_CLASSES) {
    throw new ImageImportError(
      'too-many',
      `${source} has ${classes.length} class folders; training reads labels as bytes, so at most ${MAX_CLASSES} classes.`,
      'Merge classes, or check that the folder chosen is the one whose subfolders are the classes.',
    );
  }
  for (const group of classes) {
    if (group.files.length < MIN_IMAGES_PER_CLASS) {
      throw new ImageImportError(
        'one-example',
        `Class "${group.name}" has only one image (${group.files[0].path}); each class needs at least ${MIN_IMAGES_PER_CLASS}, so it can be both trained on and tested.`,
        `Add more images of "${group.name}", or remove its folder.`,
      );
    }
  }
  const files = classes.flatMap((g) => g.files);
  if (files.length > limits.maxImages) {
    throw new ImageImportError(
      'too-many',
      `${source} holds ${files.length.toLocaleString('en-US')} images; this page keeps at most ${limits.maxImages.toLocaleString('en-US')} in memory.`,
      'Use a subset of the images (fewer per class).',
    );
  }
  for (const file of files) {
    if (file.size > limits.maxFileBytes) {
      throw new ImageImportError(
        'too-large',
        `${file.path} is ${formatMegabytes(file.size)}, more than the ${formatMegabytes(limits.maxFileBytes)} one image may be.`,
        'Shrink or remove that image and choose the data again.',
      );
    }
  }
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  if (totalBytes > limits.maxTotalBytes) {
    throw new ImageImportError(
      'too-large',
      `The images in ${source} add up to ${formatMegabytes(totalBytes)}, more than the ${formatMegabytes(limits.maxTotalBytes)} this page reads.`,
      'Use fewer or smaller images.',
    );
  }
  const channels = options.color === 'rgb' ? 3 : 1;
  const datasetBytes = files.length * options.height * options.width * channels;
  if (datasetBytes > limits.maxDatasetBytes) {
    throw new ImageImportError(
      'too-large',
      `${files.length.toLocaleString('en-US')} images at ${options.height}×${options.width}×${channels} need ${formatMegabytes(datasetBytes)}, more than the ${formatMegabytes(limits.maxDatasetBytes)} a data set may take.`,
      'Choose a smaller size, grayscale, or fewer images.',
    );
  }
}

function checkSize(options: ImageImportOptions): void {
  for (const side of [options.height, options.width]) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_IMAGE_SIDE) {
      throw new RangeError(`Image size must be a whole number of pixels from 1 to ${MAX_IMAGE_SIDE}, got ${side}.`);
    }
  }
}

/**
 * Reads, decodes, resizes and labels the images. Files are read in the order given (a zip's order, so an
 * archive is unpacked in one pass) and placed by class and path. Throws ImageImportError for any problem
 * that refuses the import; undecodable images are reported in `skipped` unless a class is left with fewer
 * than two images.
 */
export async function importImages(
  files: readonly ImageSourceFile[],
  decode: ImageDecoder,
  options: ImageImportOptions,
): Promise<ImageImportResult> {
  checkSize(options);
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };
  const grouped = groupByClass(files);
  const { classes, emptyClasses } = grouped;
  const skipped = [...grouped.skipped];
  checkGroups(classes, emptyClasses, skipped, options);

  const channels = options.color === 'rgb' ? 3 : 1;
  const sampleSize = options.height * options.width * channels;
  const slotOf = new Map<ImageSourceFile, { slot: number; label: number }>();
  classes.forEach((group, label) => {
    for (const file of group.files) slotOf.set(file as ImageSourceFile, { slot: slotOf.size, label });
  });
  const total = slotOf.size;
  const x = new Uint8Array(total * sampleSize);
  const decoded = new Uint8Array(total);
  let done = 0;
  for (const file of files) {
    const place = slotOf.get(file);
    if (!place) continue;
    if (options.signal?.aborted) throw new ImageImportError('aborted', 'Reading the images was cancelled.', '');
    options.onProgress?.({ done, total, skipped: skipped.length, path: file.path });
    const problem = await decodeInto(file, decode, options, limits, x.subarray(place.slot * sampleSize));
    if (problem) skipped.push(problem);
    else decoded[place.slot] = 1;
    done++;
  }
  options.onProgress?.({ done, total, skipped: skipped.length, path: '' });

  // Drop the slots of skipped images; refuse if that leaves a class too small.
  const counts = classes.map(() => 0);
  const labelOfSlot = new Int32Array(total);
  for (const { slot, label } of slotOf.values()) {
    labelOfSlot[slot] = label;
    if (decoded[slot]) counts[label]++;
  }
  classes.forEach((group, label) => {
    if (counts[label] >= MIN_IMAGES_PER_CLASS) return;
    const failed = skipped.filter((s) => group.files.some((f) => f.path === s.path));
    throw new ImageImportError(
      counts[label] === 0 ? 'empty-class' : 'one-example',
      `Class "${group.name}" has ${counts[label] === 0 ? 'no' : 'only one'} readable image: ${failed
        .slice(0, 3)
        .map((s) => `${s.path} ${s.detail}`)
        .join('; ')}${failed.length > 3 ? `, and ${failed.length - 3} more` : ''}.`,
      `Replace the unreadable images of "${group.name}" with PNG or JPEG files that open in an image viewer.`,
    );
  });
  const count = counts.reduce((a, b) => a + b, 0);
  // Compact only when something was skipped, so the usual case holds one copy of the pixels.
  const kept = count === total ? x : new Uint8Array(count * sampleSize);
  const labels = new Int32Array(count);
  let k = 0;
  for (let slot = 0; slot < total; slot++) {
    if (!decoded[slot]) continue;
    if (kept !== x) kept.set(x.subarray(slot * sampleSize, (slot + 1) * sampleSize), k * sampleSize);
    labels[k++] = labelOfSlot[slot];
  }
  const split = stratifiedSplit(
    labels,
    { validation: options.validationFraction ?? 0.1, test: options.testFraction ?? 0.2 },
    options.seed ?? 1,
  );
  const dataset: Dataset = {
    id: options.id ?? globalThis.crypto.randomUUID(),
    name: options.name,
    kind: 'images',
    task: 'classification',
    inputShape: [options.height, options.width, channels],
    classNames: classes.map((g) => g.name),
    targetNames: [],
    count,
    source: options.source,
    createdAt: options.createdAt ?? Date.now(),
    bytes: kept.byteLength + labels.byteLength,
    x: kept,
    labels,
    targets: new Float32Array(0),
    split,
  };
  return { dataset, skipped, counts };
}

/** Decodes and resizes one file into `out`; returns why it was skipped, or null. */
async function decodeInto(
  file: ImageSourceFile,
  decode: ImageDecoder,
  options: ImageImportOptions,
  limits: ImageLimits,
  out: Uint8Array,
): Promise<SkippedFile | null> {
  let image: RgbaImage;
  try {
    image = await decode(await file.read(), file.path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { path: file.path, reason: 'undecodable', detail: `could not be decoded (${why})` };
  }
  if (image.width * image.height > limits.maxPixelsPerImage) {
    return {
      path: file.path,
      reason: 'too-large',
      detail: `is ${image.width}×${image.height} pixels, more than the ${(limits.maxPixelsPerImage / 1e6).toFixed(0)} megapixels one image may have`,
    };
  }
  out.set(resizeImage(image, options.height, options.width, options.color));
  return null;
}
