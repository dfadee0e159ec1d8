// The PyTorch export: model.py, train.py, README.md, requirements.txt and design.json for a design and
// the run's settings, and the zip the app downloads them in (with weights.safetensors, and
// data.safetensors for a person's own data set). Runs in the browser and in Node.
import { zipSync, strToU8 } from 'fflate';
import type { TrainSettings } from '../../../app/store/run';
import type { Design } from '../../engine/graph';
import { safetensorsMetadata, SAFETENSORS_FORMAT } from '../safetensors';
import { PytorchExportError } from './errors';
import { modelPy } from './model-py';
import { readmeMd, REQUIREMENTS_TXT } from './readme';
import { torchPlanForDesign, type TorchPlan } from './torch-plan';
import { trainPy, type PytorchData } from './train-py';

export { UnsupportedLayerError, WeightNameClashError, torchPlanForDesign, type TorchPlan } from './torch-plan';
export { DATA_FILE, type PytorchData } from './train-py';
export { PytorchExportError } from './errors';
export { pytorchDataFile, type PytorchDataSet } from './data-file';

export interface PytorchOptions {
  data: PytorchData;
}

/**
 * The files of the PyTorch project for `design` trained with `settings` on `options.data`:
 * model.py, train.py, README.md, requirements.txt and design.json. Throws DesignInvalidError for a
 * design that cannot be trained, UnsupportedLayerError naming a layer PyTorch export cannot translate,
 * and PytorchExportError when the settings or the data do not fit the design.
 */
export function pytorchProject(
  design: Design,
  settings: TrainSettings,
  options: PytorchOptions,
): Record<string, string> {
  const plan = torchPlanForDesign(design);
  checkSettings(settings);
  checkData(plan, options.data);
  return {
    'model.py': modelPy(plan, SAFETENSORS_FORMAT),
    'train.py': trainPy(plan, settings, options.data),
    'README.md': readmeMd(plan, settings, options.data),
    'requirements.txt': REQUIREMENTS_TXT,
    // The same text the browser's weights files carry, so train.py's checkpoints import as they would.
    'design.json': safetensorsMetadata(design).design + '\n',
  };
}

/** One zip archive of `files` (text as UTF-8), names kept, in the order given. */
export function zipFiles(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(files)) {
    entries[name] = typeof content === 'string' ? strToU8(content) : content;
  }
  // A fixed date keeps the archive the same for the same files.
  return zipSync(entries, { level: 6, mtime: new Date('2020-01-01T00:00:00Z') });
}

function checkSettings(s: TrainSettings): void {
  const problems: string[] = [];
  const whole = (value: number, label: string, min: number) => {
    if (!Number.isInteger(value) || value < min) problems.push(`${label} must be a whole number of at least ${min}`);
  };
  const number = (value: number, label: string, ok: (v: number) => boolean, rule: string) => {
    if (!Number.isFinite(value) || !ok(value)) problems.push(`${label} ${rule}`);
  };
  number(s.learningRate, 'the learning rate', (v) => v > 0, 'must be greater than 0');
  number(s.momentum, 'the momentum', (v) => v >= 0 && v < 1, 'must be at least 0 and less than 1');
  number(s.decayRate, 'the decay rate', (v) => v > 0, 'must be greater than 0');
  number(s.l1, 'L1', (v) => v >= 0, 'must be at least 0');
  number(s.l2, 'L2', (v) => v >= 0, 'must be at least 0');
  number(s.validationSplit, 'the validation split', (v) => v >= 0 && v < 1, 'must be at least 0 and less than 1');
  whole(s.batchSize, 'the batch size', 1);
  whole(s.epochs, 'the number of epochs', 0);
  whole(s.decayEpochs, 'the decay interval', 1);
  whole(s.seed, 'the seed', 0);
  whole(s.earlyStoppingPatience, 'the early-stopping patience', 0);
  whole(s.trainLimit, 'the training limit', 0);
  whole(s.testLimit, 'the test limit', 0);
  if (problems.length) {
    throw new PytorchExportError(
      `The training settings cannot be exported: ${problems.join('; ')}. Fix them in the Train section.`,
    );
  }
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The same compatibility rules the trainer applies before a run, so train.py does not fail later. */
function checkData(plan: TorchPlan, data: PytorchData): void {
  const dataShape = data.kind === 'mnist' ? [28, 28, 1] : data.inputShape;
  const dataName = data.kind === 'mnist' ? 'MNIST' : `the data set "${data.name}"`;
  if (size(plan.inputShape) !== size(dataShape)) {
    throw new PytorchExportError(
      `The design's Input takes ${plan.inputShape.join('×')} values per sample, but ${dataName} has ` +
        `${dataShape.join('×')}. Set the Input layer's shape to ${dataShape.join('×')} in the Design section.`,
    );
  }
  const classes = data.kind === 'mnist' ? 10 : data.task === 'classification' ? data.classes : 0;
  const outputs = size(plan.outputShape);
  if (plan.loss === 'softmax-cross-entropy' && outputs !== classes) {
    throw new PytorchExportError(
      classes
        ? `The design ends in ${outputs} classes, but ${dataName} has ${classes}. Set the last layer to ${classes} units.`
        : `The design ends in a softmax (classes), but ${dataName} is a regression. End the design in a linear Dense layer.`,
    );
  }
  if (plan.loss === 'bce-with-logits' && classes !== 2) {
    throw new PytorchExportError(
      `The design ends in one sigmoid unit (two classes), but ${dataName} has ${classes || 'no'} classes. ` +
        'Use a softmax output with one unit per class.',
    );
  }
  if (plan.loss === 'mse' && classes > 0) {
    throw new PytorchExportError(
      `The design ends without softmax or sigmoid, so it would train a regression, but ${dataName} has classes. ` +
        'End the design in a Dense layer with softmax (one unit per class) or sigmoid (two classes).',
    );
  }
}
