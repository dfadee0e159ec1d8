// Reads a CSV/TSV table row by row into compact columns: every cell becomes a number (NaN when it is
// not one) and a code into the column's dictionary of distinct texts, so a 50 MB file costs about 12
// bytes a cell instead of a JavaScript string each. The same TableBuilder serves the parse worker
// (papaparse streaming a File in chunks) and the tests (parseTableText on a string).
import Papa from 'papaparse';
import { TableError } from './errors';

/** Files larger than this are refused before reading: parsing and encoding keep several copies in memory. */
export const MAX_TABLE_FILE_BYTES = 100 * 1024 * 1024;
/** Cells (rows × columns) a table may have; about 12 bytes each while parsed, 4 once encoded. */
export const MAX_TABLE_CELLS = 15_000_000;
/** Distinct texts remembered per column; a column with more cannot be one-hot encoded. */
export const MAX_CATEGORIES = 1000;
/** Data rows kept as text for the preview. */
export const PREVIEW_ROWS = 10;
/** Extensions the table importer reads. */
export const TABLE_EXTENSIONS = ['.csv', '.tsv', '.txt'] as const;

/** Cell texts that mean "no value" (compared trimmed and lower-cased). */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Code of a missing cell; CODE_OVERFLOW marks a text past the column's MAX_CATEGORIES. */
export const CODE_MISSING = -1;
export const CODE_OVERFLOW = -2;

/** One parsed column: a number and a dictionary code per row. */
export interface ParsedColumn {
  name: string;
  /** [rows] the cell as a number; NaN when missing or not a number. */
  numbers: Float64Array;
  /** [rows] index into `categories`, CODE_MISSING or CODE_OVERFLOW. */
  codes: Int32Array;
  /** Distinct non-missing texts (trimmed), in order of first appearance, at most MAX_CATEGORIES. */
  categories: string[];
  /** More than MAX_CATEGORIES distinct texts were seen. */
  overflow: boolean;
  /** Cells that are missing. */
  missing: number;
  /** Cells that are present but not a number. */
  nonNumeric: number;
  firstNonNumeric: { line: number; value: string } | null;
  firstMissingLine: number | null;
}

export interface ParsedTable {
  file: string;
  delimiter: string;
  /** The first row named the columns (otherwise they are "column 1", "column 2", …). */
  hasHeader: boolean;
  rows: number;
  columns: ParsedColumn[];
  /** [rows] the file line each data row came from (1-based). */
  lines: Int32Array;
  /** The first PREVIEW_ROWS data rows as text. */
  preview: string[][];
}

