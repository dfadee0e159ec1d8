// The app's top-level sections, in tab order. Each feature registers its panel here; the URL hash
// (#/design, #/data, ...) selects one, so a link or a test can open a section directly.
import type { ComponentType } from 'react';
import { EnginePanel } from './components/EnginePanel';
import { DataPanel } from './data/DataPanel';
import { DesignerPanel } from './designer/DesignerPanel';
import { ExamplesPanel } from './examples/ExamplesPanel';
import { ExportPanel } from './export/ExportPanel';
import { RunsPanel } from './runs/RunsPanel';
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
  { id: 'runs', label: 'Runs', component: RunsPanel, wide: true },
  { id: 'examples', label: 'Examples', component: ExamplesPanel, wide: true },
  { id: 'export', label: 'Export', component: ExportPanel },
  // Feature sections are inserted above this line, in the order a person uses them.
  { id: 'engine', label: 'Engine', component: EnginePanel },
];
