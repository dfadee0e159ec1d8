// Turns one decoded RGBA image into the data set's pixels: transparency flattened onto white, resized
// to the chosen height and width (area averaging where it shrinks, bilinear where it grows, per axis),
// and kept as RGB or converted to grey, as bytes 0..255, HWC. Deterministic, so every browser (and the
// Node tests) produce the same bytes from the same decoded pixels.

/** A decoded image: RGBA bytes, row-major, not premultiplied (what getImageData returns). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export type ColorMode = 'grayscale' | 'rgb';

/** One output index's sources along one axis: out[i] = sum_k weights[k] * in[indices[k]]. */
interface AxisTaps {
  starts: Int32Array;
  counts: Int32Array;
  indices: Int32Array;
  weights: Float32Array;
}

/**
 * The taps that map `inSize` samples onto `outSize` along one axis.
 * Shrinking (area averaging): output i covers the input interval [i*s, (i+1)*s), s = in/out, and each
 * input sample contributes the fraction of that interval it overlaps, so the weights sum to 1.
 * Growing (bilinear): output i samples the input at u = (i + 0.5) / scale - 0.5 (pixel centres aligned),
 * clamped to the edge, from its two neighbours.
 */
export function axisTaps(inSize: number, outSize: number): AxisTaps {
  if (!(inSize >= 1 && outSize >= 1))
    throw new RangeError(`resize: sizes must be positive, got ${inSize} -> ${outSize}`);
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const indices: number[] = [];
  const weights: number[] = [];
  const s = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    starts[i] = indices.length;
    if (s >= 1) {
      const from = i * s;
      const to = (i + 1) * s;
      for (let j = Math.floor(from); j < Math.min(inSize, Math.ceil(to)); j++) {
        const overlap = Math.min(to, j + 1) - Math.max(from, j);
        if (overlap <= 1e-9) continue;
        indices.push(j);
        weights.push(overlap / s);
      }
    } else {
      const u = Math.min(inSize - 1, Math.max(0, (i + 0.5) * s - 0.5));
      const j = Math.floor(u);
      const t = u - j;
      indices.push(j);
      weights.push(1 - t);
      if (t > 0 && j + 1 < inSize) {
        indices.push(j + 1);
        weights.push(t);
      }
    }
    counts[i] = indices.length - starts[i];
  }
  return { starts, counts, indices: Int32Array.from(indices), weights: Float32Array.from(weights) };
}

/** RGB floats (0..255) from RGBA bytes, each pixel alpha-composited onto a white background. */
function flattenOnWhite(image: RgbaImage): Float32Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new RangeError(`resize: ${width}×${height} RGBA needs ${width * height * 4} bytes, got ${data.length}`);
  }
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const a = data[4 * p + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = data[4 * p + c] * a + 255 * (1 - a);
  }
  return rgb;
}

/**
 * Resizes an RGBA image to [outHeight, outWidth] and returns bytes in HWC order: 1 channel for
 * 'grayscale' (luma, ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B, as PIL's "L" mode), 3 for 'rgb'.
 * Values are rounded once, at the end.
 */
export function resizeImage(image: RgbaImage, outHeight: number, outWidth: number, mode: ColorMode): Uint8Array {
  const rgb = flattenOnWhite(image);
  const { width, height } = image;
  const cols = axisTaps(width, outWidth);
  const rows = axisTaps(height, outHeight);
  // Horizontal pass: [height, outWidth, 3].
  const wide = new Float32Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = cols.starts[x]; k < cols.starts[x] + cols.counts[x]; k++) {
        const src = 3 * (y * width + cols.indices[k]);
        const w = cols.weights[k];
        r += w * rgb[src];
        g += w * rgb[src + 1];
        b += w * rgb[src + 2];
      }
      const dst = 3 * (y * outWidth + x);
      wide[dst] = r;
      wide[dst + 1] = g;
      wide[dst + 2] = b;
    }
  }
  // Vertical pass, then colour conversion and rounding.
  const channels = mode === 'rgb' ? 3 : 1;
  const out = new Uint8Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = rows.starts[y]; k < rows.starts[y] + rows.counts[y]; k++) {
        const src = 3 * (rows.indices[k] * outWidth + x);
        const w = rows.weights[k];
        r += w * wide[src];
        g += w * wide[src + 1];
        b += w * wide[src + 2];
      }
      const p = y * outWidth + x;
      if (channels === 3) {
        out[3 * p] = toByte(r);
        out[3 * p + 1] = toByte(g);
        out[3 * p + 2] = toByte(b);
      } else {
        out[p] = toByte(0.299 * r + 0.587 * g + 0.114 * b);
      }
    }
  }
  return out;
}

function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
