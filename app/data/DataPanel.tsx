// The Data section: choose what the network learns from (MNIST or a synthetic 2-D set) and see it
// arrive: download progress, sample images and label counts, or a scatter plot of the points.
import { useEffect } from 'react';
import { SYNTHETIC_SETS, type SyntheticSetKind } from '../../src/data/synthetic';
import { useDataStore, type DataChoice } from '../store/data';
import { MnistCard } from './MnistCard';
import { YourData } from './own/YourData';
import { SyntheticCard } from './SyntheticCard';
import './data.css';

interface ChoiceInfo {
  id: DataChoice;
  label: string;
  detail: string;
}

const CHOICES: ChoiceInfo[] = [
  { id: 'mnist', label: 'MNIST digits', detail: '70,000 handwritten digits, 28×28 px, 10 classes' },
  ...(Object.keys(SYNTHETIC_SETS) as SyntheticSetKind[]).map((kind) => ({
    id: kind,
    label: SYNTHETIC_SETS[kind].label,
    detail: SYNTHETIC_SETS[kind].description,
  })),
];

export function DataPanel() {
  const choice = useDataStore((s) => s.choice);
  const choose = useDataStore((s) => s.choose);
  const loadMnist = useDataStore((s) => s.loadMnist);

  useEffect(() => {
    if (useDataStore.getState().choice === 'mnist') loadMnist();
  }, [loadMnist]);

  return (
    <>
      <header className="card intro">
        <h1>Data</h1>
        <p>
          Pick what the network learns from. MNIST streams into the tab and training can start on the first images while
          the rest arrives; the synthetic sets are generated here from a seed. Or bring your own data below: a CSV/TSV
          table or a folder of labelled images.
        </p>
      </header>
      <fieldset className="card tile-grid data-choices">
        <legend>Data set</legend>
        {CHOICES.map((c) => (
          <label key={c.id} className={c.id === choice ? 'tile selected' : 'tile'}>
            <input
              type="radio"
              name="data-set"
              value={c.id}
              checked={c.id === choice}
              onChange={() => choose(c.id)}
              aria-labelledby={`data-choice-${c.id}`}
              aria-describedby={`data-choice-${c.id}-detail`}
            />
            <span className="tile-label" id={`data-choice-${c.id}`}>
              {c.label}
            </span>
            <span className="tile-detail" id={`data-choice-${c.id}-detail`}>
              {c.detail}
            </span>
          </label>
        ))}
      </fieldset>
      {choice === 'mnist' ? <MnistCard /> : choice === 'dataset' ? null : <SyntheticCard kind={choice} />}
      <YourData />
    </>
  );
}
