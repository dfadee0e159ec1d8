// The colour theme: the person's choice ('system' follows prefers-color-scheme), persisted in
// localStorage, and applied as data-theme="light" | "dark" on <html> so every stylesheet and chart
// reads its colours from the CSS custom properties of that theme.
import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

export const THEME_CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

interface ThemeStore {
  choice: ThemeChoice;
  /** What the page shows now: the choice, or the system's scheme when the choice is 'system'. */
  resolved: ResolvedTheme;
  setChoice(choice: ThemeChoice): void;
}

const darkQuery =
  typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** The theme shown for `choice` when the system prefers dark (or not). */
export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): ResolvedTheme {
  if (choice === 'system') return systemPrefersDark ? 'dark' : 'light';
  return choice;
}

function isChoice(value: unknown): value is ThemeChoice {
  return value === 'system' || value === 'light' || value === 'dark';
}

export const useThemeStore = create<ThemeStore>()(
  persist(
    (set) => ({
      choice: 'system',
      resolved: resolveTheme('system', darkQuery?.matches ?? false),
      setChoice: (choice) => set({ choice, resolved: resolveTheme(choice, darkQuery?.matches ?? false) }),
    }),
    {
      name: 'playground-theme',
      version: 1,
      partialize: (s) => ({ choice: s.choice }),
      // A value saved by hand or by a later version that is not a choice falls back to 'system'.
      merge: (saved, current) => {
        const choice = (saved as { choice?: unknown } | undefined)?.choice;
        const valid = isChoice(choice) ? choice : 'system';
        return { ...current, choice: valid, resolved: resolveTheme(valid, darkQuery?.matches ?? false) };
      },
    },
  ),
);

function apply(theme: ResolvedTheme): void {
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = theme;
}

// Applied at import, before the first render, so the page never flashes the other theme.
apply(useThemeStore.getState().resolved);
useThemeStore.subscribe((s) => apply(s.resolved));
darkQuery?.addEventListener('change', (e) => {
  const { choice } = useThemeStore.getState();
  useThemeStore.setState({ resolved: resolveTheme(choice, e.matches) });
});
