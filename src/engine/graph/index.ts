// The network design: data types, the layer catalogue, analysis (shapes, parameters, FLOPs, memory,
// validation), the plan the engine compiles, templates and (de)serialisation. React-free.
//
// To build a model: `designFromValue(message.design)` (a design posted to the worker is untrusted), then
// `planModel(design, { batchSize, limits })`, which throws DesignInvalidError listing every problem, or
// returns the layers in execution order, each with `node.type`/`node.settings`, its `inputIds` (merge
// order), shapes per sample (NHWC, no batch axis) and the parameter tensors to allocate (Keras layouts).
export * from './types';
export * from './layers';
export * from './analyze';
export * from './plan';
export * from './templates';
export * from './serialize';
