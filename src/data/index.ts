// The data pipeline's public surface: MNIST streaming (page or worker), batching, synthetic sets.
export { IdxFormatError, IdxParser, parseIdx, type IdxHeader, type IdxKind } from './idx';
export {
  cacheStorageMnistCache,
  loadMnist,
  memoryMnistCache,
  MNIST_FILES,
  MnistLoadError,
  MnistLoader,
  sharedMnistSplit,
  type MnistCache,
  type MnistFileId,
  type MnistLoadOptions,
  type MnistProgress,
  type MnistShared,
} from './mnist';
export {
  Batcher,
  DataNotReadyError,
  MNIST_MEAN,
  MNIST_STD,
  sampleShape,
  splitIndices,
  trainingBatchers,
  type Batch,
  type BatcherOptions,
  type ImageSource,
  type SampleSource,
  type TableSource,
} from './batches';
export {
  makeSyntheticSet,
  SYNTHETIC_SETS,
  SyntheticSet,
  type SyntheticOptions,
  type SyntheticSetKind,
} from './synthetic';
