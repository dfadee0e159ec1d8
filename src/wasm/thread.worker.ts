// Browser entry of one wasm kernel worker thread (Vite bundles it as a module worker; see threads.ts):
// the first message starts the thread loop, which answers 'ready' and then blocks serving jobs.
import { threadLoop, type ThreadInit } from './thread-loop';

self.onmessage = (event: MessageEvent<ThreadInit>) => {
  try {
    threadLoop(event.data, () => self.postMessage({ ready: true }));
  } catch (error) {
    self.postMessage({ error: (error as Error).message ?? String(error) });
  }
};
