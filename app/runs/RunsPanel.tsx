// The Runs section: the table of kept runs (every run that finished, stopped or diverged), with export
// and delete per run; selecting two or more overlays their loss and accuracy curves and lists the
// settings that differ between them.
import { useEffect, useMemo, useState } from 'react';
import { CLASS_COLOURS } from '../data/SyntheticCard';
import {
  differingSettings,
  OPTIMIZER_LABEL,
  runCurvesToCsv,
  runFileName,
  runToJson,
  startRecordingRuns,
  useRunsStore,
  type KeptRun,
} from '../store/runs';
import { formatDuration, formatPercent } from '../train/format';
import { RowActions } from '../components/RowActions';
import { OverlayChart } from './OverlayChart';
import './runs.css';

// Runs are recorded from the moment the app loads (this module loads with the section list).
startRecordingRuns();

function download(text: string, name: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const formatLoss = (v: number | null) => (v === null ? '–' : v.toPrecision(3));
const formatAccuracy = (v: number | null) => (v === null ? '–' : formatPercent(v));
/** "0.4 s" for short runs ("< 0.1 s" for the shortest), "1:05" from a minute on. */
const formatRunTime = (ms: number) =>
  ms < 100 ? '< 0.1 s' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
const formatDate = (ms: number) =>
  new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function RunRow({
  run,
  selected,
  onToggle,
  colour,
}: {
  run: KeptRun;
  selected: boolean;
  onToggle: () => void;
  colour: string | null;
}) {
  const remove = useRunsStore((s) => s.remove);
  const s = run.settings;
  return (
    <tr className={selected ? 'selected' : undefined}>
      <td>
        <input type="checkbox" checked={selected} onChange={onToggle} aria-label={`Select ${run.name}`} />
      </td>
      <td>
        <span className="run-name">
          {colour && <span className="run-swatch" style={{ background: colour }} aria-hidden />}
          {run.name}
        </span>
        <span className="muted small block">
          {formatDate(run.endedAt)} · {run.end}
        </span>
      </td>
      <td>
        <span className="run-design">{run.design.name}</span>
        <span className="muted small block" title={run.design.summary}>
          {run.design.params.toLocaleString('en-US')} parameters
        </span>
      </td>
      <td>{run.data.label}</td>
      <td>{OPTIMIZER_LABEL[s.optimizer]}</td>
      <td className="num">{s.learningRate}</td>
      <td className="num">{s.batchSize}</td>
      <td className="num">
        {run.epochs}/{s.epochs}
      </td>
      <td className="num">{formatLoss(run.final.trainLoss)}</td>
      <td className="num">{formatLoss(run.final.testLoss)}</td>
      <td className="num">{formatAccuracy(run.final.trainAccuracy)}</td>
      <td className="num">{formatAccuracy(run.final.testAccuracy)}</td>
      <td className="num">{formatRunTime(run.durationMs)}</td>
      <td>
        <RowActions name={run.name} question="Delete this run?" onDelete={() => void remove(run.id)}>
          <button
            type="button"
            onClick={() => download(runToJson(run), `${runFileName(run)}.json`, 'application/json')}
            aria-label={`Export ${run.name} as JSON`}
          >
            JSON
          </button>
          <button
            type="button"
            onClick={() => download(runCurvesToCsv(run), `${runFileName(run)}-curves.csv`, 'text/csv')}
            aria-label={`Export the curves of ${run.name} as CSV`}
          >
            CSV
          </button>
        </RowActions>
      </td>
    </tr>
  );
}

function Differences({ runs, colours }: { runs: KeptRun[]; colours: string[] }) {
  const rows = useMemo(() => differingSettings(runs), [runs]);
  if (rows.length === 0) {
    return <p className="muted">The selected runs have the same design, data set and settings.</p>;
  }
  return (
    <table className="limits" aria-label="Settings that differ">
      <thead>
        <tr>
          <th scope="col">Setting</th>
          {runs.map((r, i) => (
            <th key={r.id} scope="col">
              <span className="run-swatch" style={{ background: colours[i] }} aria-hidden />
              {r.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            {row.values.map((v, i) => (
              <td key={runs[i].id}>{v}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunsPanel() {
  const runs = useRunsStore((s) => s.runs);
  const loaded = useRunsStore((s) => s.loaded);
  const error = useRunsStore((s) => s.error);
  const [selectedIds, setSelectedIds] = useState<string[]>([]);
  useEffect(() => {
    void useRunsStore.getState().load();
  }, []);

  // Selection in the order the person ticked the runs; deleted runs drop out.
  const selected = selectedIds.map((id) => runs.find((r) => r.id === id)).filter((r): r is KeptRun => r !== undefined);
  const colours = selected.map((_, i) => CLASS_COLOURS[i % CLASS_COLOURS.length]);
  const toggle = (id: string) =>
    setSelectedIds((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));
  const hasAccuracy = selected.some((r) => r.curves.trainAccuracy.length > 0 || r.curves.testAccuracy.length > 0);

  return (
    <div className="runs">
      <header className="card intro">
        <h1>Runs</h1>
        <p className="muted">
          Every run that finishes, stops or diverges is kept here, in this browser, with its settings, curves and final
          figures. Tick two or more to compare their curves.
        </p>
        {error && (
          <div className="notice notice-error" role="alert">
            <strong>{error.text}</strong>
            <p>{error.hint}</p>
          </div>
        )}
      </header>

      <section className="card runs-table-card" aria-labelledby="runs-table-heading">
        <h2 id="runs-table-heading">Kept runs</h2>
        {!loaded ? (
          <p className="muted">Reading the kept runs…</p>
        ) : runs.length === 0 ? (
          <p className="muted">No runs yet. Train in the Train section (or open an example); each run appears here.</p>
        ) : (
          <div className="runs-table-wrap">
            <table className="limits runs-table" aria-label="Kept runs">
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Select</span>
                  </th>
                  <th scope="col">Run</th>
                  <th scope="col">Design</th>
                  <th scope="col">Data</th>
                  <th scope="col">Optimiser</th>
                  <th scope="col" className="num">
                    LR
                  </th>
                  <th scope="col" className="num">
                    Batch
                  </th>
                  <th scope="col" className="num">
                    Epochs
                  </th>
                  <th scope="col" className="num">
                    Train loss
                  </th>
                  <th scope="col" className="num">
                    Test loss
                  </th>
                  <th scope="col" className="num">
                    Train acc.
                  </th>
                  <th scope="col" className="num">
                    Test acc.
                  </th>
                  <th scope="col" className="num">
                    Time
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => {
                  const index = selected.indexOf(run);
                  return (
                    <RunRow
                      key={run.id}
                      run={run}
                      selected={index >= 0}
                      colour={index >= 0 ? colours[index] : null}
                      onToggle={() => toggle(run.id)}
                    />
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {selected.length === 1 && <p className="muted">Tick one more run to compare.</p>}
      {selected.length >= 2 && (
        <section className="card" aria-labelledby="compare-heading">
          <h2 id="compare-heading">Comparing {selected.length} runs</h2>
          <div className="runs-charts">
            <OverlayChart
              title="Loss"
              yLabel="loss"
              runs={selected}
              colours={colours}
              train={(r) => r.curves.trainLoss}
              test={(r) => r.curves.testLoss}
            />
            {hasAccuracy && (
              <OverlayChart
                title="Accuracy"
                yLabel="accuracy (%)"
                runs={selected}
                colours={colours}
                train={(r) => r.curves.trainAccuracy}
                test={(r) => r.curves.testAccuracy}
                percent
              />
            )}
          </div>
          <h3>Settings that differ</h3>
          <Differences runs={selected} colours={colours} />
        </section>
      )}
    </div>
  );
}
