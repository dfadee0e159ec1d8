// Entry of the WebAssembly kernels (AssemblyScript): f32 buffer-level kernels over one linear memory that
// the TypeScript side (src/wasm/kernels.ts) owns and allocates. Every pointer is a byte offset.
export { heapBase, relaxedSimd } from './simd';
export { matmul, setMatmulKernel, matmulPart, matmulSharedPart, matmulSharedBytes, matmulWorkspaceBytes } from './matmul';
export { unary, unaryBackward, unaryPart, unaryBackwardPart, binary, scalar, fill, copy, dropout } from './elementwise';
export { reduce } from './reduce';
export { softmax, softmaxBackward, softmaxCrossEntropy } from './softmax';
export { sgdUpdate, adamUpdate, rmspropUpdate, sgdUpdatePart, adamUpdatePart, rmspropUpdatePart } from './optim';
export {
  conv2d,
  conv2dBackwardFilter,
  conv2dBackwardInput,
  conv2dPart,
  conv2dBackwardFilterPart,
  conv2dBackwardInputPart,
  addPartials,
} from './conv2d';
export { maxPool, maxPoolPart, maxPoolBackward, maxPoolBackwardPart, avgPool, avgPoolBackward } from './pool';
export { batchNorm, batchNormBackward } from './batchnorm';