/** The file's extension, lower-cased, with its dot ('' when it has none). */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** Refuses a file the importer cannot read (type) or hold (size) before a byte of it is read. */
export function checkTableFile(name: string, bytes: number): void {
  const ext = fileExtension(name);
  if (!(TABLE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new TableError(
      'unsupported-type',
      `${name} is not a CSV or TSV file${ext ? ` (its type is ${ext})` : ''}.`,
      'Choose a .csv or .tsv file (values separated by commas, semicolons or tabs, one row per line). For images, use the image folder card.',
      { file: name },
    );
  }
  if (bytes > MAX_TABLE_FILE_BYTES) {
    throw new TableError(
      'too-large',
      `${name} is ${formatMiB(bytes)}; tables up to ${formatMiB(MAX_TABLE_FILE_BYTES)} fit in this tab's memory.`,
      'Use fewer rows or columns (for example the first 500,000 rows), then choose the smaller file.',
      { file: name },
    );
  }
}

/** True when the texts can only be column names: none is a number or empty, and the next row differs in kind. */
export function looksLikeHeader(first: string[], second: string[] | undefined): boolean {
  const texts = first.map((s) => s.trim());
  if (texts.some((s) => s === '' || NUMBER.test(s))) return false;
  if (!second) return true;
  if (second.some((s) => NUMBER.test(s.trim()))) return true;
  // An all-text table: a header repeats none of its names below them.
  return new Set(texts).size === texts.length && texts.every((s, i) => s !== (second[i] ?? '').trim());
}

function isMissing(text: string): boolean {
  // Every missing token is at most 4 characters: longer cells skip the lower-casing.
  return text.length <= 4 && MISSING_TOKENS.has(text.toLowerCase());
}

class Growable<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

class ColumnBuilder {
  readonly numbers = new Growable(new Float64Array(1024), (n) => new Float64Array(n));
  readonly codes = new Growable(new Int32Array(1024), (n) => new Int32Array(n));
  readonly dictionary = new Map<string, number>();
  overflow = false;
  missing = 0;
  nonNumeric = 0;
  firstNonNumeric: { line: number; value: string } | null = null;
  firstMissingLine: number | null = null;

  constructor(readonly name: string) {}

  add(raw: string, line: number): void {
    const text = raw.trim();
    if (isMissing(text)) {
      this.missing++;
      this.firstMissingLine ??= line;
      this.numbers.push(Number.NaN);
      this.codes.push(CODE_MISSING);
      return;
    }
    if (NUMBER.test(text)) this.numbers.push(Number(text));
    else {
      this.numbers.push(Number.NaN);
      this.nonNumeric++;
      this.firstNonNumeric ??= { line, value: text };
    }
    // Past the limit the column cannot be one-hot encoded, so its codes are no longer needed.
    let code = this.overflow ? CODE_OVERFLOW : this.dictionary.get(text);
    if (code === undefined) {
      if (this.dictionary.size >= MAX_CATEGORIES) {
        this.overflow = true;
        code = CODE_OVERFLOW;
      } else {
        code = this.dictionary.size;
        this.dictionary.set(text, code);
      }
    }
    this.codes.push(code);
  }

  build(): ParsedColumn {
    return {
      name: this.name,
      numbers: this.numbers.done(),
      codes: this.codes.done(),
      categories: [...this.dictionary.keys()],
      overflow: this.overflow,
      missing: this.missing,
      nonNumeric: this.nonNumeric,
      firstNonNumeric: this.firstNonNumeric,
      firstMissingLine: this.firstMissingLine,
    };
  }
}

/**
 * Collects a table's rows as they are parsed. Call addRow for every row papaparse gives, in order
 * (blank lines included: they are skipped but counted, so line numbers stay true), then finish().
 * Throws a TableError for a ragged row or a table too large, and finish() for an empty or header-only file.
 */
export class TableBuilder {
  private line = 0;
  private pending: { fields: string[]; line: number } | null = null;
  private columns: ColumnBuilder[] | null = null;
  private hasHeader = false;
  private headerLine = 0;
  private readonly lines = new Growable(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly preview: string[][] = [];
  delimiter = ',';

  constructor(
    readonly file: string,
    /** Cells allowed (tests set a small limit). */
    private readonly maxCells = MAX_TABLE_CELLS,
  ) {}

  get rows(): number {
    return this.lines.length;
  }

  /** Lines (rows given to addRow, blank ones included) so far. */
  get linesRead(): number {
    return this.line;
  }

  addRow(fields: string[]): void {
    this.line++;
    if (fields.length === 1 && fields[0].trim() === '') return;
    if (!this.columns) {
      if (!this.pending) {
        this.pending = { fields, line: this.line };
        return;
      }
      this.start(this.pending, fields);
    }
    this.addData(fields, this.line);
  }

  /** The columns' names are decided by the first two rows: the first is a header, or the first data row. */
  private start(first: { fields: string[]; line: number }, second: string[] | undefined): void {
    this.hasHeader = looksLikeHeader(first.fields, second);
    const names = this.hasHeader
      ? uniqueNames(first.fields.map((s) => s.trim()))
      : first.fields.map((_, i) => `column ${i + 1}`);
    this.headerLine = first.line;
    this.columns = names.map((name) => new ColumnBuilder(name));
    this.pending = null;
    if (!this.hasHeader) this.addData(first.fields, first.line);
  }

  private addData(fields: string[], line: number): void {
    const columns = this.columns!;
    if (fields.length !== columns.length) {
      const what = this.hasHeader ? `the header (line ${this.headerLine})` : `the first row (line ${this.headerLine})`;
      throw new TableError(
        'ragged',
        `${this.file}, line ${line}: ${fields.length} field${fields.length === 1 ? '' : 's'}, but ${what} has ${columns.length}.`,
        'Every row needs the same number of fields. Look for a missing or extra separator on that line; a value that contains the separator must be in double quotes.',
        { file: this.file, line },
      );
    }
    if ((this.rows + 1) * columns.length > this.maxCells) {
      throw new TableError(
        'too-large',
        `${this.file} has more than ${this.maxCells.toLocaleString('en-US')} cells (${columns.length} columns × ${(this.rows + 1).toLocaleString('en-US')} rows by line ${line}), more than fits in this tab's memory.`,
        'Use fewer rows or columns, then choose the smaller file.',
        { file: this.file, line },
      );
    }
    for (let c = 0; c < columns.length; c++) columns[c].add(fields[c], line);
    this.lines.push(line);
    if (this.preview.length < PREVIEW_ROWS) this.preview.push(fields.map((s) => s.trim()));
  }

  finish(): ParsedTable {
    if (!this.columns && this.pending) {
      const only = this.pending;
      if (looksLikeHeader(only.fields, undefined)) {
        throw new TableError(
          'header-only',
          `${this.file} has a header (line ${only.line}) but no data rows.`,
          'Add the data rows below the header, or choose the file that has them.',
          { file: this.file, line: only.line },
        );
      }
      this.start(only, undefined);
    }
    if (!this.columns) {
      throw new TableError(
        'empty',
        `${this.file} is empty: it has no rows.`,
        'Choose a file with a header and data rows.',
        {
          file: this.file,
        },
      );
    }
    return {
      file: this.file,
      delimiter: this.delimiter,
      hasHeader: this.hasHeader,
      rows: this.rows,
      columns: this.columns.map((c) => c.build()),
      lines: this.lines.done(),
      preview: this.preview,
    };
  }
}

/** Blank or repeated header names get a position suffix, so every column can be named in a message. */
function uniqueNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((name, i) => {
    let unique = name || `column ${i + 1}`;
    if (seen.has(unique)) unique = `${unique} (column ${i + 1})`;
    seen.add(unique);
    return unique;
  });
}

/**
 * The separator of a table: tab for a .tsv, otherwise guessed by papaparse from the first rows (comma,
 * semicolon, tab or pipe; blank lines are left out of the guess, which a trailing newline would upset).
 */
export function guessDelimiter(file: string, sample: string): string {
  if (fileExtension(file) === '.tsv') return '\t';
  const guess = Papa.parse<string[]>(sample, {
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: 'greedy',
    preview: 20,
  });
  return guess.meta.delimiter || ',';
}

/** A papaparse error as a TableError naming the file and line. */
export function papaError(file: string, error: Papa.ParseError, firstLine: number): TableError {
  const line = typeof error.row === 'number' ? firstLine + error.row : undefined;
  return new TableError(
    'parse-failed',
    `${file}${line ? `, line ${line}` : ''}: ${error.message}.`,
    error.code === 'MissingQuotes'
      ? 'A quoted value is never closed: add the closing double quote.'
      : 'Check that the file is a plain-text table with one row per line.',
    { file, line },
  );
}

/** Parses a whole CSV/TSV text (the tests, and small files); throws a TableError for every bad case. */
export function parseTableText(text: string, file: string): ParsedTable {
  const builder = new TableBuilder(file);
  builder.delimiter = guessDelimiter(file, text.slice(0, 64 * 1024));
  const result = Papa.parse<string[]>(text, { delimiter: builder.delimiter, skipEmptyLines: false });
  const fatal = result.errors[0];
  if (fatal) throw papaError(file, fatal, 1);
  // A final newline gives one empty row at the end, which addRow skips.
  for (const row of result.data) builder.addRow(row);
  return builder.finish();
}

export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
