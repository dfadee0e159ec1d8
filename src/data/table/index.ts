// The table importer's public surface: parse a CSV/TSV (streamed or whole), choose, encode, split.
export { TableError, type TableErrorPlace, type TableErrorReason } from './errors';
export {
  checkTableFile,
  fileExtension,
  formatMiB,
  looksLikeHeader,
  MAX_CATEGORIES,
  MAX_TABLE_CELLS,
  MAX_TABLE_FILE_BYTES,
  guessDelimiter,
  papaError,
  parseTableText,
  PREVIEW_ROWS,
  TableBuilder,
  TABLE_EXTENSIONS,
  type ParsedColumn,
  type ParsedTable,
} from './parse';
export {
  choicesFromKinds,
  datasetBytes,
  defaultChoices,
  droppedRows,
  encodeTable,
  MAX_ENCODED_BYTES,
  suggestKind,
  tableProblems,
  taskFor,
  type ColumnKind,
  type EncodeOptions,
  type MissingPolicy,
  type TableChoices,
  type TableShape,
} from './encode';
export { checkSplitFractions, splitSamples, type Split, type SplitOptions } from './split';
