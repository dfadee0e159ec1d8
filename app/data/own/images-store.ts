// The image import's state, kept outside the card so that leaving the Data section (to look at the
// design, say) and coming back finds the images still read, or still reading, with the same options.
import { create } from 'zustand';
import type { ImageImportProgress, ImageImportResult } from '../../../src/data/images/pipeline';
import type { ColorMode } from '../../../src/data/images/resize';
import { importInWorker, ImportFailure, type ImportRequest } from './image-import';

export type ImagePhase =
  | { state: 'idle' }
  | { state: 'reading'; progress: ImageImportProgress | null }
  | { state: 'error'; message: string; hint: string }
  | { state: 'ready'; result: ImageImportResult };

interface ImagesStore {
  size: number;
  color: ColorMode;
  request: ImportRequest | null;
  phase: ImagePhase;
  /** The id of the data set last kept from this import (its Keep button then says Kept). */
  keptId: string | null;
  markKept(id: string): void;
  /** Reads `request` with the current options (a new pick). */
  choose(request: ImportRequest): void;
  /** Changes an option and reads the same data again, so a changed option never needs a new pick. */
  setOptions(options: { size?: number; color?: ColorMode }): void;
  fail(message: string, hint: string): void;
}

/** "shapes.zip" -> "shapes"; a folder's files -> the folder's name. */
export function nameOf(request: ImportRequest): string {
  if (request.kind === 'zip') return request.file.name.replace(/\.zip$/i, '');
  return request.files[0]?.path.split('/')[0] || 'Images';
}

function sourceOf(request: ImportRequest): string {
  return request.kind === 'zip' ? request.file.name : `folder ${nameOf(request)}/`;
}

let job: { cancel: () => void } | null = null;

export const useImagesStore = create<ImagesStore>()((set, get) => {
  const read = () => {
    job?.cancel();
    job = null;
    const { request, size, color } = get();
    if (!request) return;
    set({ phase: { state: 'reading', progress: null } });
    const current = importInWorker(
      request,
      { height: size, width: size, color, name: nameOf(request), source: sourceOf(request), seed: 1 },
      (progress) => {
        if (job === current) set({ phase: { state: 'reading', progress } });
      },
    );
    job = current;
    current.done.then(
      (result) => {
        if (job === current) set({ phase: { state: 'ready', result } });
      },
      (error: unknown) => {
        if (job !== current || (error instanceof ImportFailure && error.reason === 'aborted')) return;
        const failure = error instanceof ImportFailure ? error : new ImportFailure('failed', String(error), '');
        set({ phase: { state: 'error', message: failure.message, hint: failure.hint } });
      },
    );
  };
  return {
    size: 28,
    color: 'grayscale',
    request: null,
    phase: { state: 'idle' },
    keptId: null,
    markKept: (keptId) => set({ keptId }),
    choose: (request) => {
      set({ request });
      read();
    },
    setOptions: (options) => {
      set(options);
      read();
    },
    fail: (message, hint) => {
      job?.cancel();
      job = null;
      set({ phase: { state: 'error', message, hint } });
    },
  };
});
