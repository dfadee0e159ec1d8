// The Train section: settings, Start/Pause/Resume/Stop/Reset, live figures and charts while the
// worker trains, then the evaluation on the test set; draw-a-digit for MNIST and the decision boundary
// for the 2-D sets.
import { useMemo } from 'react';
import { analyzeDesign } from '../../src/engine/graph';
import { SYNTHETIC_SETS } from '../../src/data/synthetic';
import { currentMnistShared, syntheticSet, useDataStore } from '../store/data';
import { loadedDataset, useDatasetsStore } from '../store/datasets';
import { useDesignStore, useGpuBufferLimits } from '../store/design';
import { postToEngine } from '../store/engine';
import { useRunStore, type RunState } from '../store/run';
import type { DataRequest } from '../worker/protocol';
import { ExplainButton } from '../learn/Explain';
import { ConfusionMatrix } from './ConfusionMatrix';
import { DecisionBoundary } from './DecisionBoundary';
import { formatPercent } from './format';
import { GreyImage } from './ImageGrid';
import { LiveFigures } from './LiveFigures';
import { MetricChart } from './MetricChart';
import { PredictedVsTrue } from './PredictedVsTrue';
import { Predictions } from './Predictions';
import { BinaryMetrics } from './RocCurve';
import { RunControls, settingsErrors } from './RunControls';
import { seriesPoints } from './series';
import './train.css';

const STATE_LABEL: Record<RunState, string> = {
  idle: 'Not started',
  starting: 'Starting…',
  running: 'Training',
  paused: 'Paused',
  stopped: 'Stopped',
  finished: 'Finished',
  diverged: 'Diverged',
  failed: 'Failed',
};
const ACTIVE: RunState[] = ['starting', 'running', 'paused'];

/** Why training cannot start now, or null. */
function useStartBlockers(): string[] {
  const design = useDesignStore((s) => s.design);
  const limits = useGpuBufferLimits();
  const settings = useRunStore((s) => s.settings);
  return useMemo(() => {
    const blockers = settingsErrors(settings);
    const analysis = analyzeDesign(design, { batchSize: settings.batchSize, limits });
    if (!analysis.valid) {
      blockers.unshift(
        `The design has ${analysis.errors.length} problem${analysis.errors.length === 1 ? '' : 's'}: ` +
          analysis.errors
            .slice(0, 2)
            .map((e) => e.message)
            .join(' ') +
          ' Fix it in the Design section.',
      );
    }
    return blockers;
  }, [design, limits, settings]);
}

function dataRequest(): DataRequest | string {
  const { choice, synthetic, datasetId } = useDataStore.getState();
  if (choice === 'dataset') {
    const dataset = loadedDataset(datasetId);
    if (!dataset) return 'The chosen data set is not loaded. Choose it again under "Your data" in the Data section.';
    return { kind: 'dataset', dataset };
  }
  if (choice !== 'mnist') return { kind: 'synthetic', options: { kind: choice, ...synthetic } };
  useDataStore.getState().loadMnist();
  const shared = currentMnistShared();
  if (!shared) {
    return 'MNIST needs a cross-origin isolated page to stream into the training worker. Serve the app with the COOP/COEP headers (see the README).';
  }
  return { kind: 'mnist', shared };
}

