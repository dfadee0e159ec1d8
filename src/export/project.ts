// The project file: one binary file that restores a session exactly. It is a safetensors file (so any
// safetensors reader opens it) whose tensors are the model's (`model.<name>`, parameters and BatchNorm
// state) and the optimiser's slots (`optim.<name>.<slot>`), and whose metadata holds the JSON parts:
// the design, the training settings, the run's progress (step, epoch, batches drawn), the run history
// (chart series and live figures), a reference to the data set, and the format version.
// parseProject checks every part before returning anything, and nothing in a file is evaluated as code.
import { designFromValue, type Design } from '../engine/graph';
import { slotNames, type OptimizerKind, type OptimizerState } from '../engine/optim/optimizer';
import { ModelFileError } from './errors';
import { exportSafetensors, parseSafetensors, type NamedTensor, type ParsedSafetensors } from './safetensors';

/** `format` in a project file's metadata. */
export const PROJECT_FORMAT = 'webgpu-playground-project';
/** The version this code writes; files with a higher version are refused. */
export const PROJECT_VERSION = 1;
/** The largest model or project file the page imports (it holds the file in memory twice while reading). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** A chart series as app/train/series.ts keeps it (bucketed points). */
export interface SeriesData {
  points: { x: number; y: number }[];
  bucket: number;
  pending: { x: number; y: number; n: number };
}

/** The run as the page showed it: the four chart series and the live figures. */
export interface RunHistory {
  trainLoss: SeriesData;
  trainAccuracy: SeriesData;
  testLoss: SeriesData;
  testAccuracy: SeriesData;
  figures: { epoch: number; step: number; totalSteps: number; samplesPerSecond: number; elapsedMs: number };
}

/** Which data the run trained on: MNIST, a synthetic set (with its settings), or an own data set by id. */
export type DataReference =
  | { kind: 'mnist' }
  | { kind: 'synthetic'; set: string; options: Record<string, number> }
  | { kind: 'dataset'; id: string; name: string };

/** How far the run got (the same fields as the worker's RunProgress). */
export interface ProjectProgress {
  stepCount: number;
  epoch: number;
  batchesDrawn: number;
}

/** Training settings: a flat record of numbers, strings and booleans (app/store/run.ts TrainSettings). */
export type ProjectSettings = Record<string, number | string | boolean>;

export interface Project<S extends object = ProjectSettings> {
  design: Design;
  settings: S;
  tensors: NamedTensor[];
  optimizer: OptimizerState | null;
  progress: ProjectProgress;
  history: RunHistory;
  data: DataReference;
}

const MODEL_PREFIX = 'model.';
const OPTIM_PREFIX = 'optim.';

/** Writes `project` as one file (a safetensors container). */
export function exportProject(project: Project<object>): Uint8Array {
  const tensors: NamedTensor[] = project.tensors.map((t) => ({ ...t, name: MODEL_PREFIX + t.name }));
  const optimizer = project.optimizer;
  if (optimizer) {
    const names = slotNames({ kind: optimizer.kind, momentum: 1 });
    for (const p of optimizer.params) {
      for (const slot of Object.keys(p.slots)) {
        if (!names.includes(slot)) {
          throw new Error(`exportProject: ${optimizer.kind} has no slot "${slot}"`);
        }
        tensors.push({ name: `${OPTIM_PREFIX}${p.name}.${slot}`, shape: p.shape, data: p.slots[slot] });
      }
    }
  }
  return exportSafetensors(tensors, {
    format: PROJECT_FORMAT,
    project_version: String(PROJECT_VERSION),
    design: JSON.stringify(project.design),
    settings: JSON.stringify(project.settings),
    progress: JSON.stringify(project.progress),
    optimizer: JSON.stringify(optimizer ? { kind: optimizer.kind, stepCount: optimizer.stepCount } : null),
    // NaN (accuracy of a regression run) is written as null and read back as NaN.
    history: JSON.stringify(project.history),
    data: JSON.stringify(project.data),
  });
}

/** Whether parsed safetensors metadata is that of a project file. */
export function isProjectFile(parsed: ParsedSafetensors): boolean {
  return parsed.metadata.format === PROJECT_FORMAT;
}

/**
 * Reads a project file, checking everything: the container (safetensors rules), the format and version,
 * every JSON part, the design, the settings against `settingsDefaults` (same keys' types; missing keys
 * take the default), the progress, the history, and that every optimiser slot belongs to a model tensor
 * of the same shape. Throws ModelFileError naming `file` and the first problem.
 */
export function parseProject<S extends object>(
  bytes: Uint8Array,
  { file, settingsDefaults, maxBytes = MAX_IMPORT_BYTES }: { file: string; settingsDefaults: S; maxBytes?: number },
): Project<S> {
  return projectFromParsed(parseSafetensors(bytes, { file, maxBytes }), { file, settingsDefaults });
}

