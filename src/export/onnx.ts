// Exports a design and its tensors as an ONNX model (IR version 8, opset 17, which onnxruntime 1.x
// runs). The graph keeps our NHWC activations: input "input" [batch, ...inputShape], output
// "probabilities" [batch, ...outputShape] with the design's final softmax/sigmoid applied (what
// Trainer.predict returns). ONNX convolutions and pools are NCHW, so each is wrapped in Transpose nodes;
// initializers are our tensors unchanged (Dense [in, out] for Gemm, Conv2D HWIO turned OIHW by a
// Transpose node that runtimes fold), so their names and values match the safetensors file.
import { planModel, type Design, type DesignNode, type PlannedLayer } from '../engine/graph';
import { axisWindow } from '../engine/ref/shapes';
import { layerWeightName } from '../engine/model/graph-model';
import { ProtoWriter } from './protobuf';
import { writeFloat32LE, type NamedTensor } from './safetensors';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export interface OnnxExportOptions {
  /** ModelProto.producer_version; default "1". */
  producerVersion?: string;
}

// onnx.proto field numbers and enums.
const TENSOR_FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type AttributeValue = number | number[] | { float: number };

interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

function attributeProto(name: string, value: AttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if (Array.isArray(value)) {
    a.int(20, ATTR_INTS);
    for (const v of value) a.int(8, v);
  } else if (typeof value === 'number') {
    a.int(20, ATTR_INT).int(3, value);
  } else {
    a.int(20, ATTR_FLOAT).float(2, value.float);
  }
  return a;
}

function nodeProto(node: OnnxNode): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of node.inputs) n.string(1, i);
  for (const o of node.outputs) n.string(2, o);
  n.string(3, node.name).string(4, node.op);
  for (const [k, v] of Object.entries(node.attributes ?? {})) n.message(5, attributeProto(k, v));
  return n;
}

function tensorProto(t: NamedTensor): ProtoWriter {
  const p = new ProtoWriter();
  for (const d of t.shape) p.int(1, d);
  p.int(2, TENSOR_FLOAT).string(8, t.name);
  const raw = new Uint8Array(4 * t.data.length);
  writeFloat32LE(raw, 0, t.data);
  return p.bytes(9, raw);
}

/** ValueInfoProto for a float tensor [batch, ...shape] with a symbolic batch axis. */
function valueInfo(name: string, shape: readonly number[]): ProtoWriter {
  const dims = new ProtoWriter().message(1, new ProtoWriter().string(2, 'batch'));
  for (const d of shape) dims.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, TENSOR_FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];
const ACTIVATION_OPS: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax' };

