// The app's top-level sections, in tab order. Each feature registers its panel here; the URL hash
// (#/design, #/data, ...) selects one, so a link or a test can open a section directly.
import type { ComponentType } from 'react';
import { EnginePanel } from './components/EnginePanel';
import { DataPanel } from './data/DataPanel';
import { DesignerPanel } from './designer/DesignerPanel';
import { TrainPanel } from './train/TrainPanel';

export interface Section {
  id: string;
  label: string;
  component: ComponentType;
  /** Full-width sections (the designer canvas) drop the reading-width column. */
  wide?: boolean;
}

export const SECTIONS: Section[] = [
  { id: 'design', label: 'Design', component: DesignerPanel, wide: true },
  { id: 'data', label: 'Data', component: DataPanel },
  { id: 'train', label: 'Train', component: TrainPanel, wide: true },
  // Feature sections are inserted above this line, in the order a person uses them.
  { id: 'engine', label: 'Engine', component: EnginePanel },
];
