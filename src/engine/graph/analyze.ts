// Everything the designer shows live and the engine needs before it builds a model: the order layers run
// in, each layer's shapes, parameters and FLOPs, the totals, an estimate of a training step's memory,
// and every reason the design cannot train, attached to the layer that causes it.
import type { LayerSpec, ParamSpec } from './layers';
import { LAYERS, ShapeError, checkSettings, formatShape, sizeOf } from './layers';
import type { Design, DesignNode, GpuBufferLimits, LayerType, Shape } from './types';
import { WEBGPU_DEFAULT_BUFFER_LIMITS } from './types';

export type DesignErrorCode =
  | 'no-input'
  | 'no-output'
  | 'multiple-inputs'
  | 'multiple-outputs'
  | 'cycle'
  | 'unconnected'
  | 'missing-input'
  | 'too-few-inputs'
  | 'too-many-inputs'
  | 'input-has-inputs'
  | 'shape'
  | 'settings'
  | 'too-large'
  | 'bad-edge';

export interface DesignError {
  code: DesignErrorCode;
  message: string;
  /** The layer the error belongs to; absent for errors of the whole design (no input). */
  nodeId?: string;
  /** For 'settings' errors: the setting at fault. */
  field?: string;
}

export interface LayerAnalysis {
  id: string;
  type: LayerType;
  name: string;
  /** Ids of the layers feeding this one, in edge order. */
  inputIds: string[];
  /** Null where an upstream layer's shape is unknown (its own error says why). */
  inputShapes: Shape[] | null;
  outputShape: Shape | null;
  params: ParamSpec[];
  trainableParams: number;
  nonTrainableParams: number;
  flopsPerSample: number;
  errors: DesignError[];
}

/** Bytes of one training step's GPU memory, f32 everywhere. */
export interface MemoryEstimate {
  batchSize: number;
  /** Weights, trainable and not. */
  parameterBytes: number;
  /** One gradient per trainable weight. */
  gradientBytes: number;
  /** Optimiser state: `optimizerSlots` values per trainable weight (Adam: m and v). */
  optimizerBytes: number;
  /** The input batch and every layer output kept for the backward pass. */
  activationBytes: number;
  /** Gradients of activations in flight during backward: at most two layer outputs at a time. */
  activationGradientBytes: number;
  totalBytes: number;
}

export interface DesignAnalysis {
  layers: Map<string, LayerAnalysis>;
  /** Layer ids in an order where every layer comes after its inputs (cycle members left out). */
  order: string[];
  inputId: string | null;
  outputId: string | null;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Forward FLOPs per sample; a training step costs about three times this (forward + backward). */
  flopsPerSample: number;
  memory: MemoryEstimate;
  /** Every error, layer errors included, in layer order then design-wide. */
  errors: DesignError[];
  valid: boolean;
}

export interface AnalyzeOptions {
  batchSize?: number;
  limits?: GpuBufferLimits;
  /** Values of optimiser state per trainable weight: 0 for SGD, 1 for momentum or RMSprop, 2 for Adam. */
  optimizerSlots?: number;
}

export const DEFAULT_BATCH_SIZE = 64;
const BYTES_PER_FLOAT = 4;

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Strongly connected components with more than one member, or a self-loop (Tarjan). */
function findCycles(ids: string[], successors: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of successors.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (successors.get(v) ?? []).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return cycles;
}

