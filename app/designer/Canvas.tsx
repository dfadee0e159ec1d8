// The canvas: React Flow showing the design from the store. Layers are dragged in from the palette
// (dropped onto a connection, a layer is inserted into it); connections are drawn between handles;
// Delete/Backspace removes the selection; Shift-drag or Ctrl/Cmd-click selects several.
import { Background, Controls, ReactFlow, useReactFlow } from '@xyflow/react';
import type { Connection, Edge, EdgeChange, NodeChange, OnDelete } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { DragEvent } from 'react';
import { useCallback, useMemo, useState } from 'react';
import type { LayerAnalysis, LayerType, Position } from '../../src/engine/graph';
import { LAYER_TYPES } from '../../src/engine/graph';
import { useDesignAnalysis, useDesignStore } from '../store/design';
import type { LayerFlowNode, LayerNodeData } from './LayerNode';
import { LayerNode, layerErrorId } from './LayerNode';
import { LAYER_DRAG_MIME } from './Palette';

const nodeTypes = { layer: LayerNode };

// A layer's analysis is recomputed only when the design's structure changes (not when layers move), and
// then so is everything its node shows: keyed on it, node data stays the same object during a drag, so
// the memoised nodes do not re-render.
const nodeData = new WeakMap<LayerAnalysis, LayerNodeData>();

type Size = { width: number; height: number };

/** The connection under a screen point, if any (React Flow draws a wide invisible stroke for hits). */
function edgeAt(clientX: number, clientY: number): string | null {
  for (const element of document.elementsFromPoint(clientX, clientY)) {
    const edge = element.closest('.react-flow__edge');
    if (edge) return edge.getAttribute('data-id');
    if (element.closest('.react-flow__node')) return null;
  }
  return null;
}

function draggedLayer(event: DragEvent): boolean {
  return event.dataTransfer.types.includes(LAYER_DRAG_MIME);
}

export function Canvas() {
  const design = useDesignStore((s) => s.design);
  const selection = useDesignStore((s) => s.selection);
  const analysis = useDesignAnalysis();
  const { screenToFlowPosition } = useReactFlow();
  const [measured, setMeasured] = useState<Record<string, Size>>({});
  const [dropEdge, setDropEdge] = useState<string | null>(null);

  const nodes = useMemo((): LayerFlowNode[] => {
    const selected = new Set(selection.nodeIds);
    return design.nodes.map((node) => {
      const layer = analysis.layers.get(node.id)!;
      let data = nodeData.get(layer);
      if (!data) {
        data = { node, layer };
        nodeData.set(layer, data);
      }
      const invalid = layer.errors.length > 0;
      return {
        id: node.id,
        type: 'layer',
        position: node.position,
        data,
        selected: selected.has(node.id),
        // An invalid layer's reason may be taller than the gap below it: draw it above its neighbours.
        zIndex: invalid ? 1 : 0,
        measured: measured[node.id],
        ariaLabel: `${node.name}: ${node.type}, output ${layer.outputShape ? layer.outputShape.join(' by ') : 'unknown'}${invalid ? ', invalid' : ''}`,
        domAttributes: invalid ? { 'aria-invalid': true, 'aria-describedby': layerErrorId(node.id) } : undefined,
      };
    });
  }, [design.nodes, analysis, selection.nodeIds, measured]);

  const edges = useMemo((): Edge[] => {
    const selected = new Set(selection.edgeIds);
    const names = new Map(design.nodes.map((n) => [n.id, n.name]));
    return design.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      selected: selected.has(e.id),
      className: e.id === dropEdge ? 'drop-target' : undefined,
      ariaLabel: `Connection from ${names.get(e.source)} to ${names.get(e.target)}`,
    }));
  }, [design.edges, design.nodes, selection.edgeIds, dropEdge]);

  const onNodesChange = useCallback((changes: NodeChange<LayerFlowNode>[]) => {
    const store = useDesignStore.getState();
    const positions = new Map<string, Position>();
    const sizes: Record<string, Size> = {};
    let selected: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'position' && change.position) positions.set(change.id, change.position);
      else if (change.type === 'dimensions' && change.dimensions) sizes[change.id] = change.dimensions;
      else if (change.type === 'select') {
        selected ??= new Set(store.selection.nodeIds);
        if (change.selected) selected.add(change.id);
        else selected.delete(change.id);
      }
    }
    if (positions.size > 0) store.moveNodes(positions);
    if (Object.keys(sizes).length > 0) setMeasured((m) => ({ ...m, ...sizes }));
    if (selected) store.setSelection({ nodeIds: [...selected], edgeIds: useDesignStore.getState().selection.edgeIds });
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const store = useDesignStore.getState();
    let selected: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'select') {
        selected ??= new Set(store.selection.edgeIds);
        if (change.selected) selected.add(change.id);
        else selected.delete(change.id);
      }
    }
    if (selected) store.setSelection({ nodeIds: useDesignStore.getState().selection.nodeIds, edgeIds: [...selected] });
  }, []);

  const onConnect = useCallback((connection: Connection) => {
    useDesignStore.getState().connect(connection.source, connection.target);
  }, []);

  const onDelete: OnDelete<LayerFlowNode, Edge> = useCallback(({ nodes: deleted, edges: deletedEdges }) => {
    useDesignStore.getState().remove(
      deleted.map((n) => n.id),
      deletedEdges.map((e) => e.id),
    );
  }, []);

  const checkpoint = useCallback(() => useDesignStore.getState().checkpoint(), []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!draggedLayer(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDropEdge(edgeAt(event.clientX, event.clientY));
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      if (!draggedLayer(event)) return;
      event.preventDefault();
      setDropEdge(null);
      const type = event.dataTransfer.getData(LAYER_DRAG_MIME) as LayerType;
      if (!LAYER_TYPES.includes(type)) return;
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Centre the layer on the pointer (a layer is about 232×60).
      const position = { x: point.x - 116, y: point.y - 30 };
      const onEdge = edgeAt(event.clientX, event.clientY) ?? undefined;
      useDesignStore.getState().addLayer(type, { position, onEdge });
    },
    [screenToFlowPosition],
  );

  return (
    <div
      className="designer-canvas"
      onDragOver={onDragOver}
      onDragLeave={() => setDropEdge(null)}
      onDrop={onDrop}
      data-testid="designer-canvas"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onDelete={onDelete}
        onNodeDragStart={checkpoint}
        onSelectionDragStart={checkpoint}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Control', 'Meta']}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={2}
        aria-label="Network design canvas"
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={16} />
        <Controls position="bottom-right" showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
