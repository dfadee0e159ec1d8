// A folder or .zip of labelled images as a data set: choose or drop it, pick the size and colour, watch
// it decode (in a worker), see a few images and the count of each class, and keep it. The images are
// decoded in this tab and never uploaded.
import { memo, useEffect, useRef, useState, type DragEvent } from 'react';
import type { Dataset } from '../../../src/data/dataset';
import type { SkippedFile } from '../../../src/data/images/group';
import type { ImageImportProgress, ImageImportResult } from '../../../src/data/images/pipeline';
import { formatCount, formatDataBytes } from '../format';
import { filesFromFolderInput, requestFromDrop } from './image-import';
import { useImagesStore } from './images-store';
import { ProgressBar } from '../../components/ProgressBar';

const SIZES = [16, 28, 32, 48, 64];
const PREVIEW_PER_CLASS = 8;
const SKIPPED_SHOWN = 20;

export interface ImageFolderCardProps {
  /** Stores the data set (IndexedDB) and makes it the one to train on; rejects with a message to show. */
  onKeep: (dataset: Dataset) => Promise<void>;
}

export function ImageFolderCard({ onKeep }: ImageFolderCardProps) {
  const { size, color, phase, choose, setOptions, fail } = useImagesStore();
  const [dragging, setDragging] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const zipInput = useRef<HTMLInputElement>(null);

  // React does not know webkitdirectory; set it on the element.
  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = await requestFromDrop(event.dataTransfer);
    if ('error' in dropped) fail(dropped.error, '');
    else choose(dropped);
  };

  return (
    <>
      <section className="card own-images" aria-labelledby="own-images-heading">
        <div className="card-head">
          <h2 id="own-images-heading">Images from a folder or .zip</h2>
          {phase.state === 'ready' && <span className="badge badge-ok">Read</span>}
          {phase.state === 'reading' && <span className="badge badge-neutral">Reading…</span>}
          {phase.state === 'error' && <span className="badge badge-error">Not read</span>}
        </div>
        <p className="muted">
          One subfolder per class (for example <code>cats/</code> and <code>dogs/</code>) holding PNG or JPEG images.
          They are decoded in this tab and never uploaded.
        </p>
        <div className="image-import">
          <div
            className={dragging ? 'drop-zone dragging' : 'drop-zone'}
            role="group"
            aria-label="Drop a folder or .zip of images here"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => void onDrop(e)}
          >
            <span>Drop a folder or a .zip here, or</span>
            <div className="drop-buttons">
              <button type="button" onClick={() => folderInput.current?.click()}>
                Choose folder…
              </button>
              <button type="button" onClick={() => zipInput.current?.click()}>
                Choose .zip…
              </button>
            </div>
            <input
              ref={folderInput}
              type="file"
              multiple
              hidden
              aria-label="Folder of images"
              onChange={(e) => {
                if (e.target.files?.length) choose(filesFromFolderInput(e.target.files));
                e.target.value = '';
              }}
            />
            <input
              ref={zipInput}
              type="file"
              accept=".zip,application/zip"
              hidden
              aria-label="Zip file of images"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) choose({ kind: 'zip', file });
                e.target.value = '';
              }}
            />
          </div>
          <div className="image-options">
            <label className="field">
              <span>Size</span>
              <select value={size} onChange={(e) => setOptions({ size: Number(e.target.value) })}>
                {SIZES.map((s) => (
                  <option key={s} value={s}>
                    {s}×{s} px
                  </option>
                ))}
              </select>
            </label>
            <fieldset className="color-choice">
              <legend>Colour</legend>
              <label className="check">
                <input
                  type="radio"
                  name="image-color"
                  checked={color === 'grayscale'}
                  onChange={() => setOptions({ color: 'grayscale' })}
                />
                Grayscale (1 channel)
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="image-color"
                  checked={color === 'rgb'}
                  onChange={() => setOptions({ color: 'rgb' })}
                />
                RGB (3 channels)
              </label>
            </fieldset>
          </div>
        </div>
        {phase.state === 'reading' && <ReadingProgress progress={phase.progress} />}
        {phase.state === 'error' && (
          <div role="alert" className="notice notice-error">
            <strong>{phase.message}</strong>
            {phase.hint && <p>{phase.hint}</p>}
          </div>
        )}
      </section>
      {phase.state === 'ready' && <ImageClasses key={phase.result.dataset.id} result={phase.result} onKeep={onKeep} />}
    </>
  );
}

function ReadingProgress({ progress }: { progress: ImageImportProgress | null }) {
  const percent = progress && progress.total > 0 ? (100 * progress.done) / progress.total : 0;
  return (
    <>
      <ProgressBar label="Image decoding progress" percent={percent} />
      <p className="muted small">
        {progress
          ? `Decoded ${formatCount(progress.done)} of ${formatCount(progress.total)} images${progress.path ? ` — ${progress.path}` : ''}`
          : 'Listing the files…'}
      </p>
    </>
  );
}

