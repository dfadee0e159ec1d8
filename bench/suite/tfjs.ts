// TensorFlow.js measured on its webgpu, cpu and wasm backends (browser only), with the same shapes, f32,
// and initial weights as every other engine. Synchronisation: every timed repetition ends with
// `await tensor.data()` on its last result (the device queue runs in order, so earlier ones are done too);
// training uses model.trainOnBatch, which resolves with the loss read back.
// The conv2d gradients run the registered kernels Conv2DBackpropInput / Conv2DBackpropFilter directly.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  ADAM,
  attempt,
  batchData,
  cnnWeights,
  CNN_BATCH,
  CONV,
  gflopsCell,
  mlpWeights,
  MLP_BATCH,
  progress,
  timePerRep,
  trainThroughput,
  uniform,
  withTimeout,
  type Budget,
  type Cell,
  type MatmulShape,
  type Weight,
} from './common';
import { wasmCeilingSampler } from './ceilings';

export type TfBackend = 'webgpu' | 'cpu' | 'wasm';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** `beside`: for the CPU backends, one core's ceiling sampled beside the timed samples. */
async function matmul(shape: MatmulShape, budget: Budget, beside?: () => number): Promise<Cell> {
  const { m, k, n } = shape;
  const a = tf.tensor2d(uniform(m * k, 1), [m, k]);
  const b = tf.tensor2d(uniform(k * n, 2), [k, n]);
  try {
    const t = await timePerRep(
      async (reps) => {
        const outs: tf.Tensor[] = [];
        for (let i = 0; i < reps; i++) outs.push(tf.matMul(a, b));
        await outs[outs.length - 1].data();
        tf.dispose(outs);
      },
      budget.kernelSeconds,
      beside,
    );
    return gflopsCell(2 * m * k * n, t);
  } finally {
    tf.dispose([a, b]);
  }
}

