// The reference backend: every primitive as a plain loop over typed arrays, accumulating in float64.
// It checks the webgpu backend (tests compare every op with it) and is the labelled fallback where WebGPU
// is missing. With `float64: true` storage is Float64Array too, which the finite-difference gradient
// checks use so that their differences are not swamped by float32 rounding.
import type { Backend, DType, OptimHyper, PrimitiveArgs, PrimitiveTable, UnaryOp } from '../backend';
import { dropoutKeep, dropoutKey, dropoutThreshold } from './dropout-hash';
import { batchNormBackward, batchNormForward } from '../../ref/batchnorm';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward, type FloatArray } from '../../ref/conv2d';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../ref/pool';

export type CpuStorage = Float32Array | Float64Array | Int32Array;

export interface CpuBackendOptions {
  /** Store floats as float64 (for gradient checks). Default false: float32 storage, float64 accumulation. */
  float64?: boolean;
  /** Fill every new float allocation with NaN (tests: an element a primitive forgets to write fails). */
  poison?: boolean;
}

type Args<P extends keyof PrimitiveArgs<CpuStorage>> = PrimitiveArgs<CpuStorage>[P];

function unaryForward(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'leaky_relu':
      return x > 0 ? x : alpha * x;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    case 'exp':
      return Math.exp(x);
    case 'log':
      return Math.log(x);
    case 'neg':
      return -x;
    case 'abs':
      return Math.abs(x);
    case 'sqrt':
      return Math.sqrt(x);
    case 'square':
      return x * x;
  }
}

/** f'(x), given x and y = f(x). */
function unaryDerivative(op: UnaryOp, x: number, y: number, alpha: number): number {
  switch (op) {
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'leaky_relu':
      return x > 0 ? 1 : alpha;
    case 'sigmoid':
      return y * (1 - y);
    case 'tanh':
      return 1 - y * y;
    case 'exp':
      return y;
    case 'log':
      return 1 / x;
    case 'neg':
      return -1;
    case 'abs':
      return x > 0 ? 1 : x < 0 ? -1 : 0;
    case 'sqrt':
      return 0.5 / y;
    case 'square':
      return 2 * x;
  }
}

function binaryOp(op: Args<'binary'>['op'], a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'max':
      return Math.max(a, b);
    case 'min':
      return Math.min(a, b);
    case 'pow':
      return Math.pow(a, b);
  }
}

function scalarOp(op: Args<'scalar'>['op'], x: number, value: number): number {
  switch (op) {
    case 'add':
      return x + value;
    case 'mul':
      return x * value;
    case 'rsub':
      return value - x;
    case 'pow':
      return Math.pow(x, value);
  }
}

/** g + l2 * p + l1 * sign(p): the gradient with weight decay terms, shared by every optimiser. */
function decayed(g: number, p: number, h: OptimHyper): number {
  return g + h.l2 * p + h.l1 * Math.sign(p);
}

function matmul({ a, b, out, m, k, n, transA, transB, bias, activation }: Args<'matmul'>): void {
  // Loop orders keep the innermost loop contiguous: row-times-matrix when B is [k,n], dot products
  // when B is stored [n,k]. Accumulation is float64 either way.
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (!transB) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const row = p * n;
        for (let j = 0; j < n; j++) acc[j] += av * b[row + j];
      }
    } else {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        const row = j * k;
        if (transA) for (let p = 0; p < k; p++) dot += a[p * m + i] * b[row + p];
        else for (let p = 0; p < k; p++) dot += a[i * k + p] * b[row + p];
        acc[j] = dot;
      }
    }
    for (let j = 0; j < n; j++) {
      const v = bias ? acc[j] + bias[j] : acc[j];
      out[i * n + j] = activation === 'relu' && v < 0 ? 0 : v;
    }
  }
}

