// The files the Export section downloads, built from a snapshot of the model the worker holds: each
// kind's name, one line on what it is for, and a function that makes its bytes. Pure apart from reading
// the stores for the run history and the data set; nothing here touches the session.
import type { Dataset } from '../../src/data/dataset';
import {
  makeSyntheticSet,
  makeSyntheticTestSet,
  SYNTHETIC_SETS,
  type SyntheticSetKind,
} from '../../src/data/synthetic';
import { designFromValue, type Design } from '../../src/engine/graph';
import { exportOnnx } from '../../src/export/onnx';
import { exportProject, type DataReference, type RunHistory } from '../../src/export/project';
import { pytorchDataFile, pytorchProject, zipFiles, DATA_FILE, type PytorchData } from '../../src/export/pytorch';
import { exportSafetensors, safetensorsMetadata } from '../../src/export/safetensors';
import { exportTfjs } from '../../src/export/tfjs';
import { loadedDataset } from '../store/datasets';
import { useRunStore } from '../store/run';
import type { ModelSnapshot } from '../worker/protocol';

export type ExportKind = 'safetensors' | 'tfjs' | 'onnx' | 'pytorch' | 'project';

export interface ExportFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
}

export interface ExportOption {
  kind: ExportKind;
  label: string;
  /** What the file is for, in one line. */
  purpose: string;
  /** The file name for a design called `base`. */
  fileName(base: string): string;
}

export const EXPORTS: ExportOption[] = [
  {
    kind: 'safetensors',
    label: 'Weights (.safetensors)',
    purpose: 'Every weight by name, with the design inside: for PyTorch, Hugging Face tools, or importing back here.',
    fileName: (b) => `${b}.safetensors`,
  },
  {
    kind: 'tfjs',
    label: 'TensorFlow.js (model.json + weights.bin, zipped)',
    purpose: 'For tf.loadLayersModel() in a web page or Node.js.',
    fileName: (b) => `${b}-tfjs.zip`,
  },
  {
    kind: 'onnx',
    label: 'ONNX (.onnx)',
    purpose: 'For onnxruntime: deployment from Python, C++, C#, Java or the browser.',
    fileName: (b) => `${b}.onnx`,
  },
  {
    kind: 'pytorch',
    label: 'PyTorch project (.zip)',
    purpose: 'model.py, train.py and the weights: keep training on your GPUs (python train.py, or torchrun).',
    fileName: (b) => `${b}-pytorch.zip`,
  },
  {
    kind: 'project',
    label: 'Project file',
    purpose: 'This whole session (design, settings, weights, optimiser state, charts): import it to resume training.',
    fileName: (b) => `${b}.project.safetensors`,
  },
];

/** A file-name-safe form of the design's name: "MLP 784-128-10" -> "mlp-784-128-10". */
export function fileBase(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'model'
  );
}

/** The run's charts and figures as the page shows them now. */
export function currentHistory(): RunHistory {
  const s = useRunStore.getState();
  return {
    trainLoss: s.trainLoss,
    trainAccuracy: s.trainAccuracy,
    testLoss: s.testLoss,
    testAccuracy: s.testAccuracy,
    figures: s.figures,
  };
}

