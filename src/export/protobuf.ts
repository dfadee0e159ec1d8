// A minimal protocol-buffers writer, enough for ONNX's ModelProto: varint, 32-bit float and
// length-delimited fields. A message is built as a list of byte chunks and joined once at the end.
// Wire format: each field is a key varint (field number << 3 | wire type) and its value; integers are
// base-128 varints, negative int64 as their 64-bit two's complement (10 bytes).

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

/** Appends fields of one message; `bytes()` returns the encoded message. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private key(field: number, wire: number): void {
    this.push(varint(BigInt(field * 8 + wire)));
  }

  /** int32/int64/enum/bool field (negative values as 64-bit two's complement). */
  int(field: number, value: number | bigint): this {
    this.key(field, WIRE_VARINT);
    this.push(varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  /** `float` field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.key(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.push(varint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  /** `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** Embedded message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Base-128 varint of a non-negative integer below 2^64. */
export function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}
