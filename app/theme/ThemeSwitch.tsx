// The theme switch in the header: one small button (the header has little room) that opens a menu
// with System / Light / Dark as a radio group. Arrow keys choose, Enter, Escape, a click on an option
// or a click elsewhere closes it; focus returns to the button.
import { useEffect, useRef, useState } from 'react';
import { THEME_CHOICES, useThemeStore, type ThemeChoice } from './theme';

function ThemeIcon({ choice }: { choice: ThemeChoice }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {choice === 'light' && (
        <g stroke="currentColor" strokeWidth="1.5" fill="none" strokeLinecap="round">
          <circle cx="8" cy="8" r="3" />
          <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
        </g>
      )}
      {choice === 'dark' && <path d="M10.5 2.5a5.5 5.5 0 1 0 3 9.5 6 6 0 0 1-3-9.5z" fill="currentColor" />}
      {choice === 'system' && (
        <g>
          <circle cx="8" cy="8" r="5.5" stroke="currentColor" strokeWidth="1.5" fill="none" />
          <path d="M8 2.5a5.5 5.5 0 0 1 0 11z" fill="currentColor" />
        </g>
      )}
    </svg>
  );
}

export function ThemeSwitch() {
  const choice = useThemeStore((s) => s.choice);
  const setChoice = useThemeStore((s) => s.setChoice);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const label = THEME_CHOICES.find((c) => c.value === choice)?.label ?? 'System';
  const closeMenu = () => {
    setOpen(false);
    button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const close = (refocus: boolean) => {
      setOpen(false);
      if (refocus) button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) close(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close(true);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    // The checked option takes focus, so arrow keys move between the three at once.
    root.current?.querySelector<HTMLInputElement>('input:checked')?.focus();
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="theme-switch" ref={root}>
      <button
        ref={button}
        type="button"
        className="theme-button"
        aria-label={`Colour theme: ${label}`}
        title={`Colour theme: ${label}`}
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <ThemeIcon choice={choice} />
      </button>
      {open && (
        <div className="theme-menu" role="radiogroup" aria-label="Colour theme">
          {THEME_CHOICES.map((c) => (
            <label key={c.value} className={c.value === choice ? 'theme-option selected' : 'theme-option'}>
              <input
                type="radio"
                name="colour-theme"
                value={c.value}
                checked={c.value === choice}
                onChange={() => setChoice(c.value)}
                onClick={(e) => {
                  // A pointer click chooses and closes; arrow keys (which also fire click, with detail 0)
                  // only choose, and Enter closes.
                  if (e.detail > 0) closeMenu();
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') closeMenu();
                }}
              />
              <ThemeIcon choice={c.value} />
              {c.label}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