/** The training data as train.py reads it: MNIST from its idx files, or data.safetensors for the set. */
function pytorchData(data: DataReference): { data: PytorchData; file: Uint8Array | null } {
  if (data.kind === 'mnist') return { data: { kind: 'mnist' }, file: null };
  if (data.kind === 'dataset') {
    const dataset = loadedDataset(data.id);
    if (!dataset) {
      throw new Error(
        `your data set "${data.name}" is not loaded: choose it under "Your data" in the Data section, then export again`,
      );
    }
    return datasetForPytorch(dataset);
  }
  const info = SYNTHETIC_SETS[data.set as SyntheticSetKind];
  if (!info) throw new Error(`the data set "${data.set}" is unknown`);
  const options = { size: 400, noise: 0, seed: 1, ...data.options, kind: data.set as SyntheticSetKind };
  // The training set, then the test set the page evaluates on (another draw, as in the worker).
  const train = makeSyntheticSet(options);
  const test = makeSyntheticTestSet(options);
  const rows = train.total + test.total;
  const concat = <T extends Float32Array | Int32Array>(a: T, b: T, out: T): T => {
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const classification = info.task === 'classification';
  const file = pytorchDataFile({
    name: info.label,
    x: concat(train.x, test.x, new Float32Array(rows * train.features)),
    sampleShape: [train.features],
    labels: classification ? concat(train.labels!, test.labels!, new Int32Array(rows)) : undefined,
    targets: classification
      ? undefined
      : concat(train.targets!, test.targets!, new Float32Array(rows * train.targetSize)),
    targetShape: classification ? undefined : [train.targetSize],
    trainIdx: range(0, train.total),
    testIdx: range(train.total, rows),
  });
  const pyData: PytorchData = {
    kind: 'dataset',
    name: info.label,
    task: info.task,
    inputShape: [train.features],
    classes: train.numClasses,
  };
  return { data: pyData, file };
}

const range = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);

/** A kept data set as data.safetensors (image levels normalised as the playground normalises them). */
function datasetForPytorch(dataset: Dataset): { data: PytorchData; file: Uint8Array } {
  const classification = dataset.task === 'classification';
  const file = pytorchDataFile({
    name: dataset.name,
    x: dataset.x,
    sampleShape: dataset.inputShape,
    pixels: dataset.x instanceof Uint8Array,
    labels: classification ? dataset.labels : undefined,
    targets: classification ? undefined : dataset.targets,
    targetShape: classification ? undefined : [dataset.targetNames.length],
    trainIdx: dataset.split.train,
    valIdx: dataset.split.validation,
    testIdx: dataset.split.test,
  });
  const pyData: PytorchData = {
    kind: 'dataset',
    name: dataset.name,
    task: dataset.task,
    inputShape: dataset.inputShape,
    classes: dataset.classNames.length,
  };
  return { data: pyData, file };
}

/** The file of `kind` for the model in `snapshot`, trained on `data`. Throws with the reason it cannot. */
export function buildExport(kind: ExportKind, snapshot: ModelSnapshot, data: DataReference): ExportFile {
  const design: Design = designFromValue(snapshot.design);
  const base = fileBase(design.name);
  const name = EXPORTS.find((e) => e.kind === kind)!.fileName(base);
  const weights = () => exportSafetensors(snapshot.tensors, safetensorsMetadata(design));
  switch (kind) {
    case 'safetensors':
      return { name, mime: 'application/octet-stream', bytes: weights() };
    case 'tfjs': {
      const { modelJson, weightsBin } = exportTfjs(design, snapshot.tensors);
      const bytes = zipFiles({ 'model.json': JSON.stringify(modelJson), 'weights.bin': weightsBin });
      return { name, mime: 'application/zip', bytes };
    }
    case 'onnx':
      return { name, mime: 'application/octet-stream', bytes: exportOnnx(design, snapshot.tensors) };
    case 'pytorch': {
      const { data: pyData, file } = pytorchData(data);
      const files: Record<string, string | Uint8Array> = {
        ...pytorchProject(design, snapshot.settings, { data: pyData }),
        'weights.safetensors': weights(),
      };
      if (file) files[DATA_FILE] = file;
      return { name, mime: 'application/zip', bytes: zipFiles(files) };
    }
    case 'project': {
      const bytes = exportProject({
        design,
        settings: { ...snapshot.settings },
        tensors: snapshot.tensors,
        optimizer: snapshot.optimizer,
        progress: snapshot.progress,
        history: currentHistory(),
        data,
      });
      return { name, mime: 'application/octet-stream', bytes };
    }
  }
}

/** Hands `file` to the browser as a download. */
export function download(file: ExportFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
