// Confusion matrix as a heat map table (rows: true class, columns: predicted), with per-class
// precision, recall and F1 beside it.
import { memo } from 'react';
import type { ClassificationReport } from '../../src/eval/metrics';
import { formatPercent } from './format';

export const ConfusionMatrix = memo(function ConfusionMatrix({
  report,
  labels,
}: {
  report: ClassificationReport;
  labels: string[];
}) {
  const n = report.classes;
  let max = 1;
  for (const v of report.confusion) max = Math.max(max, v);
  return (
    <div className="confusion-wrap">
      <table className="confusion" aria-label="Confusion matrix: rows are true classes, columns predicted classes">
        <thead>
          <tr>
            <th scope="col" className="corner">
              true ╲ predicted
            </th>
            {labels.map((l) => (
              <th key={l} scope="col">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((l, t) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              {labels.map((_, p) => {
                const v = report.confusion[t * n + p];
                const alpha = v / max;
                return (
                  <td
                    key={p}
                    className={t === p ? 'diag' : undefined}
                    style={{
                      background: t === p ? `rgba(59, 91, 219, ${alpha})` : `rgba(232, 89, 12, ${alpha})`,
                      color: alpha > 0.55 ? '#fff' : undefined,
                    }}
                  >
                    {v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <table className="class-metrics" aria-label="Precision, recall and F1 per class">
        <thead>
          <tr>
            <th scope="col">class</th>
            <th scope="col">precision</th>
            <th scope="col">recall</th>
            <th scope="col">F1</th>
            <th scope="col">support</th>
          </tr>
        </thead>
        <tbody>
          {report.perClass.map((m, c) => (
            <tr key={c}>
              <th scope="row">{labels[c]}</th>
              <td>{formatPercent(m.precision)}</td>
              <td>{formatPercent(m.recall)}</td>
              <td>{formatPercent(m.f1)}</td>
              <td>{m.support}</td>
            </tr>
          ))}
          <tr className="macro">
            <th scope="row">macro avg</th>
            <td>{formatPercent(report.macro.precision)}</td>
            <td>{formatPercent(report.macro.recall)}</td>
            <td>{formatPercent(report.macro.f1)}</td>
            <td>{report.perClass.reduce((s, m) => s + m.support, 0)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
});
