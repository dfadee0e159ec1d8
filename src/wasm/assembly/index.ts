// Entry of the WebAssembly kernels (AssemblyScript): f32 buffer-level kernels over one linear memory that
// the TypeScript side (src/wasm/kernels.ts) owns and allocates. Every pointer is a byte offset.
export { heapBase, relaxedSimd, fmaCeiling } from './simd';
export { matmul, matmulWorkspaceBytes } from './matmul';
export { unary, unaryBackward, binary, scalar, fill, copy, dropout } from './elementwise';
export { reduce } from './reduce';
export { softmax, softmaxBackward, softmaxCrossEntropy } from './softmax';
export { sgdUpdate, adamUpdate, rmspropUpdate } from './optim';
export { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from './conv2d';
export { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './pool';
export { batchNorm, batchNormBackward } from './batchnorm';
