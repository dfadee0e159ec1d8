// The safetensors writer and reader: files we write obey the format's rules (checked on the bytes
// themselves, not through our reader), read back exactly, and every malformed file is refused with a
// ModelFileError whose reason says what is wrong.
import { describe, expect, it } from 'vitest';
import { templateById } from '../../../src/engine/graph';
import { ModelFileError } from '../../../src/export/errors';
import {
  designFromSafetensors,
  exportSafetensors,
  f16ToFloat,
  parseSafetensors,
  safetensorsMetadata,
  type NamedTensor,
} from '../../../src/export/safetensors';
import { randomF32 } from '../helpers/random';

const tensors: NamedTensor[] = [
  { name: 'dense_1/kernel', shape: [3, 5], data: randomF32(15, 1) },
  { name: 'dense_1/bias', shape: [5], data: randomF32(5, 2) },
  { name: 'batch_norm_1/moving_variance', shape: [1, 2, 2], data: Float32Array.from([1, 2.5, -0, 3e-39]) },
  { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
];

/** A file from a header object (written as given) and the data section. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function refused(bytes: Uint8Array, reason: RegExp, opts: { maxBytes?: number } = {}): ModelFileError {
  let error: unknown;
  try {
    parseSafetensors(bytes, { ...opts, file: 'weights.safetensors' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelFileError);
  const e = error as ModelFileError;
  expect(e.file).toBe('weights.safetensors');
  expect(e.reason).toMatch(reason);
  expect(e.message).toContain('weights.safetensors');
  expect(e.hint.length).toBeGreaterThan(10);
  return e;
}

const f32 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

describe('writing safetensors', () => {
  const design = templateById('mlp')!.build();
  const bytes = exportSafetensors(tensors, safetensorsMetadata(design));

  it('follows the format: u64 LE header length, UTF-8 JSON header, contiguous offsets covering the data', () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect(8 + n).toBeLessThanOrEqual(bytes.length);
    expect((8 + n) % 8).toBe(0); // the data section starts aligned
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    expect(text[0]).toBe('{');
    expect(text.trimEnd()).toBe(text.replace(/ +$/, '')); // padding is spaces only
    const header = JSON.parse(text) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >;
    const { __metadata__: metadata, ...entries } = header as Record<string, never>;
    expect(metadata).toEqual({ format: 'webgpu-playground', layout: 'nhwc-hwio', design: JSON.stringify(design) });
    const spans = Object.values(entries as Record<string, { data_offsets: [number, number] }>)
      .map((e) => e.data_offsets)
      .sort((a, b) => a[0] - b[0]);
    let end = 0;
    for (const [b, e] of spans) {
      expect(b).toBe(end);
      end = e;
    }
    expect(end).toBe(bytes.length - 8 - n);
    for (const t of tensors) {
      const entry = (entries as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>)[
        t.name
      ];
      expect(entry.dtype).toBe('F32');
      expect(entry.shape).toEqual(t.shape);
      expect(entry.data_offsets[1] - entry.data_offsets[0]).toBe(4 * t.data.length);
      for (let i = 0; i < t.data.length; i++) {
        expect(view.getFloat32(8 + n + entry.data_offsets[0] + 4 * i, true)).toBe(t.data[i]);
      }
    }
  });

  it('reads back every tensor bit for bit, with the metadata and the design', () => {
    const parsed = parseSafetensors(bytes);
    expect(parsed.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    for (const [i, t] of parsed.tensors.entries()) {
      expect(t.shape).toEqual(tensors[i].shape);
      expect(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length)).toEqual(
        new Uint32Array(tensors[i].data.buffer, tensors[i].data.byteOffset, tensors[i].data.length),
      );
    }
    expect(designFromSafetensors(parsed)).toEqual(design);
  });

  it('reads a buffer that is a view into a larger one', () => {
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(parseSafetensors(padded.subarray(3)).tensors[1].data).toEqual(tensors[1].data);
  });

  it('refuses tensors whose data does not fit their shape, and reused names', () => {
    expect(() => exportSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }], {})).toThrow(/shape \[3\]/);
    expect(() => exportSafetensors([tensors[1], tensors[1]], {})).toThrow(/used twice/);
  });
});

describe('reading other float dtypes', () => {
  it('converts F16, BF16 and F64 to float32', () => {
    const data = new Uint8Array(4 + 4 + 16);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3c00, true); // 1
    view.setUint16(2, 0xc100, true); // -2.5
    view.setUint16(4, 0x3fc0, true); // bf16 1.5
    view.setUint16(6, 0xc040, true); // bf16 -3
    view.setFloat64(8, 0.1, true);
    view.setFloat64(16, -1e300, true);
    const parsed = parseSafetensors(
      file(
        {
          half: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
          brain: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] },
          double: { dtype: 'F64', shape: [2], data_offsets: [8, 24] },
        },
        data,
      ),
    );
    const byName = Object.fromEntries(parsed.tensors.map((t) => [t.name, Array.from(t.data)]));
    expect(byName.half).toEqual([1, -2.5]);
    expect(byName.brain).toEqual([1.5, -3]);
    expect(byName.double).toEqual([Math.fround(0.1), -Infinity]);
  });

  it('decodes half-precision subnormals, infinities and NaN', () => {
    expect(f16ToFloat(0x0001)).toBe(2 ** -24);
    expect(f16ToFloat(0x7c00)).toBe(Infinity);
    expect(f16ToFloat(0xfc00)).toBe(-Infinity);
    expect(f16ToFloat(0x7e00)).toBeNaN();
    expect(f16ToFloat(0x7bff)).toBe(65504);
  });
});

describe('refusing malformed files', () => {
  const good = exportSafetensors(tensors, {});
  const eight = new Uint8Array(8);

  it('too short for the header length', () => refused(new Uint8Array(5), /too short/));
  it('a header length beyond the end of the file', () =>
    refused(good.subarray(0, 40), /header length says .* only 32 follow/));
  it('a header that is not JSON', () => refused(file(null, undefined, '{"a": [1, 2'), /not valid JSON/));
  it('a header that does not start with a brace', () => refused(file(null, undefined, '[1, 2, 3]'), /start with "\{"/));
  it('a header that is not UTF-8', () => {
    const bytes = file(null, undefined, '{"x"}');
    bytes[10] = 0xff;
    refused(bytes, /UTF-8/);
  });
  it('an integer dtype', () =>
    refused(file({ a: { ...f32, dtype: 'I64', shape: [1] } }, eight), /dtype I64; only float/));
  it('an unknown dtype', () => refused(file({ a: { ...f32, dtype: 'F99' } }, eight), /unknown dtype "F99"/));
  it('a shape that is not a list of non-negative integers', () =>
    refused(file({ a: { ...f32, shape: [2, -1] } }, eight), /"shape"/));
  it('offsets that do not match the shape', () =>
    refused(
      file({ a: { ...f32, shape: [3] } }, eight),
      /shape \[3\] of F32, which takes 12 bytes, but its data_offsets span 8/,
    ));
  it('offsets that are not [begin, end]', () =>
    refused(file({ a: { ...f32, data_offsets: [8, 0] } }, eight), /data_offsets/));
  it('overlapping tensors', () =>
    refused(
      file({ a: f32, b: { ...f32, shape: [1], data_offsets: [4, 8] } }, eight),
      /"b" overlaps the tensor before it/,
    ));
  it('a gap between tensors', () =>
    refused(
      file(
        { a: { ...f32, shape: [1], data_offsets: [0, 4] }, b: { ...f32, shape: [1], data_offsets: [8, 12] } },
        new Uint8Array(12),
      ),
      /gap of 4 unused bytes before tensor "b"/,
    ));
  it('bytes after the last tensor', () =>
    refused(file({ a: f32 }, new Uint8Array(12)), /4 bytes after the last tensor/));
  it('a truncated data section', () => refused(good.subarray(0, good.length - 4), /truncated/));
  it('metadata that is not a map of strings', () =>
    refused(
      file({ __metadata__: { design: { nodes: [] } }, a: f32 }, eight),
      /"__metadata__" entry "design" must be a string/,
    ));
  it('a file larger than the limit', () => refused(good, /more than the 0\.0 MB this page reads/, { maxBytes: 100 }));
  it('a tensor described by something other than an object', () =>
    refused(file({ a: [1, 2] }, eight), /must be described by an object/));

  it('reads names such as __proto__ as plain names, without touching any prototype', () => {
    const parsed = parseSafetensors(
      file(JSON.parse('{"__proto__": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}'), eight),
    );
    expect(parsed.tensors.map((t) => t.name)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
});

describe('the design in the metadata', () => {
  it('is refused with a message when missing, damaged, or in another layout', () => {
    const parsed = parseSafetensors(exportSafetensors(tensors, {}));
    expect(() => designFromSafetensors(parsed, 'w.safetensors')).toThrow(
      /w\.safetensors: its metadata holds no "design"/,
    );
    const damaged = parseSafetensors(exportSafetensors(tensors, { design: '{"version": 1, "nodes": 3' }));
    expect(() => designFromSafetensors(damaged)).toThrow(ModelFileError);
    const invalid = parseSafetensors(exportSafetensors(tensors, { design: '{"version": 99}' }));
    expect(() => designFromSafetensors(invalid)).toThrow(/not valid: Unsupported design version 99/);
    const torch = parseSafetensors(exportSafetensors(tensors, { layout: 'nchw-oihw', design: '{}' }));
    expect(() => designFromSafetensors(torch)).toThrow(/"nchw-oihw" layout/);
  });
});
