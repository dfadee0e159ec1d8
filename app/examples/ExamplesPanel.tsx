// The Examples section: a gallery of guided classic examples. "Open" loads an example's design (the
// previous design stays in undo history), data set and settings in one go and goes to Train.
import { SYNTHETIC_SETS } from '../../src/data/synthetic';
import { postToEngine } from '../store/engine';
import { useDataStore } from '../store/data';
import { useDesignStore } from '../store/design';
import { DEFAULT_SETTINGS, useRunStore, type RunState } from '../store/run';
import { EXAMPLES, type Example } from './examples';
import './examples.css';

const ACTIVE: RunState[] = ['starting', 'running', 'paused'];

/** Loads the example's design, data and settings, forgets the trained weights, and opens Train. */
export function openExample(example: Example): void {
  const settings = { ...DEFAULT_SETTINGS, ...example.settings };
  const design = useDesignStore.getState();
  design.loadDesign(example.design());
  const data = useDataStore.getState();
  if (example.data.choice !== 'mnist') data.setSynthetic(example.data.synthetic);
  data.choose(example.data.choice);
  // The next Start trains the new design from fresh weights, and the charts of the last run go.
  postToEngine({ type: 'reset' });
  useRunStore.getState().resetSeries();
  useRunStore.setState({ state: 'idle', settings });
  window.location.hash = '#/train';
}

function dataLabel(example: Example): string {
  if (example.data.choice === 'mnist') {
    const limit = example.settings.trainLimit;
    return limit ? `MNIST, first ${limit.toLocaleString('en-US')} training images` : 'MNIST';
  }
  const { size, noise } = example.data.synthetic;
  const limit = example.settings.trainLimit;
  const points = limit && limit < size ? `first ${limit} of ${size} points` : `${size.toLocaleString('en-US')} points`;
  return `${SYNTHETIC_SETS[example.data.choice].label}, ${points}, noise ${Math.round(noise * 100)}%`;
}

function settingsLine(example: Example): string {
  const s = { ...DEFAULT_SETTINGS, ...example.settings };
  const parts = [
    `${s.optimizer === 'sgd' ? 'SGD' : s.optimizer === 'adam' ? 'Adam' : 'RMSprop'} ${s.learningRate}`,
    `batch ${s.batchSize}`,
    `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`,
  ];
  if (s.l2) parts.push(`L2 ${s.l2}`);
  if (s.validationSplit) parts.push(`validation ${s.validationSplit * 100}%`);
  if (s.earlyStoppingPatience) parts.push(`patience ${s.earlyStoppingPatience}`);
  return parts.join(' · ');
}

function ExampleCard({ example, disabled }: { example: Example; disabled: boolean }) {
  const headingId = `example-${example.id}`;
  return (
    <article className="card example-card" aria-labelledby={headingId}>
      <h2 id={headingId}>{example.title}</h2>
      <p>{example.about}</p>
      <dl className="example-facts">
        <dt>Data</dt>
        <dd>{dataLabel(example)}</dd>
        <dt>Settings</dt>
        <dd>{settingsLine(example)}</dd>
      </dl>
      <p className="example-result">
        <strong>Result to expect: </strong>
        {example.result}
      </p>
      <div className="example-actions">
        <button
          type="button"
          className="primary"
          onClick={() => openExample(example)}
          disabled={disabled}
          aria-label={`Open ${example.title}`}
        >
          Open
        </button>
      </div>
    </article>
  );
}

export function ExamplesPanel() {
  const state = useRunStore((s) => s.state);
  const active = ACTIVE.includes(state);
  return (
    <div className="examples">
      <header className="card intro">
        <h1>Examples</h1>
        <p className="muted">
          Each example opens a ready design, data set and settings in the Train section; press Start there. Your current
          design stays in the undo history (Undo in the Design section brings it back).
        </p>
        {active && (
          <div className="notice notice-warn" role="status">
            A run is in progress. Stop it in the Train section before opening an example.
          </div>
        )}
      </header>
      <div className="example-grid">
        {EXAMPLES.map((example) => (
          <ExampleCard key={example.id} example={example} disabled={active} />
        ))}
      </div>
    </div>
  );
}
