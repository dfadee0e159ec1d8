// Why a folder or zip of images cannot become a data set, in words a person can act on: what happened
// (naming the file or class) and what to do about it.

export type ImageImportReason =
  'no-images' | 'one-class' | 'empty-class' | 'one-example' | 'too-many' | 'too-large' | 'not-a-zip' | 'aborted';

export class ImageImportError extends Error {
  constructor(
    readonly reason: ImageImportReason,
    message: string,
    /** What to do about it. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ImageImportError';
  }
}

/** The memory limits an import is held to; all can be lowered by tests. */
export interface ImageLimits {
  /** Images in one data set. */
  maxImages: number;
  /** Bytes of one image file (PNG/JPEG as stored). */
  maxFileBytes: number;
  /** Bytes of all image files together (they are read one at a time, but a zip is held whole). */
  maxTotalBytes: number;
  /** Width × height of one decoded image (4 bytes each while it is resized). */
  maxPixelsPerImage: number;
  /** Bytes of the finished data set: images × height × width × channels. */
  maxDatasetBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxImages: 100_000,
  maxFileBytes: 50e6,
  maxTotalBytes: 1e9,
  maxPixelsPerImage: 40e6,
  maxDatasetBytes: 500e6,
};

/** "12.3 MB" (decimal, like a browser's download list). */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}
