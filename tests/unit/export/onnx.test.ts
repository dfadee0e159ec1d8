// ONNX export checked by its real consumer: onnxruntime-node runs the exported model and must predict
// what our engine predicts (max abs difference <= 1e-4) for the seed MLP, the seed CNN, the residual
// template and a design with every layer type.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET } from '../../../src/export/onnx';
import { ProtoWriter, varint } from '../../../src/export/protobuf';
import { modelTensors } from '../../../src/export/tensors';
import { everyLayerDesign, templateDesign, trainedModel } from './models';
import type { Design } from '../../../src/engine/graph';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

async function compare(design: Design): Promise<void> {
  const { model, trainer, inputs, count } = await trainedModel(design);
  const expected = await trainer.predict(inputs);
  const bytes = exportOnnx(design, await modelTensors(model));
  const session = await ort.InferenceSession.create(bytes);
  expect(session.inputNames).toEqual(['input']);
  expect(session.outputNames).toEqual(['probabilities']);
  const feeds = { input: new ort.Tensor('float32', inputs, [count, ...model.inputShape]) };
  const out = (await session.run(feeds)).probabilities;
  expect(out.dims).toEqual([count, ...model.outputShape]);
  const actual = out.data as Float32Array;
  expect(actual.length).toBe(expected.length);
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(1e-4);
  await session.release();
  model.dispose();
}

describe('ONNX export, run by onnxruntime-node', () => {
  it('the seed MLP predicts what our engine predicts on 100 MNIST test images', () => compare(templateDesign('mlp')));
  it('the seed CNN predicts what our engine predicts on 100 MNIST test images', () => compare(templateDesign('cnn')));
  it('the residual CNN (BatchNorm, Add) agrees on 100 MNIST test images', () => compare(templateDesign('resnet')));
  it('a design with every layer type agrees on 100 random inputs', () => compare(everyLayerDesign()));
  it('the XOR net (sigmoid output) agrees', () => compare(templateDesign('xor')));
});

/** Top-level fields of a protobuf message: field number -> values (varints as bigint, others as bytes). */
function decodeFields(bytes: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const fields = new Map<number, (bigint | Uint8Array)[]>();
  let at = 0;
  const readVarint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < bytes.length) {
    const key = Number(readVarint());
    const wire = key & 7;
    let value: bigint | Uint8Array;
    if (wire === 0) value = readVarint();
    else if (wire === 2) {
      const length = Number(readVarint());
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 5) {
      value = bytes.subarray(at, at + 4);
      at += 4;
    } else throw new Error(`unexpected wire type ${wire}`);
    fields.set(key >> 3, [...(fields.get(key >> 3) ?? []), value]);
  }
  return fields;
}

describe('the protobuf writer', () => {
  it('encodes varints, negative int64 as ten bytes, floats and nested messages', () => {
    expect(Array.from(varint(0n))).toEqual([0]);
    expect(Array.from(varint(300n))).toEqual([0xac, 0x02]);
    const bytes = new ProtoWriter()
      .int(1, -1)
      .float(2, 1.5)
      .string(3, 'é')
      .message(4, new ProtoWriter().int(1, 150))
      .finish();
    const expected = [
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // field 1 varint -1
      [0x15, 0x00, 0x00, 0xc0, 0x3f], // field 2 fixed32 1.5
      [0x1a, 0x02, 0xc3, 0xa9], // field 3 "é" in UTF-8
      [0x22, 0x03, 0x08, 0x96, 0x01], // field 4 { field 1: 150 }
    ];
    expect(Array.from(bytes)).toEqual(expected.flat());
  });
});

describe('the ONNX file', () => {
  it('declares IR version 8 and opset 17 of the default domain, and stores the design', () => {
    const design = templateDesign('xor');
    const tensors = [
      { name: 'dense_1/kernel', shape: [2, 10], data: new Float32Array(20) },
      { name: 'dense_1/bias', shape: [10], data: new Float32Array(10) },
      { name: 'dense_2/kernel', shape: [10, 1], data: new Float32Array(10) },
      { name: 'dense_2/bias', shape: [1], data: new Float32Array(1) },
    ];
    const model = decodeFields(exportOnnx(design, tensors));
    expect(model.get(1)).toEqual([BigInt(ONNX_IR_VERSION)]);
    expect([ONNX_IR_VERSION, ONNX_OPSET]).toEqual([8, 17]);
    const opset = decodeFields(model.get(8)![0] as Uint8Array);
    expect(opset.get(2)).toEqual([BigInt(ONNX_OPSET)]);
    const props = model.get(14)!.map((p) => decodeFields(p as Uint8Array));
    const text = (b: bigint | Uint8Array) => new TextDecoder().decode(b as Uint8Array);
    const design_ = props.find((p) => text(p.get(1)![0]) === 'design')!;
    expect(JSON.parse(text(design_.get(2)![0]))).toEqual(design);
    // The graph's initializers are the tensors, under their own names.
    const graph = decodeFields(model.get(7)![0] as Uint8Array);
    const names = graph.get(5)!.map((t) => text(decodeFields(t as Uint8Array).get(8)![0]));
    expect(names).toEqual(tensors.map((t) => t.name));
  });

  it('refuses missing or misshapen tensors, naming them', () => {
    const design = templateDesign('xor');
    const kernel = { name: 'dense_1/kernel', shape: [2, 10], data: new Float32Array(20) };
    expect(() => exportOnnx(design, [kernel])).toThrow(/tensor "dense_1\/bias" is missing/);
    expect(() => exportOnnx(design, [{ ...kernel, shape: [10, 2] }])).toThrow(
      /"dense_1\/kernel" has shape \[10, 2\], the design needs \[2, 10\]/,
    );
  });
});
