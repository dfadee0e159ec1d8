import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../../../src/engine/optim/schedule';
import { lrScheduleFor, schedulePoints, stepsPerEpochFor } from '../../../app/learn/schedule';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../../app/store/run';

const settings = (over: Partial<TrainSettings>): TrainSettings => ({ ...DEFAULT_SETTINGS, ...over });

describe('learning-rate schedule plot', () => {
  it('counts steps per epoch as the batcher does (validation held out, last batch partial)', () => {
    expect(stepsPerEpochFor(settings({ batchSize: 100, validationSplit: 0, trainLimit: 0 }), 60_000)).toBe(600);
    expect(stepsPerEpochFor(settings({ batchSize: 128, validationSplit: 0, trainLimit: 0 }), 60_000)).toBe(469);
    // 400 samples, 0.25 held out: 300 train, batch 32 -> 10 batches (the last holds 12).
    expect(stepsPerEpochFor(settings({ batchSize: 32, validationSplit: 0.25, trainLimit: 0 }), 400)).toBe(10);
    expect(stepsPerEpochFor(settings({ batchSize: 10, validationSplit: 0, trainLimit: 50 }), 400)).toBe(5);
  });

  it('plots a step decay: the rate halves after each decay period, with both sides of each drop', () => {
    const s = settings({ schedule: 'step', learningRate: 0.1, decayEpochs: 2, decayRate: 0.5, epochs: 6 });
    const points = schedulePoints(s, 10);
    const at = (step: number) => points.find((p) => p.step === step)?.lr;
    expect(at(0)).toBe(0.1);
    expect(at(19)).toBe(0.1);
    expect(at(20)).toBe(0.05);
    expect(at(39)).toBe(0.05);
    expect(at(40)).toBe(0.025);
    expect(at(59)).toBe(0.025);
    expect(points[points.length - 1].step).toBe(59);
    expect(points.find((p) => p.step === 20)?.epoch).toBe(2);
  });

  it('plots a cosine schedule from the base rate down to near zero at the last step', () => {
    const s = settings({ schedule: 'cosine', learningRate: 0.01, epochs: 4 });
    const points = schedulePoints(s, 25);
    expect(points[0].lr).toBeCloseTo(0.01, 12);
    const middle = points.find((p) => p.step === 50)!;
    expect(middle.lr).toBeCloseTo(0.005, 12);
    expect(points[points.length - 1].lr).toBeLessThan(0.01 * 0.001);
    for (let i = 1; i < points.length; i++) expect(points[i].lr).toBeLessThanOrEqual(points[i - 1].lr);
  });

  it('gives every point the value the engine trains with (learningRateAt on the same schedule)', () => {
    for (const schedule of ['constant', 'step', 'cosine'] as const) {
      const s = settings({ schedule, learningRate: 0.003, epochs: 7, decayEpochs: 3, decayRate: 0.3 });
      const engine = lrScheduleFor(s, 469);
      const points = schedulePoints(s, 469);
      expect(points.length).toBeLessThanOrEqual(400 + 2 * 3 + 1);
      for (const p of points) expect(p.lr).toBe(learningRateAt(engine, 0.003, p.step));
    }
  });

  it('builds the engine schedule in optimiser steps from epochs', () => {
    expect(lrScheduleFor(settings({ schedule: 'step', decayEpochs: 2, decayRate: 0.1 }), 600)).toEqual({
      kind: 'step',
      stepSize: 1200,
      gamma: 0.1,
    });
    expect(lrScheduleFor(settings({ schedule: 'cosine', epochs: 3 }), 600)).toEqual({
      kind: 'cosine',
      totalSteps: 1800,
    });
    expect(lrScheduleFor(settings({ schedule: 'constant' }), 600)).toEqual({ kind: 'constant' });
  });
});
