// Import as the Export section shows it, kept outside the component so switching sections loses nothing:
// the step it is at (reading, waiting for confirmation, loading, done, refused) and, after a project
// file, what "Resume training" continues from. Applying an import to the session happens here, and only
// after the engine has loaded the weights, so a refused file changes nothing.
import { create } from 'zustand';
import { ModelFileError } from '../../src/export/errors';
import type { DataReference, Project } from '../../src/export/project';
import { useDataStore, type DataChoice } from '../store/data';
import { useDesignStore } from '../store/design';
import { postToEngine } from '../store/engine';
import { evaluationOf, useRunStore, type TrainSettings } from '../store/run';
import { currentDataReference, dataRequestFor, loadInEngine } from './engine-calls';
import { readImportFile, type Imported } from './imports';

export type ImportStep =
  | { step: 'idle' }
  | { step: 'reading'; file: string }
  | { step: 'confirm'; imported: Imported }
  | { step: 'loading'; file: string }
  | {
      step: 'done';
      file: string;
      kind: Imported['kind'];
      test: { loss: number; accuracy: number | null; samples: number } | null;
    }
  | { step: 'refused'; file: string; reason: string; hint: string };

interface ImportStore {
  status: ImportStep;
  /** The last imported project (what Resume training continues), until another import or a new run. */
  project: { file: string; project: Project<TrainSettings> } | null;
}

export const useImportStore = create<ImportStore>()(() => ({ status: { step: 'idle' }, project: null }));

const set = (status: ImportStep) => useImportStore.setState({ status });

function refuse(file: string, error: unknown): void {
  if (error instanceof ModelFileError) set({ step: 'refused', file, reason: error.reason, hint: error.hint });
  else
    set({
      step: 'refused',
      file,
      reason: error instanceof Error ? error.message : String(error),
      hint: 'Nothing was changed. Choose a .safetensors or project file exported by this playground.',
    });
}

/** Reads and checks a picked or dropped file, then asks for confirmation. */
export async function chooseFile(file: File): Promise<void> {
  set({ step: 'reading', file: file.name });
  try {
    set({ step: 'confirm', imported: await readImportFile(file) });
  } catch (error) {
    refuse(file.name, error);
  }
}

export function cancelImport(): void {
  set({ step: 'idle' });
}

/**
 * Loads the confirmed import into the engine (which checks every tensor against the design and evaluates
 * the model on the test set); on success replaces the design (undoable) and restores what the file
 * holds. On failure the session is as it was.
 */
export async function confirmImport(imported: Imported): Promise<void> {
  const { file } = imported;
  const project = imported.kind === 'project' ? imported.project : null;
  const dataRef: DataReference = project ? project.data : currentDataReference();
  const data = dataRequestFor(dataRef);
  if (typeof data === 'string') {
    set({
      step: 'refused',
      file,
      reason: data,
      hint: 'Nothing was changed. Choose that data set in the Data section first.',
    });
    return;
  }
  const settings = project ? project.settings : useRunStore.getState().settings;
  const design = project ? project.design : imported.kind === 'weights' ? imported.design : null;
  set({ step: 'loading', file });
  const answer = await loadInEngine({
    design,
    settings,
    data,
    tensors: project ? project.tensors : imported.kind === 'weights' ? imported.tensors : [],
    saved: project ? { optimizer: project.optimizer, progress: project.progress } : undefined,
    file,
  });
  if (answer.message) {
    set({ step: 'refused', file, reason: answer.message.text, hint: answer.message.hint });
    return;
  }
  useDesignStore.getState().loadDesign(design!);
  const evaluation = answer.evaluation && evaluationOf(answer.evaluation);
  useRunStore.getState().resetSeries();
  useRunStore.setState({ state: 'stopped', evaluation, message: null });
  if (project) {
    if (project.data.kind === 'synthetic') {
      useDataStore.getState().choose(project.data.set as DataChoice);
      useDataStore.getState().setSynthetic(project.data.options);
    } else if (project.data.kind === 'mnist') {
      useDataStore.getState().choose('mnist');
    } else {
      useDataStore.getState().chooseDataset(project.data.id);
    }
    const { history } = project;
    useRunStore.setState({
      settings: project.settings,
      trainLoss: history.trainLoss,
      trainAccuracy: history.trainAccuracy,
      testLoss: history.testLoss,
      testAccuracy: history.testAccuracy,
      figures: history.figures,
    });
  }
  useImportStore.setState({ project: project && { file, project } });
  set({ step: 'done', file, kind: imported.kind, test: answer.test });
}

/** Why the imported project cannot resume now, or null. */
export function resumeBlocker(project: Project<TrainSettings>, settings: TrainSettings, state: string): string | null {
  if (state === 'starting' || state === 'running' || state === 'paused') return 'A run is in progress.';
  if (project.progress.epoch >= settings.epochs) {
    return `The saved run completed all ${project.progress.epoch} of its epochs: raise Epochs in the Train section above ${project.progress.epoch} to train further.`;
  }
  return null;
}

/** Continues the imported project's run: same weights, optimiser state, step counter and schedule. */
export function resumeProject(): void {
  const saved = useImportStore.getState().project;
  if (!saved) return;
  const { project, file } = saved;
  const data = dataRequestFor(project.data);
  if (typeof data === 'string') {
    set({ step: 'refused', file, reason: data, hint: 'Choose that data set in the Data section, then resume.' });
    return;
  }
  useRunStore.setState({ state: 'starting', message: null });
  postToEngine({
    type: 'train',
    design: project.design,
    settings: useRunStore.getState().settings,
    data,
    resume: { tensors: project.tensors, optimizer: project.optimizer, progress: project.progress, file },
  });
  // Resuming again would start from the file, not from where this run gets to.
  useImportStore.setState({ project: null });
}
