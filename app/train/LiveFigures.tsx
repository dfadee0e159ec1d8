// The run's live numbers: epoch, step, throughput, elapsed and remaining time, and the engine in use.
import { useRunStore } from '../store/run';
import { engineLabel, useEngineStore } from '../store/engine';
import { formatDuration, formatRate } from './format';

export function LiveFigures() {
  const f = useRunStore((s) => s.figures);
  const epochs = useRunStore((s) => s.settings.epochs);
  const status = useEngineStore((s) => s.status);
  const remainingMs =
    f.step > 0 && f.totalSteps > f.step ? (f.elapsedMs / f.step) * (f.totalSteps - f.step) : f.step > 0 ? 0 : NaN;
  const engine = engineLabel(status);
  const items: [string, string][] = [
    ['Epoch', `${f.epoch} / ${epochs}`],
    ['Step', f.totalSteps ? `${f.step.toLocaleString('en-US')} / ${f.totalSteps.toLocaleString('en-US')}` : '0'],
    ['Samples / s', formatRate(f.samplesPerSecond)],
    ['Elapsed', formatDuration(f.elapsedMs)],
    ['Time left', formatDuration(remainingMs)],
    ['Engine', engine],
  ];
  return (
    <dl className="figures" aria-label="Live training figures">
      {items.map(([label, value]) => (
        <div key={label} className={label === 'Engine' ? 'figure figure-text' : 'figure'}>
          <dt>{label}</dt>
          <dd data-testid={`figure-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
