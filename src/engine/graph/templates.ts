// Ready-made designs: the classic networks a person starts from, laid out top to bottom.
import { defaultSettings } from './layers';
import type { Design, DesignEdge, DesignNode, LayerSettingsByType, LayerType } from './types';
import { DESIGN_FORMAT_VERSION } from './types';

export const LAYER_SPACING_Y = 110;
const COLUMN_X = 240;
const BRANCH_DX = 290;
/** Long designs wrap into a further column, so a template fits the canvas at a readable zoom. */
const ROWS_PER_COLUMN = 6;

/** Builds designs in code: `add` places a layer below the last one and connects it. */
export class DesignBuilder {
  private nodes: DesignNode[] = [];
  private edges: DesignEdge[] = [];
  private counts = new Map<LayerType, number>();
  private row = 0;
  private groupX = COLUMN_X;
  private widestColumn = 0;

  constructor(private name: string) {}

  /** Adds a layer fed by `inputs` (default: the previously added layer); returns its id. */
  add<T extends LayerType>(
    type: T,
    settings: Partial<LayerSettingsByType[T]> = {},
    options: { inputs?: string[]; column?: number } = {},
  ): string {
    const count = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, count);
    const id = `${type.toLowerCase()}_${count}`;
    const previous = this.nodes.at(-1);
    const inputs = options.inputs ?? (previous ? [previous.id] : []);
    if (this.row === ROWS_PER_COLUMN) {
      this.groupX += (this.widestColumn + 1) * BRANCH_DX;
      this.row = 0;
      this.widestColumn = 0;
    }
    const column = options.column ?? 0;
    this.widestColumn = Math.max(this.widestColumn, column);
    const node = {
      id,
      type,
      name: `${type} ${count}`,
      settings: { ...defaultSettings(type), ...settings },
      position: { x: this.groupX + column * BRANCH_DX, y: 40 + this.row++ * LAYER_SPACING_Y },
    } as DesignNode;
    this.nodes.push(node);
    for (const source of inputs) this.edges.push({ id: `${source}->${id}`, source, target: id });
    return id;
  }

  build(): Design {
    return { version: DESIGN_FORMAT_VERSION, name: this.name, nodes: this.nodes, edges: this.edges };
  }
}

/**
 * What a data set asks of a design: the Input's shape, and the output's units and activation (softmax
 * over `outputs` classes, or `outputs` linear units for a regression).
 */
export interface TemplateFit {
  inputShape: number[];
  task: 'classification' | 'regression';
  outputs: number;
}

export interface Template {
  id: string;
  label: string;
  description: string;
  /** The design; with `fit`, its Input and output layer fit that data set (default: MNIST, 10 classes). */
  build(fit?: TemplateFit): Design;
  /** The data it suits: images (convolutions need [h, w, c]) or any input. */
  input: 'images' | 'any';
}

/** The output layer's settings for a fit: softmax over the classes, or linear units for a regression. */
function outputSettings(fit: TemplateFit | undefined): { units: number; activation: 'softmax' | 'linear' } {
  if (!fit) return { units: 10, activation: 'softmax' };
  return { units: fit.outputs, activation: fit.task === 'classification' ? 'softmax' : 'linear' };
}

const shapeName = (shape: readonly number[]) => shape.join('×');

