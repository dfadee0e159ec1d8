// Translates a design into the PyTorch operations model.py runs, with every decision that makes PyTorch
// compute exactly what the playground computes made here, in data, where tests can check it: images
// travel NCHW inside the module (the playground is NHWC), 'same' padding becomes explicit (possibly
// asymmetric) pads, Flatten goes back to NHWC order first, and each weight tensor is tied to the PyTorch
// parameter it becomes with the permutation between the two layouts. model-py.ts only prints this plan.
import { LAYERS, planModel, type DesignNode, type ModelPlan, type PlannedLayer, type Shape } from '../../engine/graph';
import { axisWindow } from '../../engine/ref/shapes';
import { layerWeightName, lossForDesign } from '../../engine/model/graph-model';
import type { Design } from '../../engine/graph';
import type { LossKind } from '../../engine/train/trainer';
import { pyIdentifier } from './python';

/** Padding of an image on each side, in pixels. */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type TorchActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/** One step of the forward pass, in PyTorch terms. */
export type TorchOp =
  | { op: 'input'; image: boolean }
  | { op: 'linear'; inFeatures: number; outFeatures: number; bias: boolean; activation: TorchActivation }
  | {
      op: 'conv';
      inChannels: number;
      outChannels: number;
      kernelSize: number;
      stride: number;
      pads: Pads;
      bias: boolean;
      activation: TorchActivation;
    }
  | { op: 'maxPool' | 'avgPool'; poolSize: number; stride: number; pads: Pads }
  | { op: 'globalAvgPool' }
  | { op: 'flatten'; image: boolean }
  | { op: 'dropout'; rate: number }
  | { op: 'batchNorm'; channels: number; momentum: number; epsilon: number }
  | { op: 'activation'; activation: TorchActivation }
  | { op: 'leakyRelu'; alpha: number }
  | { op: 'add' }
  | { op: 'concat' };

/**
 * How a weight tensor is laid out in the playground's file versus in PyTorch:
 * 'linear': Dense kernel [in, out] <-> nn.Linear.weight [out, in];
 * 'conv':   Conv2D kernel [kh, kw, in, out] <-> nn.Conv2d.weight [out, in, kh, kw];
 * 'vector': biases, BatchNorm gamma/beta and running statistics, the same in both.
 */
export type TensorLayout = 'linear' | 'conv' | 'vector';

/** The axis permutations between the layouts: torch = ours.permute(toTorch), ours = torch.permute(toPlayground). */
export const LAYOUT_PERMUTATIONS: Record<TensorLayout, { toTorch: number[]; toPlayground: number[] }> = {
  linear: { toTorch: [1, 0], toPlayground: [1, 0] },
  conv: { toTorch: [3, 2, 0, 1], toPlayground: [2, 3, 1, 0] },
  vector: { toTorch: [0], toPlayground: [0] },
};

/** A shape permuted like a tensor: result[i] = shape[permutation[i]]. */
export function permuteShape(shape: readonly number[], permutation: readonly number[]): number[] {
  return permutation.map((axis) => shape[axis]);
}

/** One tensor of the weights file and the module parameter (or buffer) it becomes. */
export interface TorchTensor {
  /** The name in the playground's safetensors file, e.g. "conv2d_1/kernel". */
  file: string;
  /** The state_dict key in PyTorch, e.g. "conv2d_1.weight". */
  torch: string;
  layout: TensorLayout;
  /** Shape in the playground's layout. */
  shape: number[];
  /** Shape in PyTorch's layout. */
  torchShape: number[];
  /** Trained by the optimiser (BatchNorm's running statistics are not). */
  trainable: boolean;
  /** L1/L2 weight decay applies (kernels yes; biases and BatchNorm gamma/beta no), as in the engine. */
  decay: boolean;
}

export interface TorchNode {
  id: string;
  /** The layer's name in the design, for comments and error messages. */
  name: string;
  type: DesignNode['type'];
  /** The weight-name prefix in the safetensors file ("Dense 1" -> "dense_1"). */
  weightName: string;
  /** The Python attribute and local variable for this layer. */
  ident: string;
  /** Identifiers of the inputs, in merge order. */
  inputs: string[];
  op: TorchOp;
  /** The playground's output shape per sample (NHWC for images). */
  outputShape: number[];
  /** The output is an image, held NCHW inside the module. */
  image: boolean;
  tensors: TorchTensor[];
  /** The output's softmax/sigmoid was left to the loss (the playground trains on logits too). */
  droppedFinal: boolean;
}

