// Which loss a design trains with, for the Train settings' "Loss" line and its explanation. The rule is
// the engine's (lossForDesign in src/engine/model/graph-model.ts, which the page does not bundle);
// tests/unit/learn/designLoss.test.ts checks that the two agree.
import type { Design, DesignAnalysis } from '../../src/engine/graph';
import type { LossName } from './functions';

/** The loss of the design's output, or null while the design is invalid. */
export function designLoss(design: Design, analysis: DesignAnalysis): LossName | null {
  if (!analysis.valid || !analysis.outputId) return null;
  const out = design.nodes.find((n) => n.id === analysis.outputId);
  const shape = analysis.layers.get(analysis.outputId)?.outputShape;
  if (!out || !shape) return null;
  const activation = out.type === 'Dense' ? out.settings.activation : out.type;
  if (activation === 'softmax' || activation === 'Softmax') return 'cross-entropy';
  if ((activation === 'sigmoid' || activation === 'Sigmoid') && shape.length === 1) return 'bce';
  return 'mse';
}

export const LOSS_LABEL: Record<LossName, string> = {
  mse: 'Mean squared error',
  'cross-entropy': 'Cross-entropy',
  bce: 'Binary cross-entropy',
};
