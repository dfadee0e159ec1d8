// Several kept runs' curves on one chart: per run, its training curve (solid) and its per-epoch test
// curve (dashed, with dots), in the run's colour, against training steps. A curve a run lacks (training
// accuracy of a one-output sigmoid network) is left out of the chart and its legend.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { KeptRun } from '../store/runs';
import type { Point } from '../train/series';

export interface OverlayChartProps {
  title: string;
  /** Axis label with unit, e.g. "loss" or "accuracy (%)". */
  yLabel: string;
  runs: KeptRun[];
  colours: string[];
  train: (run: KeptRun) => Point[];
  test: (run: KeptRun) => Point[];
  /** Values are fractions shown as percentages. */
  percent?: boolean;
}

export function OverlayChart({ title, yLabel, runs, colours, train, test, percent }: OverlayChartProps) {
  const scale = percent ? 100 : 1;
  const rows = (points: Point[]) => points.map((p) => ({ step: p.x, value: p.y * scale }));
  const fmt = (v: number) => (percent ? `${v.toFixed(0)}` : v.toPrecision(3));
  return (
    <figure className="chart card" aria-label={`${title} of the selected runs`}>
      <figcaption className="chart-title">{title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            tickFormatter={(v: number) => Math.round(v).toLocaleString('en-US')}
            label={{ value: 'step', position: 'insideBottom', offset: -12, fill: 'var(--muted)' }}
            stroke="var(--muted)"
            fontSize={12}
          />
          <YAxis
            domain={percent ? [0, 100] : ['auto', 'auto']}
            tickFormatter={fmt}
            width={56}
            label={{
              value: yLabel,
              angle: -90,
              position: 'insideLeft',
              offset: 4,
              dy: 30,
              fill: 'var(--muted)',
              fontSize: 12,
            }}
            stroke="var(--muted)"
            fontSize={12}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? fmt(v) : String(v))}
            labelFormatter={(v) => `step ${Math.round(Number(v))}`}
          />
          <Legend verticalAlign="top" height={40} iconType="plainline" />
          {runs.flatMap((run, i) => [
            train(run).length > 0 && (
              <Line
                key={`${run.id}-train`}
                name={`${run.name} (train)`}
                data={rows(train(run))}
                dataKey="value"
                stroke={colours[i]}
                dot={false}
                isAnimationActive={false}
                strokeWidth={2}
              />
            ),
            test(run).length > 0 && (
              <Line
                key={`${run.id}-test`}
                name={`${run.name} (test)`}
                data={rows(test(run))}
                dataKey="value"
                stroke={colours[i]}
                strokeDasharray="5 4"
                dot={{ r: 2 }}
                isAnimationActive={false}
                strokeWidth={1.5}
              />
            ),
          ])}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
