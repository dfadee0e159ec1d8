// Compiles a design (src/engine/graph) into a model the trainer runs: each planned layer becomes an
// engine Layer, merges (Add) combine their inputs, and the forward pass walks the plan in execution
// order. A final softmax (or sigmoid) is left out when the loss applies it to logits, as Keras's
// `from_logits` does; predict() puts it back as probabilities.
import type { Backend } from '../backend/backend';
import { planModel, type AnalyzeOptions, type Design, type ModelPlan, type PlannedLayer } from '../graph';
import { Activation, type ActivationKind } from '../nn/activation';
import { BatchNorm } from '../nn/batchnorm';
import { Conv2D } from '../nn/conv2d';
import { AvgPool2D, GlobalAvgPool, MaxPool2D } from '../nn/pool';
import { Dense } from '../nn/dense';
import { Dropout } from '../nn/dropout';
import { Flatten } from '../nn/flatten';
import type { ForwardContext, Layer, Parameter } from '../nn/layer';
import { add, matmul, reshape } from '../ops';
import { formatShape, ShapeError, tensorFrom, type Tensor } from '../tensor';
import { readWeights, writeWeights, type Model, type NamedWeights } from './model';
import type { LossKind } from '../train/trainer';

interface CompiledNode {
  id: string;
  inputIds: string[];
  /** null for Input (identity) and the merges Add and Concatenate (computed in forward). */
  layer: Layer | null;
  merge?: 'add' | 'concat';
  /** Concatenate: per input, a constant 0/1 matrix [c_i, C] placing its channels in the output. */
  selections?: Tensor[];
}

/** A weight name readable outside the app: "Dense 1" -> "dense_1". */
export function layerWeightName(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'layer'
  );
}

/** The loss a design's output implies: softmax over classes, one sigmoid unit, or a regression. */
export function lossForDesign(plan: ModelPlan): LossKind {
  const out = plan.layers[plan.layers.length - 1].node;
  const activation = out.type === 'Dense' ? out.settings.activation : out.type;
  if (activation === 'softmax' || activation === 'Softmax') return 'softmax-cross-entropy';
  if ((activation === 'sigmoid' || activation === 'Sigmoid') && plan.outputShape.length === 1) return 'bce-with-logits';
  return 'mse';
}

export interface CompileOptions extends AnalyzeOptions {
  seed?: number;
  /** The loss the model will train with; decides whether the final softmax/sigmoid is dropped. */
  loss?: LossKind;
}

export class GraphModel implements Model {
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly loss: LossKind;
  private readonly nodes: CompiledNode[];
  private readonly outputId: string;

  constructor(
    readonly plan: ModelPlan,
    readonly backend: Backend,
    options: { seed?: number; loss?: LossKind } = {},
  ) {
    const seed = options.seed ?? 1;
    this.loss = options.loss ?? lossForDesign(plan);
    this.inputShape = [...plan.inputShape];
    this.outputShape = [...plan.outputShape];
    this.outputId = plan.outputId;
    const shapes = new Map<string, number[]>();
    this.nodes = plan.layers.map((planned, index) => {
      const node = planned.node;
      const isOutput = node.id === plan.outputId;
      const compiled = this.compileNode(planned, isOutput);
      if (compiled.layer) {
        const input = shapes.get(planned.inputIds[0]) ?? [...plan.inputShape];
        const built = compiled.layer.build(input, {
          backend,
          seed: (Math.imul(seed, 0x9e3779b1) + index * 7919 + 1) >>> 0,
        });
        const expected = planned.outputShape;
        if (built.length !== expected.length || built.some((d, i) => d !== expected[i])) {
          throw new ShapeError(
            `layer "${node.name}": the engine built ${formatShape(built)} but the design says ${formatShape(expected)}`,
          );
        }
      }
      shapes.set(node.id, [...planned.outputShape]);
      return compiled;
    });
  }

