// Turns a parsed table into a Dataset the network can train on: the person's choices (target column,
// each column's kind, how to handle missing values, split fractions, seed) decide which rows stay,
// the seeded split, and the encoding: numeric inputs standardised with the training split's mean and
// standard deviation only, categorical inputs one-hot, a categorical target as class indices
// (classification) or a numeric target standardised (regression).
import type { Dataset, DatasetTask, TableEncoding } from '../dataset';
import { TableError } from './errors';
import { CODE_MISSING, CODE_OVERFLOW, MAX_CATEGORIES, type ParsedColumn, type ParsedTable } from './parse';
import { checkSplitFractions, splitSamples } from './split';

/** How a column enters the network: standardised, one-hot, or not at all. */
export type ColumnKind = 'numeric' | 'categorical' | 'ignore';
export type MissingPolicy = TableEncoding['missing'];

export interface TableChoices {
  /** Index of the target column. */
  target: number;
  /** Kind of every column (the target's decides the task: numeric → regression, otherwise classification). */
  kinds: ColumnKind[];
  missing: MissingPolicy;
  validationFraction: number;
  testFraction: number;
  seed: number;
}

/** Bytes of memory the encoded arrays may take (the training worker holds one more copy). */
export const MAX_ENCODED_BYTES = 512 * 1024 * 1024;

/**
 * The kind a column looks like: numeric when its present values are numbers, or nearly all of them are
 * (then the odd text is reported as a problem the person resolves); categorical otherwise; ignored when
 * it has too many distinct texts to one-hot (an id, a free-text column).
 */
export function suggestKind(column: ParsedColumn, rows: number): ColumnKind {
  const present = rows - column.missing;
  if (present === 0) return 'ignore';
  const numbers = present - column.nonNumeric;
  if (column.nonNumeric === 0 || numbers >= 0.9 * present) return 'numeric';
  return column.overflow ? 'ignore' : 'categorical';
}

/** Choices to start from: the last column as target, suggested kinds, drop rows, 10% / 10% split, seed 1. */
export function defaultChoices(table: ParsedTable): TableChoices {
  return choicesFromKinds(table.columns.map((c) => suggestKind(c, table.rows)));
}

/** defaultChoices from the columns' suggested kinds (the page has the kinds, not the columns). */
export function choicesFromKinds(suggested: readonly ColumnKind[]): TableChoices {
  const kinds = [...suggested];
  const target = kinds.length - 1;
  if (kinds[target] === 'ignore') kinds[target] = 'categorical';
  return { target, kinds, missing: 'drop-row', validationFraction: 0.1, testFraction: 0.1, seed: 1 };
}

/** What tableProblems reads of a table: names and the counts found while parsing (no arrays). */
export interface TableShape {
  file: string;
  columns: ReadonlyArray<Pick<ParsedColumn, 'name' | 'nonNumeric' | 'firstNonNumeric' | 'overflow'>>;
}

/** The task the target's kind implies. */
export function taskFor(choices: TableChoices): DatasetTask {
  return choices.kinds[choices.target] === 'numeric' ? 'regression' : 'classification';
}

/**
 * Everything about the choices that stops encoding, each as a TableError naming the file, column and
 * line: text in a numeric column, a column with too many categories, no inputs. Empty when it can encode.
 */
export function tableProblems(table: TableShape, choices: TableChoices): TableError[] {
  const problems: TableError[] = [];
  const file = table.file;
  try {
    checkSplitFractions(choices.validationFraction, choices.testFraction);
  } catch (e) {
    problems.push(
      new TableError('split-too-small', (e as Error).message, 'Lower the validation or test fraction.', { file }),
    );
  }
  table.columns.forEach((column, c) => {
    const kind = c === choices.target && choices.kinds[c] === 'ignore' ? 'categorical' : choices.kinds[c];
    const role = c === choices.target ? 'target column' : 'column';
    if (kind === 'numeric' && column.firstNonNumeric) {
      const { line, value } = column.firstNonNumeric;
      const others = column.nonNumeric - 1;
      problems.push(
        new TableError(
          'non-numeric',
          `${file}, line ${line}, ${role} "${column.name}": "${value}" is not a number${others > 0 ? ` (and ${others} more value${others === 1 ? '' : 's'} in this column are not)` : ''}.`,
          `Correct the value in the file, or treat "${column.name}" as categorical${c === choices.target ? ' (the task becomes classification)' : ''}.`,
          { file, line, column: column.name },
        ),
      );
    }
    if (kind === 'categorical' && column.overflow) {
      problems.push(
        new TableError(
          'too-many-categories',
          `${file}, ${role} "${column.name}" has more than ${MAX_CATEGORIES} distinct values, too many to one-hot encode.`,
          c === choices.target
            ? 'Choose another target column, or make this one numeric (regression).'
            : `Ignore "${column.name}" (an id or free text does not help the network), or make it numeric.`,
          { file, column: column.name },
        ),
      );
    }
  });
  const inputs = choices.kinds.filter((k, c) => c !== choices.target && k !== 'ignore').length;
  if (inputs === 0) {
    problems.push(
      new TableError(
        'no-inputs',
        `${file}: no column is left as an input besides the target "${table.columns[choices.target]?.name}".`,
        'Set at least one other column to numeric or categorical.',
        { file },
      ),
    );
  }
  return problems;
}

