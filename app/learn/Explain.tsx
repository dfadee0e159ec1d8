// The explanation beside a choice: an info button that opens a modal dialog with the formula, what the
// thing is good for, a pitfall and a live plot. The dialog is the native <dialog> (role dialog, Escape
// closes it) rendered into <body>, and focus goes back to the button when it closes.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { TeX } from './TeX';
import { ActivationPlot, DropoutDemo, LossPlot, SchedulePlot } from './plots';
import { TOPICS, type Topic, type TopicId } from './topics';
import './learn.css';

/** Settings of the place the explanation was opened from, so its plot shows them. */
export interface ExplainContext {
  /** Leaky ReLU's negative slope. */
  alpha?: number;
  /** The Dropout layer's rate. */
  dropoutRate?: number;
}

/**
 * The info button. It is a focusable span with role="button" rather than a <button>, so that it keeps
 * working inside a disabled <fieldset> (the Train settings while a run trains) and inside a <label>
 * without activating the label's control.
 */
export function ExplainButton({ topic, context }: { topic: TopicId; context?: ExplainContext }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLSpanElement>(null);
  const title = TOPICS[topic].title;
  const activate = (e: MouseEvent | KeyboardEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOpen(true);
  };
  return (
    <>
      <span
        ref={buttonRef}
        role="button"
        tabIndex={0}
        className="explain-button"
        aria-label={`Explain ${title}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        title={`What is ${title}?`}
        onClick={activate}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') activate(e);
        }}
      >
        ?
      </span>
      {open && (
        <ExplainDialog
          topic={TOPICS[topic]}
          context={context}
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
        />
      )}
    </>
  );
}

function ExplainDialog({ topic, context, onClose }: { topic: Topic; context?: ExplainContext; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    // Keys pressed in the dialog stay in it: Delete or Ctrl+Z must not reach the designer behind it.
    // (Escape still closes: that is the dialog's default action, which stopPropagation leaves alone.)
    const keep = (e: globalThis.KeyboardEvent) => e.stopPropagation();
    dialog.addEventListener('keydown', keep);
    return () => {
      dialog.removeEventListener('keydown', keep);
      dialog.close();
    };
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      className="explain-dialog"
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop (outside the content box) closes, as Escape does.
        if (e.target === ref.current) ref.current.close();
      }}
    >
      <div className="explain-body">
        <header className="explain-head">
          <h2 id={titleId}>{topic.title}</h2>
          <button type="button" onClick={() => ref.current?.close()} aria-label="Close explanation">
            ×
          </button>
        </header>
        <TeX formula={topic.formula} />
        {topic.where && <p className="muted small">{topic.where}</p>}
        <h3>Good for</h3>
        <p>{topic.goodFor}</p>
        <h3>Pitfall</h3>
        <p>{topic.pitfall}</p>
        {topic.plot && <TopicPlot plot={topic.plot} context={context} />}
      </div>
    </dialog>,
    document.body,
  );
}

function TopicPlot({ plot, context }: { plot: NonNullable<Topic['plot']>; context?: ExplainContext }) {
  switch (plot.kind) {
    case 'activation':
      return <ActivationPlot activation={plot.activation} alpha={context?.alpha} />;
    case 'loss':
      return <LossPlot loss={plot.loss} />;
    case 'schedule':
      return <SchedulePlot />;
    case 'dropout':
      return <DropoutDemo rate={context?.dropoutRate ?? 0.5} />;
  }
}

/**
 * A labelled control with its info button at the top right. The button sits beside the <label>, not in
 * it, so the control's accessible name stays the label's text alone.
 */
export function Explained({ topic, children }: { topic: TopicId; children: ReactNode }) {
  return (
    <div className="explained">
      {children}
      <ExplainButton topic={topic} />
    </div>
  );
}