  private compileNode(planned: PlannedLayer, isOutput: boolean): CompiledNode {
    const node = planned.node;
    const base = { id: node.id, inputIds: planned.inputIds };
    const name = layerWeightName(node.name);
    // Logit-taking losses apply the output's softmax/sigmoid themselves.
    const dropFinal =
      isOutput &&
      ((this.loss === 'softmax-cross-entropy' &&
        (node.type === 'Softmax' || (node.type === 'Dense' && node.settings.activation === 'softmax'))) ||
        (this.loss === 'bce-with-logits' &&
          (node.type === 'Sigmoid' || (node.type === 'Dense' && node.settings.activation === 'sigmoid'))));
    const activation = (a: ActivationKind) => new Activation(a, { name });
    switch (node.type) {
      case 'Input':
        return { ...base, layer: null };
      case 'Add':
        return { ...base, layer: null, merge: 'add' };
      case 'Concatenate':
        return { ...base, layer: null, merge: 'concat', selections: this.channelSelections(planned) };
      case 'Dense':
        return {
          ...base,
          layer: new Dense({
            units: node.settings.units,
            activation: dropFinal ? 'linear' : node.settings.activation,
            useBias: node.settings.useBias,
            name,
          }),
        };
      case 'Dropout':
        return { ...base, layer: new Dropout(node.settings.rate, { name }) };
      case 'Flatten':
        return { ...base, layer: new Flatten(name) };
      case 'ReLU':
        return { ...base, layer: activation('relu') };
      case 'LeakyReLU':
        return { ...base, layer: new Activation('leaky_relu', { name, alpha: node.settings.alpha }) };
      case 'Sigmoid':
        return { ...base, layer: dropFinal ? activation('linear') : activation('sigmoid') };
      case 'Tanh':
        return { ...base, layer: activation('tanh') };
      case 'Softmax':
        return { ...base, layer: dropFinal ? activation('linear') : activation('softmax') };
      case 'Conv2D': {
        const c = node.settings;
        return {
          ...base,
          layer: new Conv2D({
            filters: c.filters,
            kernelSize: c.kernelSize,
            strides: c.stride,
            padding: c.padding,
            activation: c.activation,
            useBias: c.useBias,
            name,
          }),
        };
      }
      case 'MaxPool2D':
      case 'AvgPool2D': {
        const { poolSize, stride, padding } = node.settings;
        const Pool = node.type === 'MaxPool2D' ? MaxPool2D : AvgPool2D;
        return { ...base, layer: new Pool({ poolSize, strides: stride, padding, name }) };
      }
      case 'GlobalAvgPool':
        return { ...base, layer: new GlobalAvgPool(name) };
      case 'BatchNorm':
        return {
          ...base,
          layer: new BatchNorm({ momentum: node.settings.momentum, epsilon: node.settings.epsilon, name }),
        };
    }
  }

  /**
   * Concatenation on the channel (last) axis, composed from matmuls so every backend runs it and its
   * gradient comes for free: y = sum_i x_i S_i with S_i[c, offset_i + c] = 1, and dx_i = dy S_i^T.
   * It costs N * c_i * C multiply-adds per input; a dedicated copy kernel would be cheaper for wide
   * layers, which the designs built here rarely have.
   */
  private channelSelections(planned: PlannedLayer): Tensor[] {
    const total = planned.outputShape[planned.outputShape.length - 1];
    let offset = 0;
    return planned.inputShapes.map((shape, i) => {
      const channels = shape[shape.length - 1];
      const matrix = new Float32Array(channels * total);
      for (let c = 0; c < channels; c++) matrix[c * total + offset + c] = 1;
      offset += channels;
      return tensorFrom(this.backend, matrix, [channels, total], {
        origin: `${planned.node.name}/selection_${i}`,
        persistent: true,
      });
    });
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const perSample = x.shape.slice(1);
    if (perSample.length !== this.inputShape.length || perSample.some((d, i) => d !== this.inputShape[i])) {
      throw new ShapeError(`model input ${formatShape(x.shape)} does not match [batch, ${this.inputShape.join(', ')}]`);
    }
    const values = new Map<string, Tensor>();
    for (const node of this.nodes) {
      const inputs = node.inputIds.map((id) => values.get(id)!);
      let y: Tensor;
      if (node.merge === 'add') y = inputs.slice(1).reduce((sum, t) => add(sum, t), inputs[0]);
      else if (node.merge === 'concat') y = concatChannels(inputs, node.selections!);
      else if (!node.layer) y = inputs[0] ?? x;
      else y = node.layer.forward(inputs[0], ctx);
      values.set(node.id, y);
    }
    return values.get(this.outputId)!;
  }

  /** Number of trainable values. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.value.size, 0);
  }

  outputLayer(): Layer | undefined {
    return this.nodes.find((n) => n.id === this.outputId)?.layer ?? undefined;
  }

  parameters(): Parameter[] {
    return this.nodes.flatMap((n) => n.layer?.parameters() ?? []);
  }

  /**
   * Layer state that is not trained but is part of the model (BatchNorm moving mean and variance), in
   * execution order; for export and import (src/export/tensors.ts).
   */
  state(): { name: string; value: Tensor }[] {
    return this.nodes.flatMap((n) => (n.layer instanceof BatchNorm ? n.layer.state() : []));
  }

  getWeights(): Promise<NamedWeights[]> {
    return readWeights(this.parameters());
  }

  setWeights(weights: ReadonlyArray<{ name?: string; data: Float32Array }>): void {
    writeWeights(this.backend, this.parameters(), weights);
  }

  dispose(): void {
    for (const p of this.parameters()) p.value.dispose();
    for (const n of this.nodes) for (const t of n.selections ?? []) t.dispose();
  }
}

function concatChannels(inputs: Tensor[], selections: Tensor[]): Tensor {
  const batch = inputs[0].shape[0];
  const spatial = inputs[0].shape.slice(1, -1);
  const total = selections[0].shape[1];
  const parts = inputs.map((t, i) => matmul(reshape(t, [-1, t.shape[t.rank - 1]]), selections[i]));
  const joined = parts.slice(1).reduce((sum, t) => add(sum, t), parts[0]);
  return reshape(joined, [batch, ...spatial, total]);
}

/** Validates `design` (throws DesignInvalidError with every reason) and compiles it for `backend`. */
export function compileDesign(design: Design, backend: Backend, options: CompileOptions = {}): GraphModel {
  const plan = planModel(design, options);
  return new GraphModel(plan, backend, { seed: options.seed, loss: options.loss });
}
