// The table worker: streams a CSV/TSV File through papaparse in 1 MB chunks (reporting progress, so a
// 50 MB file never blocks the page), keeps the parsed columns, answers the page's questions about its
// choices, and encodes the Dataset that is kept. Nothing leaves the tab.
import Papa from 'papaparse';
import {
  checkTableFile,
  droppedRows,
  encodeTable,
  guessDelimiter,
  papaError,
  suggestKind,
  TableBuilder,
  TableError,
  type ParsedTable,
} from '../../src/data/table';
import type { FromTableWorker, TableErrorView, TableView, ToTableWorker } from './own/table-protocol';

const CHUNK_BYTES = 1024 * 1024;
let table: ParsedTable | null = null;
let tableBytes = 0;

function post(message: FromTableWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

function errorView(error: unknown, file: string): TableErrorView {
  if (error instanceof TableError) {
    return { reason: error.reason, message: error.message, hint: error.hint, place: error.place };
  }
  const outOfMemory = error instanceof RangeError;
  return {
    reason: 'failed',
    message: outOfMemory
      ? `${file} does not fit in this tab's memory.`
      : `${file} could not be read: ${error instanceof Error ? error.message : String(error)}.`,
    hint: outOfMemory ? 'Use fewer rows or columns, then choose the smaller file.' : 'Choose the file again.',
    place: { file },
  };
}

function view(t: ParsedTable, bytes: number): TableView {
  return {
    file: t.file,
    bytes,
    delimiter: t.delimiter,
    hasHeader: t.hasHeader,
    rows: t.rows,
    columns: t.columns.map((c) => ({
      name: c.name,
      missing: c.missing,
      nonNumeric: c.nonNumeric,
      distinct: c.categories.length,
      overflow: c.overflow,
      firstNonNumeric: c.firstNonNumeric,
      firstMissingLine: c.firstMissingLine,
      suggested: suggestKind(c, t.rows),
    })),
    preview: t.preview,
  };
}

async function parse(file: File): Promise<void> {
  table = null;
  try {
    checkTableFile(file.name, file.size);
    const builder = new TableBuilder(file.name);
    builder.delimiter = guessDelimiter(file.name, await file.slice(0, 64 * 1024).text());
    let chunks = 0;
    // A failure inside a chunk aborts the parse; abort() then calls complete, which must reject, not resolve.
    let failure: unknown = null;
    await new Promise<void>((resolve, reject) => {
      Papa.parse<string[], File>(file, {
        delimiter: builder.delimiter,
        skipEmptyLines: false,
        chunkSize: CHUNK_BYTES,
        chunk: (results, parser) => {
          if (failure) return;
          try {
            const firstLine = builder.linesRead + 1;
            if (results.errors.length > 0) throw papaError(file.name, results.errors[0], firstLine);
            for (const row of results.data) builder.addRow(row);
            chunks++;
            const bytesRead = Math.min(file.size, chunks * CHUNK_BYTES);
            post({ type: 'progress', progress: { bytesRead, bytesTotal: file.size, rows: builder.rows } });
          } catch (error) {
            failure = error;
            parser.abort();
          }
        },
        complete: () => (failure ? reject(failure) : resolve()),
        error: (error) => reject(error),
      });
    });
    table = builder.finish();
    tableBytes = file.size;
    post({ type: 'parsed', table: view(table, tableBytes) });
  } catch (error) {
    post({ type: 'error', stage: 'parse', error: errorView(error, file.name) });
  }
}

self.onmessage = (event: MessageEvent<ToTableWorker>) => {
  const message = event.data;
  if (message.type === 'parse') {
    void parse(message.file);
    return;
  }
  if (!table) return;
  if (message.type === 'check') {
    const target = table.columns[message.choices.target];
    const classes = target ? new Set(Array.from(target.codes).filter((c) => c >= 0)).size : 0;
    post({ type: 'checked', id: message.id, dropped: droppedRows(table, message.choices), classes });
    return;
  }
  try {
    const dataset = encodeTable(table, message.choices, message.options);
    const { x, labels, targets, split } = dataset;
    post({ type: 'encoded', dataset }, [
      x.buffer,
      labels.buffer,
      targets.buffer,
      split.train.buffer,
      split.validation.buffer,
      split.test.buffer,
    ]);
  } catch (error) {
    post({ type: 'error', stage: 'encode', error: errorView(error, table.file) });
  }
};
