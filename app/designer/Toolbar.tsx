// Above the canvas: templates, undo/redo, export and import of design files, and share links.
import { useReactFlow } from '@xyflow/react';
import type { ChangeEvent } from 'react';
import { useId, useRef, useState } from 'react';
import type { Design } from '../../src/engine/graph';
import {
  DESIGN_URL_PARAM,
  DesignFormatError,
  TEMPLATES,
  designToJson,
  encodeDesignForUrl,
  parseDesignJson,
  templatesFor,
} from '../../src/engine/graph';
import { useDataStore } from '../store/data';
import { datasetFit, useDatasetsStore } from '../store/datasets';
import { emptyDesign, useDesignStore } from '../store/design';

/** The link that opens `design`: this page with the design in the query, on the Design tab. */
export function shareUrl(design: Design): string {
  const url = new URL(window.location.href);
  url.search = `?${DESIGN_URL_PARAM}=${encodeDesignForUrl(design)}`;
  url.hash = '#/design';
  return url.toString();
}

function fileName(design: Design): string {
  const base =
    design.name
      .trim()
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'design';
  return `${base}.json`;
}

export function Toolbar({ setMessage }: { setMessage(m: Message | null): void }) {
  const design = useDesignStore((s) => s.design);
  const loadDesign = useDesignStore((s) => s.loadDesign);
  const renameDesign = useDesignStore((s) => s.renameDesign);
  const undo = useDesignStore((s) => s.undo);
  const redo = useDesignStore((s) => s.redo);
  const canUndo = useDesignStore((s) => s.past.length > 0);
  const canRedo = useDesignStore((s) => s.future.length > 0);
  const { fitView } = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);
  const templateId = useId();
  const nameId = useId();
  const [link, setLink] = useState<string | null>(null);
  // With one of the person's data sets in use, templates are built to fit it (and only those that suit it).
  const datasetId = useDataStore((s) => (s.choice === 'dataset' ? s.datasetId : null));
  const dataset = useDatasetsStore((s) => s.kept.find((m) => m.id === datasetId) ?? null);
  const fit = dataset ? datasetFit(dataset) : undefined;
  const templates = fit ? templatesFor(fit) : TEMPLATES;

  const load = (next: Design, select: string[] = []) => {
    loadDesign(next, select);
    setLink(null);
    requestAnimationFrame(() => void fitView({ padding: 0.15, maxZoom: 1 }));
  };

  const onTemplate = (event: ChangeEvent<HTMLSelectElement>) => {
    const template = templates.find((t) => t.id === event.target.value);
    event.target.value = '';
    if (!template) return;
    load(template.build(fit));
    const fitted = fit && dataset ? `, fitted to “${dataset.name}”` : '';
    setMessage({
      kind: 'ok',
      text: `Loaded the template "${template.label}"${fitted}. Undo (Ctrl+Z) brings back your previous design.`,
    });
  };

  const onExport = () => {
    const blob = new Blob([designToJson(design)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName(design);
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const onImport = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      const next = parseDesignJson(await file.text());
      load(next);
      setMessage({ kind: 'ok', text: `Imported "${next.name}" from ${file.name}.` });
    } catch (e) {
      const reason = e instanceof DesignFormatError ? e.message : String(e);
      setMessage({
        kind: 'error',
        text: `Could not import ${file.name}: ${reason}. Your current design is unchanged.`,
      });
    }
  };

  const onShare = async () => {
    const url = shareUrl(design);
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setMessage({ kind: 'ok', text: 'Share link copied to the clipboard.' });
    } catch {
      setMessage({ kind: 'ok', text: 'Share link ready: copy it from the box.' });
    }
  };

  return (
    <div className="designer-toolbar card">
      <div className="toolbar-row">
        <label htmlFor={nameId} className="visually-hidden">
          Design name
        </label>
        <input
          id={nameId}
          className="design-name"
          type="text"
          value={design.name}
          maxLength={200}
          onChange={(e) => renameDesign(e.target.value)}
        />
        <label htmlFor={templateId} className="visually-hidden">
          Load a template
        </label>
        <select id={templateId} defaultValue="" onChange={onTemplate}>
          <option value="" disabled>
            Templates…
          </option>
          {templates.map((t) => (
            <option key={t.id} value={t.id} title={t.description}>
              {t.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => {
            const empty = emptyDesign();
            load(empty, [empty.nodes[0].id]);
            setMessage(null);
          }}
          title="Start again from a lone Input layer"
        >
          New
        </button>
        <span className="toolbar-gap" />
        <button type="button" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <span className="toolbar-gap" />
        <button type="button" onClick={onExport}>
          Export JSON
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import JSON
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={onImport}
          data-testid="import-file"
        />
        <button type="button" onClick={onShare}>
          Share link
        </button>
      </div>
      {link && (
        <div className="toolbar-row">
          <label htmlFor={`${nameId}-link`} className="small muted">
            Share link
          </label>
          <input
            id={`${nameId}-link`}
            className="share-link"
            type="text"
            readOnly
            value={link}
            onFocus={(e) => e.target.select()}
          />
        </div>
      )}
    </div>
  );
}

export interface Message {
  kind: 'ok' | 'error';
  text: string;
}
