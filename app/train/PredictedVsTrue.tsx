// A regression run's test set as a scatter plot: each point is one test sample, its true target across,
// the network's prediction up; the diagonal is where a perfect model's points lie. RMSE and R² beside it.
import { useMemo } from 'react';
import {
  CartesianGrid,
  Label,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';
import type { RegressionReport } from '../worker/protocol';
import type { Point } from './series';

const AXIS_LABEL = { fontSize: 13, fill: 'var(--muted)' };

/** A number with about three significant digits. */
function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** Round axis limits covering both truth and predictions, and ticks at a 1, 2 or 5 step between them. */
function axisOf(report: RegressionReport): { domain: [number, number]; ticks: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of [report.truth, report.predicted])
    for (const v of a) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!Number.isFinite(lo)) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const rough = (hi - lo) / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let k = 0; start + k * step <= end + step / 2; k++) ticks.push(Number((start + k * step).toPrecision(12)));
  return { domain: [start, end], ticks };
}

export interface PredictedVsTrueProps {
  report: RegressionReport;
  /** The test loss after each epoch (mean squared error on the standardised target), first to last. */
  testLoss: readonly Point[];
  /** The validation loss after each epoch (empty without a validation split). */
  validationLoss: readonly Point[];
}

export function PredictedVsTrue({ report, testLoss, validationLoss }: PredictedVsTrueProps) {
  const points = useMemo(
    () => Array.from(report.truth, (t, i) => ({ truth: t, predicted: report.predicted[i] })),
    [report],
  );
  const { domain, ticks } = useMemo(() => axisOf(report), [report]);
  const name = report.targetName;
  const shown = report.truth.length;

  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16, alignItems: 'flex-start' }}>
      <figure
        className="chart"
        style={{ flex: '1 1 520px', maxWidth: 640 }}
        aria-label={`Predicted against true ${name}`}
      >
        <ResponsiveContainer width="100%" height={440}>
          <ScatterChart margin={{ top: 12, right: 24, bottom: 36, left: 20 }}>
            <CartesianGrid stroke="var(--grid)" />
            <XAxis
              type="number"
              dataKey="truth"
              name={`true ${name}`}
              domain={domain}
              ticks={ticks}
              tickFormatter={formatValue}
              allowDataOverflow
              tick={{ fontSize: 12 }}
            >
              <Label value={`true ${name}`} position="bottom" offset={14} style={AXIS_LABEL} />
            </XAxis>
            <YAxis
              type="number"
              dataKey="predicted"
              name={`predicted ${name}`}
              domain={domain}
              ticks={ticks}
              tickFormatter={formatValue}
              allowDataOverflow
              width={64}
              tick={{ fontSize: 12 }}
            >
              <Label
                value={`predicted ${name}`}
                angle={-90}
                position="insideLeft"
                offset={-8}
                style={{ ...AXIS_LABEL, textAnchor: 'middle' }}
              />
            </YAxis>
            <ZAxis range={[14, 14]} />
            <Tooltip cursor={false} formatter={(v) => (typeof v === 'number' ? formatValue(v) : String(v))} />
            <ReferenceLine
              segment={[
                { x: domain[0], y: domain[0] },
                { x: domain[1], y: domain[1] },
              ]}
              stroke="var(--muted)"
              strokeDasharray="4 4"
              ifOverflow="hidden"
            />
            <Scatter
              name="test samples"
              data={points}
              fill="var(--accent)"
              fillOpacity={0.55}
              isAnimationActive={false}
            />
          </ScatterChart>
        </ResponsiveContainer>
        <figcaption className="muted small">
          One point per test sample; on the dashed diagonal the prediction equals the truth.
        </figcaption>
      </figure>
      <dl
        className="figures"
        style={{ flex: '1 1 200px', gridTemplateColumns: 'minmax(0, 1fr)' }}
        aria-label="Test-set regression figures"
      >
        <div className="figure">
          <dt>RMSE ({name})</dt>
          <dd data-testid="regression-rmse">{formatValue(report.rmse)}</dd>
        </div>
        <div className="figure">
          <dt>R²</dt>
          <dd data-testid="regression-r2">{Number.isFinite(report.r2) ? report.r2.toFixed(3) : '–'}</dd>
        </div>
        {validationLoss.length > 1 && (
          <div className="figure">
            <dt>Validation loss, first → last epoch</dt>
            <dd data-testid="regression-validation-loss">
              {formatValue(validationLoss[0].y)} → {formatValue(validationLoss[validationLoss.length - 1].y)}
            </dd>
          </div>
        )}
        {testLoss.length > 1 && (
          <div className="figure">
            <dt>Test loss, first → last epoch</dt>
            <dd data-testid="regression-test-loss">
              {formatValue(testLoss[0].y)} → {formatValue(testLoss[testLoss.length - 1].y)}
            </dd>
          </div>
        )}
        <div className="figure">
          <dt>Test samples</dt>
          <dd>
            {shown < report.total
              ? `${shown.toLocaleString('en-US')} of ${report.total.toLocaleString('en-US')} shown`
              : report.total.toLocaleString('en-US')}
          </dd>
        </div>
      </dl>
    </div>
  );
}
