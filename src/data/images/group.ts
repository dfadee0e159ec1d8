// Sorts the files of a chosen folder or a .zip into classes: one subfolder per class, images inside it.
// Pure bookkeeping on paths and sizes (no bytes are read here), so the same rules apply to a folder
// picked in the browser, a folder dropped on the page and the entries of a zip archive.

/** One file as the person gave it: its path inside the folder or archive ("cats/001.png") and size. */
export interface ImageFileInfo {
  path: string;
  size: number;
}

/** A file left out of the data set, and why (shown to the person, by path). */
export interface SkippedFile {
  path: string;
  reason: 'unsupported' | 'outside-class-folder' | 'undecodable' | 'too-large';
  /** Plain words: "not a PNG or JPEG image", "could not be decoded: …". */
  detail: string;
}

/** One class: its folder name, and its image files in path order. */
export interface ClassGroup<F extends ImageFileInfo = ImageFileInfo> {
  name: string;
  files: F[];
  /** Files in this class folder that are not images (counted, not trained on). */
  skipped: number;
}

export interface GroupedFiles<F extends ImageFileInfo = ImageFileInfo> {
  /** Classes sorted by name (natural order: "class2" before "class10"); index = label. */
  classes: ClassGroup<F>[];
  /** Class folders that hold no image at all (an archive lists empty folders; a folder of only text files). */
  emptyClasses: string[];
  skipped: SkippedFile[];
  /** The leading folders every file shared, removed before naming classes ("my-data/"), for messages. */
  root: string;
}

/** File name endings read as images. PNG and JPEG are what every browser decodes the same way. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Files that systems add to folders and archives; ignored silently rather than reported as unsupported. */
function isSystemFile(segments: string[]): boolean {
  const name = segments[segments.length - 1];
  return (
    segments.some((s) => s === '__MACOSX' || s.startsWith('.')) ||
    name === 'Thumbs.db' ||
    name === 'desktop.ini' ||
    name === ''
  );
}

export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** "a\\b//c/" -> ["a", "b", "c"]: zips made on Windows may use backslashes. */
function splitPath(path: string): string[] {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s.length > 0 && s !== '.');
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

/**
 * Groups files by class folder. Leading folders that every file shares are stripped first (the folder
 * the person chose, or the one folder a zip was made from) as long as each file still sits in a
 * folder below it; the first remaining folder names the class, and deeper subfolders belong to it.
 * Directory entries (paths ending in "/", size 0) are only used to notice empty class folders.
 */
export function groupByClass<F extends ImageFileInfo>(files: readonly F[]): GroupedFiles<F> {
  const skipped: SkippedFile[] = [];
  const entries: Array<{ file: F; segments: string[] }> = [];
  const folders: string[][] = [];
  for (const file of files) {
    const segments = splitPath(file.path);
    if (segments.length === 0) continue;
    if (/[\\/]$/.test(file.path)) {
      if (!isSystemFile([...segments, 'x'])) folders.push(segments);
      continue;
    }
    if (isSystemFile(segments)) continue;
    entries.push({ file, segments });
  }

  // Strip shared leading folders while every image keeps a folder below the stripped part (a stray
  // readme beside the class folders does not stop it).
  const images = entries.filter((e) => isImagePath(e.file.path));
  const deciding = images.length ? images : entries;
  let depth = 0;
  for (;;) {
    const first = deciding[0]?.segments[depth];
    if (first === undefined) break;
    const shared = deciding.every((e) => e.segments.length > depth + 2 && e.segments[depth] === first);
    if (!shared) break;
    depth++;
  }
  const root = deciding.length ? deciding[0].segments.slice(0, depth).join('/') : '';
  const rootSegments = root ? root.split('/') : [];
  const underRoot = (segments: string[]) => rootSegments.every((s, i) => segments[i] === s);

  const byClass = new Map<string, ClassGroup<F>>();
  const classOf = (name: string) => {
    let group = byClass.get(name);
    if (!group) byClass.set(name, (group = { name, files: [], skipped: 0 }));
    return group;
  };
  for (const { file, segments } of entries) {
    const rest = segments.slice(depth);
    if (rest.length < 2 || !underRoot(segments)) {
      skipped.push({
        path: file.path,
        reason: 'outside-class-folder',
        detail: 'not inside a class folder, so it has no label',
      });
      continue;
    }
    const group = classOf(rest[0]);
    if (isImagePath(file.path)) {
      group.files.push(file);
    } else {
      group.skipped++;
      skipped.push({ path: file.path, reason: 'unsupported', detail: 'not a PNG or JPEG image' });
    }
  }
  // Empty folders listed by an archive, at class level below the stripped root.
  for (const segments of folders) {
    if (segments.length <= depth || !underRoot(segments)) continue;
    classOf(segments[depth]);
  }

  const all = [...byClass.values()].sort((a, b) => naturalOrder(a.name, b.name));
  for (const group of all) group.files.sort((a, b) => naturalOrder(a.path, b.path));
  return {
    classes: all.filter((g) => g.files.length > 0),
    emptyClasses: all.filter((g) => g.files.length === 0).map((g) => g.name),
    skipped,
    root,
  };
}
