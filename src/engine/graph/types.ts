// The network design as plain data: layers (nodes) with typed settings, and directed edges between them.
// This is what the designer edits, what is saved as JSON, and what the engine compiles into a model.
// Shapes never include the batch axis; images are NHWC, so a layer's shape is [height, width, channels].

/** A tensor shape per sample (no batch axis): [features] or [height, width, channels]. */
export type Shape = readonly number[];

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];

export type Padding = 'valid' | 'same';
export const PADDINGS: readonly Padding[] = ['valid', 'same'];

/** Settings of every layer type; the keys of this table are the layer types. */
export interface LayerSettingsByType {
  /** The data entering the model; shape [features] or [height, width, channels]. */
  Input: { shape: number[] };
  /** y = act(x W + b); W [in, out], b [out]. */
  Dense: { units: number; activation: Activation; useBias: boolean };
  /** NHWC convolution; filters [kernelSize, kernelSize, inC, filters], bias [filters]. */
  Conv2D: {
    filters: number;
    kernelSize: number;
    stride: number;
    padding: Padding;
    activation: Activation;
    useBias: boolean;
  };
  MaxPool2D: { poolSize: number; stride: number; padding: Padding };
  AvgPool2D: { poolSize: number; stride: number; padding: Padding };
  /** Mean over height and width: [h, w, c] -> [c]. */
  GlobalAvgPool: Record<string, never>;
  Flatten: Record<string, never>;
  /** Zeroes a fraction `rate` of the activations while training (inverted scaling). */
  Dropout: { rate: number };
  /** Per-channel (last axis) normalisation with gamma, beta and moving mean/variance. */
  BatchNorm: { momentum: number; epsilon: number };
  ReLU: Record<string, never>;
  LeakyReLU: { alpha: number };
  Sigmoid: Record<string, never>;
  Tanh: Record<string, never>;
  /** Softmax over the last axis. */
  Softmax: Record<string, never>;
  /** Element-wise sum of two or more inputs of equal shape. */
  Add: Record<string, never>;
  /** Joins two or more inputs on the channel (last) axis; the other axes must be equal. */
  Concatenate: Record<string, never>;
}

export type LayerType = keyof LayerSettingsByType;

export const LAYER_TYPES: readonly LayerType[] = [
  'Input',
  'Dense',
  'Conv2D',
  'MaxPool2D',
  'AvgPool2D',
  'GlobalAvgPool',
  'Flatten',
  'Dropout',
  'BatchNorm',
  'ReLU',
  'LeakyReLU',
  'Sigmoid',
  'Tanh',
  'Softmax',
  'Add',
  'Concatenate',
];

export interface Position {
  x: number;
  y: number;
}

/** One layer of the design; `type` selects the shape of `settings`. */
export type DesignNode = {
  [T in LayerType]: { id: string; type: T; name: string; settings: LayerSettingsByType[T]; position: Position };
}[LayerType];

export type NodeOf<T extends LayerType> = Extract<DesignNode, { type: T }>;

/**
 * Data flows from `source` to `target`. A layer with several inputs (Add, Concatenate) takes them in the
 * order their edges appear in `Design.edges`.
 */
export interface DesignEdge {
  id: string;
  source: string;
  target: string;
}

export const DESIGN_FORMAT_VERSION = 1;

export interface Design {
  version: typeof DESIGN_FORMAT_VERSION;
  name: string;
  nodes: DesignNode[];
  edges: DesignEdge[];
}

/** The two WebGPU limits that bound one tensor. */
export interface GpuBufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** WebGPU's default limits, which every adapter meets; used when no adapter is known. */
export const WEBGPU_DEFAULT_BUFFER_LIMITS: GpuBufferLimits = {
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxBufferSize: 256 * 1024 * 1024,
};
