// A tiny PNG writer and reader for tests (node:zlib): 8-bit RGBA or grey, no interlace, filter 0 on
// write; the reader handles what the writer makes, plus the five row filters. Also draws the two test
// classes the image-import tests use (a bright square and a bright cross on black) and zips files.
import { zipSync } from 'fflate';
import { deflateSync, inflateSync } from 'node:zlib';
import type { RgbaImage } from '../../../src/data/images/resize';

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typeAndData = new Uint8Array(4 + data.length);
  typeAndData.set(Buffer.from(type, 'latin1'));
  typeAndData.set(data, 4);
  out.set(typeAndData, 4);
  view.setUint32(8 + data.length, crc32(typeAndData));
  return out;
}

/** PNG bytes of an RGBA image (colour type 6) or, with channels 1, a grey image (colour type 0). */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: 1 | 4 = 4): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 0;
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Decodes 8-bit grey (0), RGB (2) or RGBA (6) PNGs to RGBA; throws on anything else, as a decoder does. */
export async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Uint8Array[] = [];
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = Buffer.from(bytes.subarray(offset + 4, offset + 8)).toString('latin1');
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      if (data[8] !== 8) throw new Error('only 8-bit PNGs');
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 6: 4 }[colorType];
  if (!channels || !idat.length) throw new Error('unsupported or truncated PNG');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? rows[y * stride + i - channels] : 0;
      const b = y > 0 ? rows[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? rows[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`bad PNG row filter ${filter}`);
      rows[y * stride + i] = (value + predictor) & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[4 * p + c] = rows[p * channels + (channels >= 3 ? c : 0)];
    data[4 * p + 3] = channels === 4 ? rows[p * channels + 3] : 255;
  }
  return { width, height, data };
}

/**
 * A 28x28 grey PNG of one of the two test shapes, bright on black: a filled square or a plus-shaped
 * cross, at a position and size that vary with `variant`, so the classes differ by shape, not place.
 */
export function shapePng(shape: 'square' | 'cross', variant: number, side = 28): Uint8Array {
  const pixels = new Uint8Array(side * side);
  const size = 8 + (variant % 5);
  const x0 = 3 + ((variant * 7) % (side - size - 6));
  const y0 = 3 + ((variant * 11) % (side - size - 6));
  const mid = Math.floor(size / 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = shape === 'square' || Math.abs(x - mid) <= 1 || Math.abs(y - mid) <= 1;
      if (on) pixels[(y0 + y) * side + x0 + x] = 230;
    }
  }
  return encodePng(side, side, pixels, 1);
}

/** A zip of `perClass` squares and crosses in squares/ and crosses/ under an optional wrapping folder. */
export function shapesZip(perClass: number, root = 'shapes/'): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < perClass; i++) {
    files[`${root}squares/square-${i}.png`] = shapePng('square', i);
    files[`${root}crosses/cross-${i}.png`] = shapePng('cross', i);
  }
  return zipSync(files, { level: 0 });
}
