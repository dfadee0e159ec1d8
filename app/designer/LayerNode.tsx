// One layer on the canvas: its type, name, key settings, output shape and parameter count, and, when it
// is invalid, a red border with the reason (also exposed to assistive tech through aria-describedby).
import { Handle, Position } from '@xyflow/react';
import type { Node, NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { DesignNode, LayerAnalysis, LayerSpec, LayerType } from '../../src/engine/graph';
import { LAYERS, formatShape } from '../../src/engine/graph';
import { formatCount } from './format';

export interface LayerNodeData extends Record<string, unknown> {
  node: DesignNode;
  layer: LayerAnalysis;
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

export function layerErrorId(id: string): string {
  return `layer-error-${id}`;
}

function LayerNodeView({ id, data, selected }: NodeProps<LayerFlowNode>) {
  const { node, layer } = data;
  const spec = LAYERS[node.type] as LayerSpec<LayerType>;
  const summary = spec.summary(node.settings);
  const params = layer.trainableParams + layer.nonTrainableParams;
  const invalid = layer.errors.length > 0;
  return (
    <div
      className={`layer-node${invalid ? ' layer-node-invalid' : ''}${selected ? ' layer-node-selected' : ''}`}
      data-testid={`layer-${id}`}
    >
      {spec.arity !== 'none' && <Handle type="target" position={Position.Top} aria-label={`${node.name} input`} />}
      <div className="layer-node-head">
        <span className="layer-node-type">{node.type}</span>
        {node.name !== node.type && <span className="layer-node-name">{node.name}</span>}
      </div>
      {summary && <div className="layer-node-settings">{summary}</div>}
      <div className="layer-node-stats">
        <span className="layer-node-shape" data-testid="output-shape" title="Output shape per sample">
          {layer.outputShape ? formatShape(layer.outputShape) : '?'}
        </span>
        <span className="layer-node-params">{params > 0 ? `${formatCount(params)} params` : ''}</span>
      </div>
      {invalid && (
        <div className="layer-node-error" id={layerErrorId(id)} data-testid="layer-error">
          {layer.errors.map((e) => e.message).join(' ')}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} aria-label={`${node.name} output`} />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
