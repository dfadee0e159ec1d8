// The path from a finished run to the ROC figures: the worker's evaluation report for a one-sigmoid
// (binary) model and a softmax model carries the probabilities, and the run store turns them into ROC/AUC.
import { describe, expect, it } from 'vitest';
import { TrainingRun } from '../../../app/worker/training';
import type { EvaluationReport, FromWorker } from '../../../app/worker/protocol';
import { DEFAULT_SETTINGS } from '../../../app/store/run';
import { evaluationOf } from '../../../app/store/run';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, templateById, type Design } from '../../../src/engine/graph';
import type { SyntheticOptions } from '../../../src/data/synthetic';

async function evaluate(design: Design, options: SyntheticOptions): Promise<EvaluationReport> {
  const messages: FromWorker[] = [];
  const run = new TrainingRun(cpuBackend(), (m) => messages.push(m));
  await run.run(
    design,
    { ...DEFAULT_SETTINGS, batchSize: 20, epochs: 4, learningRate: 0.05 },
    {
      kind: 'synthetic',
      options,
    },
  );
  const evaluation = messages.find((m) => m.type === 'evaluation');
  if (!evaluation || evaluation.type !== 'evaluation') throw new Error('no evaluation was posted');
  return evaluation.report;
}

describe('evaluation report for ROC', () => {
  it('reports a sigmoid output as two columns (1 - p, p) and gives it a ROC curve', async () => {
    const report = await evaluate(templateById('xor')!.build(), { kind: 'xor', size: 200, noise: 0.1, seed: 3 });
    const count = report.truth.length;
    expect(report.classes).toBe(2);
    expect(report.probabilities).toHaveLength(count * 2);
    for (let i = 0; i < count; i++) {
      expect(report.probabilities[i * 2] + report.probabilities[i * 2 + 1]).toBeCloseTo(1, 5);
      expect(report.predicted[i]).toBe(report.probabilities[i * 2 + 1] > 0.5 ? 1 : 0);
    }
    const { roc } = evaluationOf(report);
    expect(roc.binary).not.toBeNull();
    expect(roc.binary!.auc).toBeGreaterThan(0.5);
    expect(roc.binary!.positives + roc.binary!.negatives).toBe(count);
  });

  it('gives a softmax model one-vs-rest AUC per class and no binary curve', async () => {
    const b = new DesignBuilder('blobs');
    b.add('Input', { shape: [2] });
    b.add('Dense', { units: 8, activation: 'relu' });
    b.add('Dense', { units: 3, activation: 'softmax' });
    const report = await evaluate(b.build(), { kind: 'blobs', size: 150, noise: 0.1, seed: 2, classes: 3 });
    expect(report.probabilities).toHaveLength(report.truth.length * 3);
    const { roc } = evaluationOf(report);
    expect(roc.binary).toBeNull();
    expect(roc.perClassAuc).toHaveLength(3);
    for (const auc of roc.perClassAuc) expect(auc).toBeGreaterThan(0.5);
  });

  it('shows AUC as undefined, without throwing, when the probabilities hold NaN', () => {
    const report: EvaluationReport = {
      classes: 2,
      predicted: Int32Array.from([0, 1]),
      truth: Int32Array.from([0, 1]),
      probabilities: Float32Array.from([Number.NaN, Number.NaN, 0.2, 0.8]),
      misclassified: [],
      filters: null,
    };
    const { roc, metrics } = evaluationOf(report);
    expect(roc).toEqual({ binary: null, perClassAuc: [null, null] });
    expect(metrics.accuracy).toBe(1);
  });
});
