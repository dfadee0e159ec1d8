import { describe, expect, it } from 'vitest';
import { appendPoint, emptySeries, seriesPoints, smooth } from '../../../app/train/series';

describe('chart series', () => {
  it('never exceeds maxPoints and spans the whole run in equal buckets', () => {
    let s = emptySeries();
    for (let step = 1; step <= 10_000; step++) s = appendPoint(s, { x: step, y: step * 2 }, 100);
    const points = seriesPoints(s);
    expect(points.length).toBeLessThanOrEqual(101);
    expect(s.bucket).toBe(128);
    // The first point averages steps 1..128; the last covers the newest steps.
    expect(points[0].x).toBeCloseTo(64.5, 9);
    expect(points.at(-1)!.x).toBeGreaterThan(9_900);
    for (let i = 1; i < points.length; i++) expect(points[i].x).toBeGreaterThan(points[i - 1].x);
    // Averages are exact: y = 2x holds for every bucket.
    for (const p of points) expect(p.y).toBeCloseTo(2 * p.x, 9);
  });

  it('keeps every point while under the limit', () => {
    let s = emptySeries();
    for (let step = 0; step < 50; step++) s = appendPoint(s, { x: step, y: -step }, 100);
    expect(seriesPoints(s)).toHaveLength(50);
    expect(seriesPoints(s)[49]).toEqual({ x: 49, y: -49 });
  });

  it('smooths with a debiased EMA: a constant stays constant, a step is followed gradually', () => {
    const flat = smooth(
      [1, 2, 3].map((x) => ({ x, y: 5 })),
      0.9,
    );
    for (const p of flat) expect(p.y).toBeCloseTo(5, 12);
    const stepped = smooth(
      [0, 0, 10, 10].map((y, x) => ({ x, y })),
      0.5,
    );
    expect(stepped[2].y).toBeGreaterThan(0);
    expect(stepped[2].y).toBeLessThan(10);
    expect(smooth([{ x: 0, y: 2 }], 0)).toEqual([{ x: 0, y: 2 }]);
  });
});
