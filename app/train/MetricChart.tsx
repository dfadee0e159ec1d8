// One live metric chart: the training series (smoothed, with the raw series faint behind it) and,
// optionally, the per-epoch test series, both against steps.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_MARGIN, ChartFrame, legendAbove, stepAxis, tooltipFormat, valueAxis } from '../components/Chart';
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
    <ChartFrame title={title} height={220} empty={data.length === 0 ? 'No points yet: press Start to train.' : null}>
      <LineChart data={data} margin={CHART_MARGIN}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis {...stepAxis} />
        <YAxis domain={yDomain ?? ['auto', 'auto']} {...valueAxis(yLabel, fmt)} />
        <Tooltip {...tooltipFormat(fmt)} />
        <Legend {...legendAbove} />
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
    </ChartFrame>
  );
});
