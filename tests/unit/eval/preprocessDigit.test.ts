import { describe, expect, it } from 'vitest';
import { MNIST_SIDE, preprocessDigit } from '../../../app/train/preprocessDigit';

function canvas(width: number, height: number, draw: (x: number, y: number) => number): Float32Array {
  const ink = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) ink[y * width + x] = draw(x, y);
  return ink;
}

function box(img: Float32Array) {
  let minX = 99,
    minY = 99,
    maxX = -1,
    maxY = -1,
    mass = 0,
    cx = 0,
    cy = 0;
  for (let y = 0; y < MNIST_SIDE; y++) {
    for (let x = 0; x < MNIST_SIDE; x++) {
      const v = img[y * MNIST_SIDE + x];
      if (v > 0.01) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  return { w: maxX - minX + 1, h: maxY - minY + 1, cx: cx / mass, cy: cy / mass };
}

describe('preprocessDigit', () => {
  it('returns null for an empty canvas', () => {
    expect(preprocessDigit(new Float32Array(280 * 280), 280, 280)).toBeNull();
  });

  it('scales a tall stroke in a corner to 20 px high and centres its mass', () => {
    // A vertical bar 20 px wide and 200 px tall in the top-left of a 280x280 canvas.
    const ink = canvas(280, 280, (x, y) => (x >= 10 && x < 30 && y >= 5 && y < 205 ? 1 : 0));
    const img = preprocessDigit(ink, 280, 280)!;
    expect(img).toHaveLength(784);
    const b = box(img);
    expect(b.h).toBe(20);
    expect(b.w).toBe(2);
    expect(Math.abs(b.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...img)).toBeLessThanOrEqual(1);
  });

  it('keeps total ink proportional to area (area-averaged, not nearest-neighbour)', () => {
    // A filled square 100x100 scales to 20x20 of full ink.
    const ink = canvas(280, 280, (x, y) => (x >= 150 && x < 250 && y >= 100 && y < 200 ? 1 : 0));
    const img = preprocessDigit(ink, 280, 280)!;
    const total = img.reduce((s, v) => s + v, 0);
    expect(total).toBeCloseTo(400, 3);
    expect(box(img)).toMatchObject({ w: 20, h: 20 });
  });
});
