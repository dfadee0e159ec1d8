// Every differentiable op, each defined with its gradient beside it in the file named here.
export { add, sub, mul, div, addScalar, mulScalar } from './elementwise';
export { relu, leakyRelu, sigmoid, tanh, exp, log, neg, abs, sqrt, square } from './unary';
export { matmul, dense, biasAdd, type MatmulOptions } from './matmul';
export { sum, mean, reshape } from './reduce';
export { softmax, logSoftmax } from './softmax';
export { softmaxCrossEntropy, softmaxCrossEntropyWithStats, mse, bceWithLogits } from './losses';
export { dropout } from './dropout';
export { conv2d, maxPool2d, avgPool2d, globalAvgPool, type Conv2dOptions, type Pool2dOptions } from './conv';
export { batchNorm, type BatchNormOptions } from './batchnorm';