/** parseProject for a file already read by parseSafetensors. */
export function projectFromParsed<S extends object>(
  parsed: ParsedSafetensors,
  { file, settingsDefaults }: { file: string; settingsDefaults: S },
): Project<S> {
  const damaged = 'The file is damaged; save the project again from the session that made it.';
  const fail = (reason: string, hint = damaged) => new ModelFileError(file, reason, hint);
  const { metadata } = parsed;
  if (!isProjectFile(parsed)) {
    throw fail(
      `it is not a project file (its metadata says format "${String(metadata.format ?? 'none').slice(0, 40)}")`,
      'Choose a file saved with "Project file" in the Export section, or import it as model weights (.safetensors).',
    );
  }
  const version = Number(metadata.project_version);
  if (!Number.isInteger(version) || version < 1)
    throw fail(`its project_version "${String(metadata.project_version).slice(0, 20)}" is not a version number`);
  if (version > PROJECT_VERSION) {
    throw fail(
      `it was saved by a newer version of the playground (project version ${version}; this page reads up to ${PROJECT_VERSION})`,
      'Reload the page to get the newest version, then import it again.',
    );
  }
  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) throw fail(`its metadata has no "${key}" part`);
    try {
      return JSON.parse(text);
    } catch (e) {
      throw fail(`the "${key}" part of its metadata is not valid JSON (${(e as Error).message})`);
    }
  };

  let design: Design;
  try {
    design = designFromValue(json('design'));
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw fail(`the design in it is not valid: ${(e as Error).message}`);
  }
  const settings = readSettings(json('settings'), settingsDefaults, fail);
  const progress = readProgress(json('progress'), fail);
  const history = readHistory(json('history'), fail);
  const data = readData(json('data'), fail);
  const optimizerHead = json('optimizer');

  const model: NamedTensor[] = [];
  const optim: NamedTensor[] = [];
  for (const t of parsed.tensors) {
    if (t.name.startsWith(MODEL_PREFIX)) model.push({ ...t, name: t.name.slice(MODEL_PREFIX.length) });
    else if (t.name.startsWith(OPTIM_PREFIX)) optim.push(t);
    else
      throw fail(`tensor "${t.name.slice(0, 100)}" is neither a model tensor (model.…) nor optimiser state (optim.…)`);
  }
  if (model.length === 0) throw fail('it holds no model tensors');
  const optimizer = readOptimizer(optimizerHead, optim, model, fail);
  if (optimizer && optimizer.stepCount !== progress.stepCount) {
    throw fail(`its optimiser says ${optimizer.stepCount} steps but its progress says ${progress.stepCount}`);
  }
  return { design, settings, tensors: model, optimizer, progress, history, data };
}

type Fail = (reason: string, hint?: string) => ModelFileError;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function readSettings<S extends object>(value: unknown, defaults: S, fail: Fail): S {
  if (!isRecord(value)) throw fail('its "settings" part is not an object');
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, fallback] of Object.entries(defaults) as [string, unknown][]) {
    if (!(key in value)) continue;
    const v = value[key];
    if (typeof v !== typeof fallback || (typeof v === 'number' && !Number.isFinite(v))) {
      throw fail(`its setting "${key}" is ${JSON.stringify(v)?.slice(0, 40)}, not a ${typeof fallback}`);
    }
    out[key] = v;
  }
  return out as S;
}

function readProgress(value: unknown, fail: Fail): ProjectProgress {
  if (!isRecord(value) || !isCount(value.stepCount) || !isCount(value.epoch) || !isCount(value.batchesDrawn)) {
    throw fail('its "progress" part needs whole numbers stepCount, epoch and batchesDrawn');
  }
  return { stepCount: value.stepCount, epoch: value.epoch, batchesDrawn: value.batchesDrawn };
}

