// Folders and .zip files of labelled images as a data set: grouping by class folder, checks and limits,
// resizing, a stratified split. Pure functions; the browser's decoder lives in app/data/images.worker.ts.
export { DEFAULT_IMAGE_LIMITS, ImageImportError, type ImageImportReason, type ImageLimits } from './errors';
export {
  groupByClass,
  IMAGE_EXTENSIONS,
  isImagePath,
  type ClassGroup,
  type GroupedFiles,
  type ImageFileInfo,
  type SkippedFile,
} from './group';
export {
  checkGroups,
  importImages,
  MAX_CLASSES,
  MAX_IMAGE_SIDE,
  MIN_IMAGES_PER_CLASS,
  type ImageDecoder,
  type ImageImportOptions,
  type ImageImportProgress,
  type ImageImportResult,
  type ImageSourceFile,
} from './pipeline';
export { axisTaps, resizeImage, type ColorMode, type RgbaImage } from './resize';
export { stratifiedSplit, type DatasetSplit, type SplitFractions } from './split';
export { zipFiles } from './zip';
