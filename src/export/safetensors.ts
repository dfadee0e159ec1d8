// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// UTF-8 JSON mapping each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets into the byte
// buffer that follows) plus an optional "__metadata__" map of strings, then the tensors' bytes, packed
// without gaps or overlaps. Our files hold float32 tensors in our layout (Dense [in, out], Conv2D HWIO)
// and the design in the metadata. Reading checks every rule and never evaluates anything.
import { designFromValue, type Design } from '../engine/graph';
import { ModelFileError } from './errors';

/** One tensor by name, row-major, in the layout the engine uses. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface ParsedSafetensors {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** What our files say in `format` and `layout`, so a reader knows how to take the tensors. */
export const SAFETENSORS_FORMAT = 'webgpu-playground';
export const SAFETENSORS_LAYOUT = 'nhwc-hwio';

/** The reference implementation's limit on the JSON header. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
/** Default limit on a whole file (a browser tab holds it in memory twice while reading). */
export const DEFAULT_MAX_SAFETENSORS_BYTES = 1024 * 1024 * 1024;
const MAX_TENSORS = 100_000;
const MAX_RANK = 8;

/** Bytes per element of the float dtypes we convert to float32. */
const FLOAT_DTYPES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
/** Every other dtype the format defines; recognised so the message can say why it is refused. */
const OTHER_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64']);

/** The metadata our exports carry: format, layout and the design as JSON. */
export function safetensorsMetadata(design: Design): Record<string, string> {
  return { format: SAFETENSORS_FORMAT, layout: SAFETENSORS_LAYOUT, design: JSON.stringify(design) };
}

/**
 * Writes float32 tensors as a safetensors file. `metadata` goes to "__metadata__", with `format` and
 * `layout` set to ours unless given. The header is padded with spaces to a multiple of 8 bytes (as the
 * reference writer does) so every tensor starts aligned; tensors are stored in the order given.
 */
export function exportSafetensors(tensors: NamedTensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {
    __metadata__: { format: SAFETENSORS_FORMAT, layout: SAFETENSORS_LAYOUT, ...metadata },
  };
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || names.has(t.name)) {
      throw new Error(`exportSafetensors: the tensor name "${t.name}" is reserved or used twice`);
    }
    names.add(t.name);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new Error(`exportSafetensors: ${t.name} has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerBytes), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const t of tensors) {
    writeFloat32LE(bytes, at, t.data);
    at += 4 * t.data.length;
  }
  return bytes;
}

/** Every browser and Node platform is little-endian; the DataView paths keep others correct. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Writes `data` as little-endian float32 into `bytes` at byte `at`. */
export function writeFloat32LE(bytes: Uint8Array, at: number, data: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
}

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Reads a safetensors file, checking it against the format's rules; throws ModelFileError naming the
 * first problem. F16, BF16 and F64 tensors are converted to float32; integer and 8-bit float tensors are
 * refused. Tensors come back in file (offset) order.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  opts: { maxBytes?: number; file?: string } = {},
): ParsedSafetensors {
  const file = opts.file ?? 'model.safetensors';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_SAFETENSORS_BYTES;
  const fail = (reason: string, hint = 'Choose a .safetensors file exported by this playground or by train.py.') =>
    new ModelFileError(file, reason, hint);

  if (bytes.length > maxBytes) {
    throw fail(
      `the file is ${MB(bytes.length)}, more than the ${MB(maxBytes)} this page reads`,
      'Use a smaller model; the playground trains models far below this size.',
    );
  }
  if (bytes.length < 8) {
    throw fail(
      `the file is ${bytes.length} bytes long, too short for the 8-byte header length (truncated or not a safetensors file)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw fail(
      `the header length says ${headerLength} bytes but only ${bytes.length - 8} follow (truncated or not a safetensors file)`,
    );
  }
  const n = Number(headerLength);
  if (n > MAX_SAFETENSORS_HEADER_BYTES) {
    throw fail(`the header is ${MB(n)}, more than the format's limit of ${MB(MAX_SAFETENSORS_HEADER_BYTES)}`);
  }
  if (n < 2 || bytes[8] !== 0x7b) throw fail('the header is not a JSON object (it must start with "{")');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw fail('the header is not a JSON object');
  }

  const metadata = readMetadata((header as Record<string, unknown>).__metadata__, fail);
  const entries = Object.entries(header as Record<string, unknown>).filter(([k]) => k !== '__metadata__');
  if (entries.length > MAX_TENSORS)
    throw fail(`the header lists ${entries.length} tensors; at most ${MAX_TENSORS} are read`);
  const dataLength = bytes.length - 8 - n;
  const checked = entries.map(([name, value]) => readEntry(name, value, dataLength, fail));

  // The tensors must tile the data buffer exactly: sorted by offset, each starts where the last ended.
  const sorted = [...checked].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of sorted) {
    if (t.begin < expected)
      throw fail(
        `tensor "${t.name}" overlaps the tensor before it (its data starts at byte ${t.begin}, before ${expected})`,
      );
    if (t.begin > expected)
      throw fail(
        `there is a gap of ${t.begin - expected} unused bytes before tensor "${t.name}" (bytes ${expected} to ${t.begin})`,
      );
    expected = t.end;
  }
  if (expected !== dataLength) {
    throw fail(
      expected < dataLength
        ? `${dataLength - expected} bytes after the last tensor belong to no tensor`
        : `the tensors need ${expected} data bytes but the file holds ${dataLength} (truncated)`,
    );
  }

  const dataStart = bytes.byteOffset + 8 + n;
  const tensors = sorted.map((t) => ({
    name: t.name,
    shape: t.shape,
    data: decode(view, dataStart - bytes.byteOffset + t.begin, t.dtype, (t.end - t.begin) / FLOAT_DTYPES[t.dtype]),
  }));
  return { tensors, metadata };
}

