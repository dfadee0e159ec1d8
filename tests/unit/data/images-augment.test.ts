import { describe, expect, it } from 'vitest';
import { Batcher, type ImageSource } from '../../../src/data/batches';
import { cpuBackend } from '../../../src/engine/backend/cpu/cpu';
import { DesignBuilder, analyzeDesign } from '../../../src/engine/graph';
import { compileDesign } from '../../../src/engine/model/graph-model';
import { Optimizer } from '../../../src/engine/optim/optimizer';
import { Trainer } from '../../../src/engine/train/trainer';

/** An in-memory image source over HWC bytes, as an imported image data set is read for training. */
function imageSource(
  pixels: Uint8Array,
  labels: number[],
  height: number,
  width: number,
  channels: number,
): ImageSource {
  const labelBytes = Uint8Array.from(labels);
  return {
    kind: 'images',
    height,
    width,
    channels,
    numClasses: Math.max(...labels) + 1,
    total: labels.length,
    pixels: () => pixels,
    labels: () => labelBytes,
    available: () => labels.length,
    complete: () => true,
    error: () => null,
  };
}

describe('flip augmentation', () => {
  // One 2x3 RGB image whose every byte is distinct: pixel (r, c) channel k = 1 + 9r + 3c + k.
  const image = Uint8Array.from({ length: 18 }, (_, i) => i + 1);
  const mirrored = (r: number, c: number, k: number) => 1 + 9 * r + 3 * (2 - c) + k;

  it('mirrors about half the samples left to right, keeping channel order, and leaves the rest', () => {
    const source = imageSource(image, [0], 2, 3, 3);
    const batcher = new Batcher(source, { batchSize: 1, augment: { maxShiftPx: 0, flip: true }, seed: 3 });
    let flipped = 0;
    for (let i = 0; i < 200; i++) {
      const x = [...batcher.next().x].map((v) => Math.round(v * 255));
      const isFlip = x[0] !== 1;
      if (isFlip) {
        flipped++;
        const expected = [];
        for (let r = 0; r < 2; r++)
          for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) expected.push(mirrored(r, c, k));
        expect(x).toEqual(expected);
      } else {
        expect(x).toEqual([...image]);
      }
    }
    expect(flipped).toBeGreaterThan(70);
    expect(flipped).toBeLessThan(130);
  });

  it('composes a flip with a shift: out(r, c) = in(r - dy, w - 1 - (c - dx)), background shifted in', () => {
    // A 3x3 grey image with one bright pixel at (0, 0); with flips and shifts of up to 1 px every
    // output has that pixel where the rule puts it (or nowhere when it is shifted out).
    const source = imageSource(Uint8Array.from([255, 0, 0, 0, 0, 0, 0, 0, 0]), [0], 3, 3, 1);
    const batcher = new Batcher(source, { batchSize: 1, augment: { maxShiftPx: 1, flip: true }, seed: 5 });
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const x = [...batcher.next().x];
      const bright = x.flatMap((v, p) => (v === 1 ? [p] : []));
      expect(bright.length).toBeLessThanOrEqual(1);
      expect(x.filter((v) => v !== 0 && v !== 1)).toEqual([]);
      if (bright.length) seen.add(bright[0]);
    }
    // Unflipped, (0,0) shifts to rows/cols {0,1}; flipped it starts at column 2 and shifts to {1,2}.
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5].sort());
  });

  it('leaves shift-only batches exactly as they were (flips draw no random numbers when off)', () => {
    const source = imageSource(
      Uint8Array.from({ length: 4 * 9 }, (_, i) => (i * 37) % 256),
      [0, 1, 0, 1],
      3,
      3,
      1,
    );
    const a = new Batcher(source, { batchSize: 4, augment: { maxShiftPx: 1 }, seed: 9 });
    const b = new Batcher(source, { batchSize: 4, augment: { maxShiftPx: 1, flip: false }, seed: 9 });
    for (let i = 0; i < 5; i++) expect([...b.next().x]).toEqual([...a.next().x]);
  });
});

describe('RGB images reach convolutions as 3 channels', () => {
  it('compiles Input [8, 8, 3] -> Conv2D with a [3, 3, 3, 4] kernel and trains on RGB batches', async () => {
    const b = new DesignBuilder('rgb');
    b.add('Input', { shape: [8, 8, 3] });
    b.add('Conv2D', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' });
    b.add('Flatten');
    b.add('Dense', { units: 2, activation: 'softmax' });
    const design = b.build();
    const model = compileDesign(design, cpuBackend(), { seed: 1 });
    expect(model.inputShape).toEqual([8, 8, 3]);
    const weights = await model.getWeights();
    expect(weights[0].shape).toEqual([3, 3, 3, 4]);
    expect(model.parameterCount()).toBe(analyzeDesign(design).totalParams);
    expect(model.parameterCount()).toBe(3 * 3 * 3 * 4 + 4 + 8 * 8 * 4 * 2 + 2);

    // Class 0 is red, class 1 is blue: only the channels tell them apart, so learning them shows that
    // the channel axis arrives intact.
    const count = 16;
    const pixels = new Uint8Array(count * 8 * 8 * 3);
    const labels = Array.from({ length: count }, (_, i) => i % 2);
    labels.forEach((label, s) => {
      for (let p = 0; p < 64; p++) pixels[s * 192 + p * 3 + (label === 0 ? 0 : 2)] = 200;
    });
    const batcher = new Batcher(imageSource(pixels, labels, 8, 8, 3), { batchSize: count, seed: 1 });
    const trainer = new Trainer(model, new Optimizer({ kind: 'adam', lr: 0.05 }), { loss: model.loss });
    for (let i = 0; i < 30; i++) {
      const batch = batcher.next();
      await trainer.trainStep(batch.x, batch.labels);
    }
    const batch = batcher.next();
    const result = await trainer.evaluate(batch.x, batch.labels);
    expect(result.accuracy).toBe(1);
  });
});
