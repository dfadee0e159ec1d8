// The Design section: palette on the left, the canvas in the middle, the inspector on the right and the
// summary bar below the canvas. Opens a design shared by link, and handles the undo/redo shortcuts.
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { DESIGN_URL_PARAM, DesignFormatError, decodeDesignFromUrl } from '../../src/engine/graph';
import { useDesignStore } from '../store/design';
import { Canvas } from './Canvas';
import { Inspector } from './Inspector';
import { Palette } from './Palette';
import { SummaryBar } from './SummaryBar';
import type { Message } from './Toolbar';
import { Toolbar } from './Toolbar';
import './designer.css';

function isTextEntry(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

/** A design in the page's query (a share link) replaces the current one, then leaves the address bar. */
function openSharedDesign(): Message | null {
  const params = new URLSearchParams(window.location.search);
  const encoded = params.get(DESIGN_URL_PARAM);
  if (encoded === null) return null;
  params.delete(DESIGN_URL_PARAM);
  const query = params.toString();
  window.history.replaceState(
    null,
    '',
    `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`,
  );
  try {
    const design = decodeDesignFromUrl(encoded);
    useDesignStore.getState().loadDesign(design);
    return {
      kind: 'ok',
      text: `Opened the shared design "${design.name}". Undo (Ctrl+Z) brings back your previous design.`,
    };
  } catch (e) {
    const reason = e instanceof DesignFormatError ? e.message : String(e);
    return { kind: 'error', text: `Could not open the shared design: ${reason}. Your current design is unchanged.` };
  }
}

export function DesignerPanel() {
  const [message, setMessage] = useState<Message | null>(null);

  useEffect(() => {
    const shared = openSharedDesign();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- reading the address once on mount
    if (shared) setMessage(shared);
  }, []);

  // Confirmations fade after a few seconds; errors stay until dismissed.
  useEffect(() => {
    if (message?.kind !== 'ok') return;
    const timer = setTimeout(() => setMessage((m) => (m === message ? null : m)), 6000);
    return () => clearTimeout(timer);
  }, [message]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || isTextEntry(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) useDesignStore.getState().undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') useDesignStore.getState().redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <ReactFlowProvider>
      <div className="designer">
        {/* The canvas needs every pixel, so the section's title is there for screen readers only. */}
        <h1 className="visually-hidden">Design</h1>
        <Toolbar setMessage={setMessage} />
        {message && (
          <div
            className={`notice ${message.kind === 'error' ? 'notice-error' : 'notice-ok'} designer-message`}
            role={message.kind === 'error' ? 'alert' : 'status'}
          >
            <span>{message.text}</span>
            <button type="button" className="link-button" onClick={() => setMessage(null)}>
              Dismiss
            </button>
          </div>
        )}
        <Palette />
        <Canvas />
        <SummaryBar />
        <Inspector />
      </div>
    </ReactFlowProvider>
  );
}
