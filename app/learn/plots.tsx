// The live plots inside explanations: an activation and its derivative, a loss against the prediction,
// the learning-rate schedule as the Train settings configure it now, and dropout on a row of units.
import { useMemo, useState } from 'react';
import { MNIST_FILES } from '../../src/data/mnist';
import { SYNTHETIC_SETS } from '../../src/data/synthetic';
import { useDataStore } from '../store/data';
import { useRunStore } from '../store/run';
import {
  applyDropout,
  sampleActivation,
  sampleLoss,
  seededUniforms,
  type ActivationName,
  type LossName,
} from './functions';
import { LinePlot } from './LinePlot';
import { schedulePoints, stepsPerEpochFor } from './schedule';

export function ActivationPlot({ activation, alpha }: { activation: ActivationName; alpha?: number }) {
  const samples = useMemo(() => sampleActivation(activation, { alpha }), [activation, alpha]);
  const name = activation === 'softmax' ? 'p₁ for logits (x, 0)' : 'f(x)';
  return (
    <LinePlot
      title={`${activation} and its derivative for x from -4 to 4`}
      xLabel="x (input)"
      yLabel="output"
      series={[
        { name, points: samples.map((s) => ({ x: s.x, y: s.y })), color: 'var(--accent)' },
        {
          name: activation === 'softmax' ? 'dp₁/dx' : 'f′(x)',
          points: samples.map((s) => ({ x: s.x, y: s.dy })),
          color: 'var(--second)',
          dashed: true,
        },
      ]}
    />
  );
}

export function LossPlot({ loss }: { loss: LossName }) {
  const points = useMemo(() => sampleLoss(loss), [loss]);
  return (
    <LinePlot
      title={`${loss} loss of one example of class 1 against the predicted probability`}
      xLabel={loss === 'mse' ? 'prediction ŷ (target 1)' : 'predicted probability of the true class'}
      yLabel="loss"
      series={[{ name: 'loss', points, color: 'var(--accent)' }]}
    />
  );
}

const NOMINAL_STEPS_PER_EPOCH = 100;
const SCHEDULE_LABEL = { constant: 'constant', step: 'step decay', cosine: 'cosine' } as const;

/** The schedule the next run will use: the Train settings and the chosen data set's size, read live. */
export function SchedulePlot() {
  const settings = useRunStore((s) => s.settings);
  const choice = useDataStore((s) => s.choice);
  const syntheticSize = useDataStore((s) => s.synthetic.size);
  // MNIST and the synthetic sets have a known size here; for another data set the curve is drawn in
  // epochs with a nominal step count, which gives the same shape (drops fall on epoch boundaries).
  const total = choice === 'mnist' ? MNIST_FILES.trainImages.count : choice in SYNTHETIC_SETS ? syntheticSize : null;
  const valid =
    Number.isFinite(settings.learningRate) &&
    settings.epochs >= 1 &&
    settings.batchSize >= 1 &&
    (settings.schedule !== 'step' || (settings.decayEpochs >= 1 && settings.decayRate > 0));
  const stepsPerEpoch = total === null ? NOMINAL_STEPS_PER_EPOCH : stepsPerEpochFor(settings, total);
  const points = useMemo(
    () => (valid ? schedulePoints(settings, stepsPerEpoch) : []),
    [valid, settings, stepsPerEpoch],
  );
  if (!valid) {
    return (
      <p className="notice notice-warn small" role="status">
        The schedule cannot be drawn: fix the learning rate, epochs, batch size or decay fields in the Train settings.
      </p>
    );
  }
  return (
    <>
      <LinePlot
        title={`Learning rate over ${settings.epochs} epochs, ${SCHEDULE_LABEL[settings.schedule]} schedule`}
        xLabel="epoch"
        yLabel="learning rate"
        series={[
          {
            name: 'learning rate',
            // The last step's rate holds to the end of the last epoch.
            points: [...points.map((p) => ({ x: p.epoch, y: p.lr })), { x: settings.epochs, y: points.at(-1)!.lr }],
            color: 'var(--accent)',
          },
        ]}
        xDomain={[0, settings.epochs]}
        yDomain={[0, settings.learningRate * 1.05]}
      />
      <p className="muted small">
        As configured now: {SCHEDULE_LABEL[settings.schedule]} from {settings.learningRate},{' '}
        {total === null ? (
          'drawn per epoch (the steps per epoch follow from your data set’s size)'
        ) : (
          <>
            {stepsPerEpoch.toLocaleString('en-US')} steps per epoch ({total.toLocaleString('en-US')} samples
            {settings.trainLimit > 0 ? `, limited to ${settings.trainLimit.toLocaleString('en-US')}` : ''}, batch{' '}
            {settings.batchSize})
          </>
        )}
        .
      </p>
    </>
  );
}

const UNITS = 12;
// A fixed, made-up row of activations, so only the mask changes between draws.
const ACTIVATIONS = [0.8, 0.3, 1.2, 0.5, 0.9, 0.1, 0.7, 1.0, 0.4, 0.6, 1.1, 0.2];

/** A layer's activations before and after one dropout mask at `rate`; "Draw a new mask" re-draws it. */
export function DropoutDemo({ rate }: { rate: number }) {
  const [seed, setSeed] = useState(1);
  const draws = useMemo(() => seededUniforms(seed, UNITS), [seed]);
  const after = applyDropout(ACTIVATIONS, draws, rate);
  const kept = after.filter((v) => v !== 0).length;
  const max = Math.max(...ACTIVATIONS) / (1 - Math.min(rate, 0.9));
  const bar = (v: number, i: number, dropped: boolean) => (
    <div key={i} className={dropped ? 'dropout-unit dropped' : 'dropout-unit'}>
      <span style={{ height: `${Math.max(2, (v / max) * 100)}%` }} />
    </div>
  );
  return (
    <figure className="dropout-demo" aria-label={`Dropout at rate ${rate} on ${UNITS} units`}>
      <div className="dropout-row-label small muted">before</div>
      <div className="dropout-row">{ACTIVATIONS.map((v, i) => bar(v, i, false))}</div>
      <div className="dropout-row-label small muted">after</div>
      <div
        className="dropout-row"
        role="img"
        aria-label={`${kept} of ${UNITS} units kept, scaled by ${(1 / (1 - rate)).toFixed(2)}`}
      >
        {after.map((v, i) => bar(v, i, v === 0))}
      </div>
      <figcaption className="small">
        Rate p = {rate}: {kept} of {UNITS} units kept this draw, each scaled by 1 / (1 − p) ={' '}
        {rate < 1 ? (1 / (1 - rate)).toFixed(2) : '—'}. Mean before {mean(ACTIVATIONS).toFixed(2)}, after{' '}
        {mean(after).toFixed(2)} (equal on average over draws).{' '}
        <button type="button" onClick={() => setSeed((s) => s + 1)}>
          Draw a new mask
        </button>
      </figcaption>
    </figure>
  );
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
