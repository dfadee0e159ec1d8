// The app's top-level sections, in tab order. Each feature registers its panel here; the URL hash
// (#/design, #/data, ...) selects one, so a link or a test can open a section directly.
import type { ComponentType } from 'react';
import { EnginePanel } from './components/EnginePanel';

export interface Section {
  id: string;
  label: string;
  component: ComponentType;
  /** Full-width sections (the designer canvas) drop the reading-width column. */
  wide?: boolean;
}

export const SECTIONS: Section[] = [
  // Feature sections are inserted above this line, in the order a person uses them.
  { id: 'engine', label: 'Engine', component: EnginePanel },
];
