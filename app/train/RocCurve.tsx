// A two-class model's test figures: the ROC curve with its AUC and the chance diagonal, beside the
// positive class's precision, recall and F1. When the test set holds only one class the curve is
// undefined and the panel says so.
import { memo } from 'react';
import type { ClassificationReport } from '../../src/eval/metrics';
import type { RocCurve as RocCurveData } from '../../src/eval/roc';
import { ExplainButton } from '../learn/Explain';
import { LinePlot } from '../learn/LinePlot';
import type { TopicId } from '../learn/topics';
import { formatPercent } from './format';

/** "0.973", or "undefined" where the AUC has no value. */
export function formatAuc(auc: number | null): string {
  return auc === null ? 'undefined' : auc.toFixed(3);
}

export const RocCurve = memo(function RocCurve({ roc, positiveLabel }: { roc: RocCurveData; positiveLabel: string }) {
  if (roc.auc === null) {
    const missing = roc.positives === 0 ? `class ${positiveLabel}` : 'the other class';
    return (
      <p className="notice notice-warn small" role="status">
        ROC and AUC are undefined: the test set has no samples of {missing}. Evaluate on more test samples (raise “Test
        samples” or set it to 0 for all).
      </p>
    );
  }
  return (
    <figure className="roc">
      <figcaption>
        <strong>ROC curve</strong> · AUC <span className="roc-auc">{formatAuc(roc.auc)}</span>
      </figcaption>
      <LinePlot
        title={`ROC curve of class ${positiveLabel} against the rest, AUC ${formatAuc(roc.auc)}`}
        xLabel="False positive rate"
        yLabel="True positive rate"
        width={300}
        height={280}
        yDomain={[0, 1]}
        series={[{ name: 'ROC', points: roc.points.map((p) => ({ x: p.fpr, y: p.tpr })), color: 'var(--accent)' }]}
        overlay={(sx, sy) => (
          <line x1={sx(0)} y1={sy(0)} x2={sx(1)} y2={sy(1)} className="learn-axis" strokeDasharray="4 4" />
        )}
      />
    </figure>
  );
});

/** Precision, recall, F1 and AUC of the positive class side by side, with the ROC curve beside them. */
export const BinaryMetrics = memo(function BinaryMetrics({
  metrics,
  roc,
  positiveLabel,
}: {
  metrics: ClassificationReport;
  roc: RocCurveData;
  positiveLabel: string;
}) {
  const positive = metrics.perClass[1];
  const figures: { label: string; value: string; topic: TopicId }[] = [
    { label: 'Precision', value: formatPercent(positive.precision), topic: 'precision' },
    { label: 'Recall', value: formatPercent(positive.recall), topic: 'recall' },
    { label: 'F1', value: formatPercent(positive.f1), topic: 'f1' },
    { label: 'AUC', value: formatAuc(roc.auc), topic: 'roc-auc' },
  ];
  return (
    <div className="binary-metrics">
      <div>
        <h3>Class {positiveLabel} (positive)</h3>
        <dl className="binary-figures" aria-label={`Precision, recall, F1 and AUC for class ${positiveLabel}`}>
          {figures.map((f) => (
            <div key={f.label}>
              <dt>
                {f.label}
                <ExplainButton topic={f.topic} />
              </dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      </div>
      <RocCurve roc={roc} positiveLabel={positiveLabel} />
    </div>
  );
});
