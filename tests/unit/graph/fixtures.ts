// Small helpers to write designs in tests: a chain of layers, or nodes and edges by hand.
import type { Design, DesignNode, LayerSettingsByType, LayerType } from '../../../src/engine/graph';
import { DESIGN_FORMAT_VERSION, defaultSettings } from '../../../src/engine/graph';

export function layer<T extends LayerType>(
  id: string,
  type: T,
  settings: Partial<LayerSettingsByType[T]> = {},
): DesignNode {
  return {
    id,
    type,
    name: id,
    settings: { ...defaultSettings(type), ...settings },
    position: { x: 0, y: 0 },
  } as DesignNode;
}

export function graph(nodes: DesignNode[], edges: [string, string][]): Design {
  return {
    version: DESIGN_FORMAT_VERSION,
    name: 'test',
    nodes,
    edges: edges.map(([source, target]) => ({ id: `${source}->${target}`, source, target })),
  };
}

/** Layers connected one after the other. */
export function chain(...nodes: DesignNode[]): Design {
  return graph(
    nodes,
    nodes.slice(1).map((n, i) => [nodes[i].id, n.id]),
  );
}
