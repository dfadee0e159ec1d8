// The engine's public surface: what the training worker, the designer's graph builder and tests import.
export type {
  Backend,
  BackendName,
  DType,
  Primitive,
  PrimitiveArgs,
  PrimitiveTable,
  OptimHyper,
} from './backend/backend';
export { PRIMITIVES } from './backend/backend';
export { cpuBackend, type CpuBackendOptions } from './backend/cpu/cpu';
export { WebGpuBackend, webgpuBackend, type WebGpuBackendOptions } from './backend/webgpu/webgpu';
export { WasmBackend, wasmBackend, type WasmBackendOptions } from './backend/wasm/wasm';
export {
  Tensor,
  TensorReleasedError,
  ShapeError,
  tensorFrom,
  full,
  step,
  noGrad,
  isGradEnabled,
  formatShape,
} from './tensor';
export { backward } from './autograd';
export * as ops from './ops';
export type { Layer, Parameter, ForwardContext, BuildContext } from './nn/layer';
export { Dense, type DenseOptions } from './nn/dense';
export { Activation, type ActivationKind } from './nn/activation';
export { Dropout } from './nn/dropout';
export { Flatten } from './nn/flatten';
export { Conv2D, type Conv2DOptions } from './nn/conv2d';
export { MaxPool2D, AvgPool2D, GlobalAvgPool, type Pool2DOptions } from './nn/pool';
export { BatchNorm, type BatchNormOptions } from './nn/batchnorm';
export { Sequential, type NamedWeights } from './nn/sequential';
export { initialValues, type Initializer } from './nn/init';
export { Optimizer, type OptimizerConfig, type OptimizerKind } from './optim/optimizer';
export { learningRateAt, type LrSchedule } from './optim/schedule';
export {
  Trainer,
  type TrainerOptions,
  type LossKind,
  type MetricsReport,
  type EvaluationResult,
} from './train/trainer';
export type { Model } from './model/model';
export { GraphModel, compileDesign, lossForDesign, layerWeightName, type CompileOptions } from './model/graph-model';
