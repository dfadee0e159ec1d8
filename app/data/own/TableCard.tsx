// A CSV or TSV table as a data set: choose or drop the file, watch it parse (in a worker, with progress),
// see its first rows, choose the target column, each column's kind and what to do with missing values,
// see every problem named by line and column, and keep it. The file is read in this tab, never uploaded.
import { useRef, useState, type DragEvent } from 'react';
import { tableProblems, taskFor, type ColumnKind, type TableChoices } from '../../../src/data/table';
import { useDatasetsStore, type TableImport } from '../../store/datasets';
import { formatCount, formatDataBytes } from '../format';
import type { TableView } from './table-protocol';
import { ProgressBar } from '../../components/ProgressBar';

const KIND_LABEL: Record<ColumnKind, string> = {
  numeric: 'Numeric (standardised)',
  categorical: 'Categorical (one-hot)',
  ignore: 'Ignore',
};
const DELIMITER_NAME: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

export function TableCard() {
  const tableImport = useDatasetsStore((s) => s.tableImport);
  const openTableFile = useDatasetsStore((s) => s.openTableFile);
  const clearTable = useDatasetsStore((s) => s.clearTable);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const { state, table, error } = tableImport;

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) openTableFile(file);
  };

  return (
    <section className="card table-import" aria-labelledby="table-import-heading">
      <div className="card-head">
        <h2 id="table-import-heading">Table (CSV or TSV)</h2>
        {table && (
          <button type="button" onClick={clearTable} disabled={state === 'keeping'}>
            Close {table.file}
          </button>
        )}
      </div>
      <p className="muted">
        One row per example, one column per value, a header row naming the columns. Choose the column to predict: a
        column of categories makes a classifier, a column of numbers a regression.
      </p>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>Drop a .csv or .tsv file here, or</span>
        <button type="button" onClick={() => input.current?.click()} disabled={state === 'parsing'}>
          Choose a CSV or TSV file
        </button>
        <input
          ref={input}
          type="file"
          accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
          hidden
          aria-label="CSV or TSV file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) openTableFile(file);
            e.target.value = '';
          }}
        />
      </div>
      {state === 'parsing' && <ParseProgress tableImport={tableImport} />}
      {error && (
        <div className="notice notice-error" role="alert">
          <strong>{error.message}</strong>
          <p>{error.hint}</p>
        </div>
      )}
      {tableImport.kept && (
        <div className="notice notice-ok" role="status">
          <strong>Kept “{tableImport.kept.name}” in this browser.</strong>
          <p>It is listed under Your data above: press Use there to train on it.</p>
        </div>
      )}
      {table && tableImport.choices && (state === 'parsed' || state === 'keeping') && (
        <ParsedTable table={table} choices={tableImport.choices} tableImport={tableImport} />
      )}
    </section>
  );
}

function ParseProgress({ tableImport }: { tableImport: TableImport }) {
  const p = tableImport.progress;
  const percent = p && p.bytesTotal > 0 ? (100 * p.bytesRead) / p.bytesTotal : 0;
  return (
    <>
      <ProgressBar label="Table reading progress" percent={percent} />
      <p className="muted small">
        {p
          ? `Read ${formatDataBytes(p.bytesRead)} of ${formatDataBytes(p.bytesTotal)}, ${formatCount(p.rows)} rows so far`
          : 'Starting…'}
      </p>
    </>
  );
}

