// Chart series that stay fast over long runs: each stored point is the average of `bucket` raw points;
// when a series would exceed `maxPoints`, adjacent pairs merge and the bucket doubles, so the chart
// always spans the whole run at uniform resolution with at most `maxPoints` points. Smoothing is
// TensorBoard's debiased exponential moving average.

export interface Point {
  /** Step (or epoch) on the x axis. */
  x: number;
  y: number;
}

export interface Series {
  /** Completed buckets, oldest first. */
  points: Point[];
  /** Raw points per stored point. */
  bucket: number;
  /** The bucket being filled: sums and count. */
  pending: { x: number; y: number; n: number };
}

export const emptySeries = (): Series => ({ points: [], bucket: 1, pending: { x: 0, y: 0, n: 0 } });

/** Adds one raw point (returns a new Series; the input is not modified). */
export function appendPoint(series: Series, point: Point, maxPoints = 500): Series {
  const pending = { x: series.pending.x + point.x, y: series.pending.y + point.y, n: series.pending.n + 1 };
  if (pending.n < series.bucket) return { ...series, pending };
  let points = series.points.concat({ x: pending.x / pending.n, y: pending.y / pending.n });
  let bucket = series.bucket;
  if (points.length > maxPoints) {
    const merged: Point[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) {
      merged.push({ x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 });
    }
    // An odd last bucket goes back to pending, so that every stored point covers the same span.
    const odd = points.length % 2 === 1 ? points[points.length - 1] : null;
    points = merged;
    bucket *= 2;
    const n = odd ? bucket / 2 : 0;
    return { points, bucket, pending: odd ? { x: odd.x * n, y: odd.y * n, n } : { x: 0, y: 0, n: 0 } };
  }
  return { points, bucket, pending: { x: 0, y: 0, n: 0 } };
}

/** The points to draw: the completed buckets and the partial one. */
export function seriesPoints(series: Series): Point[] {
  const { pending } = series;
  return pending.n ? series.points.concat({ x: pending.x / pending.n, y: pending.y / pending.n }) : series.points;
}

/** y_s[i] = EMA with weight `weight` in [0, 1), debiased so the first points are not pulled to 0. */
export function smooth(series: readonly Point[], weight: number): Point[] {
  if (weight <= 0) return series.slice();
  let ema = 0;
  let debias = 1;
  return series.map((p) => {
    ema = ema * weight + (1 - weight) * p.y;
    debias *= weight;
    return { x: p.x, y: ema / (1 - debias) };
  });
}