/** How many rows encoding would drop, and why (for the summary beside the choices). */
export function droppedRows(
  table: ParsedTable,
  choices: TableChoices,
): { targetMissing: number; inputMissing: number } {
  const keep = keptRows(table, choices);
  let targetMissing = 0;
  const target = table.columns[choices.target];
  for (let r = 0; r < table.rows; r++) if (target.codes[r] === CODE_MISSING) targetMissing++;
  return { targetMissing, inputMissing: table.rows - keep.length - targetMissing };
}

/** Rows that stay: the target is present, and with 'drop-row' every used input is present too. */
function keptRows(table: ParsedTable, choices: TableChoices): Int32Array {
  const target = table.columns[choices.target];
  const inputs = inputColumns(table, choices).map(({ column }) => column);
  const kept: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    if (target.codes[r] === CODE_MISSING) continue;
    if (choices.missing === 'drop-row' && inputs.some((col) => col.codes[r] === CODE_MISSING)) continue;
    kept.push(r);
  }
  return Int32Array.from(kept);
}

function inputColumns(
  table: ParsedTable,
  choices: TableChoices,
): Array<{ column: ParsedColumn; kind: 'numeric' | 'categorical' }> {
  return table.columns.flatMap((column, c) => {
    const kind = choices.kinds[c];
    return c === choices.target || kind === 'ignore' ? [] : [{ column, kind }];
  });
}

/** Category names in a natural order: numerically when they are all numbers, else alphabetically. */
function sortedCategories(names: string[]): string[] {
  const allNumbers = names.every((n) => n !== '' && Number.isFinite(Number(n)));
  return [...names].sort(allNumbers ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b, 'en'));
}

/** Mean and (population) standard deviation of values[rows[i]] over the present ones; std 1 for a constant. */
function statistics(values: Float64Array, rows: Int32Array, trainRows: Int32Array): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const t of trainRows) {
    const v = values[rows[t]];
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (const t of trainRows) {
    const v = values[rows[t]];
    if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
  }
  const std = n > 0 ? Math.sqrt(squares / n) : 0;
  return { mean, std: std > 1e-12 ? std : 1 };
}

export interface EncodeOptions {
  id: string;
  name: string;
  createdAt: number;
}

/** Encodes the table as the choices say; throws the first TableError of tableProblems, or of the rows. */
export function encodeTable(table: ParsedTable, choices: TableChoices, options: EncodeOptions): Dataset {
  const problems = tableProblems(table, choices);
  if (problems.length > 0) throw problems[0];
  const file = table.file;
  const task = taskFor(choices);
  const targetColumn = table.columns[choices.target];
  const rows = keptRows(table, choices);
  const count = rows.length;
  if (count === 0) {
    throw new TableError(
      'no-rows-left',
      `${file}: no row is left after dropping the rows with missing values (${table.rows} rows in all).`,
      choices.missing === 'drop-row'
        ? 'Fill missing values with the mean instead, or ignore the columns with most of them.'
        : `Every row lacks the target "${targetColumn.name}": choose another target column.`,
      { file, column: targetColumn.name },
    );
  }

  // Classification: class index per kept row, classes in natural order; a class needs two examples.
  let labels = new Int32Array(0);
  let classNames: string[] = [];
  if (task === 'classification') {
    const present = new Set<number>();
    for (const r of rows) present.add(targetColumn.codes[r]);
    classNames = sortedCategories([...present].map((code) => targetColumn.categories[code]));
    const classOf = new Map(classNames.map((name, i) => [name, i]));
    labels = Int32Array.from(rows, (r) => classOf.get(targetColumn.categories[targetColumn.codes[r]])!);
    const counts = new Int32Array(classNames.length);
    for (const l of labels) counts[l]++;
    if (classNames.length < 2) {
      throw new TableError(
        'one-class',
        `${file}, target column "${targetColumn.name}": every row has the class "${classNames[0]}"; a classifier needs at least two classes.`,
        'Choose another target column, or a file with examples of more than one class.',
        { file, column: targetColumn.name, className: classNames[0] },
      );
    }
    const single = counts.findIndex((n) => n === 1);
    if (single >= 0) {
      const line = table.lines[rows[labels.indexOf(single)]];
      throw new TableError(
        'single-example-class',
        `${file}, target column "${targetColumn.name}": the class "${classNames[single]}" has only one example (line ${line}), so it cannot be split between training and testing.`,
        'Add more examples of that class, or remove its row from the file.',
        { file, line, column: targetColumn.name, className: classNames[single] },
      );
    }
  }

  const split = splitSamples(count, {
    validationFraction: choices.validationFraction,
    testFraction: choices.testFraction,
    seed: choices.seed,
    labels: task === 'classification' ? labels : undefined,
  });
  if (split.train.length === 0 || (choices.testFraction > 0 && split.test.length === 0)) {
    throw new TableError(
      'split-too-small',
      `${file}: ${count} row${count === 1 ? '' : 's'} are too few for a ${Math.round(choices.testFraction * 100)}% test split.`,
      'Add rows, or raise the test fraction.',
      { file },
    );
  }

  const columns = encodedColumns(table, choices, rows, split.train);
  const features = columns.reduce((n, c) => n + (c.kind === 'numeric' ? 1 : c.categories.length), 0);
  const encodedBytes = count * features * 4;
  if (encodedBytes > MAX_ENCODED_BYTES) {
    throw new TableError(
      'too-large',
      `${file}: ${count.toLocaleString('en-US')} rows × ${features.toLocaleString('en-US')} inputs after one-hot encoding take ${Math.round(encodedBytes / 2 ** 20)} MB, more than the ${MAX_ENCODED_BYTES / 2 ** 20} MB this tab can train on.`,
      'Ignore the categorical columns with many values, or use fewer rows.',
      { file },
    );
  }
  const x = fillInputs(rows, columns, features);

  let targets = new Float32Array(0);
  let targetEncoding: TableEncoding['target'] = { name: targetColumn.name, kind: 'categorical' };
  if (task === 'regression') {
    const { mean, std } = statistics(targetColumn.numbers, rows, split.train);
    targets = Float32Array.from(rows, (r) => (targetColumn.numbers[r] - mean) / std);
    targetEncoding = { name: targetColumn.name, kind: 'numeric', mean, std };
  }

  const dataset: Dataset = {
    id: options.id,
    name: options.name,
    kind: 'table',
    task,
    inputShape: [features],
    classNames,
    targetNames: task === 'regression' ? [targetColumn.name] : [],
    count,
    source: file,
    createdAt: options.createdAt,
    bytes: 0,
    x,
    labels,
    targets,
    split,
    encoding: {
      columns: columns.map((c) =>
        c.kind === 'numeric'
          ? { name: c.name, kind: 'numeric', mean: c.mean, std: c.std }
          : { name: c.name, kind: 'categorical', categories: c.categories },
      ),
      target: targetEncoding,
      missing: choices.missing,
    },
  };
  dataset.bytes = datasetBytes(dataset);
  return dataset;
}