function ParsedTable({
  table,
  choices,
  tableImport,
}: {
  table: TableView;
  choices: TableChoices;
  tableImport: TableImport;
}) {
  const setChoices = useDatasetsStore((s) => s.setTableChoices);
  const setName = useDatasetsStore((s) => s.setTableName);
  const keepTable = useDatasetsStore((s) => s.keepTable);
  const problems = tableProblems(table, choices);
  const task = taskFor(choices);
  const target = table.columns[choices.target];
  const check = tableImport.check;
  const dropped = check ? check.dropped.targetMissing + check.dropped.inputMissing : 0;
  const missingColumns = table.columns.filter((c) => c.missing > 0);
  const inputs = table.columns.reduce(
    (n, c, i) =>
      i === choices.target || choices.kinds[i] === 'ignore' ? n : n + (choices.kinds[i] === 'numeric' ? 1 : c.distinct),
    0,
  );
  const setKind = (column: number, kind: ColumnKind) =>
    setChoices({ kinds: choices.kinds.map((k, i) => (i === column ? kind : k)) });
  const percent = (key: 'validationFraction' | 'testFraction', label: string) => (
    <label className="table-field">
      <span>{label}</span>
      <input
        type="number"
        min={0}
        max={50}
        step={5}
        value={Math.round(choices[key] * 100)}
        onChange={(e) => setChoices({ [key]: Math.min(0.9, Math.max(0, Number(e.target.value) / 100 || 0)) })}
      />
    </label>
  );

  return (
    <>
      <p className="table-summary">
        <strong>{table.file}</strong>: {formatCount(table.rows)} rows × {table.columns.length} columns,{' '}
        {DELIMITER_NAME[table.delimiter] ?? `“${table.delimiter}”`}-separated,{' '}
        {table.hasHeader ? 'column names from the header row' : 'no header row (columns are numbered)'},{' '}
        {formatDataBytes(table.bytes)}.
      </p>
      <div className="table-preview" tabIndex={0} role="region" aria-label={`First rows of ${table.file}`}>
        <table className="limits">
          <caption className="muted small">
            The first {table.preview.length} of {formatCount(table.rows)} rows
          </caption>
          <thead>
            <tr>
              {table.columns.map((c, i) => (
                <th key={i} scope="col" className={i === choices.target ? 'is-target' : undefined}>
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.preview.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => (
                  <td key={i} className={i === choices.target ? 'is-target' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="table-choices">
        <div className="table-choices-main">
          <label className="table-field">
            <span>Target column (what the network predicts)</span>
            <select
              value={choices.target}
              onChange={(e) => {
                const next = Number(e.target.value);
                const kinds = [...choices.kinds];
                if (kinds[next] === 'ignore') kinds[next] = 'categorical';
                setChoices({ target: next, kinds });
              }}
            >
              {table.columns.map((c, i) => (
                <option key={i} value={i}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label className="table-field">
            <span>Treat the target as</span>
            <select
              value={choices.kinds[choices.target] === 'numeric' ? 'numeric' : 'categorical'}
              onChange={(e) => setKind(choices.target, e.target.value as ColumnKind)}
            >
              <option value="numeric">Numbers: regression</option>
              <option value="categorical">Classes: classification</option>
            </select>
          </label>
          <p className="table-task" data-testid="table-task">
            {task === 'regression' ? (
              <>
                <strong>Regression</strong> of “{target.name}”: mean squared error, with a predicted-against-true plot.
              </>
            ) : (
              <>
                <strong>Classification</strong> into {check ? formatCount(check.classes) : '…'} classes of “
                {target.name}”: softmax cross-entropy, accuracy and a confusion matrix.
              </>
            )}
          </p>

          <fieldset className="table-missing">
            <legend>Missing values</legend>
            <p className="small muted">
              {missingColumns.length === 0
                ? 'None: every cell has a value.'
                : `${formatCount(missingColumns.reduce((n, c) => n + c.missing, 0))} empty cells in ${missingColumns.length} column${missingColumns.length === 1 ? '' : 's'} (counts per column below).`}
            </p>
            <label className="check">
              <input
                type="radio"
                name="table-missing"
                checked={choices.missing === 'drop-row'}
                onChange={() => setChoices({ missing: 'drop-row' })}
              />
              Drop the rows that have one
            </label>
            <label className="check">
              <input
                type="radio"
                name="table-missing"
                checked={choices.missing === 'fill-mean'}
                onChange={() => setChoices({ missing: 'fill-mean' })}
              />
              Fill in the training mean (the most frequent category for categorical columns)
            </label>
          </fieldset>

          <div className="table-split">
            {percent('validationFraction', 'Validation (%)')}
            {percent('testFraction', 'Test (%)')}
            <label className="table-field">
              <span>Split seed</span>
              <input
                type="number"
                min={0}
                step={1}
                value={choices.seed}
                onChange={(e) => setChoices({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
              />
            </label>
          </div>
        </div>

        <div className="table-columns" role="region" aria-label="Columns" tabIndex={0}>
          <table className="limits">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Use as</th>
                <th scope="col" className="num">
                  Missing
                </th>
              </tr>
            </thead>
            <tbody>
              {table.columns.map((c, i) => (
                <tr key={i}>
                  <th scope="row">{c.name}</th>
                  <td>
                    {i === choices.target ? (
                      <span className="badge badge-neutral">target</span>
                    ) : (
                      <select
                        aria-label={`Use of column ${c.name}`}
                        value={choices.kinds[i]}
                        onChange={(e) => setKind(i, e.target.value as ColumnKind)}
                      >
                        {(Object.keys(KIND_LABEL) as ColumnKind[]).map((k) => (
                          <option key={k} value={k}>
                            {KIND_LABEL[k]}
                            {k === 'categorical'
                              ? ` — ${c.overflow ? 'over 1000' : formatCount(c.distinct)} values`
                              : ''}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td className="num">{c.missing > 0 ? formatCount(c.missing) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>

      {problems.length > 0 && (
        <div className="notice notice-error" role="alert" aria-label="Problems with the table">
          <strong>
            {problems.length === 1 ? 'One thing stops' : `${problems.length} things stop`} this table from being kept:
          </strong>
          <ul>
            {problems.map((p) => (
              <li key={p.message}>
                {p.message} {p.hint}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="keep-row">
        <label className="keep-name">
          <span>Name</span>
          <input value={tableImport.name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button
          type="button"
          className="primary"
          disabled={problems.length > 0 || tableImport.state === 'keeping'}
          onClick={() => void keepTable()}
        >
          {tableImport.state === 'keeping' ? 'Keeping…' : 'Keep data set'}
        </button>
        <p className="muted small keep-summary">
          {check
            ? `${formatCount(table.rows - dropped)} rows kept${dropped > 0 ? ` (${formatCount(dropped)} dropped for missing values${check.dropped.targetMissing > 0 ? `, ${formatCount(check.dropped.targetMissing)} of them lack the target` : ''})` : ''}, `
            : ''}
          {formatCount(inputs)} inputs after encoding; numeric columns are standardised with the training split&apos;s
          mean and standard deviation.
        </p>
      </div>
    </>
  );
}