function binary({ op, a, b, out, shape, aStrides, bStrides }: Args<'binary'>): void {
  const rank = shape.length;
  const total = shape.reduce((x, y) => x * y, 1);
  const index = new Array<number>(rank).fill(0);
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < total; i++) {
    out[i] = binaryOp(op, a[ai], b[bi]);
    // Odometer increment over the output shape, keeping both input offsets in step.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      ai += aStrides[d];
      bi += bStrides[d];
      if (index[d] < shape[d]) break;
      ai -= aStrides[d] * shape[d];
      bi -= bStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

function reduce({ op, x, out, outer, size, inner }: Args<'reduce'>): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'max' ? -Infinity : 0;
      for (let s = 0; s < size; s++) {
        const v = x[(o * size + s) * inner + i];
        acc = op === 'max' ? Math.max(acc, v) : acc + v;
      }
      out[o * inner + i] = op === 'mean' ? acc / size : acc;
    }
  }
}

function softmax({ x, out, rows, cols, log }: Args<'softmax'>): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[row + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[row + c] - max);
    const logSum = Math.log(sum);
    for (let c = 0; c < cols; c++) {
      out[row + c] = log ? x[row + c] - max - logSum : Math.exp(x[row + c] - max) / sum;
    }
  }
}

function softmaxBackward({ y, dy, dx, rows, cols, log }: Args<'softmaxBackward'>): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let dot = 0;
    // softmax: dx = y * (dy - sum(dy * y));  log-softmax: dx = dy - exp(y) * sum(dy)
    for (let c = 0; c < cols; c++) dot += log ? dy[row + c] : dy[row + c] * y[row + c];
    for (let c = 0; c < cols; c++) {
      dx[row + c] = log ? dy[row + c] - Math.exp(y[row + c]) * dot : y[row + c] * (dy[row + c] - dot);
    }
  }
}

