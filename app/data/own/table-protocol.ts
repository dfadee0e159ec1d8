// Messages between the page and the table worker (app/data/table.worker.ts). The worker keeps the parsed
// table; the page sees its shape (column names, counts, the first rows) and gets the encoded Dataset.
import type { Dataset } from '../../../src/data/dataset';
import type {
  ColumnKind,
  EncodeOptions,
  TableChoices,
  TableErrorPlace,
  TableErrorReason,
} from '../../../src/data/table';

/** A column as the page shows it: no arrays, only what the choices and messages need. */
export interface ColumnView {
  name: string;
  missing: number;
  nonNumeric: number;
  /** Distinct texts (up to the limit). */
  distinct: number;
  overflow: boolean;
  firstNonNumeric: { line: number; value: string } | null;
  firstMissingLine: number | null;
  suggested: ColumnKind;
}

export interface TableView {
  file: string;
  bytes: number;
  delimiter: string;
  hasHeader: boolean;
  rows: number;
  columns: ColumnView[];
  preview: string[][];
}

export interface TableErrorView {
  reason: TableErrorReason | 'failed';
  message: string;
  hint: string;
  place: TableErrorPlace;
}

export interface TableProgress {
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

export type ToTableWorker =
  | { type: 'parse'; file: File }
  /** How many rows the choices drop, and how many classes the target has (answered with 'checked'). */
  | { type: 'check'; id: number; choices: TableChoices }
  | { type: 'encode'; choices: TableChoices; options: EncodeOptions };

export type FromTableWorker =
  | { type: 'progress'; progress: TableProgress }
  | { type: 'parsed'; table: TableView }
  | { type: 'checked'; id: number; dropped: { targetMissing: number; inputMissing: number }; classes: number }
  | { type: 'encoded'; dataset: Dataset }
  | { type: 'error'; stage: 'parse' | 'encode'; error: TableErrorView };