export interface TorchPlan {
  designName: string;
  loss: LossKind;
  inputShape: number[];
  outputShape: number[];
  nodes: TorchNode[];
  outputIdent: string;
  /** Every tensor of the weights file, in layer order. */
  tensors: TorchTensor[];
}

/** The design has a layer the PyTorch export does not know; the message names the layer and its type. */
export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
  constructor(
    readonly layerName: string,
    readonly layerType: string,
  ) {
    super(
      `Layer "${layerName}" (${layerType}) cannot be exported to PyTorch: the exporter has no translation for ` +
        `${layerType} layers. Replace it in the Design section, or export the weights (safetensors) only.`,
    );
  }
}

/** Two layers map to the same weight names, so the weights file and model.py could not tell them apart. */
export class WeightNameClashError extends Error {
  override name = 'WeightNameClashError';
}

/** TensorFlow's 'same' (odd pixel at the end) or no padding, for an input of `height` x `width`. */
export function windowPads(height: number, width: number, window: number, stride: number, padding: string): Pads {
  const mode = padding === 'same' ? 'same' : 'valid';
  const h = axisWindow(height, window, stride, mode);
  const w = axisWindow(width, window, stride, mode);
  return { top: h.padBefore, bottom: h.padAfter, left: w.padBefore, right: w.padAfter };
}

export function hasPadding(p: Pads): boolean {
  return p.top + p.bottom + p.left + p.right > 0;
}

export function isSymmetric(p: Pads): boolean {
  return p.top === p.bottom && p.left === p.right;
}

/**
 * Validates the design (throws DesignInvalidError listing every problem, UnsupportedLayerError for a layer
 * type this exporter does not know) and plans its PyTorch module.
 */
export function torchPlanForDesign(design: Design): TorchPlan {
  for (const node of design.nodes as { name: string; type: string }[]) {
    if (!Object.hasOwn(LAYERS, node.type)) throw new UnsupportedLayerError(node.name, node.type);
  }
  return torchPlan(planModel(design), { designName: design.name });
}

/** Plans the PyTorch module for a validated model plan. */
export function torchPlan(plan: ModelPlan, options: { designName?: string; loss?: LossKind } = {}): TorchPlan {
  const loss = options.loss ?? lossForDesign(plan);
  const idents = new Map<string, string>();
  const used = new Set<string>();
  const byWeightName = new Map<string, string>();
  for (const layer of plan.layers) {
    const weightName = layerWeightName(layer.node.name);
    const other = byWeightName.get(weightName);
    if (other !== undefined) {
      throw new WeightNameClashError(
        `Layers "${other}" and "${layer.node.name}" both become "${weightName}" in the weights file and in ` +
          'model.py: rename one of them in the Design section.',
      );
    }
    byWeightName.set(weightName, layer.node.name);
    let ident = pyIdentifier(weightName);
    for (let n = 2; used.has(ident); n++) ident = `${pyIdentifier(weightName)}_${n}`;
    used.add(ident);
    idents.set(layer.node.id, ident);
  }
  const nodes = plan.layers.map((layer) => torchNode(layer, idents, layer.node.id === plan.outputId ? loss : null));
  return {
    designName: options.designName ?? '',
    loss,
    inputShape: [...plan.inputShape],
    outputShape: [...plan.outputShape],
    nodes,
    outputIdent: idents.get(plan.outputId)!,
    tensors: nodes.flatMap((n) => n.tensors),
  };
}

function isImage(shape: Shape): boolean {
  return shape.length === 3;
}

function tensor(
  weightName: string,
  ident: string,
  ours: string,
  theirs: string,
  layout: TensorLayout,
  shape: number[],
  flags: { trainable: boolean; decay: boolean },
): TorchTensor {
  return {
    file: `${weightName}/${ours}`,
    torch: `${ident}.${theirs}`,
    layout,
    shape,
    torchShape: permuteShape(shape, LAYOUT_PERMUTATIONS[layout].toTorch),
    ...flags,
  };
}

const WEIGHT = { trainable: true, decay: true };
const TRAINED = { trainable: true, decay: false };
const STATE = { trainable: false, decay: false };

/**
 * One layer in PyTorch terms. `outputLoss` is set for the output layer only: a softmax (or sigmoid) that
 * the loss applies to logits is left out, exactly as the engine's GraphModel does.
 */