function softmaxCrossEntropy(args: Args<'softmaxCrossEntropy'>): void {
  const { logits, labels, rows, cols, dlogits, lossPerRow, metrics, metricsSlot } = args;
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const label = labels[r];
    let max = -Infinity;
    let argmax = 0;
    for (let c = 0; c < cols; c++) {
      if (logits[row + c] > max) {
        max = logits[row + c];
        argmax = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(logits[row + c] - max);
    const loss = Math.log(sum) + max - logits[row + label];
    lossPerRow[r] = loss;
    lossSum += loss;
    if (argmax === label) correct++;
    for (let c = 0; c < cols; c++) {
      dlogits[row + c] = (Math.exp(logits[row + c] - max) / sum - (c === label ? 1 : 0)) / rows;
    }
  }
  if (metrics) {
    metrics[2 * metricsSlot] += lossSum;
    metrics[2 * metricsSlot + 1] += correct;
  }
}

/** The cpu backend; storage is a typed array per tensor, primitives run synchronously. */
export function cpuBackend(options: CpuBackendOptions = {}): Backend<CpuStorage> {
  const float64 = options.float64 ?? false;
  const poison = options.poison ?? false;
  const run: PrimitiveTable<CpuStorage> = {
    matmul,
    unary({ op, x, out, length, alpha }) {
      for (let i = 0; i < length; i++) out[i] = unaryForward(op, x[i], alpha);
    },
    unaryBackward({ op, x, y, dy, dx, length, alpha }) {
      for (let i = 0; i < length; i++) dx[i] = dy[i] * unaryDerivative(op, x[i], y[i], alpha);
    },
    binary,
    scalar({ op, x, out, length, value }) {
      for (let i = 0; i < length; i++) out[i] = scalarOp(op, x[i], value);
    },
    reduce,
    softmax,
    softmaxBackward,
    softmaxCrossEntropy,
    sgdUpdate({ param, grad, velocity, length, hyper }) {
      for (let i = 0; i < length; i++) {
        const g = decayed(grad[i], param[i], hyper);
        if (velocity && hyper.momentum > 0) {
          const v = hyper.momentum * velocity[i] + g;
          velocity[i] = v;
          param[i] -= hyper.lr * (hyper.nesterov ? g + hyper.momentum * v : v);
        } else {
          param[i] -= hyper.lr * g;
        }
      }
    },
    adamUpdate({ param, grad, m, v, length, hyper }) {
      const { beta1: b1, beta2: b2 } = hyper;
      for (let i = 0; i < length; i++) {
        const g = decayed(grad[i], param[i], hyper);
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const mHat = m[i] / (1 - hyper.beta1Power);
        const vHat = v[i] / (1 - hyper.beta2Power);
        param[i] -= (hyper.lr * mHat) / (Math.sqrt(vHat) + hyper.eps);
      }
    },
    rmspropUpdate({ param, grad, meanSquare, length, hyper }) {
      for (let i = 0; i < length; i++) {
        const g = decayed(grad[i], param[i], hyper);
        meanSquare[i] = hyper.rho * meanSquare[i] + (1 - hyper.rho) * g * g;
        param[i] -= (hyper.lr * g) / (Math.sqrt(meanSquare[i]) + hyper.eps);
      }
    },
    dropout({ x, out, mask, length, rate, seed, step }) {
      const scale = Math.fround(1 / (1 - rate));
      const key = dropoutKey(seed, step);
      const threshold = dropoutThreshold(rate);
      for (let i = 0; i < length; i++) {
        const m = dropoutKeep(key, i, threshold) ? scale : 0;
        mask[i] = m;
        out[i] = x[i] * m;
      }
    },
    fill({ out, length, value }) {
      out.fill(value, 0, length);
    },
    copy({ src, dst, length }) {
      for (let i = 0; i < length; i++) dst[i] = src[i];
    },
    // Vision primitives: the plain-TypeScript references in src/engine/ref/.
    conv2d({ x, filter, bias, out, geometry, activation }) {
      conv2dForward(geometry, x, filter, bias ?? null, out as FloatArray);
      if (activation === 'relu') for (let i = 0; i < out.length; i++) out[i] = out[i] > 0 ? out[i] : 0;
    },
    conv2dBackwardInput: ({ dy, filter, dx, geometry }) =>
      void conv2dBackwardInput(geometry, dy, filter, dx as FloatArray),
    conv2dBackwardFilter: ({ x, dy, dFilter, geometry }) =>
      void conv2dBackwardFilter(geometry, x, dy, dFilter as FloatArray),
    maxPool: ({ x, out, argmax, geometry }) =>
      void maxPoolForward(geometry, x, out as FloatArray, argmax as Int32Array),
    maxPoolBackward: ({ dy, argmax, dx, geometry }) => void maxPoolBackward(geometry, dy, argmax, dx as FloatArray),
    avgPool: ({ x, out, geometry }) => void avgPoolForward(geometry, x, out as FloatArray),
    avgPoolBackward: ({ dy, dx, geometry }) => void avgPoolBackward(geometry, dy, dx as FloatArray),
    batchNorm: (a) =>
      void batchNormForward({
        ...a,
        runningMean: a.runningMean as FloatArray,
        runningVar: a.runningVar as FloatArray,
        out: a.out as FloatArray,
        mean: a.mean as FloatArray,
        invStd: a.invStd as FloatArray,
      }),
    batchNormBackward: (a) =>
      void batchNormBackward({
        ...a,
        dx: a.dx as FloatArray,
        dGamma: a.dGamma as FloatArray,
        dBeta: a.dBeta as FloatArray,
      }),
  };
  return {
    name: 'cpu',
    alloc(length: number, dtype: DType): CpuStorage {
      if (dtype === 'i32') return new Int32Array(length);
      const out = float64 ? new Float64Array(length) : new Float32Array(length);
      return poison ? out.fill(Number.NaN) : out;
    },
    free() {},
    write(storage, data) {
      storage.set(data);
    },
    async read(storage, length, dtype) {
      const slice = storage.subarray(0, length);
      return dtype === 'i32' ? Int32Array.from(slice) : Float32Array.from(slice);
    },
    run,
    flush() {},
    throttle: () => Promise.resolve(),
    destroy() {},
  };
}
