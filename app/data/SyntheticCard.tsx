// A synthetic set's settings (size, noise, seed, classes) and a scatter plot of the points it gives.
import { useMemo } from 'react';
import { CartesianGrid, Cell, Label, Legend, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { SYNTHETIC_DOMAIN, SYNTHETIC_SETS, type SyntheticSetKind } from '../../src/data/synthetic';
import { SYNTHETIC_CLASS_COUNTS, SYNTHETIC_SIZES, syntheticSet, useDataStore } from '../store/data';
import { formatCount } from './format';

/** One colour per class, distinguishable for common colour blindness (Okabe-Ito). */
export const CLASS_COLOURS = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  // Okabe-Ito's black, lightened so it also shows on the dark theme's surface.
  '#8c6d31',
  '#999999',
  '#7F3C8D',
];

const AXIS_LIMIT = SYNTHETIC_DOMAIN + 2;
const TICKS = [-8, -6, -4, -2, 0, 2, 4, 6, 8];

/** Target y in [-2, 2] on a blue-grey-orange ramp. */
function targetColour(y: number): string {
  const t = Math.max(-1, Math.min(1, y / 2));
  const [r, g, b] = t < 0 ? [0, 114, 178] : [230, 159, 0];
  const mix = (v: number) => Math.round(220 + (v - 220) * Math.abs(t));
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export function SyntheticCard({ kind }: { kind: SyntheticSetKind }) {
  const settings = useDataStore((s) => s.synthetic);
  const update = useDataStore((s) => s.setSynthetic);
  const info = SYNTHETIC_SETS[kind];
  const set = useMemo(() => syntheticSet(kind, settings), [kind, settings]);

  const series = useMemo(() => {
    const points = (i: number) => ({
      x: set.features === 1 ? set.x[i] : set.x[2 * i],
      y: set.features === 1 ? set.targets![i] : set.x[2 * i + 1],
      target: set.targets ? set.targets[i] : undefined,
    });
    if (set.numClasses === 0) {
      const name = set.features === 1 ? 'samples' : 'inputs, coloured by target y';
      return [{ name, data: Array.from({ length: set.total }, (_, i) => points(i)) }];
    }
    return Array.from({ length: set.numClasses }, (_, c) => ({
      name: `class ${c}`,
      data: Array.from({ length: set.total }, (_, i) => i)
        .filter((i) => set.labels![i] === c)
        .map(points),
    }));
  }, [set]);

  const regression1d = info.task === 'regression' && info.features === 1;
  const colourByTarget = info.task === 'regression' && info.features === 2;
  const xLabel = regression1d ? 'x (input)' : 'x₁ (first input)';
  const yLabel = regression1d ? 'y (target)' : 'x₂ (second input)';

  return (
    <section className="card" aria-labelledby="synthetic-heading">
      <div className="card-head">
        <h2 id="synthetic-heading">{info.label}</h2>
        <span className="badge badge-neutral">
          {info.task === 'classification'
            ? `${set.numClasses} classes · ${formatCount(set.total)} points`
            : `regression · ${formatCount(set.total)} samples`}
        </span>
      </div>
      <p className="muted">{info.description}</p>
      <div className="synthetic-layout">
        <form className="synthetic-controls" onSubmit={(e) => e.preventDefault()} aria-label="Data set settings">
          <div className="field">
            <label htmlFor="synthetic-size">Samples</label>
            <select
              id="synthetic-size"
              value={settings.size}
              onChange={(e) => update({ size: Number(e.target.value) })}
            >
              {SYNTHETIC_SIZES.map((n) => (
                <option key={n} value={n}>
                  {formatCount(n)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <span className="field-head">
              <label htmlFor="synthetic-noise">Noise</label>
              <output htmlFor="synthetic-noise">{Math.round(settings.noise * 100)}%</output>
            </span>
            <input
              id="synthetic-noise"
              type="range"
              min={0}
              max={100}
              step={5}
              value={Math.round(settings.noise * 100)}
              aria-valuetext={`${Math.round(settings.noise * 100)}%`}
              onChange={(e) => update({ noise: Number(e.target.value) / 100 })}
            />
          </div>
          <div className="field">
            <label htmlFor="synthetic-seed">Seed</label>
            <span className="seed-row">
              <input
                id="synthetic-seed"
                type="number"
                min={0}
                step={1}
                value={settings.seed}
                onChange={(e) => update({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
              />
              <button type="button" onClick={() => update({ seed: settings.seed + 1 })}>
                New seed
              </button>
            </span>
          </div>
          {kind === 'blobs' && (
            <div className="field">
              <label htmlFor="synthetic-classes">Classes</label>
              <select
                id="synthetic-classes"
                value={settings.classes}
                onChange={(e) => update({ classes: Number(e.target.value) })}
              >
                {SYNTHETIC_CLASS_COUNTS.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          )}
          {info.task === 'regression' && info.features === 2 && (
            <p className="muted small">
              Colour shows the target y, from <span className="swatch swatch-low" /> −2 to{' '}
              <span className="swatch swatch-high" /> +2.
            </p>
          )}
        </form>
        {info.features > 2 ? (
          <FirstSamples x={set.x} targets={set.targets} features={set.features} />
        ) : (
          <figure className="scatter" aria-label={`Scatter plot of the ${info.label} data set`}>
            <ScatterChart width={560} height={440} margin={{ top: 8, right: 16, bottom: 36, left: 16 }}>
              <CartesianGrid stroke="var(--grid)" />
              <XAxis
                type="number"
                dataKey="x"
                domain={[-AXIS_LIMIT, AXIS_LIMIT]}
                ticks={TICKS}
                allowDataOverflow
                tick={{ fontSize: 12 }}
              >
                <Label value={xLabel} position="bottom" offset={12} style={{ fontSize: 13, fill: 'var(--muted)' }} />
              </XAxis>
              <YAxis
                type="number"
                dataKey="y"
                domain={regression1d ? [-2, 2] : [-AXIS_LIMIT, AXIS_LIMIT]}
                ticks={regression1d ? [-2, -1, 0, 1, 2] : TICKS}
                allowDataOverflow
                tick={{ fontSize: 12 }}
              >
                <Label
                  value={yLabel}
                  angle={-90}
                  position="insideLeft"
                  offset={0}
                  style={{ fontSize: 13, fill: 'var(--muted)', textAnchor: 'middle' }}
                />
              </YAxis>
              <Tooltip cursor={false} formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))} />
              <ZAxis range={[18, 18]} />
              <Legend verticalAlign="top" height={28} />
              {series.map((s, c) => (
                <Scatter
                  key={s.name}
                  name={s.name}
                  data={s.data}
                  fill={CLASS_COLOURS[c % CLASS_COLOURS.length]}
                  isAnimationActive={false}
                  legendType="circle"
                >
                  {colourByTarget && s.data.map((point, i) => <Cell key={i} fill={targetColour(point.target ?? 0)} />)}
                </Scatter>
              ))}
            </ScatterChart>
          </figure>
        )}
      </div>
    </section>
  );
}

/** A set with more inputs than a plane can show: its first samples as a table (four inputs and the target). */
function FirstSamples({ x, targets, features }: { x: Float32Array; targets: Float32Array | null; features: number }) {
  const rows = Math.min(8, x.length / features);
  const shown = [0, 1, 2, 3];
  return (
    <figure className="scatter">
      <table className="limits" aria-label="First samples of the data set">
        <caption className="muted small">
          {features} inputs per sample: too many to plot. The first {rows} samples (inputs x1 to x4 of {features}):
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            {shown.map((k) => (
              <th key={k} scope="col">
                x{k + 1}
              </th>
            ))}
            <th scope="col">…</th>
            {targets && <th scope="col">y (target)</th>}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              {shown.map((k) => (
                <td key={k}>{x[i * features + k].toFixed(2)}</td>
              ))}
              <td>…</td>
              {targets && <td>{targets[i].toFixed(2)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
