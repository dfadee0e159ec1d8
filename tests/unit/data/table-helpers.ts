// Shared by the table tests: catching the typed error a parse or encode step throws.
import { expect } from 'vitest';
import { TableError } from '../../../src/data/table';

/** The TableError `fn` throws (fails the test when it throws nothing or something else). */
export function tableError(fn: () => unknown): TableError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TableError);
    return e as TableError;
  }
  throw new Error('expected a TableError');
}
