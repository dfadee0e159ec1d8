// The layer catalogue: for every layer type its settings (with limits and defaults), how it maps input
// shapes to its output shape, which parameter tensors it owns (Keras layouts and counts), and its FLOPs
// per sample. One typed table, so a new layer type does not build until every rule is given.
import type { Activation, LayerSettingsByType, LayerType, Padding, Shape } from './types';
import { ACTIVATIONS, PADDINGS } from './types';

/** A layer cannot take the shapes it was given; the message says why and what to do. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** One editable setting of a layer, with what values it accepts. */
export type FieldSpec<K extends string = string> =
  | { key: K; label: string; kind: 'int'; min: number; max: number; help?: string }
  | {
      key: K;
      label: string;
      kind: 'number';
      min: number;
      max: number;
      minExclusive?: boolean;
      maxExclusive?: boolean;
      help?: string;
    }
  | { key: K; label: string; kind: 'choice'; options: readonly string[]; help?: string }
  | { key: K; label: string; kind: 'bool'; help?: string }
  | { key: K; label: string; kind: 'shape'; help?: string };

/** How a parameter tensor starts; fans are those Keras uses (receptive field × channels for conv). */
export type Initializer =
  { kind: 'glorotUniform'; fanIn: number; fanOut: number } | { kind: 'zeros' } | { kind: 'ones' };

export type ParamName = 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';

/** A parameter tensor a layer owns: Dense kernel [in, out], Conv2D kernel [kh, kw, inC, outC], biases [out]. */
export interface ParamSpec {
  name: ParamName;
  shape: number[];
  /** Updated by the optimiser; BatchNorm's moving statistics are not. */
  trainable: boolean;
  init: Initializer;
}

export type LayerCategory = 'Input' | 'Core' | 'Convolution' | 'Pooling' | 'Activation' | 'Regularisation' | 'Merge';

export interface LayerSpec<T extends LayerType> {
  type: T;
  label: string;
  category: LayerCategory;
  description: string;
  /** 'none': takes no input (Input); 'one': exactly one; 'many': two or more (merge layers). */
  arity: 'none' | 'one' | 'many';
  fields: readonly FieldSpec<keyof LayerSettingsByType[T] & string>[];
  defaults: LayerSettingsByType[T];
  /** The key settings in a few characters, e.g. "32 · 3×3 · s1 · valid · relu". */
  summary(settings: LayerSettingsByType[T]): string;
  /** The output shape; throws ShapeError when the inputs do not fit. */
  outputShape(inputs: Shape[], settings: LayerSettingsByType[T]): Shape;
  params(inputs: Shape[], settings: LayerSettingsByType[T], output: Shape): ParamSpec[];
  /** Forward FLOPs per sample in training mode (a multiply-add counts 2; see ELEMENTWISE_FLOPS). */
  flops(inputs: Shape[], settings: LayerSettingsByType[T], output: Shape): number;
  /** The output is a reshape of the input and costs no memory of its own (Flatten). */
  isView?: boolean;
}

/**
 * FLOPs per element of the element-wise functions. Each arithmetic operation or transcendental function
 * counts one: sigmoid 1/(1+exp(-x)) = 3; tanh = 1 (one builtin); softmax: subtract max, exp, sum, divide,
 * plus the max itself = 5; leaky ReLU: compare + multiply = 2.
 */
export const ELEMENTWISE_FLOPS: Record<Activation | 'leakyRelu', number> = {
  linear: 0,
  relu: 1,
  leakyRelu: 2,
  sigmoid: 3,
  tanh: 1,
  softmax: 5,
};

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** "26×26×32" */
export function formatShape(shape: Shape): string {
  return shape.join('×');
}

const ACTIVATION_FIELD = { key: 'activation', label: 'Activation', kind: 'choice', options: ACTIVATIONS } as const;
const PADDING_FIELD = {
  key: 'padding',
  label: 'Padding',
  kind: 'choice',
  options: PADDINGS,
  help: "'valid' uses no padding; 'same' pads so that output = ceil(input / stride)",
} as const;

function one(inputs: Shape[]): Shape {
  return inputs[0];
}