type EncodedColumn =
  | { name: string; kind: 'numeric'; source: ParsedColumn; mean: number; std: number }
  | {
      name: string;
      kind: 'categorical';
      source: ParsedColumn;
      categories: string[];
      codeToIndex: Int32Array;
      fill: number;
    };

/** Statistics of each input column from the training rows: mean/std, or the categories and the most frequent. */
function encodedColumns(
  table: ParsedTable,
  choices: TableChoices,
  rows: Int32Array,
  train: Int32Array,
): EncodedColumn[] {
  return inputColumns(table, choices).map(({ column, kind }) => {
    if (kind === 'numeric')
      return { name: column.name, kind, source: column, ...statistics(column.numbers, rows, train) };
    const present = new Set<number>();
    for (const r of rows) if (column.codes[r] >= 0) present.add(column.codes[r]);
    const categories = sortedCategories([...present].map((code) => column.categories[code]));
    const index = new Map(categories.map((name, i) => [name, i]));
    const codeToIndex = Int32Array.from(column.categories, (name) => index.get(name) ?? -1);
    // fill-mean for a categorical column: the training split's most frequent category.
    const counts = new Int32Array(categories.length);
    for (const t of train) {
      const code = column.codes[rows[t]];
      if (code >= 0) counts[codeToIndex[code]]++;
    }
    const fill = counts.length > 0 ? counts.indexOf(Math.max(...counts)) : -1;
    return { name: column.name, kind, source: column, categories, codeToIndex, fill };
  });
}

function fillInputs(rows: Int32Array, columns: EncodedColumn[], features: number): Float32Array {
  const x = new Float32Array(rows.length * features);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let f = i * features;
    for (const c of columns) {
      if (c.kind === 'numeric') {
        const v = c.source.numbers[r];
        // Missing with fill-mean: the training mean, which standardises to 0.
        x[f++] = Number.isNaN(v) ? 0 : (v - c.mean) / c.std;
        continue;
      }
      const code = c.source.codes[r];
      const hot = code >= 0 ? c.codeToIndex[code] : code === CODE_OVERFLOW ? -1 : c.fill;
      if (hot >= 0) x[f + hot] = 1;
      f += c.categories.length;
    }
  }
  return x;
}

/** Bytes of a data set's stored arrays. */
export function datasetBytes(d: Pick<Dataset, 'x' | 'labels' | 'targets' | 'split'>): number {
  return (
    d.x.byteLength +
    d.labels.byteLength +
    d.targets.byteLength +
    d.split.train.byteLength +
    d.split.validation.byteLength +
    d.split.test.byteLength
  );
}
