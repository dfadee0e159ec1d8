// Registers the vision layers with the design compiler (src/engine/model/graph-model.ts), so that designs
// with Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool and BatchNorm nodes compile into trainable models.
// Imported for its effect by src/engine/index.ts and by the training worker.
import type { LayerSettingsByType, LayerType } from '../graph/types';
import { registerLayerFactory } from '../model/graph-model';
import type { PlannedLayer } from '../graph/plan';
import { BatchNorm } from './batchnorm';
import { Conv2D } from './conv2d';
import { AvgPool2D, GlobalAvgPool, MaxPool2D } from './pool';

const settings = <T extends LayerType>(p: PlannedLayer, _type: T) => p.node.settings as LayerSettingsByType[T];

registerLayerFactory('Conv2D', (p, name) => {
  const s = settings(p, 'Conv2D');
  return new Conv2D({
    filters: s.filters,
    kernelSize: s.kernelSize,
    strides: s.stride,
    padding: s.padding,
    activation: s.activation,
    useBias: s.useBias,
    name,
  });
});
registerLayerFactory('MaxPool2D', (p, name) => {
  const s = settings(p, 'MaxPool2D');
  return new MaxPool2D({ poolSize: s.poolSize, strides: s.stride, padding: s.padding, name });
});
registerLayerFactory('AvgPool2D', (p, name) => {
  const s = settings(p, 'AvgPool2D');
  return new AvgPool2D({ poolSize: s.poolSize, strides: s.stride, padding: s.padding, name });
});
registerLayerFactory('GlobalAvgPool', (_p, name) => new GlobalAvgPool(name));
registerLayerFactory('BatchNorm', (p, name) => {
  const s = settings(p, 'BatchNorm');
  return new BatchNorm({ momentum: s.momentum, epsilon: s.epsilon, name });
});
