// The layer palette: drag a layer onto the canvas, or press its button to add it (after the selected
// layer when exactly one is selected).
import { useReactFlow } from '@xyflow/react';
import type { DragEvent } from 'react';
import type { LayerCategory, LayerType } from '../../src/engine/graph';
import { LAYERS, LAYER_TYPES } from '../../src/engine/graph';
import { ExplainButton } from '../learn/Explain';
import { layerTopic } from '../learn/topics';
import { useDesignStore } from '../store/design';

export const LAYER_DRAG_MIME = 'application/x-playground-layer';

const CATEGORY_ORDER: LayerCategory[] = [
  'Input',
  'Core',
  'Convolution',
  'Pooling',
  'Activation',
  'Regularisation',
  'Merge',
];

export function Palette() {
  const addLayer = useDesignStore((s) => s.addLayer);
  const { fitView } = useReactFlow();
  const selected = useDesignStore((s) => (s.selection.nodeIds.length === 1 ? s.selection.nodeIds[0] : null));

  const onDragStart = (event: DragEvent, type: LayerType) => {
    event.dataTransfer.setData(LAYER_DRAG_MIME, type);
    event.dataTransfer.setData('text/plain', type);
    event.dataTransfer.effectAllowed = 'copy';
  };

  return (
    <aside className="designer-palette card" aria-labelledby="palette-heading">
      <h2 id="palette-heading">Layers</h2>
      <p className="muted small">Drag onto the canvas, or press to add{selected ? ' after the selection' : ''}.</p>
      {CATEGORY_ORDER.map((category) => (
        <div key={category} className="palette-group" role="group" aria-label={`${category} layers`}>
          <h3 className="palette-group-title">{category}</h3>
          {LAYER_TYPES.filter((t) => LAYERS[t].category === category).map((type) => (
            <div key={type} className="palette-row">
              <button
                type="button"
                className="palette-item"
                draggable
                onDragStart={(e) => onDragStart(e, type)}
                onClick={() => {
                  addLayer(type, selected ? { after: selected } : {});
                  // Focus stays here, so several layers can be added in a row; the view follows them.
                  requestAnimationFrame(() => void fitView({ padding: 0.15, maxZoom: 1, duration: 150 }));
                }}
                title={LAYERS[type].description}
                aria-label={`Add ${type}${selected ? ' after the selected layer' : ''}`}
              >
                {LAYERS[type].label}
              </button>
              <ExplainButton topic={layerTopic(type)} />
            </div>
          ))}
        </div>
      ))}
    </aside>
  );
}
