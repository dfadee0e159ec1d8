// The data store's localStorage wrapper writes only what differs from what the key holds.
import { describe, expect, it } from 'vitest';
import { skipUnchangedWrites } from '../../../app/store/storage';

function countingStorage() {
  const values = new Map<string, string>();
  const writes: string[] = [];
  return {
    values,
    writes,
    storage: {
      getItem: (key: string) => values.get(key) ?? null,
      setItem: (key: string, value: string) => {
        writes.push(value);
        values.set(key, value);
      },
      removeItem: (key: string) => void values.delete(key),
    },
  };
}

describe('skipUnchangedWrites', () => {
  it('writes a new value, skips the same value again, and writes once it differs', () => {
    const { storage, writes, values } = countingStorage();
    const wrapped = skipUnchangedWrites(() => storage);
    wrapped.setItem('k', 'a');
    wrapped.setItem('k', 'a');
    wrapped.setItem('k', 'a');
    wrapped.setItem('k', 'b');
    expect(writes).toEqual(['a', 'b']);
    expect(wrapped.getItem('k')).toBe('b');
    wrapped.removeItem('k');
    expect(values.has('k')).toBe(false);
    wrapped.setItem('k', 'b');
    expect(writes).toEqual(['a', 'b', 'b']);
  });

  it('writes again when another tab changed the key in between', () => {
    const { storage, writes, values } = countingStorage();
    const wrapped = skipUnchangedWrites(() => storage);
    wrapped.setItem('k', 'mine');
    values.set('k', 'theirs');
    wrapped.setItem('k', 'mine');
    expect(writes).toEqual(['mine', 'mine']);
    expect(values.get('k')).toBe('mine');
  });
});
