// The actions at the end of a table row (a kept run, a kept data set) with a Delete that asks once more
// before anything is removed: the row's other actions give way to the question, "Yes, delete …" and
// "Keep it". Focus goes to "Keep it", so Enter twice never deletes by accident; Escape keeps the item too,
// and focus returns to Delete.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface RowActionsProps {
  /** The item's name, in the buttons' accessible names ("Delete Run 2 · XOR"). */
  name: string;
  /** The question asked before deleting, e.g. "Delete this run from this browser?". */
  question: string;
  onDelete: () => void;
  /** The row's other actions (Use, Export …), shown before Delete. */
  children?: ReactNode;
}

export function RowActions({ name, question, onDelete, children }: RowActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  // Only a person's answer moves focus, not the first render.
  const answered = useRef(false);
  useEffect(() => {
    if (confirming) keepRef.current?.focus();
    else if (answered.current) deleteRef.current?.focus();
  }, [confirming]);

  const keep = () => {
    answered.current = true;
    setConfirming(false);
  };
  if (confirming) {
    return (
      <span
        className="row-actions"
        role="group"
        aria-label={`Delete ${name}?`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') keep();
        }}
      >
        <span className="small">{question}</span>
        <button
          type="button"
          className="danger"
          // Short on screen (the row says which item), full for a screen reader.
          aria-label={`Yes, delete ${name}`}
          onClick={() => {
            answered.current = false;
            setConfirming(false);
            onDelete();
          }}
        >
          Yes, delete
        </button>
        <button type="button" ref={keepRef} onClick={keep}>
          Keep it
        </button>
      </span>
    );
  }
  return (
    <span className="row-actions">
      {children}
      <button type="button" ref={deleteRef} aria-label={`Delete ${name}`} onClick={() => setConfirming(true)}>
        Delete
      </button>
    </span>
  );
}