function readMetadata(value: unknown, fail: (reason: string) => ModelFileError): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail('"__metadata__" must be an object of strings');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string')
      throw fail(`"__metadata__" entry "${k}" must be a string, got ${JSON.stringify(v)?.slice(0, 40)}`);
    out[k] = v;
  }
  return out;
}

function readEntry(
  name: string,
  value: unknown,
  dataLength: number,
  fail: (reason: string) => ModelFileError,
): HeaderEntry {
  const where = `tensor "${name.slice(0, 100)}"`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail(`${where} must be described by an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw fail(`${where} has no "dtype" string`);
  if (!(dtype in FLOAT_DTYPES)) {
    throw fail(
      OTHER_DTYPES.has(dtype)
        ? `${where} has dtype ${dtype}; only float tensors (F32, F16, BF16, F64) can be model weights`
        : `${where} has the unknown dtype ${JSON.stringify(dtype).slice(0, 40)}`,
    );
  }
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`${where} needs "shape": a list of at most ${MAX_RANK} non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[1] < offsets[0]
  ) {
    throw fail(`${where} needs "data_offsets": [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as number[];
  if (end > dataLength)
    throw fail(`${where} ends at byte ${end} but the data section is ${dataLength} bytes (truncated)`);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * FLOAT_DTYPES[dtype];
  if (end - begin !== expected) {
    throw fail(
      `${where} has shape [${(shape as number[]).join(', ')}] of ${dtype}, which takes ${expected} bytes, but its data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

/** float32 values from little-endian `count` elements of `dtype` at byte `at` of `view`. */
function decode(view: DataView, at: number, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN_HOST) {
        const start = view.byteOffset + at;
        return new Float32Array(view.buffer.slice(start, start + 4 * count));
      }
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) out[i] = bf16ToFloat(view.getUint16(at + 2 * i, true));
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToFloat(view.getUint16(at + 2 * i, true));
      break;
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
function bf16ToFloat(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/** IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals, infinities and NaN kept. */
export function f16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * The design stored in a parsed file's metadata, checked by designFromValue; throws ModelFileError when
 * there is none, it is not a valid design, or the tensors are in another layout.
 */
export function designFromSafetensors(parsed: ParsedSafetensors, file = 'model.safetensors'): Design {
  const { design, layout } = parsed.metadata;
  if (layout !== undefined && layout !== SAFETENSORS_LAYOUT) {
    throw new ModelFileError(
      file,
      `its tensors are in the "${layout.slice(0, 40)}" layout, not "${SAFETENSORS_LAYOUT}"`,
      "Export the weights with train.py's save function, which converts them to this layout.",
    );
  }
  if (design === undefined) {
    throw new ModelFileError(
      file,
      'its metadata holds no "design", so the network it belongs to is unknown',
      'Open the matching design first and load the weights into it, or use a file exported by this playground.',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(design);
  } catch (e) {
    throw new ModelFileError(
      file,
      `the design in its metadata is not valid JSON (${(e as Error).message})`,
      'The file is damaged; export it again.',
    );
  }
  try {
    return designFromValue(value);
  } catch (e) {
    throw new ModelFileError(
      file,
      `the design in its metadata is not valid: ${(e as Error).message}`,
      'The file is damaged or from a newer version; export it again.',
    );
  }
}
