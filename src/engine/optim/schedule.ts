// Learning-rate schedules: the rate for 0-based step t.
export type LrSchedule =
  | { kind: 'constant' }
  /** lr * gamma^floor(t / stepSize) */
  | { kind: 'step'; stepSize: number; gamma: number }
  /** minLr + (lr - minLr) * (1 + cos(pi * min(t, totalSteps) / totalSteps)) / 2 */
  | { kind: 'cosine'; totalSteps: number; minLr?: number };

export function learningRateAt(schedule: LrSchedule, baseLr: number, step: number): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * Math.pow(schedule.gamma, Math.floor(step / Math.max(1, schedule.stepSize)));
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const t = Math.min(step, schedule.totalSteps) / Math.max(1, schedule.totalSteps);
      return minLr + ((baseLr - minLr) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
}
