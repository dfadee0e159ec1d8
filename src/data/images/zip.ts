// A .zip archive as a list of ImageSourceFiles (fflate). The central directory is read once for names
// and sizes; entries are unpacked a few megabytes at a time, in archive order, as the import reads them,
// so memory holds the archive plus one chunk rather than the archive twice.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ImageImportError } from './errors';
import { isImagePath } from './group';
import type { ImageSourceFile } from './pipeline';

/** Uncompressed bytes unpacked per pass over the archive. */
const CHUNK_BYTES = 32e6;

/** fflate unpacks stored (0) and deflated (8) entries; anything else is reported per file. */
const SUPPORTED_METHODS = new Set([0, 8]);

/**
 * The entries of a zip (directories end in "/", with size 0), in archive order. Throws ImageImportError
 * ('not-a-zip', naming `archiveName`) when the bytes are not a zip archive. `chunkBytes`: how much one
 * pass unpacks (tests make it small).
 */
export function zipFiles(archive: Uint8Array, archiveName: string, chunkBytes = CHUNK_BYTES): ImageSourceFile[] {
  const infos: UnzipFileInfo[] = [];
  try {
    unzipSync(archive, {
      filter: (info) => {
        infos.push(info);
        return false;
      },
    });
  } catch (error) {
    throw new ImageImportError(
      'not-a-zip',
      `${archiveName} is not a readable .zip archive (${error instanceof Error ? error.message : String(error)}).`,
      'Make the archive again (for example with "Compress" in your file manager) or choose the folder itself.',
    );
  }
  const cache = new Map<string, Uint8Array>();
  const indexOf = new Map(infos.map((info, i) => [info.name, i]));
  const unpackFrom = (start: number) => {
    const wanted = new Set<string>();
    let bytes = 0;
    for (let i = start; i < infos.length && (bytes === 0 || bytes + infos[i].originalSize <= chunkBytes); i++) {
      const info = infos[i];
      if (!isImagePath(info.name) || !SUPPORTED_METHODS.has(info.compression) || cache.has(info.name)) continue;
      wanted.add(info.name);
      bytes += info.originalSize;
    }
    let unpacked: Record<string, Uint8Array>;
    try {
      unpacked = unzipSync(archive, { filter: (info) => wanted.has(info.name) });
    } catch {
      // One damaged entry spoils the chunk: unpack just the requested one, so the error names it alone.
      const name = infos[start].name;
      unpacked = unzipSync(archive, { filter: (info) => info.name === name });
    }
    for (const [name, data] of Object.entries(unpacked)) cache.set(name, data);
  };
  return infos.map((info) => ({
    path: info.name,
    size: info.originalSize,
    read: async () => {
      if (!SUPPORTED_METHODS.has(info.compression)) {
        throw new Error(`it is packed with zip method ${info.compression}, which this page cannot unpack`);
      }
      if (!cache.has(info.name)) unpackFrom(indexOf.get(info.name)!);
      const data = cache.get(info.name);
      cache.delete(info.name);
      if (!data) throw new Error('its bytes could not be unpacked from the archive');
      return data;
    },
  }));
}
