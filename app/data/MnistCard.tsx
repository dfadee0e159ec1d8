// MNIST as it streams in: overall progress, per-file bytes and items, errors with Retry, then a preview of
// the first digits, the label counts and a batch drawn the way training draws it.
import { useMemo, useRef, useState } from 'react';
import { Batcher, type Batch } from '../../src/data/batches';
import { MNIST_FILE_IDS, type MnistFileProgress } from '../../src/data/mnist';
import { currentMnist, useDataStore } from '../store/data';
import { useRunStore } from '../store/run';
import { DigitCanvas } from './DigitCanvas';
import { formatCount, formatDataBytes } from './format';
import { ProgressBar } from '../components/ProgressBar';

const PREVIEW_COUNT = 40;
const BATCH_PREVIEW = 14;

const FILE_LABELS: Record<string, string> = {
  trainImages: 'Training images',
  trainLabels: 'Training labels',
  testImages: 'Test images',
  testLabels: 'Test labels',
};

const STATE_TEXT: Record<MnistFileProgress['state'], string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying',
  done: 'Verified',
  failed: 'Failed',
  stopped: 'Stopped',
};

export function MnistCard() {
  const mnist = useDataStore((s) => s.mnist);
  const retry = useDataStore((s) => s.retryMnist);
  const progress = mnist.progress;
  const percent = progress?.percent ?? 0;
  const trainAvailable = progress?.trainAvailable ?? 0;
  const testAvailable = progress?.testAvailable ?? 0;

  let badge = <span className="badge badge-neutral">Not started</span>;
  if (mnist.state === 'loading') badge = <span className="badge badge-neutral">Loading…</span>;
  if (mnist.state === 'error') badge = <span className="badge badge-error">Failed</span>;
  if (mnist.state === 'ready')
    badge = progress?.fromCache ? (
      <span className="badge badge-ok">Loaded from cache</span>
    ) : (
      <span className="badge badge-ok">Downloaded and verified</span>
    );

  return (
    <>
      <section className="card" aria-labelledby="mnist-heading">
        <div className="card-head">
          <h2 id="mnist-heading">MNIST download</h2>
          {badge}
        </div>
        {mnist.error && (
          <div role="alert" className="notice notice-error">
            <strong>{mnist.error.message}</strong>
            <p>{mnist.error.hint}</p>
            <button type="button" onClick={retry}>
              Retry
            </button>
          </div>
        )}
        <ProgressBar label="MNIST download progress" percent={percent} error={mnist.state === 'error'} />
        <p className="available" data-testid="mnist-available">
          <strong>{formatCount(trainAvailable)}</strong> of 60,000 training images and{' '}
          <strong>{formatCount(testAvailable)}</strong> of 10,000 test images ready
          {mnist.state === 'loading' && trainAvailable > 0 && ' — training can start on these now'}
          {mnist.state === 'ready' && <span className="muted"> in {(mnist.elapsedMs / 1000).toFixed(1)} s</span>}
        </p>
        {progress && (
          <table className="limits mnist-files" aria-label="MNIST files">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Downloaded (gzip)
                </th>
                <th scope="col" className="num">
                  Unpacked
                </th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {MNIST_FILE_IDS.map((id) => {
                const f = progress.files[id];
                return (
                  <tr key={id}>
                    <td>
                      {FILE_LABELS[id]}
                      <br />
                      <code>{f.file}</code>
                    </td>
                    <td className="num">
                      {f.fromCache
                        ? '—'
                        : `${f.downloadEstimated && f.state !== 'done' ? '≈ ' : ''}${formatDataBytes(f.bytesDownloaded)}${
                            f.bytesDownloadTotal !== null ? ` / ${formatDataBytes(f.bytesDownloadTotal)}` : ''
                          }`}
                    </td>
                    <td className="num">
                      {formatDataBytes(f.bytesDecoded)} / {formatDataBytes(f.bytesDecodedTotal)}
                    </td>
                    <td className="num">
                      {formatCount(f.items)} / {formatCount(f.itemsTotal)} {f.kind}
                    </td>
                    <td>
                      {STATE_TEXT[f.state]}
                      {f.fromCache && f.state === 'done' && <span className="badge badge-neutral inline">cache</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {trainAvailable > 0 && mnist.state !== 'error' && (
        <>
          <div className="data-columns">
            <MnistPreview available={trainAvailable} generation={mnist.generation} />
            <LabelCounts available={trainAvailable} generation={mnist.generation} complete={mnist.state === 'ready'} />
          </div>
          <BatchPreview key={mnist.generation} />
        </>
      )}
    </>
  );
}

function MnistPreview({ available, generation }: { available: number; generation: number }) {
  const shown = Math.min(PREVIEW_COUNT, available);
  const train = currentMnist()?.train;
  if (!train) return null;
  const pixels = train.pixels();
  const labels = train.labels();
  return (
    <section className="card" aria-labelledby="mnist-preview-heading">
      <h2 id="mnist-preview-heading">First training images</h2>
      <div className="digit-grid" role="list" aria-label="First training images with their labels">
        {Array.from({ length: shown }, (_, i) => (
          <div role="listitem" key={i} aria-label={`Image ${i}: ${labels[i]}`}>
            <DigitCanvas pixels={pixels} offset={i * 784} version={generation} label={String(labels[i])} />
          </div>
        ))}
      </div>
    </section>
  );
}

function LabelCounts({
  available,
  generation,
  complete,
}: {
  available: number;
  generation: number;
  complete: boolean;
}) {
  const counts = useMemo(() => {
    const result = new Array<number>(10).fill(0);
    const labels = currentMnist()?.train.labels();
    if (labels) for (let i = 0; i < available; i++) result[labels[i]]++;
    return result;
    // generation: a retry makes a new loader whose labels must be counted afresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [available, generation]);
  const max = Math.max(1, ...counts);
  return (
    <section className="card" aria-labelledby="label-counts-heading">
      <h2 id="label-counts-heading">Label counts</h2>
      <p className="muted small">
        {complete ? 'All 60,000 training images' : `The ${formatCount(available)} training images in so far`}
      </p>
      <table className="label-counts" aria-label="Training images per digit">
        <thead>
          <tr>
            <th scope="col">Digit</th>
            <th scope="col" className="num">
              Images
            </th>
            <th scope="col" aria-hidden="true" />
          </tr>
        </thead>
        <tbody>
          {counts.map((count, digit) => (
            <tr key={digit}>
              <td>{digit}</td>
              <td className="num">{formatCount(count)}</td>
              <td className="bar-cell" aria-hidden="true">
                <div className="bar" style={{ width: `${(100 * count) / max}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Draws batches exactly as training will, to show what the engine receives (and that it can start now):
 * the Train section's batch size and random shifts (the checkbox here is that setting).
 */
function BatchPreview() {
  const batchSize = useRunStore((s) => s.settings.batchSize);
  const augment = useRunStore((s) => s.settings.augment);
  const setSetting = useRunStore((s) => s.setSetting);
  const [batch, setBatch] = useState<{ view: Batch; version: number; sampledFrom: number } | null>(null);
  const batcher = useRef<{ augment: boolean; batchSize: number; batcher: Batcher } | null>(null);
  const draw = () => {
    const train = currentMnist()?.train;
    if (!train) return;
    if (batcher.current?.augment !== augment || batcher.current.batchSize !== batchSize) {
      batcher.current = {
        augment,
        batchSize,
        batcher: new Batcher(train, { batchSize, seed: 1, augment: augment ? { maxShiftPx: 2 } : null }),
      };
    }
    const sampledFrom = batcher.current.batcher.availableSamples();
    const view = batcher.current.batcher.next();
    setBatch((previous) => ({ view, version: (previous?.version ?? 0) + 1, sampledFrom }));
  };
  const b = batch?.view;
  return (
    <section className="card" aria-labelledby="batch-heading">
      <div className="card-head">
        <h2 id="batch-heading">A training batch</h2>
        <div className="batch-controls">
          <label className="check">
            <input type="checkbox" checked={augment} onChange={(e) => setSetting('augment', e.target.checked)} />
            Random shifts (±2 px)
          </label>
          <button type="button" onClick={draw}>
            Draw a batch
          </button>
        </div>
      </div>
      {!b && (
        <p className="muted">
          Training takes {batchSize} images at a time (the Train section&apos;s batch size), shuffled with a seed,
          scaled to 0–1, as one Float32Array of shape [{batchSize}, 28, 28, 1] and one Int32Array of labels.
        </p>
      )}
      {b && batch && (
        <>
          <p data-testid="batch-summary">
            Batch of <strong>{b.size}</strong>: x [{b.size}, 28, 28, 1] float32 ({formatDataBytes(b.x.byteLength)}),
            labels [{b.size}] int32 —{' '}
            {b.streaming
              ? `sampled from the ${formatCount(batch.sampledFrom)} images that have arrived`
              : `epoch ${b.epoch}, step ${b.step + 1}`}
          </p>
          <div className="digit-grid" role="list" aria-label="First images of the batch">
            {Array.from({ length: Math.min(BATCH_PREVIEW, b.size) }, (_, r) => (
              <div role="listitem" key={r}>
                <DigitCanvas pixels={b.x} offset={r * 784} version={batch.version} label={String(b.labels[r])} />
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