/** Per-class counts, the split, a few images of each class, skipped files, and Keep. */
function ImageClasses({ result, onKeep }: { result: ImageImportResult; onKeep: ImageFolderCardProps['onKeep'] }) {
  const { dataset, counts, skipped } = result;
  const [height, width, channels] = dataset.inputShape;
  const [name, setName] = useState(dataset.name);
  const keptId = useImagesStore((s) => s.keptId);
  const markKept = useImagesStore((s) => s.markKept);
  const [saving, setSaving] = useState<{ state: 'idle' | 'saving' } | { state: 'error'; message: string }>({
    state: 'idle',
  });
  const keep = keptId === dataset.id ? { state: 'kept' as const } : saving;
  const perSplit = (part: Int32Array) => {
    const n = counts.map(() => 0);
    for (const i of part) n[dataset.labels[i]]++;
    return n;
  };
  const train = perSplit(dataset.split.train);
  const validation = perSplit(dataset.split.validation);
  const test = perSplit(dataset.split.test);
  const firstOfClass = counts.map((_, label) => {
    const found: number[] = [];
    for (let i = 0; i < dataset.count && found.length < PREVIEW_PER_CLASS; i++)
      if (dataset.labels[i] === label) found.push(i);
    return found;
  });
  const max = Math.max(1, ...counts);
  const keepIt = () => {
    setSaving({ state: 'saving' });
    onKeep({ ...dataset, name: name.trim() || dataset.name }).then(
      () => {
        setSaving({ state: 'idle' });
        markKept(dataset.id);
      },
      (error: unknown) =>
        setSaving({ state: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  };

  return (
    <section className="card" aria-labelledby="image-classes-heading">
      <div className="card-head">
        <h2 id="image-classes-heading">Classes</h2>
        <span className="badge badge-neutral">
          {height}×{width}×{channels} · {formatDataBytes(dataset.bytes)}
        </span>
      </div>
      <p data-testid="image-summary">
        <strong>{formatCount(dataset.count)}</strong> images in <strong>{counts.length}</strong> classes from{' '}
        <code>{dataset.source}</code>, {channels === 3 ? 'RGB' : 'grayscale'} at {height}×{width} px:{' '}
        {formatCount(dataset.split.train.length)} to train on, {formatCount(dataset.split.validation.length)} for
        validation, {formatCount(dataset.split.test.length)} held out for the test (the same share of each class).
      </p>
      <table className="label-counts image-classes" aria-label="Images per class">
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="num">
              Images
            </th>
            <th scope="col" className="num">
              Train / val. / test
            </th>
            <th scope="col">Examples</th>
          </tr>
        </thead>
        <tbody>
          {dataset.classNames.map((className, label) => (
            <tr key={className}>
              <th scope="row" className="class-name">
                {className}
                <div className="bar" aria-hidden="true" style={{ width: `${(100 * counts[label]) / max}%` }} />
              </th>
              <td className="num">{formatCount(counts[label])}</td>
              <td className="num">
                {train[label]} / {validation[label]} / {test[label]}
              </td>
              <td>
                <div className="thumbs" role="list" aria-label={`Examples of ${className}`}>
                  {firstOfClass[label].map((i) => (
                    <div role="listitem" key={i}>
                      <ImageThumb pixels={dataset.x as Uint8Array} index={i} shape={[height, width, channels]} />
                    </div>
                  ))}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {skipped.length > 0 && <SkippedFiles skipped={skipped} />}
      <div className="keep-row">
        <label className="field keep-name">
          <span>Name</span>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button
          type="button"
          className="primary"
          onClick={keepIt}
          disabled={keep.state === 'saving' || keep.state === 'kept'}
        >
          {keep.state === 'kept' ? 'Kept' : keep.state === 'saving' ? 'Keeping…' : 'Keep data set'}
        </button>
        <span className="muted small">
          {keep.state === 'kept'
            ? 'Kept in this browser and chosen for training (see Your data above).'
            : 'Kept in this browser (IndexedDB), so a reload finds it; nothing is uploaded.'}
        </span>
      </div>
      {keep.state === 'error' && (
        <div role="alert" className="notice notice-error">
          <strong>{keep.message}</strong>
        </div>
      )}
    </section>
  );
}

function SkippedFiles({ skipped }: { skipped: SkippedFile[] }) {
  const undecodable = skipped.filter((s) => s.reason === 'undecodable' || s.reason === 'too-large').length;
  return (
    <details className="notice notice-warn skipped-files">
      <summary>
        {formatCount(skipped.length)} file{skipped.length === 1 ? '' : 's'} skipped
        {undecodable > 0 && ` (${undecodable} could not be read as images)`}; they are not part of the data set.
      </summary>
      <ul>
        {skipped.slice(0, SKIPPED_SHOWN).map((s) => (
          <li key={s.path}>
            <code>{s.path}</code> {s.detail}
          </li>
        ))}
        {skipped.length > SKIPPED_SHOWN && <li>and {formatCount(skipped.length - SKIPPED_SHOWN)} more</li>}
      </ul>
    </details>
  );
}

/** One sample of the data set (HWC bytes, grey or RGB) in a canvas, as the network will see it. */
const ImageThumb = memo(function ImageThumb({
  pixels,
  index,
  shape,
}: {
  pixels: Uint8Array;
  index: number;
  shape: [number, number, number];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [height, width, channels] = shape;
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(width, height);
    const offset = index * height * width * channels;
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < 3; c++) image.data[4 * p + c] = pixels[offset + p * channels + (channels === 3 ? c : 0)];
      image.data[4 * p + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [pixels, index, height, width, channels]);
  return <canvas ref={ref} className="thumb" width={width} height={height} aria-hidden="true" />;
});
