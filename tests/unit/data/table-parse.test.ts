// Parsing CSV/TSV tables into columns: header detection, delimiters, quoting, missing values, and every
// bad file (wrong type, too large, empty, header only, ragged row, unclosed quote) refused with a message
// that names the file and line.
import { describe, expect, it } from 'vitest';
import {
  checkTableFile,
  looksLikeHeader,
  MAX_CATEGORIES,
  MAX_TABLE_CELLS,
  MAX_TABLE_FILE_BYTES,
  parseTableText,
  TableBuilder,
} from '../../../src/data/table';
import { tableError } from './table-helpers';

describe('header detection', () => {
  it('takes a row of names above numbers as a header', () => {
    expect(looksLikeHeader(['a', 'b'], ['1', '2'])).toBe(true);
    expect(looksLikeHeader(['x', 'label'], ['1.5', 'cat'])).toBe(true);
  });
  it('takes a row with a number or an empty cell as data', () => {
    expect(looksLikeHeader(['1', '2'], ['3', '4'])).toBe(false);
    expect(looksLikeHeader(['a', ''], ['b', 'c'])).toBe(false);
    expect(looksLikeHeader(['red', '3'], ['blue', '4'])).toBe(false);
  });
  it('in an all-text table, a first row repeated below is data', () => {
    expect(looksLikeHeader(['red', 'big'], ['red', 'small'])).toBe(false);
    expect(looksLikeHeader(['colour', 'size'], ['red', 'small'])).toBe(true);
  });
});

describe('parseTableText', () => {
  it('reads a CSV with a header into numeric and text columns', () => {
    const t = parseTableText('x,y,label\n1,2.5,cat\n-3,4e2,dog\n0.5,.25,cat\n', 'pets.csv');
    expect(t.hasHeader).toBe(true);
    expect(t.delimiter).toBe(',');
    expect(t.rows).toBe(3);
    expect(t.columns.map((c) => c.name)).toEqual(['x', 'y', 'label']);
    expect(Array.from(t.columns[0].numbers)).toEqual([1, -3, 0.5]);
    expect(Array.from(t.columns[1].numbers)).toEqual([2.5, 400, 0.25]);
    expect(t.columns[2].categories).toEqual(['cat', 'dog']);
    expect(Array.from(t.columns[2].codes)).toEqual([0, 1, 0]);
    expect(t.columns[2].nonNumeric).toBe(3);
    expect(t.columns[2].firstNonNumeric).toEqual({ line: 2, value: 'cat' });
    expect(Array.from(t.lines)).toEqual([2, 3, 4]);
    expect(t.preview[1]).toEqual(['-3', '4e2', 'dog']);
  });

  it('names the columns itself when the first row is data', () => {
    const t = parseTableText('1,2\n3,4\n', 'n.csv');
    expect(t.hasHeader).toBe(false);
    expect(t.columns.map((c) => c.name)).toEqual(['column 1', 'column 2']);
    expect(t.rows).toBe(2);
    expect(Array.from(t.lines)).toEqual([1, 2]);
  });

  it('reads tabs in a .tsv, guesses semicolons in a .csv, and keeps quoted separators', () => {
    const tsv = parseTableText('a\tb\n1\t"x, y"\n2\tz\n', 'data.tsv');
    expect(tsv.delimiter).toBe('\t');
    expect(tsv.columns[1].categories).toEqual(['x, y', 'z']);
    const semi = parseTableText('a;b\n1,5;2\n3;4\n', 'eu.csv');
    expect(semi.delimiter).toBe(';');
    expect(semi.columns[0].categories).toEqual(['1,5', '3']);
  });

  it('counts missing values per column and skips blank lines without losing line numbers', () => {
    const t = parseTableText('a,b\n1,\n\nNA,3\n?,4\n5,n/a\n', 'gaps.csv');
    expect(t.rows).toBe(4);
    expect(Array.from(t.lines)).toEqual([2, 4, 5, 6]);
    expect(t.columns[0].missing).toBe(2);
    expect(t.columns[0].firstMissingLine).toBe(4);
    expect(t.columns[1].missing).toBe(2);
    expect(t.columns[1].firstMissingLine).toBe(2);
    expect(Number.isNaN(t.columns[0].numbers[1])).toBe(true);
    expect(t.columns[0].nonNumeric).toBe(0);
  });

  it('gives repeated or blank header names a position', () => {
    const t = parseTableText('a,a,b\n1,2,3\n', 'dup.csv');
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'a (column 2)', 'b']);
  });

  it('stops remembering categories past the limit and marks the column', () => {
    const rows = Array.from({ length: MAX_CATEGORIES + 5 }, (_, i) => `${i},id${i}`);
    const t = parseTableText(`n,id\n${rows.join('\n')}`, 'ids.csv');
    expect(t.columns[1].overflow).toBe(true);
    expect(t.columns[1].categories.length).toBe(MAX_CATEGORIES);
    expect(t.columns[1].codes[MAX_CATEGORIES + 2]).toBe(-2);
  });
});

