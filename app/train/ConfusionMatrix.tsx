// Confusion matrix as a heat map table (rows: true class, columns: predicted), with per-class
// precision, recall, F1 and one-vs-rest AUC beside it.
import { memo } from 'react';
import type { ClassificationReport } from '../../src/eval/metrics';
import { ExplainButton } from '../learn/Explain';
import { formatPercent } from './format';
import { formatAuc } from './RocCurve';

export const ConfusionMatrix = memo(function ConfusionMatrix({
  report,
  labels,
  auc,
}: {
  report: ClassificationReport;
  labels: string[];
  /** One-vs-rest AUC per class (null where undefined); the column is left out without it. */
  auc?: (number | null)[];
}) {
  const n = report.classes;
  let max = 1;
  for (const v of report.confusion) max = Math.max(max, v);
  return (
    <div className="confusion-wrap">
      <table className="confusion" aria-label="Confusion matrix: rows are true classes, columns predicted classes">
        <caption className="confusion-caption">
          Confusion matrix
          <ExplainButton topic="confusion-matrix" />
        </caption>
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
                      // The theme's accent (right) and second colour (wrong), as strong as the count: in
                      // the dark theme too, where both are light and the text on a strong cell turns dark.
                      background: `color-mix(in srgb, var(${t === p ? '--accent' : '--second'}) ${Math.round(alpha * 100)}%, transparent)`,
                      color: alpha > 0.55 ? 'var(--on-accent)' : undefined,
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
      <table
        className="class-metrics"
        aria-label={auc ? 'Precision, recall, F1 and one-vs-rest AUC per class' : 'Precision, recall and F1 per class'}
      >
        <thead>
          <tr>
            <th scope="col">class</th>
            <th scope="col">
              precision
              <ExplainButton topic="precision" />
            </th>
            <th scope="col">
              recall
              <ExplainButton topic="recall" />
            </th>
            <th scope="col">
              F1
              <ExplainButton topic="f1" />
            </th>
            {auc && (
              <th scope="col">
                AUC (one-vs-rest)
                <ExplainButton topic="roc-auc" />
              </th>
            )}
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
              {auc && (
                <td title={auc[c] === null ? 'No test samples of this class (or only this class)' : undefined}>
                  {formatAuc(auc[c])}
                </td>
              )}
              <td>{m.support}</td>
            </tr>
          ))}
          <tr className="macro">
            <th scope="row">macro avg</th>
            <td>{formatPercent(report.macro.precision)}</td>
            <td>{formatPercent(report.macro.recall)}</td>
            <td>{formatPercent(report.macro.f1)}</td>
            {auc && <td>{formatAuc(macroAuc(auc))}</td>}
            <td>{report.perClass.reduce((s, m) => s + m.support, 0)}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
});

/** The mean of the defined AUCs (null when none is defined). */
function macroAuc(auc: (number | null)[]): number | null {
  const defined = auc.filter((a): a is number => a !== null);
  return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
}
