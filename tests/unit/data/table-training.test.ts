// A kept table trains in the worker's run loop (Node, CPU backend): the run uses the data set's own
// split, a regression's test loss falls and its predicted-vs-true report comes back in the target's
// units, and a classification ends in an evaluation over the data set's classes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../app/store/run';
import type { FromWorker } from '../../../app/worker/protocol';
import { TrainingRun } from '../../../app/worker/training';
import { mulberry32 } from '../../../src/data/random';
import { defaultChoices, encodeTable, parseTableText } from '../../../src/data/table';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { templateById } from '../../../src/engine/graph';

function encode(csv: string, file: string) {
  const table = parseTableText(csv, file);
  return encodeTable(table, { ...defaultChoices(table), testFraction: 0.2 }, { id: file, name: file, createdAt: 0 });
}

async function train(dataset: ReturnType<typeof encode>, epochs: number) {
  const messages: FromWorker[] = [];
  const fit =
    dataset.task === 'regression'
      ? { inputShape: dataset.inputShape, task: 'regression' as const, outputs: 1 }
      : { inputShape: dataset.inputShape, task: 'classification' as const, outputs: dataset.classNames.length };
  const run = new TrainingRun(cpuBackend(), (m) => messages.push(m));
  await run.run(
    templateById('table-mlp')!.build(fit),
    { ...DEFAULT_SETTINGS, epochs, batchSize: 16, learningRate: 0.01 },
    { kind: 'dataset', dataset },
  );
  return messages;
}

describe('training on a kept table', () => {
  it('regression: the test loss falls and predictions come back in the target units', async () => {
    const rng = mulberry32(4);
    const lines = ['a,b,c,y'];
    for (let i = 0; i < 200; i++) {
      const [a, b, c] = [rng() * 4, rng() * 2, rng()];
      lines.push(`${a},${b},${c},${100 + 10 * a - 5 * b + rng() * 0.5}`);
    }
    const dataset = encode(lines.join('\n'), 'lin.csv');
    const messages = await train(dataset, 6);
    const states = messages.filter((m) => m.type === 'run-state').map((m) => m.state);
    expect(states.at(-1)).toBe('finished');
    const test = messages.flatMap((m) => (m.type === 'test-metrics' ? [m.loss] : []));
    expect(test).toHaveLength(6);
    expect(test.at(-1)!).toBeLessThan(test[0] * 0.5);
    const report = messages.find((m) => m.type === 'regression')!;
    if (report.type !== 'regression') throw new Error('no regression report');
    expect(report.report.targetName).toBe('y');
    expect(report.report.total).toBe(dataset.split.test.length);
    // True values are y itself (about 100 + 10a − 5b), not the standardised targets.
    const first = dataset.split.test[0];
    const y = parseTableText(lines.join('\n'), 'lin.csv').columns[3].numbers[first];
    expect(report.report.truth[0]).toBeCloseTo(y, 3);
    expect(report.report.r2).toBeGreaterThan(0.5);
  });

  it('classification: accuracy per epoch and an evaluation over the classes', async () => {
    const rng = mulberry32(5);
    const lines = ['x1,x2,kind'];
    for (let i = 0; i < 150; i++) {
      const k = i % 3;
      lines.push(`${k * 3 + rng()},${rng()},${['ash', 'elm', 'yew'][k]}`);
    }
    const dataset = encode(lines.join('\n'), 'trees.csv');
    expect(dataset.classNames).toEqual(['ash', 'elm', 'yew']);
    const messages = await train(dataset, 8);
    const evaluation = messages.find((m) => m.type === 'evaluation');
    if (evaluation?.type !== 'evaluation') throw new Error('no evaluation');
    expect(evaluation.report.classes).toBe(3);
    expect(evaluation.report.truth.length).toBe(dataset.split.test.length);
    const correct = evaluation.report.predicted.filter((p, i) => p === evaluation.report.truth[i]).length;
    expect(correct / evaluation.report.truth.length).toBeGreaterThan(0.8);
    expect(messages.some((m) => m.type === 'regression')).toBe(false);
  });
});