/** Analyses a design: shapes, parameters, FLOPs, memory and every error. Never throws on a bad design. */
export function analyzeDesign(design: Design, options: AnalyzeOptions = {}): DesignAnalysis {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const limits = options.limits ?? WEBGPU_DEFAULT_BUFFER_LIMITS;
  const optimizerSlots = options.optimizerSlots ?? 2;
  const globalErrors: DesignError[] = [];

  const nodes = new Map<string, DesignNode>(design.nodes.map((n) => [n.id, n]));
  const layers = new Map<string, LayerAnalysis>();
  for (const node of design.nodes) {
    layers.set(node.id, {
      id: node.id,
      type: node.type,
      name: node.name,
      inputIds: [],
      inputShapes: null,
      outputShape: null,
      params: [],
      trainableParams: 0,
      nonTrainableParams: 0,
      flopsPerSample: 0,
      errors: [],
    });
  }
  const nameOf = (id: string) => nodes.get(id)?.name ?? id;
  const fail = (nodeId: string, code: DesignErrorCode, message: string, field?: string) =>
    layers.get(nodeId)!.errors.push(field === undefined ? { code, message, nodeId } : { code, message, nodeId, field });

  const successors = new Map<string, string[]>(design.nodes.map((n) => [n.id, []]));
  for (const edge of design.edges) {
    if (!nodes.has(edge.source) || !nodes.has(edge.target)) {
      globalErrors.push({
        code: 'bad-edge',
        message: `Connection ${edge.id} refers to a layer that does not exist (${nodes.has(edge.source) ? edge.target : edge.source})`,
      });
      continue;
    }
    successors.get(edge.source)!.push(edge.target);
    layers.get(edge.target)!.inputIds.push(edge.source);
  }

  // Settings first: a layer with bad settings has no shape.
  const settingsOk = new Map<string, boolean>();
  for (const node of design.nodes) {
    const problems = checkSettings(node.type, node.settings);
    for (const [field, message] of problems) fail(node.id, 'settings', message, field);
    settingsOk.set(node.id, problems.length === 0);
  }

  // Structure: inputs, outputs, arity, cycles.
  const inputNodes = design.nodes.filter((n) => n.type === 'Input');
  if (inputNodes.length === 0) {
    globalErrors.push({ code: 'no-input', message: 'The design has no Input layer: add one from the palette.' });
  }
  for (const extra of inputNodes.slice(1)) {
    fail(
      extra.id,
      'multiple-inputs',
      `Only one Input layer is supported (the data set feeds one); "${inputNodes[0].name}" is already the input.`,
    );
  }
  const cycles = findCycles(
    design.nodes.map((n) => n.id),
    successors,
  );
  const inCycle = new Set(cycles.flat());
  for (const cycle of cycles) {
    const path = [...cycle, cycle[0]].map(nameOf).join(' → ');
    for (const id of cycle)
      fail(id, 'cycle', `Part of a cycle (${path}): data must flow one way; remove one of these connections.`);
  }
  for (const node of design.nodes) {
    const layer = layers.get(node.id)!;
    const spec = LAYERS[node.type] as LayerSpec<LayerType>;
    const fanIn = layer.inputIds.length;
    const fanOut = successors.get(node.id)!.length;
    if (fanIn === 0 && fanOut === 0 && design.nodes.length > 1) {
      fail(node.id, 'unconnected', 'Not connected to anything: connect it into the model or delete it.');
      continue;
    }
    if (spec.arity === 'none' && fanIn > 0) {
      fail(
        node.id,
        'input-has-inputs',
        `An Input layer takes no inputs: remove the connection from ${layer.inputIds.map(nameOf).join(', ')}.`,
      );
    } else if (spec.arity === 'one' && fanIn === 0) {
      fail(node.id, 'missing-input', `${node.type} has no input: connect a layer into it.`);
    } else if (spec.arity === 'one' && fanIn > 1) {
      fail(
        node.id,
        'too-many-inputs',
        `${node.type} takes one input but ${fanIn} layers feed it (${layer.inputIds.map(nameOf).join(', ')}): merge them with Add or Concatenate first.`,
      );
    } else if (spec.arity === 'many' && fanIn < 2) {
      fail(
        node.id,
        fanIn === 0 ? 'missing-input' : 'too-few-inputs',
        `${node.type} merges two or more inputs, but ${fanIn === 0 ? 'none is' : 'only one is'} connected.`,
      );
    }
  }

  // Topological order (Kahn); cycle members and what depends on them never reach in-degree 0.
  const inDegree = new Map<string, number>(design.nodes.map((n) => [n.id, layers.get(n.id)!.inputIds.length]));
  const ready = design.nodes.filter((n) => inDegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of successors.get(id)!) {
      inDegree.set(next, inDegree.get(next)! - 1);
      if (inDegree.get(next) === 0) ready.push(next);
    }
  }

  // Outputs: layers whose result goes nowhere (an unconnected or lone Input is not an output).
  const sinks = design.nodes.filter(
    (n) => n.type !== 'Input' && successors.get(n.id)!.length === 0 && layers.get(n.id)!.inputIds.length > 0,
  );
  if (design.nodes.length > 0 && sinks.length === 0 && inCycle.size === 0) {
    globalErrors.push({
      code: 'no-output',
      message: 'The design has no output layer: connect a layer after the Input.',
    });
  }
  if (sinks.length > 1) {
    const names = sinks.map((n) => n.name).join(', ');
    for (const sink of sinks) {
      fail(
        sink.id,
        'multiple-outputs',
        `The model must end in one layer, but ${names} all end it: connect this layer on or delete it.`,
      );
    }
  }

  // Shapes, parameters and FLOPs, in order.
  for (const id of order) {
    const node = nodes.get(id)!;
    const layer = layers.get(id)!;
    const spec = LAYERS[node.type] as LayerSpec<LayerType>;
    if (!settingsOk.get(id)) continue;
    const inputShapes: Shape[] = [];
    let known = true;
    for (const src of layer.inputIds) {
      const shape = layers.get(src)!.outputShape;
      if (shape) inputShapes.push(shape);
      else known = false;
    }
    if (
      !known ||
      layer.errors.some(
        (e) => e.code !== 'multiple-outputs' && e.code !== 'multiple-inputs' && e.code !== 'unconnected',
      )
    )
      continue;
    if ((spec.arity === 'one' && inputShapes.length !== 1) || (spec.arity === 'many' && inputShapes.length < 2))
      continue;
    layer.inputShapes = inputShapes;
    try {
      const out = spec.outputShape(inputShapes, node.settings);
      if (out.some((d) => !(d >= 1))) {
        throw new ShapeError(`${node.type} would output ${formatShape(out)}: every size must be at least 1`);
      }
      layer.outputShape = out;
      layer.params = spec.params(inputShapes, node.settings, out);
      for (const p of layer.params) {
        if (p.trainable) layer.trainableParams += sizeOf(p.shape);
        else layer.nonTrainableParams += sizeOf(p.shape);
      }
      layer.flopsPerSample = spec.flops(inputShapes, node.settings, out);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      fail(id, 'shape', e.message);
    }
  }

  // GPU limits: every tensor (a layer's output at this batch size, or one weight) must fit one buffer.
  const limitBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const limitName =
    limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
  for (const layer of layers.values()) {
    if (!layer.outputShape) continue;
    const outputBytes = sizeOf(layer.outputShape) * batchSize * BYTES_PER_FLOAT;
    if (outputBytes > limitBytes) {
      fail(
        layer.id,
        'too-large',
        `Too large for the GPU: its output at batch ${batchSize} needs ${formatBytes(outputBytes)}, more than one buffer may hold (${limitName} = ${formatBytes(limitBytes)}). Lower the batch size or make the layer smaller.`,
      );
    }
    for (const p of layer.params) {
      const bytes = sizeOf(p.shape) * BYTES_PER_FLOAT;
      if (bytes > limitBytes) {
        fail(
          layer.id,
          'too-large',
          `Too large for the GPU: its ${p.name} ${formatShape(p.shape)} needs ${formatBytes(bytes)}, more than one buffer may hold (${limitName} = ${formatBytes(limitBytes)}). Make the layer smaller.`,
        );
      }
    }
  }

  // Totals.
  let trainableParams = 0;
  let nonTrainableParams = 0;
  let flopsPerSample = 0;
  let savedActivations = 0;
  let largestActivation = 0;
  for (const layer of layers.values()) {
    trainableParams += layer.trainableParams;
    nonTrainableParams += layer.nonTrainableParams;
    flopsPerSample += layer.flopsPerSample;
    if (layer.outputShape) {
      const size = sizeOf(layer.outputShape);
      if (!LAYERS[layer.type].isView) savedActivations += size;
      largestActivation = Math.max(largestActivation, size);
    }
  }
  const memory: MemoryEstimate = {
    batchSize,
    parameterBytes: (trainableParams + nonTrainableParams) * BYTES_PER_FLOAT,
    gradientBytes: trainableParams * BYTES_PER_FLOAT,
    optimizerBytes: optimizerSlots * trainableParams * BYTES_PER_FLOAT,
    activationBytes: savedActivations * batchSize * BYTES_PER_FLOAT,
    activationGradientBytes: 2 * largestActivation * batchSize * BYTES_PER_FLOAT,
    totalBytes: 0,
  };
  memory.totalBytes =
    memory.parameterBytes +
    memory.gradientBytes +
    memory.optimizerBytes +
    memory.activationBytes +
    memory.activationGradientBytes;

  const errors = [...order, ...design.nodes.map((n) => n.id).filter((id) => !order.includes(id))].flatMap(
    (id) => layers.get(id)!.errors,
  );
  errors.push(...globalErrors);
  return {
    layers,
    order,
    inputId: inputNodes.length === 1 ? inputNodes[0].id : (inputNodes[0]?.id ?? null),
    outputId: sinks.length === 1 ? sinks[0].id : null,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
    flopsPerSample,
    memory,
    errors,
    valid: errors.length === 0,
  };
}
