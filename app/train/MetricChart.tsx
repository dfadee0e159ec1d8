// One live metric chart: the training series (smoothed, with the raw series faint behind it) and,
// optionally, the per-epoch test series, both against steps.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesPoints, smooth, type Series } from './series';

export interface MetricChartProps {
  title: string;
  /** Axis label with unit, e.g. "loss (cross-entropy, nats)". */
  yLabel: string;
  train: Series;
  /** Test points with x already in steps. */
  test?: { x: number; y: number }[];
  /** Validation points with x in steps (drawn only when there are any). */
  validation?: { x: number; y: number }[];
  smoothing: number;
  yDomain?: [number | 'auto', number | 'auto'];
  format?: (v: number) => string;
}

export const MetricChart = memo(function MetricChart({
  title,
  yLabel,
  train,
  test,
  validation,
  smoothing,
  yDomain,
  format,
}: MetricChartProps) {
  const data = useMemo(() => {
    const raw = seriesPoints(train);
    const smoothed = smooth(raw, smoothing);
    const rows = raw.map((p, i) => ({
      step: p.x,
      raw: p.y,
      train: smoothed[i].y,
      test: undefined as number | undefined,
      validation: undefined as number | undefined,
    }));
    const none = undefined as unknown as number;
    for (const p of test ?? []) rows.push({ step: p.x, raw: none, train: none, test: p.y, validation: undefined });
    for (const p of validation ?? [])
      rows.push({ step: p.x, raw: none, train: none, test: undefined, validation: p.y });
    return rows.sort((a, b) => a.step - b.step);
  }, [train, test, validation, smoothing]);
  const fmt = format ?? ((v: number) => v.toPrecision(3));

  return (
    <figure className="chart card" aria-label={title}>
      <figcaption className="chart-title">{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis
            dataKey="step"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(v: number) => Math.round(v).toLocaleString('en-US')}
            label={{ value: 'training step', position: 'insideBottom', offset: -12, fill: 'var(--muted)' }}
            stroke="var(--muted)"
            fontSize={12}
          />
          <YAxis
            domain={yDomain ?? ['auto', 'auto']}
            tickFormatter={fmt}
            width={56}
            label={{
              value: yLabel,
              angle: -90,
              position: 'insideLeft',
              offset: 4,
              dy: 60,
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
          <Legend verticalAlign="top" height={24} iconType="plainline" />
          <Line
            name="train (raw)"
            dataKey="raw"
            stroke="var(--accent-soft)"
            dot={false}
            isAnimationActive={false}
            connectNulls
            strokeWidth={1}
            legendType="none"
          />
          <Line
            name="train"
            dataKey="train"
            stroke="var(--accent)"
            dot={false}
            isAnimationActive={false}
            connectNulls
            strokeWidth={2}
          />
          {validation && validation.length > 0 && (
            <Line
              name="validation"
              dataKey="validation"
              stroke="var(--ok)"
              strokeDasharray="5 3"
              dot={{ r: 3 }}
              isAnimationActive={false}
              connectNulls
              strokeWidth={2}
            />
          )}
          {test && (
            <Line
              name="test"
              dataKey="test"
              stroke="var(--second)"
              dot={{ r: 3 }}
              isAnimationActive={false}
              connectNulls
              strokeWidth={2}
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
