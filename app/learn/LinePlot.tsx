// A small SVG line chart with labelled axes for the explanations: a few series over one x range,
// ticks at round numbers, colours from the theme's CSS variables.
import { memo, type ReactNode } from 'react';

export interface PlotSeries {
  name: string;
  points: readonly { x: number; y: number }[];
  /** A CSS colour, normally a theme variable such as var(--accent). */
  color: string;
  dashed?: boolean;
}

const MARGIN = { left: 52, right: 12, top: 10, bottom: 38 };

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

export const LinePlot = memo(function LinePlot({
  series,
  xLabel,
  yLabel,
  title,
  yDomain,
  xDomain,
  width: WIDTH = 360,
  height: HEIGHT = 200,
  overlay,
}: {
  series: PlotSeries[];
  xLabel: string;
  yLabel: string;
  /** The accessible name of the figure. */
  title: string;
  yDomain?: [number, number];
  /** The x range drawn; by default the data's. */
  xDomain?: [number, number];
  /** Size of the drawing in SVG units (it scales to its container's width). */
  width?: number;
  height?: number;
  /** Extra SVG drawn on the plot area, given the scales (a reference line, markers). */
  overlay?: (sx: (x: number) => number, sy: (y: number) => number) => ReactNode;
}) {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y).filter(Number.isFinite);
  const [x0, x1] = xDomain ?? [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = yDomain ?? [Math.min(0, ...ys), Math.max(...ys)];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const pad = yDomain ? 0 : (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * (WIDTH - MARGIN.left - MARGIN.right);
  const sy = (y: number) => HEIGHT - MARGIN.bottom - ((y - y0) / (y1 - y0)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const path = (s: PlotSeries) =>
    s.points
      .filter((p) => Number.isFinite(p.y))
      .map((p, i) => {
        // Values beyond a fixed y range are drawn at its edge rather than outside the frame.
        const x = sx(p.x).toFixed(1);
        const y = sy(Math.min(y1, Math.max(y0, p.y))).toFixed(1);
        return i === 0 ? `M${x},${y}` : `L${x},${y}`;
      })
      .join('');

  return (
    <figure className="learn-plot">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <title>{title}</title>
        {niceTicks(y0, y1).map((t) => (
          <g key={`y${t}`}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={sy(t)} y2={sy(t)} className="learn-grid" />
            <text x={MARGIN.left - 6} y={sy(t) + 4} textAnchor="end" className="learn-tick">
              {formatTick(t)}
            </text>
          </g>
        ))}
        {niceTicks(x0, x1).map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} className="learn-grid" />
            <text x={sx(t)} y={HEIGHT - MARGIN.bottom + 14} textAnchor="middle" className="learn-tick">
              {formatTick(t)}
            </text>
          </g>
        ))}
        <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={HEIGHT - MARGIN.bottom} className="learn-axis" />
        <line
          x1={MARGIN.left}
          x2={WIDTH - MARGIN.right}
          y1={HEIGHT - MARGIN.bottom}
          y2={HEIGHT - MARGIN.bottom}
          className="learn-axis"
        />
        {overlay?.(sx, sy)}
        {series.map((s) => (
          <path
            key={s.name}
            d={path(s)}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            strokeDasharray={s.dashed ? '5 4' : undefined}
            data-series={s.name}
          />
        ))}
        <text x={(MARGIN.left + WIDTH - MARGIN.right) / 2} y={HEIGHT - 4} textAnchor="middle" className="learn-label">
          {xLabel}
        </text>
        <text
          transform={`translate(12 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)`}
          textAnchor="middle"
          className="learn-label"
        >
          {yLabel}
        </text>
      </svg>
      {series.length > 1 && (
        <figcaption className="learn-legend">
          {series.map((s) => (
            <span key={s.name}>
              <svg width="22" height="8" aria-hidden="true">
                <line
                  x1="1"
                  x2="21"
                  y1="4"
                  y2="4"
                  stroke={s.color}
                  strokeWidth="2"
                  strokeDasharray={s.dashed ? '5 4' : undefined}
                />
              </svg>
              {s.name}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
});
