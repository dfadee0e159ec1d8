import { describe, expect, it } from 'vitest';
import { axisTaps, resizeImage, type RgbaImage } from '../../../src/data/images/resize';
import { stratifiedSplit } from '../../../src/data/images/split';

/** An opaque RGBA image from [r, g, b] per pixel, row-major. */
function rgba(width: number, height: number, pixels: Array<[number, number, number]>): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  pixels.forEach(([r, g, b], p) => data.set([r, g, b, 255], 4 * p));
  return { width, height, data };
}

const grey = (width: number, height: number, values: number[]) =>
  rgba(
    width,
    height,
    values.map((v) => [v, v, v]),
  );

describe('resizing', () => {
  it('keeps an image of the target size as it is', () => {
    const values = [0, 10, 20, 30, 40, 50];
    expect([...resizeImage(grey(3, 2, values), 2, 3, 'grayscale')]).toEqual(values);
  });

  it('averages areas when shrinking by a whole factor', () => {
    // 4x4 -> 2x2: each output is the mean of a 2x2 block.
    const values = [0, 4, 100, 100, 8, 12, 100, 100, 255, 255, 0, 0, 255, 255, 0, 1];
    expect([...resizeImage(grey(4, 4, values), 2, 2, 'grayscale')]).toEqual([6, 100, 255, 0]);
  });

  it('weights partly covered pixels by their overlap when the factor is fractional', () => {
    // 3 -> 2 along x: out0 = (in0 + in1/2) / 1.5, out1 = (in1/2 + in2) / 1.5.
    const taps = axisTaps(3, 2);
    expect([...taps.indices]).toEqual([0, 1, 1, 2]);
    expect([...taps.weights].map((w) => +w.toFixed(4))).toEqual([0.6667, 0.3333, 0.3333, 0.6667]);
    expect([...resizeImage(grey(3, 1, [0, 90, 180]), 1, 2, 'grayscale')]).toEqual([30, 150]);
  });

  it('interpolates bilinearly, centres aligned and edges clamped, when growing', () => {
    // 2 -> 4: u = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamp, 1/4, 3/4, clamp.
    expect([...resizeImage(grey(2, 1, [0, 200]), 1, 4, 'grayscale')]).toEqual([0, 50, 150, 200]);
    // Both axes: a 2x2 grown to 4x4 keeps its corners and mixes in between.
    const out = resizeImage(grey(2, 2, [0, 0, 0, 160]), 4, 4, 'grayscale');
    expect(out[0]).toBe(0);
    expect(out[15]).toBe(160);
    expect(out[5]).toBe(Math.round(160 * 0.25 * 0.25)); // (1,1): u = v = 0.25
    expect(out[10]).toBe(Math.round(160 * 0.75 * 0.75)); // (2,2): u = v = 0.75
  });

  it('converts to grey with BT.601 luma and keeps RGB as 3 channels, HWC', () => {
    const image = rgba(2, 1, [
      [255, 0, 0],
      [10, 200, 40],
    ]);
    expect([...resizeImage(image, 1, 2, 'grayscale')]).toEqual([
      Math.round(0.299 * 255),
      Math.round(0.299 * 10 + 0.587 * 200 + 0.114 * 40),
    ]);
    expect([...resizeImage(image, 1, 2, 'rgb')]).toEqual([255, 0, 0, 10, 200, 40]);
  });

  it('flattens transparency onto white', () => {
    const data = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255, 100, 100, 100, 128]);
    const out = resizeImage({ width: 3, height: 1, data }, 1, 3, 'grayscale');
    expect([...out]).toEqual([255, 0, Math.round(100 * (128 / 255) + 255 * (127 / 255))]);
  });

  it('refuses RGBA data of the wrong length', () => {
    expect(() => resizeImage({ width: 2, height: 2, data: new Uint8Array(12) }, 2, 2, 'rgb')).toThrow(/needs 16 bytes/);
  });
});

describe('stratified split', () => {
  const labels = [...Array(50).fill(0), ...Array(20).fill(1), ...Array(3).fill(2)];

  it('cuts every class in the same proportions, disjoint and covering, ascending', () => {
    const split = stratifiedSplit(labels, { validation: 0.1, test: 0.2 }, 7);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    for (const part of [split.train, split.validation, split.test]) {
      expect([...part]).toEqual([...part].sort((a, b) => a - b));
    }
    const perClass = (part: Int32Array) => [0, 1, 2].map((c) => [...part].filter((i) => labels[i] === c).length);
    expect(perClass(split.test)).toEqual([10, 4, 1]);
    expect(perClass(split.validation)).toEqual([5, 2, 0]);
    expect(perClass(split.train)).toEqual([35, 14, 2]);
  });

  it('replays from its seed and changes with it', () => {
    const a = stratifiedSplit(labels, { validation: 0.1, test: 0.2 }, 7);
    const b = stratifiedSplit(labels, { validation: 0.1, test: 0.2 }, 7);
    const c = stratifiedSplit(labels, { validation: 0.1, test: 0.2 }, 8);
    expect(b).toEqual(a);
    expect([...c.test]).not.toEqual([...a.test]);
  });

  it('always leaves a class at least one training sample', () => {
    const split = stratifiedSplit([0, 0, 1, 1], { validation: 0.4, test: 0.5 }, 1);
    expect([0, 1].map((c) => [...split.train].filter((i) => [0, 0, 1, 1][i] === c).length)).toEqual([1, 1]);
  });

  it('refuses fractions that leave nothing to train on', () => {
    expect(() => stratifiedSplit(labels, { validation: 0.5, test: 0.5 }, 1)).toThrow(/leave room for training/);
  });
});
