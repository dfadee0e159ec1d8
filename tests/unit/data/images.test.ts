import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ImageImportError } from '../../../src/data/images/errors';
import { groupByClass } from '../../../src/data/images/group';
import { importImages, type ImageImportOptions, type ImageSourceFile } from '../../../src/data/images/pipeline';
import { zipFiles } from '../../../src/data/images/zip';
import { decodePng, encodePng, shapePng, shapesZip } from './images-png';

const OPTIONS: ImageImportOptions = {
  height: 28,
  width: 28,
  color: 'grayscale',
  name: 'shapes',
  source: 'shapes.zip',
  seed: 1,
  id: 'test',
  createdAt: 0,
};

const decode = (bytes: Uint8Array) => decodePng(bytes);

/** In-memory files, as a folder would give them. */
function folder(files: Record<string, Uint8Array | string>): ImageSourceFile[] {
  return Object.entries(files).map(([path, content]) => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return { path, size: bytes.length, read: async () => bytes };
  });
}

const paths = (names: string[]) => names.map((path) => ({ path, size: 1 }));

async function importError(files: ImageSourceFile[], options: Partial<ImageImportOptions> = {}) {
  const error = await importImages(files, decode, { ...OPTIONS, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageImportError);
  return error as ImageImportError;
}

describe('grouping files by class folder', () => {
  it('strips the folder the person chose and names classes by the next folder, in natural order', () => {
    const g = groupByClass(paths(['pets/dog/b.png', 'pets/cat10/a.png', 'pets/cat2/x/deep.JPG', 'pets/dog/a.jpeg']));
    expect(g.root).toBe('pets');
    expect(g.classes.map((c) => c.name)).toEqual(['cat2', 'cat10', 'dog']);
    expect(g.classes[2].files.map((f) => f.path)).toEqual(['pets/dog/a.jpeg', 'pets/dog/b.png']);
    expect(g.classes[0].files.map((f) => f.path)).toEqual(['pets/cat2/x/deep.JPG']);
  });

  it('strips several shared wrapping folders, but never a class folder', () => {
    expect(groupByClass(paths(['a/b/x/1.png', 'a/b/y/1.png'])).classes.map((c) => c.name)).toEqual(['x', 'y']);
    // Only one class: its folder is kept as the class (and later refused as a single class).
    expect(groupByClass(paths(['a/only/1.png', 'a/only/2.png'])).classes.map((c) => c.name)).toEqual(['only']);
  });

  it('skips and counts unsupported files and files outside class folders; ignores system files', () => {
    const g = groupByClass(
      paths([
        'd/x/1.png',
        'd/x/notes.txt',
        'd/y/1.gif',
        'd/y/2.png',
        'd/readme.md',
        'd/x/.DS_Store',
        '__MACOSX/d/x/._1.png',
      ]),
    );
    expect(g.classes.map((c) => [c.name, c.files.length, c.skipped])).toEqual([
      ['x', 1, 1],
      ['y', 1, 1],
    ]);
    expect(g.skipped).toEqual([
      { path: 'd/x/notes.txt', reason: 'unsupported', detail: 'not a PNG or JPEG image' },
      { path: 'd/y/1.gif', reason: 'unsupported', detail: 'not a PNG or JPEG image' },
      { path: 'd/readme.md', reason: 'outside-class-folder', detail: 'not inside a class folder, so it has no label' },
    ]);
  });

  it('notices empty class folders listed in an archive', () => {
    const g = groupByClass(paths(['s/a/1.png', 's/b/1.png', 's/empty/', 's/']));
    expect(g.emptyClasses).toEqual(['empty']);
  });
});

describe('importing a zip of labelled images', () => {
  it('builds a grayscale data set: shapes, labels, counts, a stratified split, pixels as drawn', async () => {
    const files = zipFiles(shapesZip(10), 'shapes.zip');
    const progress: number[] = [];
    const { dataset, skipped, counts } = await importImages(files, decode, {
      ...OPTIONS,
      onProgress: (p) => progress.push(p.done),
    });
    expect(skipped).toEqual([]);
    expect(dataset.classNames).toEqual(['crosses', 'squares']);
    expect(counts).toEqual([10, 10]);
    expect(dataset.inputShape).toEqual([28, 28, 1]);
    expect(dataset.count).toBe(20);
    expect(dataset.x).toBeInstanceOf(Uint8Array);
    expect(dataset.x.length).toBe(20 * 784);
    expect([...dataset.labels]).toEqual([...Array(10).fill(0), ...Array(10).fill(1)]);
    expect(dataset.bytes).toBe(20 * 784 + 20 * 4);
    expect(dataset.split.test.length + dataset.split.validation.length + dataset.split.train.length).toBe(20);
    expect([...dataset.split.test].filter((i) => dataset.labels[i] === 0).length).toBe(2);
    expect(progress.at(-1)).toBe(20);
    // Samples are in class then natural path order: sample 10 is squares/square-0.png, unchanged at 28x28.
    const square0 = await decodePng(shapePng('square', 0));
    for (let p = 0; p < 784; p++) expect(dataset.x[10 * 784 + p]).toBe(square0.data[4 * p]);
  });

  it('reads deflated entries, resizes to the chosen size and keeps RGB as 3 channels', async () => {
    const red = new Uint8Array(4 * 4 * 4).map((_, i) => (i % 4 === 0 || i % 4 === 3 ? 255 : 0));
    const blue = new Uint8Array(4 * 4 * 4).map((_, i) => (i % 4 === 2 || i % 4 === 3 ? 255 : 0));
    const zip = zipSync(
      {
        'red/1.png': encodePng(4, 4, red),
        'red/2.png': encodePng(4, 4, red),
        'blue/1.png': encodePng(4, 4, blue),
        'blue/2.png': encodePng(4, 4, blue),
      },
      { level: 9 },
    );
    const { dataset } = await importImages(zipFiles(zip, 'colours.zip'), decode, {
      ...OPTIONS,
      height: 2,
      width: 3,
      color: 'rgb',
    });
    expect(dataset.inputShape).toEqual([2, 3, 3]);
    expect(dataset.classNames).toEqual(['blue', 'red']);
    expect([...dataset.x.subarray(0, 18)]).toEqual(Array(6).fill([0, 0, 255]).flat());
    expect([...dataset.x.subarray(3 * 18, 4 * 18)]).toEqual(Array(6).fill([255, 0, 0]).flat());
  });

  it('unpacks a zip chunk by chunk, in any reading order, each entry once', async () => {
    const zip = shapesZip(6);
    const whole = await importImages(zipFiles(zip, 'shapes.zip'), decode, OPTIONS);
    const chunked = await importImages(zipFiles(zip, 'shapes.zip', 300), decode, OPTIONS);
    expect(chunked.dataset.x).toEqual(whole.dataset.x);
    const files = zipFiles(zip, 'shapes.zip', 300);
    const backwards = await importImages([...files].reverse(), decode, OPTIONS);
    expect(backwards.dataset.x).toEqual(whole.dataset.x);
    // The cache hands each entry out once; reading it again unpacks it again.
    const entry = files[0];
    await entry.read();
    expect((await entry.read()).length).toBe(entry.size);
  });

  it('reads a folder given as files in any order the same way', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 3; i++) {
      files[`my-shapes/crosses/${i}.png`] = shapePng('cross', i);
      files[`my-shapes/squares/${i}.png`] = shapePng('square', i);
    }
    const a = await importImages(folder(files), decode, OPTIONS);
    const b = await importImages(folder(files).reverse(), decode, OPTIONS);
    expect(b.dataset.x).toEqual(a.dataset.x);
    expect(b.dataset.labels).toEqual(a.dataset.labels);
  });

  it('skips an undecodable image, naming it, and trains on the rest', async () => {
    const files = folder({
      'd/a/1.png': shapePng('square', 1),
      'd/a/2.png': shapePng('square', 2),
      'd/a/broken.png': 'this is not a png',
      'd/b/1.png': shapePng('cross', 1),
      'd/b/2.png': shapePng('cross', 2),
      'd/b/notes.txt': 'hello',
    });
    const { dataset, skipped, counts } = await importImages(files, decode, OPTIONS);
    expect(counts).toEqual([2, 2]);
    expect(dataset.count).toBe(4);
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      ['d/b/notes.txt', 'unsupported'],
      ['d/a/broken.png', 'undecodable'],
    ]);
    expect(skipped[1].detail).toMatch(/could not be decoded \(not a PNG file\)/);
  });

  it('refuses a class left with one readable image, naming the class and the broken file', async () => {
    const error = await importError(
      folder({
        'a/1.png': shapePng('square', 1),
        'a/2.png': 'garbage',
        'b/1.png': shapePng('cross', 1),
        'b/2.png': shapePng('cross', 2),
      }),
    );
    expect(error.reason).toBe('one-example');
    expect(error.message).toMatch(/Class "a" has only one readable image: a\/2\.png could not be decoded/);
  });

  it('refuses an empty class folder by name', async () => {
    const zip = zipSync({
      'd/a/1.png': shapePng('square', 1),
      'd/a/2.png': shapePng('square', 2),
      'd/b/1.png': shapePng('cross', 1),
      'd/b/2.png': shapePng('cross', 2),
      'd/empty/': new Uint8Array(),
    });
    const error = await importError(zipFiles(zip, 'd.zip'), { source: 'd.zip' });
    expect(error.reason).toBe('empty-class');
    expect(error.message).toBe('Class folder "empty" in d.zip has no PNG or JPEG images.');
    // A folder of only non-images is just as empty.
    const textOnly = await importError(
      folder({
        'a/1.png': shapePng('square', 1),
        'a/2.png': shapePng('square', 2),
        'texts/1.txt': 'x',
        'b/1.png': shapePng('cross', 1),
        'b/2.png': shapePng('cross', 2),
      }),
    );
    expect(textOnly.message).toMatch(/Class folder "texts"/);
  });

  it('refuses a class with one example, naming the class and its file', async () => {
    const error = await importError(
      folder({
        'a/1.png': shapePng('square', 1),
        'a/2.png': shapePng('square', 2),
        'lonely/only.png': shapePng('cross', 1),
      }),
    );
    expect(error.reason).toBe('one-example');
    expect(error.message).toMatch(/Class "lonely" has only one image \(lonely\/only\.png\)/);
    expect(error.hint).toMatch(/Add more images of "lonely"/);
  });

  it('refuses a single class and a folder with no images', async () => {
    const one = await importError(
      folder({ 'top/cats/1.png': shapePng('square', 1), 'top/cats/2.png': shapePng('square', 2) }),
      { source: 'top' },
    );
    expect(one.reason).toBe('one-class');
    expect(one.message).toMatch(/top has only one class folder, "cats"/);
    const none = await importError(folder({ 'a/1.txt': 'x', 'b/2.csv': 'y' }), { source: 'texts' });
    expect(none.reason).toBe('no-images');
    expect(none.message).toBe('No PNG or JPEG images found in texts (2 other files skipped).');
  });

  it('refuses what does not fit in memory, naming the file or the total, before decoding anything', async () => {
    let decoded = 0;
    const counting = (bytes: Uint8Array) => {
      decoded++;
      return decodePng(bytes);
    };
    const files = folder({
      'a/1.png': shapePng('square', 1),
      'a/big.png': shapePng('square', 2),
      'b/1.png': shapePng('cross', 1),
      'b/2.png': shapePng('cross', 2),
    });
    const big = files[1].size;
    const tooBig = await importImages(files, counting, { ...OPTIONS, limits: { maxFileBytes: big - 1 } }).catch(
      (e: ImageImportError) => e,
    );
    expect((tooBig as ImageImportError).reason).toBe('too-large');
    expect((tooBig as ImageImportError).message).toMatch(
      /^a\/big\.png is 0\.0 MB, more than the 0\.0 MB one image may be\./,
    );
    const tooMany = await importError(files, { limits: { maxImages: 3 } });
    expect(tooMany.message).toMatch(/holds 4 images; this page keeps at most 3/);
    const tooMuch = await importError(files, { color: 'rgb', limits: { maxDatasetBytes: 4 * 28 * 28 * 3 - 1 } });
    expect(tooMuch.message).toMatch(/4 images at 28×28×3 need 0\.0 MB/);
    expect(tooMuch.hint).toMatch(/smaller size, grayscale/);
    expect(decoded).toBe(0);
    // An image with too many pixels is skipped by name, like an undecodable one.
    const skipping = await importImages(
      folder({
        'a/1.png': shapePng('square', 1),
        'a/2.png': shapePng('square', 2),
        'a/huge.png': encodePng(40, 40, new Uint8Array(40 * 40 * 4)),
        'b/1.png': shapePng('cross', 1),
        'b/2.png': shapePng('cross', 2),
      }),
      decode,
      { ...OPTIONS, limits: { maxPixelsPerImage: 28 * 28 } },
    );
    expect(skipping.skipped).toEqual([
      { path: 'a/huge.png', reason: 'too-large', detail: expect.stringMatching(/is 40×40 pixels/) },
    ]);
  });

  it('refuses more classes than labels can hold', async () => {
    const files: Record<string, string> = {};
    for (let c = 0; c < 257; c++) files[`many/c${c}/1.png`] = files[`many/c${c}/2.png`] = 'x';
    const error = await importError(folder(files), { source: 'many' });
    expect(error.message).toMatch(/many has 257 class folders; .* at most 256 classes/);
  });

  it('refuses bytes that are not a zip, naming the archive', () => {
    expect(() => zipFiles(new TextEncoder().encode('not a zip at all, just text'), 'photos.zip')).toThrow(
      /photos\.zip is not a readable \.zip archive/,
    );
  });

  it('refuses sizes outside 1..256 pixels', async () => {
    await expect(importImages([], decode, { ...OPTIONS, height: 0 })).rejects.toThrow(/from 1 to 256/);
  });
});