/** Builds the ONNX nodes of one planned layer; returns the name of its output value. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly used = new Set<string>();

  constructor(private readonly tensors: Map<string, NamedTensor>) {}

  add(op: string, inputs: string[], output: string, attributes?: Record<string, AttributeValue>): string {
    this.nodes.push({ op, inputs, outputs: [output], name: output, attributes });
    return output;
  }

  /** The name of a tensor the layer needs, after checking it is there with the expected shape. */
  weight(name: string, shape: readonly number[]): string {
    const t = this.tensors.get(name);
    if (!t)
      throw new Error(
        `exportOnnx: tensor "${name}" is missing; export the tensors of a model compiled from this design`,
      );
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `exportOnnx: tensor "${name}" has shape [${t.shape.join(', ')}], the design needs [${shape.join(', ')}]`,
      );
    }
    this.used.add(name);
    return name;
  }

  activation(kind: string, x: string, out: string, alpha = 0.01): string {
    if (kind === 'linear') return x;
    if (kind === 'leaky_relu') return this.add('LeakyRelu', [x], out, { alpha: { float: alpha } });
    if (kind === 'softmax') return this.add('Softmax', [x], out, { axis: -1 });
    return this.add(ACTIVATION_OPS[kind], [x], out);
  }

  /** Runs an NCHW op on an NHWC value: Transpose, the op, Transpose back. */
  nchw(x: string, name: string, op: string, extraInputs: string[], attributes: Record<string, AttributeValue>): string {
    const t = this.add('Transpose', [x], `${name}/to_nchw`, { perm: NHWC_TO_NCHW });
    const y = this.add(op, [t, ...extraInputs], `${name}/${op.toLowerCase()}`, attributes);
    return this.add('Transpose', [y], `${name}/to_nhwc`, { perm: NCHW_TO_NHWC });
  }

  layer(planned: PlannedLayer, inputs: string[]): string {
    const node = planned.node;
    const name = layerWeightName(node.name);
    const inShape = planned.inputShapes[0] ?? [];
    const x = inputs[0];
    switch (node.type) {
      case 'Input':
        return 'input';
      case 'Dense': {
        const s = node.settings;
        const w = this.weight(`${name}/kernel`, [inShape[0], s.units]);
        const gemmInputs = s.useBias ? [x, w, this.weight(`${name}/bias`, [s.units])] : [x, w];
        const y = this.add('Gemm', gemmInputs, `${name}/dense`);
        return this.activation(s.activation, y, `${name}/${s.activation}`);
      }
      case 'Conv2D': {
        const s = node.settings;
        const k = s.kernelSize;
        const kernel = this.weight(`${name}/kernel`, [k, k, inShape[2], s.filters]);
        const oihw = this.add('Transpose', [kernel], `${name}/kernel_oihw`, { perm: HWIO_TO_OIHW });
        const extra = s.useBias ? [oihw, this.weight(`${name}/bias`, [s.filters])] : [oihw];
        const y = this.nchw(x, name, 'Conv', extra, {
          kernel_shape: [k, k],
          strides: [s.stride, s.stride],
          pads: pads(inShape, k, s.stride, s.padding),
        });
        return this.activation(s.activation, y, `${name}/${s.activation}`);
      }
      case 'MaxPool2D':
      case 'AvgPool2D': {
        const s = node.settings;
        const attributes: Record<string, AttributeValue> = {
          kernel_shape: [s.poolSize, s.poolSize],
          strides: [s.stride, s.stride],
          pads: pads(inShape, s.poolSize, s.stride, s.padding),
        };
        // Padded taps are left out of the mean, as in TensorFlow and our engine.
        if (node.type === 'AvgPool2D') attributes.count_include_pad = 0;
        return this.nchw(x, name, node.type === 'MaxPool2D' ? 'MaxPool' : 'AveragePool', [], attributes);
      }
      case 'GlobalAvgPool':
        return this.add('ReduceMean', [x], `${name}/mean`, { axes: [1, 2], keepdims: 0 });
      case 'Flatten':
        // Our values stay NHWC, so flattening everything after the batch axis is NHWC order.
        return this.add('Flatten', [x], `${name}/flatten`, { axis: 1 });
      case 'Dropout':
        return this.add('Identity', [x], `${name}/identity`);
      case 'BatchNorm': {
        const c = inShape[inShape.length - 1];
        const params = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((p) => this.weight(`${name}/${p}`, [c]));
        const attributes = { epsilon: { float: node.settings.epsilon } };
        if (inShape.length === 1)
          return this.add('BatchNormalization', [x, ...params], `${name}/batchnormalization`, attributes);
        if (inShape.length !== 3)
          throw new Error(`exportOnnx: BatchNorm "${node.name}" on a rank-${inShape.length} input cannot be exported`);
        return this.nchw(x, name, 'BatchNormalization', params, attributes);
      }
      case 'ReLU':
        return this.activation('relu', x, `${name}/relu`);
      case 'LeakyReLU':
        return this.activation('leaky_relu', x, `${name}/leaky_relu`, node.settings.alpha);
      case 'Sigmoid':
        return this.activation('sigmoid', x, `${name}/sigmoid`);
      case 'Tanh':
        return this.activation('tanh', x, `${name}/tanh`);
      case 'Softmax':
        return this.activation('softmax', x, `${name}/softmax`);
      case 'Add':
        return this.add('Sum', inputs, `${name}/sum`);
      case 'Concatenate':
        return this.add('Concat', inputs, `${name}/concat`, { axis: -1 });
      default: {
        // `never`: a layer type added to the design without a case here fails the build.
        const unsupported: never = node;
        throw new Error(
          `exportOnnx: layer "${(unsupported as DesignNode).name}" has a type ONNX export does not support`,
        );
      }
    }
  }
}

/** ONNX pads [top, left, bottom, right] for our (TensorFlow) 'same'/'valid' rule on an [h, w, c] input. */
function pads(inShape: readonly number[], k: number, stride: number, padding: 'same' | 'valid'): number[] {
  const h = axisWindow(inShape[0], k, stride, padding);
  const w = axisWindow(inShape[1], k, stride, padding);
  return [h.padBefore, w.padBefore, h.padAfter, w.padAfter];
}

/**
 * The ONNX ModelProto bytes for `design` with `tensors` (from modelTensors: every parameter and the
 * BatchNorm moving statistics). Throws when the design is invalid or a tensor is missing or misshapen.
 */
export function exportOnnx(design: Design, tensors: NamedTensor[], opts: OnnxExportOptions = {}): Uint8Array {
  const plan = planModel(design);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const builder = new GraphBuilder(byName);
  const values = new Map<string, string>();
  const layerNames = new Set<string>();
  for (const planned of plan.layers) {
    const name = layerWeightName(planned.node.name);
    if (planned.node.type !== 'Input' && layerNames.has(name)) {
      throw new Error(
        `exportOnnx: two layers are both named like "${name}"; rename one so every layer has its own name`,
      );
    }
    layerNames.add(name);
    values.set(
      planned.node.id,
      builder.layer(
        planned,
        planned.inputIds.map((id) => values.get(id)!),
      ),
    );
  }
  builder.add('Identity', [values.get(plan.outputId)!], 'probabilities');

  const graph = new ProtoWriter();
  for (const n of builder.nodes) graph.message(1, nodeProto(n));
  graph.string(2, layerWeightName(design.name) || 'model');
  for (const t of tensors) if (builder.used.has(t.name)) graph.message(5, tensorProto(t));
  graph.message(11, valueInfo('input', plan.inputShape));
  graph.message(12, valueInfo('probabilities', plan.outputShape));

  const model = new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'webgpu-playground')
    .string(3, opts.producerVersion ?? '1')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET));
  const metadata = { design: JSON.stringify(design), layout: 'nhwc' };
  for (const [key, value] of Object.entries(metadata))
    model.message(14, new ProtoWriter().string(1, key).string(2, value));
  return model.finish();
}
