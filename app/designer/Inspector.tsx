// The inspector: edits the selected layer's settings (each field checked as it is typed), shows its
// shapes, parameter tensors and FLOPs, and connects or disconnects its inputs without a mouse.
import { useId, useState } from 'react';
import type { DesignNode, FieldSpec, LayerSpec, LayerType } from '../../src/engine/graph';
import { LAYERS, fieldText, formatShape, parseFieldText, sizeOf } from '../../src/engine/graph';
import { ExplainButton } from '../learn/Explain';
import { activationTopic, layerTopic } from '../learn/topics';
import { useDesignAnalysis, useDesignStore } from '../store/design';
import { formatCount, formatFlops } from './format';

function SettingField({ node, field }: { node: DesignNode; field: FieldSpec }) {
  const updateSetting = useDesignStore((s) => s.updateSetting);
  const value = (node.settings as Record<string, unknown>)[field.key];
  const id = useId();
  const [draft, setDraft] = useState(() => fieldText(field, value));
  const [shown, setShown] = useState(value);
  const [error, setError] = useState<string | null>(null);
  // The stored value changed from elsewhere (undo, another edit): show it, unless the draft already means it.
  if (shown !== value) {
    setShown(value);
    const parsed = parseFieldText(field, draft);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setDraft(fieldText(field, value));
      setError(null);
    }
  }

  const apply = (text: string | boolean) => {
    const parsed = parseFieldText(field, text);
    if (parsed.ok) {
      setError(null);
      if (JSON.stringify(parsed.value) !== JSON.stringify(value)) updateSetting(node.id, field.key, parsed.value);
    } else setError(parsed.error);
  };

  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const describedBy = [field.help ? helpId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  let control;
  if (field.kind === 'bool') {
    return (
      <div className="field field-check">
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => apply(e.target.checked)} />
        <label htmlFor={id}>{field.label}</label>
      </div>
    );
  } else if (field.kind === 'choice') {
    control = (
      <select id={id} value={String(value)} onChange={(e) => apply(e.target.value)} aria-describedby={describedBy}>
        {field.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        type="text"
        inputMode={field.kind === 'shape' ? 'text' : 'decimal'}
        value={draft}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          setDraft(e.target.value);
          apply(e.target.value);
        }}
        onBlur={() => {
          if (!error) setDraft(fieldText(field, value));
        }}
      />
    );
  }
  const explains = field.key === 'activation' ? activationTopic(String(value)) : null;
  return (
    <div className="field">
      {explains ? (
        <div className="field-label-row">
          <label htmlFor={id}>{field.label}</label>
          <ExplainButton topic={explains} />
        </div>
      ) : (
        <label htmlFor={id}>{field.label}</label>
      )}
      {control}
      {field.help && (
        <span id={helpId} className="field-help">
          {field.help}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function NameField({ node }: { node: DesignNode }) {
  const rename = useDesignStore((s) => s.rename);
  const id = useId();
  const [draft, setDraft] = useState(node.name);
  const [shown, setShown] = useState(node.name);
  if (shown !== node.name) {
    setShown(node.name);
    setDraft(node.name);
  }
  const error =
    draft.trim() === '' ? 'Name is required' : draft.length > 60 ? 'Name must be at most 60 characters' : null;
  return (
    <div className="field">
      <label htmlFor={id}>Name</label>
      <input
        id={id}
        type="text"
        value={draft}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          setDraft(e.target.value);
          const name = e.target.value.trim();
          if (name !== '' && name.length <= 60) rename(node.id, name);
        }}
      />
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function Connections({ node }: { node: DesignNode }) {
  const design = useDesignStore((s) => s.design);
  const connect = useDesignStore((s) => s.connect);
  const remove = useDesignStore((s) => s.remove);
  const selectId = useId();
  const incoming = design.edges.filter((e) => e.target === node.id);
  const outgoing = design.edges.filter((e) => e.source === node.id);
  const nameOf = (id: string) => design.nodes.find((n) => n.id === id)?.name ?? id;
  const candidates = design.nodes.filter((n) => n.id !== node.id && !incoming.some((e) => e.source === n.id));
  const [source, setSource] = useState('');
  const chosen = candidates.some((n) => n.id === source) ? source : (candidates[0]?.id ?? '');

  return (
    <section className="inspector-section" aria-label="Connections">
      <h3>Connections</h3>
      {LAYERS[node.type].arity !== 'none' && (
        <>
          <p className="muted small">Inputs{incoming.length === 0 ? ': none' : ''}</p>
          <ul className="connection-list">
            {incoming.map((e) => (
              <li key={e.id}>
                <span>{nameOf(e.source)}</span>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => remove([], [e.id])}
                  aria-label={`Disconnect ${nameOf(e.source)} from ${node.name}`}
                >
                  Disconnect
                </button>
              </li>
            ))}
          </ul>
          {candidates.length > 0 && (
            <div className="connect-row">
              <label htmlFor={selectId} className="visually-hidden">
                Connect input from
              </label>
              <select id={selectId} value={chosen} onChange={(e) => setSource(e.target.value)}>
                {candidates.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name}
                  </option>
                ))}
              </select>
              <button type="button" onClick={() => chosen && connect(chosen, node.id)}>
                Connect input
              </button>
            </div>
          )}
        </>
      )}
      <p className="muted small">
        Feeds{outgoing.length === 0 ? ': nothing' : `: ${outgoing.map((e) => nameOf(e.target)).join(', ')}`}
      </p>
    </section>
  );
}

