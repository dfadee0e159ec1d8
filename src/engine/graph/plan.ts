// What the engine compiles: a valid design flattened into layers in execution order, each with its
// settings, the ids of its inputs, its shapes and the parameter tensors to allocate.
import type { DesignAnalysis, DesignError, AnalyzeOptions } from './analyze';
import { analyzeDesign } from './analyze';
import type { ParamSpec } from './layers';
import type { Design, DesignNode, Shape } from './types';

/** One layer to build, with everything resolved. `node.type` narrows `node.settings`. */
export interface PlannedLayer {
  node: DesignNode;
  /** Ids of the layers feeding this one, in order (Concatenate joins them in this order). */
  inputIds: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  params: ParamSpec[];
}

export interface ModelPlan {
  /** In execution order: the Input first, every layer after its inputs, the output last. */
  layers: PlannedLayer[];
  inputId: string;
  outputId: string;
  inputShape: Shape;
  outputShape: Shape;
  analysis: DesignAnalysis;
}

/** The design cannot become a model; `errors` lists every reason, each on its layer where it has one. */
export class DesignInvalidError extends Error {
  override name = 'DesignInvalidError';
  constructor(readonly errors: DesignError[]) {
    super(
      `The design cannot be trained: ${errors.length} problem${errors.length === 1 ? '' : 's'}. ` +
        errors
          .slice(0, 3)
          .map((e) => e.message)
          .join(' '),
    );
  }
}

/** Validates a design and lays it out for the engine; throws DesignInvalidError when it is not valid. */
export function planModel(design: Design, options: AnalyzeOptions = {}): ModelPlan {
  const analysis = analyzeDesign(design, options);
  if (!analysis.valid || !analysis.inputId || !analysis.outputId) throw new DesignInvalidError(analysis.errors);
  const nodes = new Map(design.nodes.map((n) => [n.id, n]));
  const layers = analysis.order.map((id): PlannedLayer => {
    const layer = analysis.layers.get(id)!;
    return {
      node: nodes.get(id)!,
      inputIds: layer.inputIds,
      inputShapes: layer.inputShapes ?? [],
      outputShape: layer.outputShape!,
      params: layer.params,
    };
  });
  return {
    layers,
    inputId: analysis.inputId,
    outputId: analysis.outputId,
    inputShape: analysis.layers.get(analysis.inputId)!.outputShape!,
    outputShape: analysis.layers.get(analysis.outputId)!.outputShape!,
    analysis,
  };
}