function requireImage(layer: string, input: Shape): [number, number, number] {
  if (input.length !== 3) {
    throw new ShapeError(
      `${layer} needs an image input height×width×channels, but gets ${formatShape(input)}` +
        (input.length === 1 ? ': give the Input a 3-D shape such as 28×28×1' : ''),
    );
  }
  return [input[0], input[1], input[2]];
}

/** Output length of a sliding window along one axis (Keras rules). */
export function windowOutput(size: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

function slidingShape(layer: string, input: Shape, window: number, stride: number, padding: Padding, what: string) {
  const [h, w, c] = requireImage(layer, input);
  if (padding === 'valid' && (h < window || w < window)) {
    throw new ShapeError(
      `${layer}: the ${what} ${window}×${window} is larger than its input ${h}×${w} with 'valid' padding: ` +
        `use a smaller ${what}, 'same' padding, or remove a pooling layer before it`,
    );
  }
  return [windowOutput(h, window, stride, padding), windowOutput(w, window, stride, padding), c] as const;
}

const NO_PARAMS = (): ParamSpec[] => [];

function elementwise<T extends 'ReLU' | 'Sigmoid' | 'Tanh' | 'Softmax'>(
  type: T,
  label: string,
  description: string,
  flopsPerElement: number,
): LayerSpec<T> {
  return {
    type,
    label,
    category: 'Activation',
    description,
    arity: 'one',
    fields: [],
    defaults: {} as LayerSettingsByType[T],
    summary: () => '',
    outputShape: one,
    params: NO_PARAMS,
    flops: (_i, _s, out) => flopsPerElement * sizeOf(out),
  };
}

function pooling<T extends 'MaxPool2D' | 'AvgPool2D'>(type: T, label: string, description: string): LayerSpec<T> {
  return {
    type,
    label,
    category: 'Pooling',
    description,
    arity: 'one',
    fields: [
      { key: 'poolSize', label: 'Pool size', kind: 'int', min: 1, max: 64 },
      { key: 'stride', label: 'Stride', kind: 'int', min: 1, max: 64 },
      PADDING_FIELD,
    ],
    defaults: { poolSize: 2, stride: 2, padding: 'valid' } as LayerSettingsByType[T],
    summary: (s) => `${s.poolSize}×${s.poolSize} · s${s.stride} · ${s.padding}`,
    outputShape: (inputs, s) => slidingShape(label, inputs[0], s.poolSize, s.stride, s.padding, 'pool window'),
    params: NO_PARAMS,
    // One comparison (max) or addition (average) per window element, plus the average's division.
    flops: (_i, s, out) => sizeOf(out) * (s.poolSize * s.poolSize + (type === 'AvgPool2D' ? 1 : 0)),
  };
}

function merge<T extends 'Add' | 'Concatenate'>(
  type: T,
  description: string,
  outputShape: (inputs: Shape[]) => Shape,
  flops: (inputs: Shape[], out: Shape) => number,
): LayerSpec<T> {
  return {
    type,
    label: type,
    category: 'Merge',
    description,
    arity: 'many',
    fields: [],
    defaults: {} as LayerSettingsByType[T],
    summary: () => '',
    outputShape,
    params: NO_PARAMS,
    flops: (inputs, _s, out) => flops(inputs, out),
  };
}

export const LAYERS: { [T in LayerType]: LayerSpec<T> } = {
  Input: {
    type: 'Input',
    label: 'Input',
    category: 'Input',
    description: 'The data entering the model: features, or an image height×width×channels.',
    arity: 'none',
    fields: [
      {
        key: 'shape',
        label: 'Shape',
        kind: 'shape',
        help: 'Features (e.g. 784) or height×width×channels (e.g. 28×28×1)',
      },
    ],
    defaults: { shape: [28, 28, 1] },
    summary: (s) => formatShape(s.shape),
    outputShape: (_inputs, s) => s.shape,
    params: NO_PARAMS,
    flops: () => 0,
  },
  Dense: {
    type: 'Dense',
    label: 'Dense',
    category: 'Core',
    description: 'Fully connected: every output is a weighted sum of all inputs, plus a bias.',
    arity: 'one',
    fields: [
      { key: 'units', label: 'Units', kind: 'int', min: 1, max: 65536 },
      ACTIVATION_FIELD,
      { key: 'useBias', label: 'Use bias', kind: 'bool' },
    ],
    defaults: { units: 128, activation: 'relu', useBias: true },
    summary: (s) => `${s.units} · ${s.activation}`,
    outputShape: (inputs, s) => {
      const input = inputs[0];
      if (input.length !== 1) {
        throw new ShapeError(
          `Dense expects a flat input, but gets ${formatShape(input)}: add a Flatten (or GlobalAvgPool) layer before it`,
        );
      }
      return [s.units];
    },
    params: (inputs, s) => {
      const fanIn = inputs[0][0];
      const kernel: ParamSpec = {
        name: 'kernel',
        shape: [fanIn, s.units],
        trainable: true,
        init: { kind: 'glorotUniform', fanIn, fanOut: s.units },
      };
      return s.useBias
        ? [kernel, { name: 'bias', shape: [s.units], trainable: true, init: { kind: 'zeros' } }]
        : [kernel];
    },
    flops: (inputs, s) =>
      2 * inputs[0][0] * s.units + (s.useBias ? s.units : 0) + ELEMENTWISE_FLOPS[s.activation] * s.units,
  },
  Conv2D: {
    type: 'Conv2D',
    label: 'Conv2D',
    category: 'Convolution',
    description: 'Slides learned filters over the image; each filter makes one output channel.',
    arity: 'one',
    fields: [
      { key: 'filters', label: 'Filters', kind: 'int', min: 1, max: 4096 },
      { key: 'kernelSize', label: 'Kernel size', kind: 'int', min: 1, max: 31 },
      { key: 'stride', label: 'Stride', kind: 'int', min: 1, max: 16 },
      PADDING_FIELD,
      ACTIVATION_FIELD,
      { key: 'useBias', label: 'Use bias', kind: 'bool' },
    ],
    defaults: { filters: 32, kernelSize: 3, stride: 1, padding: 'valid', activation: 'relu', useBias: true },
    summary: (s) => `${s.filters} · ${s.kernelSize}×${s.kernelSize} · s${s.stride} · ${s.padding} · ${s.activation}`,
    outputShape: (inputs, s) => {
      const [h, w] = slidingShape('Conv2D', inputs[0], s.kernelSize, s.stride, s.padding, 'kernel');
      return [h, w, s.filters];
    },
    params: (inputs, s) => {
      const inC = inputs[0][2];
      const k = s.kernelSize;
      const kernel: ParamSpec = {
        name: 'kernel',
        shape: [k, k, inC, s.filters],
        trainable: true,
        init: { kind: 'glorotUniform', fanIn: k * k * inC, fanOut: k * k * s.filters },
      };
      return s.useBias
        ? [kernel, { name: 'bias', shape: [s.filters], trainable: true, init: { kind: 'zeros' } }]
        : [kernel];
    },
    flops: (inputs, s, out) => {
      const outSize = sizeOf(out);
      const macs = outSize * s.kernelSize * s.kernelSize * inputs[0][2];
      return 2 * macs + (s.useBias ? outSize : 0) + ELEMENTWISE_FLOPS[s.activation] * outSize;
    },
  },
  MaxPool2D: pooling(
    'MaxPool2D',
    'MaxPool2D',
    'Keeps the largest value of each window: halves height and width at 2×2.',
  ),
  AvgPool2D: pooling('AvgPool2D', 'AvgPool2D', 'Averages each window: halves height and width at 2×2.'),
  GlobalAvgPool: {
    type: 'GlobalAvgPool',
    label: 'GlobalAvgPool',
    category: 'Pooling',
    description: 'Averages each channel over the whole image: h×w×c becomes c.',
    arity: 'one',
    fields: [],
    defaults: {},
    summary: () => '',
    outputShape: (inputs) => [requireImage('GlobalAvgPool', inputs[0])[2]],
    params: NO_PARAMS,
    flops: (inputs) => sizeOf(inputs[0]),
  },
  Flatten: {
    type: 'Flatten',
    label: 'Flatten',
    category: 'Core',
    description: 'Lays the image out as one vector (row-major, channels last), for Dense layers.',
    arity: 'one',
    fields: [],
    defaults: {},
    summary: () => '',
    outputShape: (inputs) => [sizeOf(inputs[0])],
    params: NO_PARAMS,
    flops: () => 0,
    isView: true,
  },
  Dropout: {
    type: 'Dropout',
    label: 'Dropout',
    category: 'Regularisation',
    description: 'While training, zeroes a random fraction of activations and scales the rest up.',
    arity: 'one',
    fields: [
      {
        key: 'rate',
        label: 'Rate',
        kind: 'number',
        min: 0,
        max: 1,
        maxExclusive: true,
        help: 'Fraction dropped, 0 ≤ rate < 1',
      },
    ],
    defaults: { rate: 0.5 },
    summary: (s) => `rate ${s.rate}`,
    outputShape: one,
    params: NO_PARAMS,
    flops: (_i, _s, out) => sizeOf(out),
  },
  BatchNorm: {
    type: 'BatchNorm',
    label: 'BatchNorm',
    category: 'Regularisation',
    description: 'Normalises each channel over the batch, then scales (gamma) and shifts (beta).',
    arity: 'one',
    fields: [
      { key: 'momentum', label: 'Momentum', kind: 'number', min: 0, max: 1, minExclusive: true, maxExclusive: true },
      { key: 'epsilon', label: 'Epsilon', kind: 'number', min: 0, max: 1, minExclusive: true },
    ],
    defaults: { momentum: 0.99, epsilon: 0.001 },
    summary: (s) => `momentum ${s.momentum}`,
    outputShape: one,
    params: (inputs) => {
      const c = inputs[0][inputs[0].length - 1];
      return [
        { name: 'gamma', shape: [c], trainable: true, init: { kind: 'ones' } },
        { name: 'beta', shape: [c], trainable: true, init: { kind: 'zeros' } },
        { name: 'movingMean', shape: [c], trainable: false, init: { kind: 'zeros' } },
        { name: 'movingVariance', shape: [c], trainable: false, init: { kind: 'ones' } },
      ];
    },
    // Training mode: batch mean (1), variance (2), normalise (2), scale and shift (2) per element.
    flops: (_i, _s, out) => 7 * sizeOf(out),
  },
  ReLU: elementwise('ReLU', 'ReLU', 'max(x, 0): keeps positives, zeroes negatives.', ELEMENTWISE_FLOPS.relu),
  LeakyReLU: {
    type: 'LeakyReLU',
    label: 'LeakyReLU',
    category: 'Activation',
    description: 'x for positives, alpha·x for negatives.',
    arity: 'one',
    fields: [{ key: 'alpha', label: 'Alpha', kind: 'number', min: 0, max: 1, help: 'Slope for negative inputs' }],
    defaults: { alpha: 0.01 },
    summary: (s) => `alpha ${s.alpha}`,
    outputShape: one,
    params: NO_PARAMS,
    flops: (_i, _s, out) => ELEMENTWISE_FLOPS.leakyRelu * sizeOf(out),
  },
  Sigmoid: elementwise('Sigmoid', 'Sigmoid', '1 / (1 + e^-x): squashes to (0, 1).', ELEMENTWISE_FLOPS.sigmoid),
  Tanh: elementwise('Tanh', 'Tanh', 'Hyperbolic tangent: squashes to (-1, 1).', ELEMENTWISE_FLOPS.tanh),
  Softmax: elementwise(
    'Softmax',
    'Softmax',
    'Turns the last axis into probabilities that sum to 1.',
    ELEMENTWISE_FLOPS.softmax,
  ),
  Add: merge(
    'Add',
    'Sums its inputs element by element; they must have equal shapes (residual connections).',
    (inputs) => {
      const first = inputs[0];
      for (const other of inputs.slice(1)) {
        if (other.length !== first.length || other.some((d, i) => d !== first[i])) {
          throw new ShapeError(`Add needs inputs of equal shape, but gets ${inputs.map(formatShape).join(' and ')}`);
        }
      }
      return first;
    },
    (inputs, out) => (inputs.length - 1) * sizeOf(out),
  ),
  Concatenate: merge(
    'Concatenate',
    'Joins its inputs along the channel (last) axis; the other axes must be equal.',
    (inputs) => {
      const first = inputs[0];
      for (const other of inputs.slice(1)) {
        const sameRank = other.length === first.length;
        if (!sameRank || other.slice(0, -1).some((d, i) => d !== first[i])) {
          throw new ShapeError(
            `Concatenate joins on the last axis, so all other axes must match, but gets ${inputs.map(formatShape).join(' and ')}`,
          );
        }
      }
      const channels = inputs.reduce((sum, s) => sum + s[s.length - 1], 0);
      return [...first.slice(0, -1), channels];
    },
    () => 0,
  ),
};

/** Fresh default settings for a layer type (a copy, safe to mutate). */
export function defaultSettings<T extends LayerType>(type: T): LayerSettingsByType[T] {
  return structuredClone(LAYERS[type].defaults);
}

// --- Settings validation, shared by the inspector (text as typed) and the JSON reader (parsed values) ---

const MAX_INPUT_DIM = 65536;

/** Why `value` is not acceptable for `field`, or null when it is. */
export function checkFieldValue(field: FieldSpec, value: unknown): string | null {
  switch (field.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `${field.label} must be a whole number`;
      if (value < field.min || value > field.max) return `${field.label} must be between ${field.min} and ${field.max}`;
      return null;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${field.label} must be a number`;
      const lowOk = field.minExclusive ? value > field.min : value >= field.min;
      const highOk = field.maxExclusive ? value < field.max : value <= field.max;
      if (!lowOk || !highOk) {
        const low = field.minExclusive ? `greater than ${field.min}` : `at least ${field.min}`;
        const high = field.maxExclusive ? `less than ${field.max}` : `at most ${field.max}`;
        return `${field.label} must be ${low} and ${high}`;
      }
      return null;
    }
    case 'choice':
      return typeof value === 'string' && field.options.includes(value)
        ? null
        : `${field.label} must be one of ${field.options.join(', ')}`;
    case 'bool':
      return typeof value === 'boolean' ? null : `${field.label} must be true or false`;
    case 'shape':
      if (!Array.isArray(value) || (value.length !== 1 && value.length !== 3)) {
        return `${field.label} must be features (e.g. 784) or height×width×channels (e.g. 28×28×1)`;
      }
      if (!value.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_INPUT_DIM)) {
        return `${field.label}: every size must be a whole number from 1 to ${MAX_INPUT_DIM}`;
      }
      return null;
  }
}

export type FieldParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Reads a field from the text a person typed (or a checkbox state), validating it. */
export function parseFieldText(field: FieldSpec, text: string | boolean): FieldParse {
  let value: unknown = text;
  if (field.kind === 'bool') value = text === true || text === 'true';
  else if (typeof text === 'string') {
    const trimmed = text.trim();
    if (field.kind === 'int' || field.kind === 'number') {
      if (trimmed === '') return { ok: false, error: `${field.label} is required` };
      value = Number(trimmed);
      if (Number.isNaN(value)) return { ok: false, error: `${field.label} must be a number, not "${trimmed}"` };
    } else if (field.kind === 'shape') {
      if (trimmed === '') return { ok: false, error: `${field.label} is required` };
      const parts = trimmed.split(/\s*[x×,*]\s*|\s+/i);
      if (parts.some((p) => !/^\d+$/.test(p))) {
        return { ok: false, error: `${field.label} must be sizes separated by × or x, e.g. 28x28x1 or 784` };
      }
      value = parts.map(Number);
    }
  }
  const error = checkFieldValue(field, value);
  return error ? { ok: false, error } : { ok: true, value };
}

/** Text shown in an input for a stored value. */
export function fieldText(field: FieldSpec, value: unknown): string {
  if (field.kind === 'shape' && Array.isArray(value)) return value.join('x');
  return String(value);
}

/** Every problem with a layer's settings, as [field key, message]. */
export function checkSettings(type: LayerType, settings: unknown): [string, string][] {
  const spec = LAYERS[type] as LayerSpec<LayerType>;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    return [['', `${type} settings must be an object`]];
  }
  const problems: [string, string][] = [];
  const record = settings as Record<string, unknown>;
  for (const field of spec.fields) {
    if (!(field.key in record)) problems.push([field.key, `${field.label} is missing`]);
    else {
      const error = checkFieldValue(field, record[field.key]);
      if (error) problems.push([field.key, error]);
    }
  }
  const known = new Set(spec.fields.map((f) => f.key as string));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) problems.push([key, `${type} has no setting "${key}"`]);
  }
  return problems;
}