function LayerDetails({ node }: { node: DesignNode }) {
  const analysis = useDesignAnalysis();
  const removeLayer = useDesignStore((s) => s.remove);
  const layer = analysis.layers.get(node.id);
  const spec = LAYERS[node.type] as LayerSpec<LayerType>;
  if (!layer) return null;
  return (
    <>
      <div className="field-label-row">
        <h2 id="inspector-heading">
          {node.type}
          <span className="muted small"> · {node.name}</span>
        </h2>
        <ExplainButton
          topic={layerTopic(node.type)}
          context={{
            alpha: node.type === 'LeakyReLU' ? node.settings.alpha : undefined,
            dropoutRate: node.type === 'Dropout' ? node.settings.rate : undefined,
          }}
        />
      </div>
      <p className="muted small">{spec.description}</p>
      <form className="inspector-form" onSubmit={(e) => e.preventDefault()} aria-label={`${node.name} settings`}>
        <NameField node={node} />
        {(spec.fields as readonly FieldSpec[]).map((field) => (
          <SettingField key={`${node.id}:${field.key}`} node={node} field={field} />
        ))}
      </form>
      {layer.errors.length > 0 && (
        <div className="notice notice-error small" role="status">
          {layer.errors.map((e, i) => (
            <p key={i}>{e.message}</p>
          ))}
        </div>
      )}
      <dl className="inspector-stats">
        <dt>Input</dt>
        <dd>
          {layer.inputShapes && layer.inputShapes.length > 0 ? layer.inputShapes.map(formatShape).join(' + ') : '—'}
        </dd>
        <dt>Output</dt>
        <dd>{layer.outputShape ? formatShape(layer.outputShape) : '—'}</dd>
        <dt>Parameters</dt>
        <dd>
          {formatCount(layer.trainableParams + layer.nonTrainableParams)}
          {layer.nonTrainableParams > 0 && (
            <span className="muted"> ({formatCount(layer.nonTrainableParams)} not trainable)</span>
          )}
        </dd>
        {layer.params.map((p) => (
          <div key={p.name} className="inspector-tensor">
            <dt className="muted">{p.name}</dt>
            <dd className="muted">
              {formatShape(p.shape)} = {formatCount(sizeOf(p.shape))}
            </dd>
          </div>
        ))}
        <dt>FLOPs / sample</dt>
        <dd>{formatFlops(layer.flopsPerSample)}</dd>
      </dl>
      <Connections node={node} />
      <button type="button" className="danger inspector-remove" onClick={() => removeLayer([node.id], [])}>
        Delete layer
      </button>
    </>
  );
}

export function Inspector() {
  const design = useDesignStore((s) => s.design);
  const selection = useDesignStore((s) => s.selection);
  const removeSelection = useDesignStore((s) => s.removeSelection);
  const selected = selection.nodeIds.length === 1 ? design.nodes.find((n) => n.id === selection.nodeIds[0]) : undefined;
  const count = selection.nodeIds.length + selection.edgeIds.length;

  return (
    <aside className="designer-inspector card" aria-labelledby="inspector-heading">
      {selected ? (
        <LayerDetails key={selected.id} node={selected} />
      ) : count > 0 ? (
        <>
          <h2 id="inspector-heading">Selection</h2>
          <p>
            {selection.nodeIds.length} layer{selection.nodeIds.length === 1 ? '' : 's'} and {selection.edgeIds.length}{' '}
            connection
            {selection.edgeIds.length === 1 ? '' : 's'} selected.
          </p>
          <button type="button" className="danger inspector-remove" onClick={removeSelection}>
            Delete selected
          </button>
        </>
      ) : (
        <>
          <h2 id="inspector-heading">Inspector</h2>
          <p className="muted">Select a layer to edit its settings.</p>
          <ul className="muted small help-list">
            <li>Drag a layer from the palette, or press its button (Enter) to add it after the selected layer.</li>
            <li>
              Drag from a layer's bottom handle to another's top handle to connect them; drop a layer on a connection to
              insert it.
            </li>
            <li>
              Tab to a layer and press Enter to select it; Delete removes the selection; Ctrl+Z / Ctrl+Shift+Z undo and
              redo.
            </li>
            <li>Shift-drag on the canvas selects several layers; Ctrl-click adds to the selection.</li>
          </ul>
        </>
      )}
    </aside>
  );
}
