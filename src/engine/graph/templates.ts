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

export interface Template {
  id: string;
  label: string;
  description: string;
  build(): Design;
}

export const TEMPLATES: readonly Template[] = [
  {
    id: 'mlp',
    label: 'MLP 784-500-10',
    description: 'One hidden layer of 500 ReLU units on flattened MNIST digits.',
    build: () => {
      const b = new DesignBuilder('MLP 784-500-10');
      b.add('Input', { shape: [784] });
      b.add('Dense', { units: 500, activation: 'relu' });
      b.add('Dense', { units: 10, activation: 'softmax' });
      return b.build();
    },
  },
  {
    id: 'cnn',
    label: 'Small CNN',
    description: 'Conv2D 32 3×3, max-pool, Dense 128, Dense 10: the classic Keras MNIST example.',
    build: () => {
      const b = new DesignBuilder('Small CNN');
      b.add('Input', { shape: [28, 28, 1] });
      b.add('Conv2D', { filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' });
      b.add('MaxPool2D', { poolSize: 2, stride: 2 });
      b.add('Flatten');
      b.add('Dense', { units: 128, activation: 'relu' });
      b.add('Dense', { units: 10, activation: 'softmax' });
      return b.build();
    },
  },
  {
    id: 'lenet5',
    label: 'LeNet-5',
    description: "LeCun's 1998 network on 28×28 digits: two tanh convolutions with average pooling, then 120-84-10.",
    build: () => {
      const b = new DesignBuilder('LeNet-5');
      b.add('Input', { shape: [28, 28, 1] });
      b.add('Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' });
      b.add('AvgPool2D', { poolSize: 2, stride: 2 });
      b.add('Conv2D', { filters: 16, kernelSize: 5, padding: 'valid', activation: 'tanh' });
      b.add('AvgPool2D', { poolSize: 2, stride: 2 });
      b.add('Flatten');
      b.add('Dense', { units: 120, activation: 'tanh' });
      b.add('Dense', { units: 84, activation: 'tanh' });
      b.add('Dense', { units: 10, activation: 'softmax' });
      return b.build();
    },
  },
  {
    id: 'resnet',
    label: 'Small residual CNN',
    description:
      'A convolution, one residual block (two convolutions and a BatchNorm added back onto their input), pooling, Dense 10.',
    build: () => {
      const b = new DesignBuilder('Small residual CNN');
      b.add('Input', { shape: [28, 28, 1] });
      const stem = b.add('Conv2D', { filters: 16, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' });
      b.add('Conv2D', { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, { column: 1 });
      b.add('Conv2D', { filters: 16, kernelSize: 3, padding: 'same', activation: 'linear' }, { column: 1 });
      const branch = b.add('BatchNorm', {}, { column: 1 });
      b.add('Add', {}, { inputs: [stem, branch] });
      b.add('ReLU');
      b.add('GlobalAvgPool');
      b.add('Dense', { units: 10, activation: 'softmax' });
      return b.build();
    },
  },
  {
    id: 'xor',
    label: 'XOR net 2-10-1',
    description: 'Two inputs, ten sigmoid units, one sigmoid output: the smallest net that learns XOR.',
    build: () => {
      const b = new DesignBuilder('XOR 2-10-1');
      b.add('Input', { shape: [2] });
      b.add('Dense', { units: 10, activation: 'sigmoid' });
      b.add('Dense', { units: 1, activation: 'sigmoid' });
      return b.build();
    },
  },
];

export function templateById(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