export function TrainPanel() {
  const state = useRunStore((s) => s.state);
  const message = useRunStore((s) => s.message);
  const settings = useRunStore((s) => s.settings);
  const trainLoss = useRunStore((s) => s.trainLoss);
  const trainAccuracy = useRunStore((s) => s.trainAccuracy);
  const testLoss = useRunStore((s) => s.testLoss);
  const validationLoss = useRunStore((s) => s.validationLoss);
  const testAccuracy = useRunStore((s) => s.testAccuracy);
  const evaluation = useRunStore((s) => s.evaluation);
  const boundary = useRunStore((s) => s.boundary);
  const choice = useDataStore((s) => s.choice);
  const synthetic = useDataStore((s) => s.synthetic);
  const designName = useDesignStore((s) => s.design.name);
  const blockers = useStartBlockers();
  const active = ACTIVE.includes(state);
  const regression = useRunStore((s) => s.regression);
  // A model to draw against exists once a step has trained it (a run that failed at start has none).
  const trained = useRunStore((s) => s.figures.step > 0);
  const datasetId = useDataStore((s) => s.datasetId);
  const ownData = useDatasetsStore((s) => (choice === 'dataset' ? s.kept.find((m) => m.id === datasetId) : undefined));
  // Class names of an own data set (e.g. "crosses", "squares"); digits and synthetic sets number their classes.
  const classCount = evaluation?.report.classes ?? 0;
  const classLabels =
    ownData?.classNames.length === classCount
      ? ownData.classNames
      : Array.from({ length: classCount }, (_, i) => String(i));
  const misclassifiedTitle = ownData ? 'Misclassified test images' : 'Misclassified test digits';
  const ownSplit = choice === 'dataset' && ownData ? loadedDataset(ownData.id)?.split : undefined;
  const isMnist = choice === 'mnist';
  const hasAccuracy =
    isMnist ||
    (choice === 'dataset' ? ownData?.task === 'classification' : SYNTHETIC_SETS[choice].task === 'classification');
  const dataLabel = isMnist
    ? 'MNIST digits'
    : choice === 'dataset'
      ? (ownData?.name ?? 'your data set')
      : SYNTHETIC_SETS[choice].label;

  const start = () => {
    const data = dataRequest();
    if (typeof data === 'string') {
      useRunStore.setState({
        state: 'failed',
        message: { text: data, hint: 'Use `npm run dev` or `npm run preview`.' },
      });
      return;
    }
    useRunStore.getState().resetSeries();
    useRunStore.setState({ state: 'starting' });
    const query = new URLSearchParams(window.location.search);
    const faults = {
      nanAtStep: Number(query.get('nanAtStep')) || undefined,
      loseDeviceAtStep: Number(query.get('loseDeviceAtStep')) || undefined,
    };
    if (faults.loseDeviceAtStep) {
      // One-shot: the next Start runs without the fault, on the new device.
      query.delete('loseDeviceAtStep');
      const search = query.toString();
      window.history.replaceState(
        null,
        '',
        `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`,
      );
    }
    postToEngine({ type: 'train', design: useDesignStore.getState().design, settings, data, faults });
  };

  const points = useMemo(() => {
    if (isMnist || choice === 'dataset') return null;
    const set = syntheticSet(choice, synthetic);
    return set.features === 2 ? { x: set.x, labels: set.labels } : null;
  }, [isMnist, choice, synthetic]);

  return (
    <div className="train">
      <header className="train-head card">
        <div>
          <h1>Train</h1>
          <p className="muted">
            <strong>{designName}</strong> on <strong>{dataLabel}</strong>
          </p>
          {ownSplit && (
            <p className="muted small">
              Its own split: {ownSplit.train.length.toLocaleString('en-US')} training,{' '}
              {ownSplit.validation.length.toLocaleString('en-US')} validation and{' '}
              {ownSplit.test.length.toLocaleString('en-US')} test samples (the validation-split and sample-count
              settings apply to MNIST and the synthetic sets).
            </p>
          )}
        </div>
        <span className={`badge run-badge run-${state}`} role="status" aria-label={`Run state: ${STATE_LABEL[state]}`}>
          {STATE_LABEL[state]}
        </span>
        <div className="run-buttons">
          <button type="button" className="primary" onClick={start} disabled={active || blockers.length > 0}>
            Start
          </button>
          {state === 'paused' ? (
            <button type="button" onClick={() => postToEngine({ type: 'resume' })}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => postToEngine({ type: 'pause' })} disabled={state !== 'running'}>
              Pause
            </button>
          )}
          <button type="button" onClick={() => postToEngine({ type: 'stop' })} disabled={!active}>
            Stop
          </button>
          <button
            type="button"
            onClick={() => {
              postToEngine({ type: 'reset' });
              useRunStore.getState().resetSeries();
              useRunStore.setState({ state: 'idle' });
            }}
            disabled={active}
          >
            Reset weights
          </button>
        </div>
      </header>

      {blockers.length > 0 && !active && (
        <div className="notice notice-warn" role="status" aria-label="Why training cannot start">
          <strong>Training cannot start yet.</strong>
          <ul>
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </div>
      )}
      {message && (
        <div
          className={`notice ${state === 'diverged' || state === 'failed' ? 'notice-error' : 'notice-warn'}`}
          role="alert"
        >
          <strong>{message.text}</strong>
          <p>{message.hint}</p>
        </div>
      )}

      <div className="train-grid">
        <aside className="card">
          <RunControls disabled={active} />
        </aside>
        <div className="train-main">
          <LiveFigures />
          <div className="charts">
            <MetricChart
              title="Loss"
              yLabel={
                isMnist || hasAccuracy
                  ? 'loss (cross-entropy)'
                  : choice === 'dataset'
                    ? 'loss (mean squared error, standardised target)'
                    : 'loss (mean squared error)'
              }
              train={trainLoss}
              test={seriesPoints(testLoss)}
              validation={seriesPoints(validationLoss)}
              smoothing={0.6}
            />
            {hasAccuracy && (
              <MetricChart
                title="Accuracy"
                yLabel="accuracy (%)"
                train={trainAccuracy}
                test={seriesPoints(testAccuracy)}
                smoothing={0.6}
                yDomain={[0, 1]}
                format={(v) => formatPercent(v, 0)}
              />
            )}
          </div>
          {boundary && (
            <section className="card" aria-labelledby="boundary-heading">
              <h2 id="boundary-heading">Decision boundary</h2>
              <DecisionBoundary {...boundary} points={points} />
            </section>
          )}
        </div>
      </div>

      {regression && (
        <section className="card" aria-labelledby="regression-heading">
          <h2 id="regression-heading">Test set: predicted against true {regression.targetName}</h2>
          <PredictedVsTrue
            report={regression}
            testLoss={seriesPoints(testLoss)}
            validationLoss={seriesPoints(validationLoss)}
          />
        </section>
      )}

      {evaluation && (
        <section className="card" aria-labelledby="eval-heading">
          <div className="field-label-row">
            <h2 id="eval-heading">
              Test set: {formatPercent(evaluation.metrics.accuracy)} accurate on{' '}
              {evaluation.report.truth.length.toLocaleString('en-US')} examples
            </h2>
            <ExplainButton topic="accuracy" />
          </div>
          {evaluation.roc.binary && (
            <BinaryMetrics
              metrics={evaluation.metrics}
              roc={evaluation.roc.binary}
              positiveLabel={ownData?.classNames.length === 2 ? ownData.classNames[1] : '1'}
            />
          )}
          <ConfusionMatrix
            report={evaluation.metrics}
            labels={classLabels}
            auc={evaluation.roc.binary ? undefined : evaluation.roc.perClassAuc}
          />
          {evaluation.report.misclassified.length > 0 && (
            <>
              <h3>{misclassifiedTitle}</h3>
              <div className="gallery" role="list" aria-label={misclassifiedTitle}>
                {evaluation.report.misclassified.map((m, i) => (
                  <figure key={i} role="listitem">
                    <GreyImage
                      values={m.pixels}
                      width={28}
                      height={28}
                      label={`true ${classLabels[m.truth]}, predicted ${classLabels[m.predicted]}`}
                    />
                    <figcaption>
                      {classLabels[m.truth]} → <span className="wrong">{classLabels[m.predicted]}</span>
                    </figcaption>
                  </figure>
                ))}
              </div>
            </>
          )}
          {evaluation.report.filters && (
            <>
              <h3>First-layer weights</h3>
              <p className="muted small">Red: positive weights, blue: negative; one image per unit or filter.</p>
              <div className="gallery">
                {evaluation.report.filters.images.map((img, i) => (
                  <GreyImage
                    key={i}
                    values={img}
                    width={evaluation.report.filters!.width}
                    height={evaluation.report.filters!.height}
                    signed
                    scale={evaluation.report.filters!.width < 10 ? 8 : 2}
                    label={`weights of unit ${i + 1}`}
                  />
                ))}
              </div>
            </>
          )}
        </section>
      )}

      {isMnist && <Predictions enabled={state !== 'idle' && trained} />}
    </div>
  );
}