async function conv(budget: Budget): Promise<Record<string, Cell>> {
  const xShape: [number, number, number, number] = [CONV.batch, CONV.inH, CONV.inW, CONV.inC];
  const fShape: [number, number, number, number] = [CONV.kh, CONV.kw, CONV.inC, CONV.outC];
  const yShape: [number, number, number, number] = [CONV.batch, CONV.outH, CONV.outW, CONV.outC];
  const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const x = tf.tensor4d(uniform(size(xShape), 3, 0, 1), xShape);
  const filter = tf.tensor4d(uniform(size(fShape), 4), fShape);
  const dy = tf.tensor4d(uniform(size(yShape), 5), yShape);
  const engine = tf.engine();
  type Attrs = Parameters<typeof engine.runKernel>[2];
  const attrs = (extra: Record<string, number[]>) =>
    ({ strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', ...extra }) as unknown as Attrs;
  const timed = (op: () => tf.Tensor) =>
    timePerRep(async (reps) => {
      const outs: tf.Tensor[] = [];
      for (let i = 0; i < reps; i++) outs.push(op());
      await outs[outs.length - 1].data();
      tf.dispose(outs);
    }, budget.kernelSeconds);
  const cells: Record<string, Cell> = {};
  let total = 0;
  let complete = true;
  const measure = async (row: string, what: string, op: () => tf.Tensor) => {
    const cell = await attempt(what, async () => {
      const t = await timed(op);
      total += t.seconds;
      return { value: t.seconds * 1000, samples: t.samples };
    });
    if (!('value' in cell)) complete = false;
    cells[row] = cell;
  };
  try {
    await measure('conv-forward', 'conv2d', () => tf.conv2d(x, filter, 1, 'valid'));
    await measure(
      'conv-backward-input',
      'Conv2DBackpropInput',
      () => engine.runKernel('Conv2DBackpropInput', { dy, filter }, attrs({ inputShape: xShape })) as tf.Tensor,
    );
    await measure(
      'conv-backward-filter',
      'Conv2DBackpropFilter',
      () => engine.runKernel('Conv2DBackpropFilter', { x, dy }, attrs({ filterShape: fShape })) as tf.Tensor,
    );
    cells['conv-total'] = complete ? { value: total * 1000 } : { unavailable: 'a conv2d pass is missing' };
    return cells;
  } finally {
    tf.dispose([x, filter, dy]);
  }
}

function oneHot(y: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(y.length * classes);
  y.forEach((label, i) => (out[i * classes + label] = 1));
  return out;
}

async function train(which: 'mlp' | 'cnn', budget: Budget): Promise<Cell> {
  const model = tf.sequential();
  let weights: Weight[];
  let xShape: number[];
  if (which === 'mlp') {
    model.add(tf.layers.dense({ inputShape: [784], units: 500, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10 }));
    weights = mlpWeights();
    xShape = [MLP_BATCH, 784];
  } else {
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10 }));
    weights = cnnWeights();
    xShape = [CNN_BATCH, 28, 28, 1];
  }
  const initial = weights.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(initial);
  tf.dispose(initial);
  model.compile({
    optimizer: tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  const batch = xShape[0];
  const { x, y } = batchData(batch, which === 'mlp' ? 7 : 8);
  const target = oneHot(y, 10);
  try {
    const { cell, losses } = await trainThroughput(
      async () => {
        // A batch comes from the host every step, as for every engine.
        const xs = tf.tensor(x, xShape);
        const ys = tf.tensor2d(target, [batch, 10]);
        try {
          const loss = await model.trainOnBatch(xs, ys);
          return Array.isArray(loss) ? loss[0] : loss;
        } finally {
          tf.dispose([xs, ys]);
        }
      },
      batch,
      budget,
    );
    progress(`    losses ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}`);
    return cell;
  } finally {
    model.dispose();
  }
}

/** Every TF.js measurement, backend by backend, keyed by row id; also which wasm flavour ran. */
export async function measureTfjs(
  shapes: MatmulShape[],
  budget: Budget,
  backends: readonly TfBackend[] = ['webgpu', 'cpu', 'wasm'],
): Promise<{ cells: Record<string, Partial<Record<TfBackend, Cell>>>; wasmFlavour: string }> {
  const out: Record<string, Partial<Record<TfBackend, Cell>>> = {};
  let wasmFlavour = 'not started';
  for (const backend of backends) {
    const put = (row: string, cell: Cell) => ((out[row] ??= {})[backend] = cell);
    let ok = false;
    let why = '';
    try {
      // The multi-threaded wasm build hangs at startup in this page (its pthread workers throw
      // "e is not defined"), so TF.js wasm runs its single-threaded SIMD build; the notes say so.
      if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      ok = await withTimeout(tf.setBackend(backend), 60, `TF.js setBackend('${backend}')`);
      await withTimeout(tf.ready(), 60, 'TF.js ready()');
    } catch (e) {
      why = (e as Error).message;
    }
    if (!ok || tf.getBackend() !== backend) {
      for (const row of [...shapes.map((s) => s.id), 'conv-forward', 'train-mlp', 'train-cnn']) {
        put(row, { unavailable: `TF.js could not start its ${backend} backend ${why}`.trim() });
      }
      continue;
    }
    if (backend === 'wasm') {
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      wasmFlavour =
        `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'single-threaded'} ` +
        '(its multi-threaded build hangs at startup in this page, so it is switched off)';
    }
    const beside = backend === 'webgpu' ? undefined : await wasmCeilingSampler();
    for (const shape of shapes) {
      progress(`TF.js ${backend} ${shape.id}`);
      put(shape.id, await attempt('TF.js matMul', () => matmul(shape, budget, beside)));
    }
    progress(`TF.js ${backend} conv2d`);
    try {
      for (const [row, cell] of Object.entries(await conv(budget))) put(row, cell);
    } catch (e) {
      put('conv-forward', { unavailable: `TF.js conv failed: ${(e as Error).message}` });
    }
    progress(`TF.js ${backend} MLP training`);
    put('train-mlp', await attempt('TF.js MLP training', () => train('mlp', budget)));
    progress(`TF.js ${backend} CNN training`);
    put('train-cnn', await attempt('TF.js CNN training', () => train('cnn', budget)));
  }
  return { cells: out, wasmFlavour };
}
