// Turns a hand-drawn digit into an MNIST-like 28x28 image, the way MNIST itself was made: crop to the
// ink's bounding box, scale (area-averaged, aspect kept) so the longer side is 20 px, then place it in
// a 28x28 frame so that its centre of mass sits at the centre.

export const MNIST_SIDE = 28;
const DIGIT_BOX = 20;

/**
 * `ink` holds one value per pixel in [0, 1] (1 = full ink), row-major `width` x `height`.
 * Returns 784 floats in [0, 1], or null when nothing was drawn.
 */
export function preprocessDigit(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > 0.01) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return null;

  const boxW = maxX - minX + 1;
  const boxH = maxY - minY + 1;
  const scale = DIGIT_BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));
  const small = resampleArea(ink, width, minX, minY, boxW, boxH, outW, outH);

  // Centre of mass of the scaled digit.
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  cx /= mass;
  cy /= mass;
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const offX = clamp(Math.round(MNIST_SIDE / 2 - cx), MNIST_SIDE - outW);
  const offY = clamp(Math.round(MNIST_SIDE / 2 - cy), MNIST_SIDE - outH);

  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out[(y + offY) * MNIST_SIDE + x + offX] = Math.min(1, small[y * outW + x]);
  }
  return out;
}

/** Area-averaging resample of the `boxW` x `boxH` region at (x0, y0) of `src` to `outW` x `outH`. */
function resampleArea(
  src: ArrayLike<number>,
  srcWidth: number,
  x0: number,
  y0: number,
  boxW: number,
  boxH: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = boxW / outW;
  const sy = boxH / outH;
  for (let oy = 0; oy < outH; oy++) {
    const top = oy * sy;
    const bottom = top + sy;
    for (let ox = 0; ox < outW; ox++) {
      const left = ox * sx;
      const right = left + sx;
      let sum = 0;
      for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
        const wy = Math.min(bottom, y + 1) - Math.max(top, y);
        for (let x = Math.floor(left); x < Math.ceil(right); x++) {
          const wx = Math.min(right, x + 1) - Math.max(left, x);
          sum += wx * wy * src[(y0 + y) * srcWidth + x0 + x];
        }
      }
      out[oy * outW + ox] = sum / (sx * sy);
    }
  }
  return out;
}
