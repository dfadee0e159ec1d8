// The page's side of importing a folder or zip of images: the messages to and from
// app/data/images.worker.ts, a promise-returning runner with progress and cancel, and the walk that turns
// a dropped folder (or a folder picked with webkitdirectory) into files with their relative paths.
import type { ImageImportOptions, ImageImportProgress, ImageImportResult } from '../../../src/data/images/pipeline';

/** What to import: a .zip, or a folder's files with their paths relative to the folder's parent. */
export type ImportRequest = { kind: 'zip'; file: File } | { kind: 'files'; files: Array<{ path: string; file: File }> };

export type WorkerImportOptions = Omit<ImageImportOptions, 'onProgress' | 'signal' | 'limits'>;

export type ImagesToWorker =
  { type: 'import'; request: ImportRequest; options: WorkerImportOptions } | { type: 'cancel' };

export type ImagesFromWorker =
  | { type: 'progress'; progress: ImageImportProgress }
  | { type: 'done'; result: ImageImportResult }
  | { type: 'error'; reason: string; message: string; hint: string };

/** An import that could not finish: what happened and what to do, for the card to show. */
export class ImportFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ImportFailure';
  }
}

/** Runs one import in a fresh worker; `cancel()` stops it (the promise then rejects with reason 'aborted'). */
export function importInWorker(
  request: ImportRequest,
  options: WorkerImportOptions,
  onProgress: (progress: ImageImportProgress) => void,
): { done: Promise<ImageImportResult>; cancel: () => void } {
  const worker = new Worker(new URL('../images.worker.ts', import.meta.url), { type: 'module', name: 'images' });
  let settle: { resolve: (r: ImageImportResult) => void; reject: (e: ImportFailure) => void } | null = null;
  const done = new Promise<ImageImportResult>((resolve, reject) => (settle = { resolve, reject }));
  const finish = () => worker.terminate();
  worker.onmessage = (event: MessageEvent<ImagesFromWorker>) => {
    const message = event.data;
    if (message.type === 'progress') onProgress(message.progress);
    else if (message.type === 'done') {
      finish();
      settle?.resolve(message.result);
    } else {
      finish();
      settle?.reject(new ImportFailure(message.reason, message.message, message.hint));
    }
  };
  worker.onerror = (event) => {
    finish();
    settle?.reject(
      new ImportFailure(
        'failed',
        `The image reader stopped: ${event.message || 'unknown error'}.`,
        'Reload the page and try again.',
      ),
    );
  };
  worker.postMessage({ type: 'import', request, options } satisfies ImagesToWorker);
  return {
    done,
    cancel: () => {
      finish();
      settle?.reject(
        new ImportFailure('aborted', 'Reading the images was cancelled.', 'Choose the data again to start over.'),
      );
    },
  };
}

/** Files from an <input webkitdirectory>: each keeps its path below the chosen folder's parent. */
export function filesFromFolderInput(list: FileList): ImportRequest {
  return { kind: 'files', files: [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file })) };
}

/**
 * What was dropped: one .zip, or folders (walked recursively, paths kept; an empty folder is listed as
 * "path/" so an empty class is reported). When the drop held neither, a message saying so.
 */
export async function requestFromDrop(data: DataTransfer): Promise<ImportRequest | { error: string }> {
  const entries = [...data.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const folders = entries.filter((e) => e.isDirectory) as FileSystemDirectoryEntry[];
  if (folders.length === 0) {
    const zip = [...data.files].find((f) => /\.zip$/i.test(f.name));
    if (zip) return { kind: 'zip', file: zip };
    const names = [...data.files].map((f) => f.name).join(', ');
    return {
      error: `${names || 'That'} is neither a folder nor a .zip file. Drop a folder with one subfolder per class, or a .zip of one.`,
    };
  }
  const files: Array<{ path: string; file: File }> = [];
  for (const folder of folders) await walk(folder, files);
  return { kind: 'files', files };
}

async function walk(entry: FileSystemEntry, out: Array<{ path: string; file: File }>): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns the listing in batches (100 at a time in Chromium) until an empty one.
  let children = 0;
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children += batch.length;
    for (const child of batch) await walk(child, out);
  }
  if (children === 0) out.push({ path: `${entry.fullPath.replace(/^\//, '')}/`, file: new File([], entry.name) });
}
