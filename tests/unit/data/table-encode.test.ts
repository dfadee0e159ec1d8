// Encoding a parsed table for training: column kinds, the task the target implies, standardisation
// with training-split statistics only, one-hot categories, missing values dropped or filled, the seeded
// stratified split, and the bad cases (text in a numeric column, a class with one example, ...).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/data/random';
import {
  defaultChoices,
  droppedRows,
  encodeTable,
  parseTableText,
  splitSamples,
  suggestKind,
  tableProblems,
  taskFor,
  type TableChoices,
} from '../../../src/data/table';
import { tableError } from './table-helpers';

const META = { id: 'id-1', name: 'test set', createdAt: 42 };

/** A regression CSV: y = 2·a − b + noise, plus a categorical column; seeded. */
function regressionCsv(rows: number, seed = 3): string {
  const rng = mulberry32(seed);
  const lines = ['a,b,colour,y'];
  for (let i = 0; i < rows; i++) {
    const a = rng() * 10;
    const b = rng() * 4 - 2;
    const colour = ['red', 'green', 'blue'][i % 3];
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${colour},${(2 * a - b + rng() * 0.1).toFixed(4)}`);
  }
  return lines.join('\n');
}

function choicesFor(csv: string, file: string, changes: Partial<TableChoices> = {}) {
  const table = parseTableText(csv, file);
  return { table, choices: { ...defaultChoices(table), ...changes } };
}

describe('column kinds and task', () => {
  it('suggests numeric, categorical or ignore from the values', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},c${i % 3},${i === 7 ? 'oops' : i},`).join('\n');
    const t = parseTableText(`n,cat,mostly,empty\n${rows}`, 'kinds.csv');
    expect(t.columns.map((c) => suggestKind(c, t.rows))).toEqual(['numeric', 'categorical', 'numeric', 'ignore']);
  });

  it('the last column is the default target; its kind sets the task', () => {
    const { choices } = choicesFor(regressionCsv(20), 'r.csv');
    expect(choices.target).toBe(3);
    expect(taskFor(choices)).toBe('regression');
    expect(taskFor({ ...choices, kinds: ['numeric', 'numeric', 'categorical', 'categorical'] })).toBe('classification');
  });
});

describe('encodeTable: regression', () => {
  it('standardises inputs and target with training-split statistics only, and one-hot encodes categories', () => {
    const { table, choices } = choicesFor(regressionCsv(200), 'reg.csv');
    const d = encodeTable(table, choices, META);
    expect(d).toMatchObject({ kind: 'table', task: 'regression', count: 200, inputShape: [5], targetNames: ['y'] });
    expect(d.classNames).toEqual([]);
    expect(d.x).toBeInstanceOf(Float32Array);
    expect(d.x.length).toBe(200 * 5);
    expect(d.bytes).toBe(200 * 5 * 4 + 200 * 4 + 200 * 4);
    const enc = d.encoding!;
    expect(enc.columns.map((c) => c.name)).toEqual(['a', 'b', 'colour']);
    expect(enc.columns[2]).toEqual({ name: 'colour', kind: 'categorical', categories: ['blue', 'green', 'red'] });

    // The stored mean/std are those of the training rows, not of all rows.
    const a = table.columns[0].numbers;
    const train = Array.from(d.split.train);
    const trainMean = train.reduce((s, r) => s + a[r], 0) / train.length;
    const allMean = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(trainMean).not.toBeCloseTo(allMean, 6);
    const colA = enc.columns[0] as { mean: number; std: number };
    expect(colA.mean).toBeCloseTo(trainMean, 9);
    // So the training rows of column a have mean 0 and standard deviation 1, the others need not.
    const encodedA = train.map((r) => d.x[r * 5]);
    const m = encodedA.reduce((s, v) => s + v, 0) / encodedA.length;
    const sd = Math.sqrt(encodedA.reduce((s, v) => s + (v - m) ** 2, 0) / encodedA.length);
    expect(m).toBeCloseTo(0, 5);
    expect(sd).toBeCloseTo(1, 4);
    expect(d.x[7 * 5]).toBeCloseTo((a[7] - colA.mean) / colA.std, 5);

    // One-hot: row 0 is red (index 2), row 1 green (1), row 2 blue (0).
    expect(Array.from(d.x.subarray(2, 5))).toEqual([0, 0, 1]);
    expect(Array.from(d.x.subarray(5 + 2, 10))).toEqual([0, 1, 0]);
    expect(Array.from(d.x.subarray(10 + 2, 15))).toEqual([1, 0, 0]);

    // The target too, with its training mean and std kept to turn predictions back into y.
    const target = enc.target as { kind: 'numeric'; mean: number; std: number };
    expect(target.kind).toBe('numeric');
    const y = table.columns[3].numbers;
    expect(d.targets[11] * target.std + target.mean).toBeCloseTo(y[11], 4);
    const trainTargetMean = train.reduce((s, r) => s + d.targets[r], 0) / train.length;
    expect(trainTargetMean).toBeCloseTo(0, 5);
  });

  it('gives a constant column standard deviation 1 instead of dividing by zero', () => {
    const { table, choices } = choicesFor('k,x,y\n5,1,1\n5,2,2\n5,3,3\n5,4,4\n5,5,5\n5,6,6\n', 'const.csv');
    const d = encodeTable(table, { ...choices, validationFraction: 0, testFraction: 0.2 }, META);
    expect(d.encoding!.columns[0]).toMatchObject({ mean: 5, std: 1 });
    expect(Array.from(d.x).every(Number.isFinite)).toBe(true);
  });
});

