// Training settings and the run buttons. Every field has a visible label; numbers are validated as
// typed and an invalid one blocks Start with its reason.
import { designLoss, LOSS_LABEL } from '../learn/designLoss';
import { Explained } from '../learn/Explain';
import type { TopicId } from '../learn/topics';
import { MAX_BATCH_SIZE, useDesignAnalysis, useDesignStore } from '../store/design';
import { useRunStore, type OptimizerName, type ScheduleName, type TrainSettings } from '../store/run';

type NumericKey = {
  [K in keyof TrainSettings]: TrainSettings[K] extends number ? K : never;
}[keyof TrainSettings];

interface NumberField {
  key: NumericKey;
  label: string;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  /** The explanation behind the field's info button. */
  explain?: TopicId;
  /** Shown only when this returns true. */
  when?: (s: TrainSettings) => boolean;
}

const FIELDS: NumberField[] = [
  { key: 'learningRate', label: 'Learning rate', min: 1e-6, max: 10, step: 0.0001, explain: 'schedule' },
  {
    key: 'momentum',
    label: 'Momentum',
    min: 0,
    max: 0.999,
    step: 0.01,
    explain: 'sgd',
    when: (s) => s.optimizer === 'sgd',
  },
  { key: 'batchSize', label: 'Batch size', min: 1, max: MAX_BATCH_SIZE, step: 1, integer: true },
  { key: 'epochs', label: 'Epochs', min: 1, max: 1000, step: 1, integer: true },
  {
    key: 'decayEpochs',
    label: 'Decay every (epochs)',
    min: 1,
    max: 1000,
    step: 1,
    integer: true,
    when: (s) => s.schedule === 'step',
  },
  { key: 'decayRate', label: 'Decay factor', min: 0.01, max: 1, step: 0.05, when: (s) => s.schedule === 'step' },
  { key: 'l2', label: 'L2 weight decay', min: 0, max: 1, step: 0.0001, explain: 'l2' },
  { key: 'l1', label: 'L1 penalty', min: 0, max: 1, step: 0.0001, explain: 'l1' },
  { key: 'trainLimit', label: 'Training samples (0 = all)', min: 0, max: 1_000_000, step: 100, integer: true },
  { key: 'testLimit', label: 'Test samples (0 = all)', min: 0, max: 1_000_000, step: 100, integer: true },
  { key: 'validationSplit', label: 'Validation split', min: 0, max: 0.5, step: 0.05 },
  {
    key: 'earlyStoppingPatience',
    label: 'Early stopping patience (epochs, 0 = off)',
    min: 0,
    max: 100,
    step: 1,
    integer: true,
    explain: 'early-stopping',
  },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1, integer: true },
];

/** The reason `value` is not acceptable for `field`, or null. */
export function fieldError(field: NumberField, value: number): string | null {
  if (!Number.isFinite(value)) return 'Enter a number.';
  if (field.integer && !Number.isInteger(value)) return 'Enter a whole number.';
  if (value < field.min || value > field.max) return `Between ${field.min} and ${field.max}.`;
  return null;
}

export function settingsErrors(s: TrainSettings): string[] {
  return FIELDS.filter((f) => !f.when || f.when(s))
    .map((f) => {
      const e = fieldError(f, s[f.key]);
      return e && `${f.label}: ${e}`;
    })
    .filter((e): e is string => e !== null);
}

export function RunControls({ disabled }: { disabled: boolean }) {
  const settings = useRunStore((s) => s.settings);
  const setSetting = useRunStore((s) => s.setSetting);
  const design = useDesignStore((s) => s.design);
  const loss = designLoss(design, useDesignAnalysis());

  return (
    <fieldset className="run-settings" disabled={disabled}>
      <legend>Training settings</legend>
      {loss && (
        <Explained topic={loss}>
          <p className="loss-line">
            <span className="muted">Loss: </span>
            {LOSS_LABEL[loss]}
            <span className="muted small"> (from the design's output)</span>
          </p>
        </Explained>
      )}
      <Explained topic={settings.optimizer}>
        <label className="field">
          <span>Optimiser</span>
          <select value={settings.optimizer} onChange={(e) => setSetting('optimizer', e.target.value as OptimizerName)}>
            <option value="sgd">SGD (momentum)</option>
            <option value="adam">Adam</option>
            <option value="rmsprop">RMSprop</option>
          </select>
        </label>
      </Explained>
      {settings.optimizer === 'sgd' && (
        <label className="field field-check">
          <input
            type="checkbox"
            checked={settings.nesterov}
            onChange={(e) => setSetting('nesterov', e.target.checked)}
          />
          <span>Nesterov momentum</span>
        </label>
      )}
      <Explained topic="schedule">
        <label className="field">
          <span>Learning-rate schedule</span>
          <select value={settings.schedule} onChange={(e) => setSetting('schedule', e.target.value as ScheduleName)}>
            <option value="constant">Constant</option>
            <option value="step">Step decay</option>
            <option value="cosine">Cosine</option>
          </select>
        </label>
      </Explained>
      <label className="field field-check">
        <input type="checkbox" checked={settings.augment} onChange={(e) => setSetting('augment', e.target.checked)} />
        <span>Random shifts (±2 px, images)</span>
      </label>
      <label className="field field-check">
        <input type="checkbox" checked={settings.flip} onChange={(e) => setSetting('flip', e.target.checked)} />
        <span>Random left-right flips (images)</span>
      </label>
      {FIELDS.filter((f) => !f.when || f.when(settings)).map((f) => {
        const value = settings[f.key];
        const error = fieldError(f, value);
        const id = `setting-${f.key}`;
        const field = (
          <label className="field" key={f.key}>
            <span>{f.label}</span>
            <input
              id={id}
              type="number"
              inputMode="decimal"
              min={f.min}
              max={f.max}
              step={f.step}
              value={Number.isFinite(value) ? value : ''}
              aria-invalid={error !== null}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => setSetting(f.key, e.target.value === '' ? Number.NaN : Number(e.target.value))}
            />
            {error && (
              <span className="field-error" id={`${id}-error`}>
                {error}
              </span>
            )}
          </label>
        );
        return f.explain ? (
          <Explained key={f.key} topic={f.explain}>
            {field}
          </Explained>
        ) : (
          field
        );
      })}
    </fieldset>
  );
}
