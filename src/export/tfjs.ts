// Exports a design and its tensors in the TensorFlow.js layers format: model.json (a Keras model
// topology, Sequential for a chain of layers and Functional for graphs with Add/Concatenate, plus a
// weights manifest) and weights.bin (the float32 tensors, little-endian, in manifest order). Our
// layouts are Keras's (Dense [in, out], Conv2D HWIO, NHWC, channels_last Flatten) and our tensor names are
// the Keras weight names, so the tensors go in unchanged. `tf.loadLayersModel` reads the pair.
import { planModel, type Design, type DesignNode, type PlannedLayer } from '../engine/graph';
import { layerWeightName } from '../engine/model/graph-model';
import { writeFloat32LE, type NamedTensor } from './safetensors';

/** The name of the weights file that model.json's manifest points at. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: string; config: Record<string, unknown>; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

/** The Keras layer for one planned layer, and the tensor names (Keras weight order) it loads. */
function kerasLayer(planned: PlannedLayer, name: string): { layer: KerasLayer; weights: string[] } {
  const node = planned.node;
  const base = { name, trainable: true, dtype: 'float32' };
  const layer = (class_name: string, config: Record<string, unknown> = {}, weights: string[] = []) => ({
    layer: { class_name, config: { ...base, ...config } },
    weights: weights.map((w) => `${name}/${w}`),
  });
  const activation = (kind: string) => layer('Activation', { activation: kind });
  switch (node.type) {
    case 'Input':
      return {
        layer: {
          class_name: 'InputLayer',
          config: { name, batch_input_shape: [null, ...node.settings.shape], dtype: 'float32', sparse: false },
        },
        weights: [],
      };
    case 'Dense': {
      const s = node.settings;
      return layer(
        'Dense',
        { units: s.units, activation: s.activation, use_bias: s.useBias },
        s.useBias ? ['kernel', 'bias'] : ['kernel'],
      );
    }
    case 'Conv2D': {
      const s = node.settings;
      return layer(
        'Conv2D',
        {
          filters: s.filters,
          kernel_size: [s.kernelSize, s.kernelSize],
          strides: [s.stride, s.stride],
          padding: s.padding,
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: s.activation,
          use_bias: s.useBias,
        },
        s.useBias ? ['kernel', 'bias'] : ['kernel'],
      );
    }
    case 'MaxPool2D':
    case 'AvgPool2D': {
      const s = node.settings;
      return layer(node.type === 'MaxPool2D' ? 'MaxPooling2D' : 'AveragePooling2D', {
        pool_size: [s.poolSize, s.poolSize],
        strides: [s.stride, s.stride],
        padding: s.padding,
        data_format: 'channels_last',
      });
    }
    case 'GlobalAvgPool':
      return layer('GlobalAveragePooling2D', { data_format: 'channels_last' });
    case 'Flatten':
      return layer('Flatten', { data_format: 'channels_last' });
    case 'Dropout':
      return layer('Dropout', { rate: node.settings.rate });
    case 'BatchNorm':
      return layer(
        'BatchNormalization',
        { axis: -1, momentum: node.settings.momentum, epsilon: node.settings.epsilon, center: true, scale: true },
        ['gamma', 'beta', 'moving_mean', 'moving_variance'],
      );
    case 'ReLU':
      return activation('relu');
    case 'LeakyReLU':
      return layer('LeakyReLU', { alpha: node.settings.alpha });
    case 'Sigmoid':
      return activation('sigmoid');
    case 'Tanh':
      return activation('tanh');
    case 'Softmax':
      return activation('softmax');
    case 'Add':
      return layer('Add');
    case 'Concatenate':
      return layer('Concatenate', { axis: -1 });
    default: {
      // `never`: a layer type added to the design without a case here fails the build.
      const unsupported: never = node;
      throw new Error(
        `exportTfjs: layer "${(unsupported as DesignNode).name}" has a type TensorFlow.js export does not support`,
      );
    }
  }
}

/** A chain: every layer after the Input reads only the layer just before it. */
function isChain(layers: readonly PlannedLayer[]): boolean {
  return layers.every((l, i) => i === 0 || (l.inputIds.length === 1 && l.inputIds[0] === layers[i - 1].node.id));
}

/**
 * model.json and weights.bin for `design` with `tensors` (from modelTensors). The model outputs what
 * Trainer.predict returns: the design's final softmax/sigmoid is part of the topology. Throws when the
 * design is invalid, two layers share a name, or a tensor is missing or misshapen.
 */
export function exportTfjs(
  design: Design,
  tensors: NamedTensor[],
): { modelJson: TfjsModelJson; weightsBin: Uint8Array } {
  const plan = planModel(design);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const names = new Map<string, string>();
  for (const l of plan.layers) {
    const name = layerWeightName(l.node.name);
    if ([...names.values()].includes(name)) {
      throw new Error(
        `exportTfjs: two layers are both named like "${name}"; rename one so every layer has its own name`,
      );
    }
    names.set(l.node.id, name);
  }

  const weights: NamedTensor[] = [];
  const converted = plan.layers.map((planned) => {
    const k = kerasLayer(planned, names.get(planned.node.id)!);
    k.weights.forEach((w, i) => {
      const t = byName.get(w);
      if (!t)
        throw new Error(
          `exportTfjs: tensor "${w}" is missing; export the tensors of a model compiled from this design`,
        );
      const shape = planned.params[i].shape;
      if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j])) {
        throw new Error(
          `exportTfjs: tensor "${w}" has shape [${t.shape.join(', ')}], the design needs [${shape.join(', ')}]`,
        );
      }
      weights.push(t);
    });
    return { planned, ...k };
  });

  let topology: { class_name: string; config: Record<string, unknown> };
  if (isChain(plan.layers)) {
    // Keras 2 Sequential: the input shape rides on the first layer.
    const [input, ...rest] = converted;
    const layers = rest.map(({ layer }, i) =>
      i === 0
        ? { ...layer, config: { ...layer.config, batch_input_shape: input.layer.config.batch_input_shape } }
        : layer,
    );
    topology = { class_name: 'Sequential', config: { name: layerWeightName(design.name), layers } };
  } else {
    const layers = converted.map(({ planned, layer }) => ({
      ...layer,
      name: layer.config.name,
      inbound_nodes: planned.inputIds.length ? [planned.inputIds.map((id) => [names.get(id), 0, 0, {}])] : [],
    }));
    topology = {
      class_name: 'Model',
      config: {
        name: layerWeightName(design.name),
        layers,
        input_layers: [[names.get(plan.inputId), 0, 0]],
        output_layers: [[names.get(plan.outputId), 0, 0]],
      },
    };
  }

  const size = weights.reduce((n, t) => n + t.data.length, 0);
  const weightsBin = new Uint8Array(4 * size);
  let at = 0;
  for (const t of weights) {
    if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
      throw new Error(`exportTfjs: tensor "${t.name}" has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    }
    writeFloat32LE(weightsBin, at, t.data);
    at += 4 * t.data.length;
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'webgpu-playground',
      convertedBy: null,
      modelTopology: { ...topology, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [
        {
          paths: [TFJS_WEIGHTS_FILE],
          weights: weights.map((t) => ({ name: t.name, shape: [...t.shape], dtype: 'float32' })),
        },
      ],
    },
    weightsBin,
  };
}