describe('bad tables', () => {
  it('refuses a ragged row, naming the file, the line and the field counts', () => {
    const e = tableError(() => parseTableText('a,b,c\n1,2,3\n4,5\n6,7,8\n', 'ragged.csv'));
    expect(e.reason).toBe('ragged');
    expect(e.place).toEqual({ file: 'ragged.csv', line: 3 });
    expect(e.message).toBe('ragged.csv, line 3: 2 fields, but the header (line 1) has 3.');
    expect(e.hint).toMatch(/same number of fields/);
    const extra = tableError(() => parseTableText('a,b\n1,2\n3,4,5\n', 'extra.csv'));
    expect(extra.message).toContain('line 3: 3 fields');
  });

  it('refuses an empty file and a file of blank lines', () => {
    for (const text of ['', '\n\n  \n']) {
      const e = tableError(() => parseTableText(text, 'empty.csv'));
      expect(e.reason).toBe('empty');
      expect(e.message).toBe('empty.csv is empty: it has no rows.');
    }
  });

  it('refuses a header with no rows under it', () => {
    const e = tableError(() => parseTableText('a,b,c\n', 'header.csv'));
    expect(e.reason).toBe('header-only');
    expect(e.message).toBe('header.csv has a header (line 1) but no data rows.');
  });

  it('refuses an unclosed quote with its line', () => {
    const e = tableError(() => parseTableText('a,b\n1,"open\n2,3\n', 'quote.csv'));
    expect(e.reason).toBe('parse-failed');
    expect(e.message).toMatch(/^quote\.csv, line \d+:/);
    expect(e.hint).toMatch(/closing double quote/);
  });

  it('refuses other file types and files over the size limit before reading them', () => {
    const type = tableError(() => checkTableFile('photo.png', 1000));
    expect(type.reason).toBe('unsupported-type');
    expect(type.message).toBe('photo.png is not a CSV or TSV file (its type is .png).');
    expect(tableError(() => checkTableFile('README', 10)).message).toBe('README is not a CSV or TSV file.');
    const big = tableError(() => checkTableFile('huge.csv', MAX_TABLE_FILE_BYTES + 1));
    expect(big.reason).toBe('too-large');
    expect(big.message).toBe("huge.csv is 100 MB; tables up to 100 MB fit in this tab's memory.");
    expect(() => checkTableFile('fine.CSV', 1000)).not.toThrow();
    expect(() => checkTableFile('fine.tsv', MAX_TABLE_FILE_BYTES)).not.toThrow();
  });

  it('refuses a table with more cells than fit, at the row that crosses the limit', () => {
    const builder = new TableBuilder('wide.csv', 1000);
    builder.addRow(['a', 'b', 'c', 'd']);
    const e = tableError(() => {
      for (let r = 0; r < 400; r++) builder.addRow(['1', '2', '3', '4']);
    });
    expect(e.reason).toBe('too-large');
    expect(e.place.line).toBe(252);
    expect(e.message).toMatch(/^wide\.csv has more than 1,000 cells \(4 columns × 251 rows by line 252\)/);
    expect(new TableBuilder('x.csv')['maxCells']).toBe(MAX_TABLE_CELLS);
  });
});
