import { describe, expect, it } from 'vitest';
import { makeSyntheticSet, SYNTHETIC_SETS, type SyntheticSetKind } from '../../../src/data/synthetic';

const KINDS = Object.keys(SYNTHETIC_SETS) as SyntheticSetKind[];

describe('synthetic data sets', () => {
  it('have the requested size and shapes', () => {
    for (const kind of KINDS) {
      for (const size of [1, 7, 250]) {
        const set = makeSyntheticSet({ kind, size, noise: 0.2, seed: 3 });
        const info = SYNTHETIC_SETS[kind];
        expect(set.total).toBe(size);
        expect(set.x.length).toBe(size * info.features);
        expect(set.available()).toBe(size);
        expect(set.x.every(Number.isFinite)).toBe(true);
        if (info.task === 'classification') expect(set.labels!.length).toBe(size);
        else expect(set.targets!.length).toBe(size);
      }
    }
  });

  it('balance their classes exactly (counts differ by at most one)', () => {
    for (const [kind, classes] of [
      ['xor', 2],
      ['circles', 2],
      ['spirals', 2],
      ['blobs', 2],
      ['blobs', 5],
    ] as const) {
      const set = makeSyntheticSet({ kind, size: 301, noise: 0.1, seed: 1, classes });
      const counts = new Array(classes).fill(0);
      for (const label of set.labels!) counts[label]++;
      expect(Math.max(...counts) - Math.min(...counts), `${kind} ${counts}`).toBeLessThanOrEqual(1);
      expect(set.numClasses).toBe(classes);
    }
  });

  it('are deterministic for a seed and differ between seeds', () => {
    for (const kind of KINDS) {
      const a = makeSyntheticSet({ kind, size: 100, noise: 0.3, seed: 42 });
      const b = makeSyntheticSet({ kind, size: 100, noise: 0.3, seed: 42 });
      const c = makeSyntheticSet({ kind, size: 100, noise: 0.3, seed: 43 });
      expect(b.x).toEqual(a.x);
      expect(b.labels ?? b.targets).toEqual(a.labels ?? a.targets);
      expect(c.x).not.toEqual(a.x);
    }
  });

  it('without noise put each class where its definition says', () => {
    const xor = makeSyntheticSet({ kind: 'xor', size: 400, noise: 0, seed: 1 });
    for (let i = 0; i < 400; i++) expect(xor.x[2 * i] * xor.x[2 * i + 1] > 0 ? 1 : 0).toBe(xor.labels![i]);
    const circles = makeSyntheticSet({ kind: 'circles', size: 400, noise: 0, seed: 1 });
    for (let i = 0; i < 400; i++) {
      const r = Math.hypot(circles.x[2 * i], circles.x[2 * i + 1]);
      if (circles.labels![i] === 0) expect(r).toBeLessThanOrEqual(2.5 + 1e-5);
      else expect(r).toBeGreaterThanOrEqual(3.5 - 1e-5);
    }
    const sine = makeSyntheticSet({ kind: 'sine', size: 100, noise: 0, seed: 1 });
    for (let i = 0; i < 100; i++) expect(sine.targets![i]).toBeCloseTo(Math.sin(sine.x[i]), 5);
    const plane = makeSyntheticSet({ kind: 'plane', size: 100, noise: 0, seed: 1 });
    for (let i = 0; i < 100; i++)
      expect(plane.targets![i]).toBeCloseTo((plane.x[2 * i] - 2 * plane.x[2 * i + 1]) / 6, 5);
  });

  it('spread points further as noise grows', () => {
    const spread = (noise: number) => {
      const set = makeSyntheticSet({ kind: 'circles', size: 1000, noise, seed: 2 });
      let inner = 0;
      for (let i = 0; i < 1000; i++)
        if (set.labels![i] === 0) inner = Math.max(inner, Math.hypot(set.x[2 * i], set.x[2 * i + 1]));
      return inner;
    };
    expect(spread(0.5)).toBeGreaterThan(spread(0) + 1);
  });

  it('reject bad settings with a clear error', () => {
    expect(() => makeSyntheticSet({ kind: 'xor', size: 0, noise: 0, seed: 1 })).toThrow(/XOR: size must be/);
    expect(() => makeSyntheticSet({ kind: 'xor', size: 10, noise: 2, seed: 1 })).toThrow(/noise must be in \[0, 1\]/);
    expect(() => makeSyntheticSet({ kind: 'blobs', size: 10, noise: 0, seed: 1, classes: 1 })).toThrow(/classes/);
  });
});
