// Reading a file the person drops or picks: its size is checked before it is read, then it is parsed
// and checked completely (safetensors rules, the design in it, a project's every part) before anything
// in the session changes. A file is only ever parsed as data, never evaluated.
import { analyzeDesign, type Design } from '../../src/engine/graph';
import { ModelFileError } from '../../src/export/errors';
import { isProjectFile, MAX_IMPORT_BYTES, projectFromParsed, type Project } from '../../src/export/project';
import { designFromSafetensors, parseSafetensors, type NamedTensor } from '../../src/export/safetensors';
import { DEFAULT_SETTINGS, type TrainSettings } from '../store/run';

/** Model weights with their design, or a whole project. */
export type Imported =
  | { kind: 'weights'; file: string; bytes: number; design: Design; tensors: NamedTensor[] }
  | { kind: 'project'; file: string; bytes: number; project: Project<TrainSettings> };

/** The file extensions the picker offers (a project file is a .safetensors file too). */
export const IMPORT_ACCEPT = '.safetensors';

export const formatMegabytes = (bytes: number) =>
  `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Reads and checks `file`; throws ModelFileError naming the file and what is wrong with it. */
export async function readImportFile(file: File): Promise<Imported> {
  const name = file.name;
  if (file.size > MAX_IMPORT_BYTES) {
    throw new ModelFileError(
      name,
      `the file is ${formatMegabytes(file.size)}, more than the ${formatMegabytes(MAX_IMPORT_BYTES)} this page imports`,
      'Import a smaller model; models trained in the playground are far below this size.',
    );
  }
  if (file.size === 0) {
    throw new ModelFileError(
      name,
      'the file is empty',
      'Choose a .safetensors or project file exported by this playground.',
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    throw new ModelFileError(name, `the browser could not read it (${(e as Error).message})`, 'Choose the file again.');
  }
  const parsed = parseSafetensors(bytes, { file: name, maxBytes: MAX_IMPORT_BYTES });
  if (isProjectFile(parsed)) {
    const project = projectFromParsed(parsed, { file: name, settingsDefaults: DEFAULT_SETTINGS });
    checkDesign(project.design, name);
    return { kind: 'project', file: name, bytes: file.size, project };
  }
  const design = designFromSafetensors(parsed, name);
  checkDesign(design, name);
  if (parsed.tensors.length === 0) {
    throw new ModelFileError(name, 'it holds no tensors', "Choose a file with the model's weights.");
  }
  return { kind: 'weights', file: name, bytes: file.size, design, tensors: parsed.tensors };
}

/** A design that would not compile is refused here, before the person is asked to replace theirs. */
function checkDesign(design: Design, file: string): void {
  const analysis = analyzeDesign(design);
  if (!analysis.valid) {
    throw new ModelFileError(
      file,
      `the design in it has ${analysis.errors.length} problem${analysis.errors.length === 1 ? '' : 's'}: ${analysis.errors[0].message}`,
      'The file is damaged or from another version of the playground; export it again.',
    );
  }
}
