// Compiles a design (src/engine/graph) into a model the trainer runs: each planned layer becomes an
// engine Layer, merges (Add) combine their inputs, and the forward pass walks the plan in execution
// order. A final softmax (or sigmoid) is left out when the loss applies it to logits, as Keras's
// `from_logits` does; predict() puts it back as probabilities.
import type { Backend } from '../backend/backend';
import { planModel, type AnalyzeOptions, type Design, type ModelPlan, type PlannedLayer } from '../graph';
import { Activation, type ActivationKind } from '../nn/activation';
import { Dense } from '../nn/dense';
import { Dropout } from '../nn/dropout';
import { Flatten } from '../nn/flatten';
import type { ForwardContext, Layer, Parameter } from '../nn/layer';
import { add } from '../ops';
import { formatShape, ShapeError, type Tensor } from '../tensor';
import { readWeights, writeWeights, type Model, type NamedWeights } from './model';
import type { LossKind } from '../train/trainer';

/** A layer type the designer offers but this engine cannot run yet; the message names the layer. */
export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
  constructor(
    readonly layerId: string,
    layerName: string,
    type: string,
  ) {
    super(`Layer "${layerName}" (${type}) is not supported by the training engine yet.`);
  }
}

/** Builds engine layers for layer types beyond the core ones (the vision layers register here). */
export type LayerFactory = (planned: PlannedLayer, name: string) => Layer;
const extraFactories = new Map<string, LayerFactory>();
export function registerLayerFactory(type: string, factory: LayerFactory): void {
  extraFactories.set(type, factory);
}

interface CompiledNode {
  id: string;
  inputIds: string[];
  /** null for Input (identity) and Add (a merge, computed in forward). */
  layer: Layer | null;
  merge?: 'add';
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
      default: {
        const factory = extraFactories.get(node.type);
        if (!factory) throw new UnsupportedLayerError(node.id, node.name, node.type);
        return { ...base, layer: factory(planned, name) };
      }
    }
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

  getWeights(): Promise<NamedWeights[]> {
    return readWeights(this.parameters());
  }

  setWeights(weights: ReadonlyArray<{ name?: string; data: Float32Array }>): void {
    writeWeights(this.backend, this.parameters(), weights);
  }

  dispose(): void {
    for (const p of this.parameters()) p.value.dispose();
  }
}

/** Validates `design` (throws DesignInvalidError with every reason) and compiles it for `backend`. */
export function compileDesign(design: Design, backend: Backend, options: CompileOptions = {}): GraphModel {
  const plan = planModel(design, options);
  return new GraphModel(plan, backend, { seed: options.seed, loss: options.loss });
}
