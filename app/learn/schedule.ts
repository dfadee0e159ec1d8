// The learning-rate schedule a run uses, built from the Train settings. The worker trains with it and
// the schedule plot draws it, both through the engine's learningRateAt, so the two cannot disagree.
import { learningRateAt, type LrSchedule } from '../../src/engine/optim/schedule';
import type { TrainSettings } from '../store/run';

type ScheduleSettings = Pick<TrainSettings, 'schedule' | 'decayEpochs' | 'decayRate' | 'epochs'>;

/** The engine schedule for these settings when one epoch is `stepsPerEpoch` optimiser steps. */
export function lrScheduleFor(s: ScheduleSettings, stepsPerEpoch: number): LrSchedule {
  if (s.schedule === 'step') return { kind: 'step', stepSize: s.decayEpochs * stepsPerEpoch, gamma: s.decayRate };
  if (s.schedule === 'cosine') return { kind: 'cosine', totalSteps: s.epochs * stepsPerEpoch };
  return { kind: 'constant' };
}

/**
 * Optimiser steps per epoch as the worker's batcher counts them: the training samples left after the
 * validation split, in batches of `batchSize`, the last one partial.
 */
export function stepsPerEpochFor(
  s: Pick<TrainSettings, 'trainLimit' | 'validationSplit' | 'batchSize'>,
  totalSamples: number,
): number {
  const count = s.trainLimit > 0 ? Math.min(s.trainLimit, totalSamples) : totalSamples;
  const train = count - Math.round(count * s.validationSplit);
  return Math.max(1, Math.ceil(train / Math.max(1, s.batchSize)));
}

export interface SchedulePoint {
  step: number;
  /** step / stepsPerEpoch, for an axis in epochs. */
  epoch: number;
  lr: number;
}

/**
 * The learning rate over the whole run (every step when there are at most `maxPoints` of them, else an
 * even sample that keeps the first and last step and every step where a step schedule drops).
 */
export function schedulePoints(
  s: ScheduleSettings & Pick<TrainSettings, 'learningRate'>,
  stepsPerEpoch: number,
  maxPoints = 400,
): SchedulePoint[] {
  const schedule = lrScheduleFor(s, stepsPerEpoch);
  const totalSteps = Math.max(1, s.epochs * stepsPerEpoch);
  const steps = new Set<number>();
  const stride = Math.max(1, Math.ceil(totalSteps / maxPoints));
  for (let t = 0; t < totalSteps; t += stride) steps.add(t);
  steps.add(totalSteps - 1);
  if (schedule.kind === 'step') {
    // Both sides of each drop, so the plot shows a vertical step rather than a slope.
    for (let t = schedule.stepSize; t < totalSteps; t += schedule.stepSize) {
      steps.add(t - 1);
      steps.add(t);
    }
  }
  return [...steps]
    .sort((a, b) => a - b)
    .map((step) => ({ step, epoch: step / stepsPerEpoch, lr: learningRateAt(schedule, s.learningRate, step) }));
}
