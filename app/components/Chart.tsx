// What the live training charts (app/train/MetricChart) and the runs comparison (app/runs/OverlayChart)
// share: the card with its caption, the empty state, the step axis and the labelled value axis, so both
// read alike. Recharts finds its axes among a chart's direct children, so the axes are props to spread
// (<XAxis {...stepAxis} />) rather than wrapper components.
import type { ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

export interface ChartFrameProps {
  title: string;
  /** The figure's accessible name; the title when absent. */
  label?: string;
  height: number;
  /** Shown over the empty plot area until the chart has points, e.g. "Press Start to train". */
  empty?: string | null;
  children: ReactNode;
}

/** A chart card: caption, the plot at a fixed height, and a centred note while there is nothing to plot. */
export function ChartFrame({ title, label, height, empty, children }: ChartFrameProps) {
  return (
    <figure className="chart card" aria-label={label ?? title}>
      <figcaption className="chart-title">{title}</figcaption>
      <div className="chart-plot">
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
        {empty && <p className="chart-empty">{empty}</p>}
      </div>
    </figure>
  );
}

/** Room around the plot for the axis labels and the legend above it. */
export const CHART_MARGIN = { top: 8, right: 16, bottom: 24, left: 8 };

/** The x axis of every curve: training steps, as whole numbers with thousands separators. */
export const stepAxis = {
  dataKey: 'step',
  type: 'number',
  domain: ['dataMin', 'dataMax'],
  allowDuplicatedCategory: false,
  tickFormatter: (v: number) => Math.round(v).toLocaleString('en-US'),
  label: { value: 'training step', position: 'insideBottom', offset: -12, fill: 'var(--muted)', fontSize: 12 },
  stroke: 'var(--muted)',
  fontSize: 12,
} as const;

/** The y axis with its label (quantity and unit, e.g. "accuracy (%)") written up its left side, centred. */
export function valueAxis(yLabel: string, format: (v: number) => string) {
  return {
    tickFormatter: format,
    width: 56,
    label: {
      value: yLabel,
      angle: -90,
      position: 'insideLeft',
      offset: 4,
      // Rotated text is anchored at its start by default; centring it keeps a long label on the axis.
      style: { textAnchor: 'middle' },
      fill: 'var(--muted)',
      fontSize: 12,
    },
    stroke: 'var(--muted)',
    fontSize: 12,
  } as const;
}

/** Tooltip text: values in the axis format, the x value as "step N". */
export function tooltipFormat(format: (v: number) => string) {
  return {
    formatter: (v: unknown) => (typeof v === 'number' ? format(v) : String(v)),
    labelFormatter: (v: unknown) => `step ${Math.round(Number(v)).toLocaleString('en-US')}`,
  };
}

/**
 * The legend above the plot. Its height is measured, not fixed, so a legend that wraps (several runs) pushes
 * the plot down; the padding keeps the top tick label clear of it.
 */
export const legendAbove = {
  verticalAlign: 'top',
  iconType: 'plainline',
  itemSorter: legendOrder,
  wrapperStyle: { paddingBottom: 8 },
} as const;

const ROLE_RANK: Record<string, string> = { train: '0', validation: '1', test: '2' };

/** Legend order: by series name, with a run's training curve before its validation and test curves. */
export function legendOrder(item: { value?: unknown }): string {
  return String(item.value ?? '').replace(/\b(train|validation|test)\b/, (role) => ROLE_RANK[role]);
}