describe('encodeTable: missing values', () => {
  const csv = 'a,c,y\n1,p,1\n,q,2\n3,,3\n4,p,\n5,q,5\n6,p,6\n7,q,7\n8,p,8\n9,q,9\n10,p,10\n';

  it('drop-row drops rows with a missing input; a row without its target is always dropped', () => {
    const { table, choices } = choicesFor(csv, 'gaps.csv', { testFraction: 0.2, validationFraction: 0 });
    expect(table.columns.map((c) => c.missing)).toEqual([1, 1, 1]);
    expect(droppedRows(table, choices)).toEqual({ targetMissing: 1, inputMissing: 2 });
    const d = encodeTable(table, choices, META);
    expect(d.count).toBe(7);
  });

  it('fill-mean fills a number with the training mean (0 once standardised) and a category with the most frequent', () => {
    const { table, choices } = choicesFor(csv, 'gaps.csv', {
      missing: 'fill-mean',
      testFraction: 0.2,
      validationFraction: 0,
    });
    expect(droppedRows(table, choices)).toEqual({ targetMissing: 1, inputMissing: 0 });
    const d = encodeTable(table, choices, META);
    expect(d.count).toBe(9);
    // Kept rows: lines 2,3,4,6,...; row 1 (line 3) lacks a, row 2 (line 4) lacks c.
    expect(d.x[1 * 3]).toBe(0);
    const trainRows = Array.from(d.split.train);
    const pCount = trainRows.filter((r) => d.x[r * 3 + 1] === 1).length;
    const qCount = trainRows.filter((r) => d.x[r * 3 + 2] === 1).length;
    const filled = pCount >= qCount ? [1, 0] : [0, 1];
    expect(Array.from(d.x.subarray(2 * 3 + 1, 2 * 3 + 3))).toEqual(filled);
  });

  it('says so when dropping leaves no rows', () => {
    const { table, choices } = choicesFor('a,b,y\n1,,1\n,2,2\n', 'holes.csv');
    const e = tableError(() => encodeTable(table, choices, META));
    expect(e.reason).toBe('no-rows-left');
    expect(e.message).toBe('holes.csv: no row is left after dropping the rows with missing values (2 rows in all).');
  });
});