export const TEMPLATES: readonly Template[] = [
  {
    id: 'mlp',
    label: 'MLP 784-500-10',
    description: 'One hidden layer of 500 ReLU units on flattened MNIST digits.',
    input: 'any',
    build: (fit) => mlp(500, fit, 'MLP 784-500-10'),
  },
  {
    id: 'cnn',
    label: 'Small CNN',
    description: 'Conv2D 32 3×3, max-pool, Dense 128, Dense 10: the classic Keras MNIST example.',
    input: 'images',
    build: (fit) => {
      const b = new DesignBuilder('Small CNN');
      b.add('Input', { shape: fit?.inputShape ?? [28, 28, 1] });
      b.add('Conv2D', { filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' });
      b.add('MaxPool2D', { poolSize: 2, stride: 2 });
      b.add('Flatten');
      b.add('Dense', { units: 128, activation: 'relu' });
      b.add('Dense', outputSettings(fit));
      return b.build();
    },
  },
  {
    id: 'lenet5',
    label: 'LeNet-5',
    description: "LeCun's 1998 network on 28×28 digits: two tanh convolutions with average pooling, then 120-84-10.",
    input: 'images',
    build: (fit) => {
      const b = new DesignBuilder('LeNet-5');
      b.add('Input', { shape: fit?.inputShape ?? [28, 28, 1] });
      b.add('Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' });
      b.add('AvgPool2D', { poolSize: 2, stride: 2 });
      b.add('Conv2D', { filters: 16, kernelSize: 5, padding: 'valid', activation: 'tanh' });
      b.add('AvgPool2D', { poolSize: 2, stride: 2 });
      b.add('Flatten');
      b.add('Dense', { units: 120, activation: 'tanh' });
      b.add('Dense', { units: 84, activation: 'tanh' });
      b.add('Dense', outputSettings(fit));
      return b.build();
    },
  },
  {
    id: 'resnet',
    label: 'Small residual CNN',
    description:
      'A convolution, one residual block (two convolutions and a BatchNorm added back onto their input), pooling, Dense 10.',
    input: 'images',
    build: (fit) => {
      const b = new DesignBuilder('Small residual CNN');
      b.add('Input', { shape: fit?.inputShape ?? [28, 28, 1] });
      const stem = b.add('Conv2D', { filters: 16, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' });
      b.add('Conv2D', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, { column: 1 });
      b.add('Conv2D', { filters: 16, kernelSize: 3, padding: 'same', activation: 'linear' }, { column: 1 });
      const branch = b.add('BatchNorm', {}, { column: 1 });
      b.add('Add', {}, { inputs: [stem, branch] });
      b.add('ReLU');
      b.add('GlobalAvgPool');
      b.add('Dense', outputSettings(fit));
      return b.build();
    },
  },
  {
    id: 'xor',
    label: 'XOR net 2-10-1',
    description: 'Two inputs, ten sigmoid units, one sigmoid output: the smallest net that learns XOR.',
    input: 'any',
    build: (fit) => {
      if (fit) return mlp(10, fit, '', 'sigmoid');
      const b = new DesignBuilder('XOR 2-10-1');
      b.add('Input', { shape: [2] });
      b.add('Dense', { units: 10, activation: 'sigmoid' });
      b.add('Dense', { units: 1, activation: 'sigmoid' });
      return b.build();
    },
  },
  {
    id: 'table-mlp',
    label: 'Small MLP n-32-k',
    description:
      'One hidden layer of 32 ReLU units: the classic Keras regression example, for a table of numbers (100 inputs, one linear output by default).',
    input: 'any',
    build: (fit) => mlp(32, fit ?? { inputShape: [100], task: 'regression', outputs: 1 }),
  },
];

/**
 * Input, one hidden Dense layer, and the output layer; an image input is flattened first. The name
 * gives the sizes (e.g. "MLP 100-32-1"), unless `defaultName` is given and there is no fit.
 */
function mlp(
  hidden: number,
  fit: TemplateFit | undefined,
  defaultName = '',
  activation: 'relu' | 'sigmoid' = 'relu',
): Design {
  const inputShape = fit?.inputShape ?? [784];
  const out = outputSettings(fit);
  const features = inputShape.reduce((a, c) => a * c, 1);
  const name = !fit && defaultName ? defaultName : `MLP ${shapeName(inputShape)}-${hidden}-${out.units}`;
  const b = new DesignBuilder(features === inputShape[0] ? name : name.replace(shapeName(inputShape), `${features}`));
  b.add('Input', { shape: inputShape });
  if (inputShape.length > 1) b.add('Flatten');
  b.add('Dense', { units: hidden, activation });
  b.add('Dense', out);
  return b.build();
}

/** The templates that suit a data set of this input shape (convolutions need images). */
export function templatesFor(fit: TemplateFit): Template[] {
  return TEMPLATES.filter((t) => t.input === 'any' || fit.inputShape.length === 3);
}

/**
 * The design changed to fit a data set, and a sentence per change: the Input layer takes the data's
 * shape; the output Dense layer (the last layer, or the Dense before a final Softmax/Sigmoid layer, which
 * a regression removes) gets one unit per class with softmax, or one linear unit per target.
 */
export function adaptDesign(design: Design, fit: TemplateFit): { design: Design; changes: string[] } {
  const changes: string[] = [];
  let nodes = design.nodes;
  let edges = design.edges;
  const input = nodes.find((n) => n.type === 'Input');
  if (input && input.type === 'Input' && shapeName(input.settings.shape) !== shapeName(fit.inputShape)) {
    changes.push(`${input.name}: shape ${shapeName(input.settings.shape)} → ${shapeName(fit.inputShape)}`);
    nodes = nodes.map((n) =>
      n.id === input.id ? ({ ...n, settings: { shape: [...fit.inputShape] } } as DesignNode) : n,
    );
  }
  const sinks = nodes.filter((n) => !edges.some((e) => e.source === n.id));
  let last = sinks.length === 1 ? sinks[0] : undefined;
  if (last && (last.type === 'Softmax' || last.type === 'Sigmoid')) {
    const feeding = edges.filter((e) => e.target === last!.id).map((e) => nodes.find((n) => n.id === e.source));
    const dense = feeding.length === 1 && feeding[0]?.type === 'Dense' ? feeding[0] : undefined;
    if (dense && fit.task === 'regression') {
      changes.push(`${last.name} removed (a regression ends in a linear layer)`);
      const removed = last.id;
      nodes = nodes.filter((n) => n.id !== removed);
      edges = edges.filter((e) => e.target !== removed && e.source !== removed);
    }
    last = dense;
  }
  if (last?.type === 'Dense') {
    const out = outputSettings(fit);
    const keepsSoftmaxLayer =
      fit.task === 'classification' && nodes.some((n) => n.type === 'Softmax' && n.id !== last!.id);
    const activation = keepsSoftmaxLayer ? last.settings.activation : out.activation;
    const parts: string[] = [];
    if (last.settings.units !== out.units) parts.push(`${last.settings.units} → ${out.units} units`);
    if (last.settings.activation !== activation) parts.push(`${last.settings.activation} → ${activation}`);
    if (parts.length > 0) {
      changes.push(`${last.name}: ${parts.join(', ')}`);
      const id = last.id;
      nodes = nodes.map((n) =>
        n.id === id && n.type === 'Dense' ? { ...n, settings: { ...n.settings, units: out.units, activation } } : n,
      );
    }
  } else if (sinks.length !== 1) {
    changes.push('the output layer was left as it is (the design has no single last layer)');
  }
  return { design: { ...design, nodes, edges }, changes };
}

export function templateById(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