/** A chart value: a finite number, or null (JSON's NaN) read back as NaN. */
function readValue(v: unknown): number | undefined {
  if (v === null) return Number.NaN;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const MAX_SERIES_POINTS = 100_000;

function readSeries(value: unknown, name: string, fail: Fail): SeriesData {
  const bad = (what: string) => fail(`its chart series "${name}" ${what}`);
  if (!isRecord(value) || !Array.isArray(value.points) || !isRecord(value.pending)) throw bad('is not a series');
  if (value.points.length > MAX_SERIES_POINTS)
    throw bad(`has ${value.points.length} points, more than ${MAX_SERIES_POINTS}`);
  const points = value.points.map((p, i) => {
    const x = isRecord(p) ? readValue(p.x) : undefined;
    const y = isRecord(p) ? readValue(p.y) : undefined;
    if (x === undefined || Number.isNaN(x) || y === undefined) throw bad(`has a bad point at index ${i}`);
    return { x, y };
  });
  const bucket = value.bucket;
  if (!isCount(bucket) || bucket < 1) throw bad('has a bad bucket size');
  const { x, y, n } = value.pending;
  const px = readValue(x);
  const py = readValue(y);
  if (px === undefined || py === undefined || !isCount(n)) throw bad('has a bad pending point');
  return { points, bucket, pending: { x: px, y: py, n } };
}

function readHistory(value: unknown, fail: Fail): RunHistory {
  if (!isRecord(value)) throw fail('its "history" part is not an object');
  const f = value.figures;
  const keys = ['epoch', 'step', 'totalSteps', 'samplesPerSecond', 'elapsedMs'] as const;
  if (!isRecord(f) || !keys.every((k) => typeof f[k] === 'number' && Number.isFinite(f[k]) && (f[k] as number) >= 0)) {
    throw fail(`its "history" part needs figures ${keys.join(', ')} (numbers >= 0)`);
  }
  return {
    trainLoss: readSeries(value.trainLoss, 'trainLoss', fail),
    trainAccuracy: readSeries(value.trainAccuracy, 'trainAccuracy', fail),
    testLoss: readSeries(value.testLoss, 'testLoss', fail),
    testAccuracy: readSeries(value.testAccuracy, 'testAccuracy', fail),
    figures: {
      epoch: f.epoch as number,
      step: f.step as number,
      totalSteps: f.totalSteps as number,
      samplesPerSecond: f.samplesPerSecond as number,
      elapsedMs: f.elapsedMs as number,
    },
  };
}

function readData(value: unknown, fail: Fail): DataReference {
  if (isRecord(value) && value.kind === 'mnist') return { kind: 'mnist' };
  if (isRecord(value) && value.kind === 'synthetic' && typeof value.set === 'string' && isRecord(value.options)) {
    const options: Record<string, number> = {};
    for (const [k, v] of Object.entries(value.options)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`its data setting "${k}" is not a number`);
      options[k] = v;
    }
    return { kind: 'synthetic', set: value.set, options };
  }
  if (isRecord(value) && value.kind === 'dataset' && typeof value.id === 'string' && typeof value.name === 'string') {
    return { kind: 'dataset', id: value.id, name: value.name };
  }
  throw fail('its "data" part names no data set (mnist, synthetic or dataset)');
}

const OPTIMIZER_KINDS: OptimizerKind[] = ['sgd', 'adam', 'rmsprop'];

function readOptimizer(head: unknown, optim: NamedTensor[], model: NamedTensor[], fail: Fail): OptimizerState | null {
  if (head === null) {
    if (optim.length > 0) throw fail('it holds optimiser tensors but no optimiser description');
    return null;
  }
  if (!isRecord(head) || !OPTIMIZER_KINDS.includes(head.kind as OptimizerKind) || !isCount(head.stepCount)) {
    throw fail('its "optimizer" part needs kind (sgd, adam or rmsprop) and a whole-number stepCount');
  }
  const kind = head.kind as OptimizerKind;
  // SGD without momentum keeps no slots; with momentum, one.
  const allowed = slotNames({ kind, momentum: 1 });
  const shapes = new Map(model.map((t) => [t.name, t.shape]));
  const params = new Map<string, OptimizerState['params'][number]>();
  for (const t of optim) {
    const rest = t.name.slice(OPTIM_PREFIX.length);
    const dot = rest.lastIndexOf('.');
    const name = rest.slice(0, dot);
    const slot = rest.slice(dot + 1);
    const shape = shapes.get(name);
    if (dot < 1 || !allowed.includes(slot)) {
      throw fail(`tensor "${t.name.slice(0, 100)}" is not a ${kind} slot (${allowed.join(', ')}) of a parameter`);
    }
    if (!shape)
      throw fail(`optimiser tensor "${t.name.slice(0, 100)}" belongs to no model tensor "${name.slice(0, 100)}"`);
    if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i])) {
      throw fail(
        `optimiser tensor "${t.name}" has shape [${t.shape.join(', ')}] but "${name}" is [${shape.join(', ')}]`,
      );
    }
    let entry = params.get(name);
    if (!entry) params.set(name, (entry = { name, shape: [...shape], slots: {} }));
    entry.slots[slot] = t.data;
  }
  const expected = kind === 'sgd' ? (params.size ? 1 : 0) : allowed.length;
  for (const p of params.values()) {
    if (Object.keys(p.slots).length !== expected) {
      throw fail(`parameter "${p.name}" has ${Object.keys(p.slots).length} optimiser slots; ${kind} keeps ${expected}`);
    }
  }
  // Parameter order as in the model.
  const ordered = model.flatMap((t) => (params.has(t.name) ? [params.get(t.name)!] : []));
  return { kind, stepCount: head.stepCount, params: ordered };
}
