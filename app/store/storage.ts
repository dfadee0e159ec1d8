// localStorage for zustand's persist middleware, minus writes that would store what is already there.
// persist writes its whole saved slice on every state change, and some stores change often in ways that
// never reach the saved slice (the data store's MNIST download progress, ~10 updates a second); a read
// of a short string costs far less than a write, which the browser has to queue for disk.
import type { StateStorage } from 'zustand/middleware';

/** `storage()`, except that setItem does nothing when the key already holds exactly that value. */
export function skipUnchangedWrites(storage: () => StateStorage): StateStorage {
  return {
    getItem: (name) => storage().getItem(name),
    setItem: (name, value) => {
      // Read back each time rather than remember the last write: another tab may have changed it.
      if (storage().getItem(name) !== value) return storage().setItem(name, value);
    },
    removeItem: (name) => storage().removeItem(name),
  };
}