describe('encodeTable: classification', () => {
  function irisLike(perClass: number): string {
    const rng = mulberry32(9);
    const lines = ['x1,x2,species'];
    for (const [k, name] of ['setosa', 'versicolor', 'virginica'].entries())
      for (let i = 0; i < perClass; i++) lines.push(`${(k + rng()).toFixed(3)},${(rng() * 2).toFixed(3)},${name}`);
    return lines.join('\n');
  }

  it('labels are class indices in sorted class-name order; the split is stratified', () => {
    const { table, choices } = choicesFor(irisLike(20), 'iris.csv', { validationFraction: 0.2, testFraction: 0.2 });
    const d = encodeTable(table, choices, META);
    expect(d.task).toBe('classification');
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.targets.length).toBe(0);
    expect(d.labels[0]).toBe(0);
    expect(d.labels[59]).toBe(2);
    for (const part of [d.split.train, d.split.validation, d.split.test]) {
      const counts = [0, 0, 0];
      for (const i of part) counts[d.labels[i]]++;
      expect(new Set(counts).size).toBe(1);
    }
    expect(d.split.test.length).toBe(12);
  });

  it('a numeric column treated as categorical makes a classifier with numerically ordered classes', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},${[10, 2, 1][i % 3]}`).join('\n');
    const { table, choices } = choicesFor(`x,grade\n${rows}`, 'g.csv');
    const d = encodeTable(table, { ...choices, kinds: ['numeric', 'categorical'] }, META);
    expect(d.classNames).toEqual(['1', '2', '10']);
  });

  it('refuses a class with a single example, naming it and its line', () => {
    const csv = 'x,label\n1,a\n2,a\n3,b\n4,b\n5,c\n6,a\n';
    const { table, choices } = choicesFor(csv, 'classes.csv');
    const e = tableError(() => encodeTable(table, choices, META));
    expect(e.reason).toBe('single-example-class');
    expect(e.place).toEqual({ file: 'classes.csv', line: 6, column: 'label', className: 'c' });
    expect(e.message).toBe(
      'classes.csv, target column "label": the class "c" has only one example (line 6), so it cannot be split between training and testing.',
    );
  });

  it('refuses a target with one class', () => {
    const { table, choices } = choicesFor('x,label\n1,a\n2,a\n3,a\n', 'one.csv');
    expect(tableError(() => encodeTable(table, choices, META)).reason).toBe('one-class');
  });
});

describe('tableProblems', () => {
  it('names the line and column of text in a numeric column, until that column is treated as categorical', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i === 13 ? 'twelve' : i},${i % 2},${i}`);
    const { table, choices } = choicesFor(`age,flag,y\n${rows.join('\n')}`, 'people.csv');
    expect(choices.kinds[0]).toBe('numeric');
    const problems = tableProblems(table, choices);
    expect(problems).toHaveLength(1);
    expect(problems[0].reason).toBe('non-numeric');
    expect(problems[0].place).toEqual({ file: 'people.csv', line: 15, column: 'age' });
    expect(problems[0].message).toBe('people.csv, line 15, column "age": "twelve" is not a number.');
    expect(problems[0].hint).toMatch(/treat "age" as categorical/);
    expect(tableError(() => encodeTable(table, choices, META)).reason).toBe('non-numeric');
    const fixed = { ...choices, kinds: ['categorical' as const, ...choices.kinds.slice(1)] };
    expect(tableProblems(table, fixed)).toEqual([]);
    expect(encodeTable(table, fixed, META).inputShape).toEqual([20 + 1]);
  });

  it('text in a numeric target says the task becomes classification when treated as categorical', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i === 4 ? 'n.a.' : i * 2}`);
    const { table, choices } = choicesFor(`x,y\n${rows.join('\n')}`, 't.csv');
    const [p] = tableProblems(table, choices);
    expect(p.message).toBe('t.csv, line 6, target column "y": "n.a." is not a number.');
    expect(p.hint).toMatch(/task becomes classification/);
  });

  it('needs an input column besides the target', () => {
    const { table, choices } = choicesFor('a,y\n1,2\n3,4\n', 'solo.csv');
    const [p] = tableProblems(table, { ...choices, kinds: ['ignore', 'numeric'] });
    expect(p.reason).toBe('no-inputs');
    expect(p.message).toMatch(/^solo\.csv: no column is left as an input besides the target "y"/);
  });

  it('refuses split fractions that leave nothing to train on', () => {
    const { table, choices } = choicesFor(regressionCsv(20), 'r.csv', { validationFraction: 0.5, testFraction: 0.5 });
    expect(tableProblems(table, choices)[0].reason).toBe('split-too-small');
  });
});

describe('splitSamples', () => {
  it('is seeded, disjoint, ascending and covers every sample', () => {
    const a = splitSamples(1000, { validationFraction: 0.15, testFraction: 0.2, seed: 5 });
    const again = splitSamples(1000, { validationFraction: 0.15, testFraction: 0.2, seed: 5 });
    const other = splitSamples(1000, { validationFraction: 0.15, testFraction: 0.2, seed: 6 });
    expect(Array.from(again.test)).toEqual(Array.from(a.test));
    expect(Array.from(other.test)).not.toEqual(Array.from(a.test));
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([650, 150, 200]);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const part of [a.train, a.validation, a.test])
      for (let i = 1; i < part.length; i++) expect(part[i]).toBeGreaterThan(part[i - 1]);
  });

  it('keeps at least one sample of each class for training', () => {
    const labels = Int32Array.from([0, 0, 1, 1, 1]);
    const s = splitSamples(5, { validationFraction: 0.4, testFraction: 0.4, seed: 1, labels });
    const trainLabels = Array.from(s.train, (i) => labels[i]);
    expect(trainLabels).toContain(0);
    expect(trainLabels).toContain(1);
  });
});
