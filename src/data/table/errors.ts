// The one error type of the table importer: what went wrong, in which file, at which line, column or
// class, and what the person can do about it. Everything the importer rejects is rejected whole.

/** Where in the file a problem is, for the message and for tests. */
export interface TableErrorPlace {
  file: string;
  /** 1-based line of the file (the header, when there is one, is line 1). */
  line?: number;
  column?: string;
  className?: string;
}

export type TableErrorReason =
  | 'unsupported-type'
  | 'too-large'
  | 'empty'
  | 'header-only'
  | 'ragged'
  | 'non-numeric'
  | 'no-inputs'
  | 'no-rows-left'
  | 'single-example-class'
  | 'one-class'
  | 'too-many-categories'
  | 'split-too-small'
  | 'parse-failed';

export class TableError extends Error {
  constructor(
    readonly reason: TableErrorReason,
    message: string,
    /** What to do about it. */
    readonly hint: string,
    readonly place: TableErrorPlace,
  ) {
    super(message);
    this.name = 'TableError';
  }
}