function torchNode(layer: PlannedLayer, idents: Map<string, string>, outputLoss: LossKind | null): TorchNode {
  const node = layer.node;
  const weightName = layerWeightName(node.name);
  const ident = idents.get(node.id)!;
  const input = layer.inputShapes[0] ?? [];
  const dropsSoftmax = outputLoss === 'softmax-cross-entropy';
  const dropsSigmoid = outputLoss === 'bce-with-logits';
  const dropped = (a: TorchActivation): boolean =>
    (a === 'softmax' && dropsSoftmax) || (a === 'sigmoid' && dropsSigmoid);
  const base = {
    id: node.id,
    name: node.name,
    type: node.type,
    weightName,
    ident,
    inputs: layer.inputIds.map((id) => idents.get(id)!),
    outputShape: [...layer.outputShape],
    image: isImage(layer.outputShape),
    tensors: [] as TorchTensor[],
    droppedFinal: false,
  };
  const t = (ours: string, theirs: string, layout: TensorLayout, shape: number[], flags: typeof WEIGHT) =>
    tensor(weightName, ident, ours, theirs, layout, shape, flags);
  switch (node.type) {
    case 'Input':
      return { ...base, op: { op: 'input', image: isImage(layer.outputShape) } };
    case 'Dense': {
      const s = node.settings;
      const drop = dropped(s.activation);
      const tensors = [t('kernel', 'weight', 'linear', [input[0], s.units], WEIGHT)];
      if (s.useBias) tensors.push(t('bias', 'bias', 'vector', [s.units], TRAINED));
      return {
        ...base,
        tensors,
        droppedFinal: drop,
        op: {
          op: 'linear',
          inFeatures: input[0],
          outFeatures: s.units,
          bias: s.useBias,
          activation: drop ? 'linear' : s.activation,
        },
      };
    }
    case 'Conv2D': {
      const s = node.settings;
      const drop = dropped(s.activation);
      const inChannels = input[2];
      const tensors = [t('kernel', 'weight', 'conv', [s.kernelSize, s.kernelSize, inChannels, s.filters], WEIGHT)];
      if (s.useBias) tensors.push(t('bias', 'bias', 'vector', [s.filters], TRAINED));
      return {
        ...base,
        tensors,
        droppedFinal: drop,
        op: {
          op: 'conv',
          inChannels,
          outChannels: s.filters,
          kernelSize: s.kernelSize,
          stride: s.stride,
          pads: windowPads(input[0], input[1], s.kernelSize, s.stride, s.padding),
          bias: s.useBias,
          activation: drop ? 'linear' : s.activation,
        },
      };
    }
    case 'MaxPool2D':
    case 'AvgPool2D': {
      const s = node.settings;
      return {
        ...base,
        op: {
          op: node.type === 'MaxPool2D' ? 'maxPool' : 'avgPool',
          poolSize: s.poolSize,
          stride: s.stride,
          pads: windowPads(input[0], input[1], s.poolSize, s.stride, s.padding),
        },
      };
    }
    case 'GlobalAvgPool':
      return { ...base, op: { op: 'globalAvgPool' } };
    case 'Flatten':
      return { ...base, op: { op: 'flatten', image: isImage(input) } };
    case 'Dropout':
      return { ...base, op: { op: 'dropout', rate: node.settings.rate } };
    case 'BatchNorm': {
      const channels = input[input.length - 1];
      return {
        ...base,
        tensors: [
          t('gamma', 'weight', 'vector', [channels], TRAINED),
          t('beta', 'bias', 'vector', [channels], TRAINED),
          t('moving_mean', 'running_mean', 'vector', [channels], STATE),
          t('moving_variance', 'running_var', 'vector', [channels], STATE),
        ],
        op: { op: 'batchNorm', channels, momentum: node.settings.momentum, epsilon: node.settings.epsilon },
      };
    }
    case 'ReLU':
      return { ...base, op: { op: 'activation', activation: 'relu' } };
    case 'LeakyReLU':
      return { ...base, op: { op: 'leakyRelu', alpha: node.settings.alpha } };
    case 'Tanh':
      return { ...base, op: { op: 'activation', activation: 'tanh' } };
    case 'Sigmoid':
    case 'Softmax': {
      const activation = node.type === 'Sigmoid' ? 'sigmoid' : 'softmax';
      const drop = dropped(activation);
      return { ...base, droppedFinal: drop, op: { op: 'activation', activation: drop ? 'linear' : activation } };
    }
    case 'Add':
      return { ...base, op: { op: 'add' } };
    case 'Concatenate':
      return { ...base, op: { op: 'concat' } };
    default: {
      const unknown = node as { name: string; type: string };
      throw new UnsupportedLayerError(unknown.name, unknown.type);
    }
  }
}
