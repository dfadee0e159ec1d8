// Several kept runs' curves on one chart: per run, its training curve (solid) and its per-epoch test
// curve (dashed, with dots), in the run's colour, against training steps. A curve a run lacks (training
// accuracy of a one-output sigmoid network) is left out of the chart and its legend.
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_MARGIN, ChartFrame, legendAbove, stepAxis, tooltipFormat, valueAxis } from '../components/Chart';
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
    <ChartFrame title={title} label={`${title} of the selected runs`} height={260}>
      <LineChart margin={CHART_MARGIN}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis {...stepAxis} />
        <YAxis domain={percent ? [0, 100] : ['auto', 'auto']} {...valueAxis(yLabel, fmt)} />
        <Tooltip {...tooltipFormat(fmt)} />
        <Legend {...legendAbove} />
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
    </ChartFrame>
  );
}
