// jax-js (@jax-js/jax) measured on its webgpu and wasm devices, with the same shapes, f32, and initial
// weights as every other engine. Synchronisation: every timed repetition ends with blockUntilReady() (or
// data() for a loss), jax-js's documented way to wait for results. Ownership follows jax-js's rules
// (each use of an array passes a reference: `.ref` where it is used again).
//
// jax-js's core has no Adam (that is the separate @jax-js/optax package), so its training runs plain SGD
// (lr 0.01) and lands in the SGD training rows, beside ours with the same SGD; the Adam rows say why
// jax-js has no figure there.
import * as jax from '@jax-js/jax';
import {
  attempt,
  batchData,
  cnnWeights,
  CNN_BATCH,
  CONV,
  gflopsCell,
  mlpWeights,
  MLP_BATCH,
  progress,
  SGD_LR,
  timePerRep,
  trainThroughput,
  uniform,
  type Budget,
  type Cell,
  type MatmulShape,
  type Weight,
} from './common';
import { wasmCeilingSampler } from './ceilings';

const { numpy: np, nn, lax, tree } = jax;
type Arr = jax.Array;
export type Device = 'webgpu' | 'wasm';

function put(data: Float32Array, shape: number[], device: Device): Arr {
  return np.array(data, { shape, device });
}

/** `beside`: for the wasm device, one core's ceiling sampled beside the timed samples. */
async function matmul(device: Device, shape: MatmulShape, budget: Budget, beside?: () => number): Promise<Cell> {
  const { m, k, n } = shape;
  const a = put(uniform(m * k, 1), [m, k], device);
  const b = put(uniform(k * n, 2), [k, n], device);
  try {
    const t = await timePerRep(
      async (reps) => {
        const outs: Arr[] = [];
        for (let i = 0; i < reps; i++) outs.push(np.matmul(a.ref, b.ref));
        await jax.blockUntilReady(outs);
        tree.dispose(outs);
      },
      budget.kernelSeconds,
      beside,
    );
    return gflopsCell(2 * m * k * n, t);
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** NHWC input / HWIO filter data transposed to jax-js's NCHW / OIHW. */
function toNchw(data: Float32Array, [b, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < b; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((i * c + ch) * h + y) * w + x] = data[((i * h + y) * w + x) * c + ch];
  return out;
}
function toOihw(data: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o];
  return out;
}

async function conv(device: Device, budget: Budget): Promise<Record<string, Cell>> {
  const xShape: number[] = [CONV.batch, CONV.inH, CONV.inW, CONV.inC];
  const fShape: number[] = [CONV.kh, CONV.kw, CONV.inC, CONV.outC];
  const x = put(
    toNchw(
      uniform(
        xShape.reduce((a, b) => a * b),
        3,
        0,
        1,
      ),
      xShape,
    ),
    [CONV.batch, 1, 28, 28],
    device,
  );
  const w = put(
    toOihw(
      uniform(
        fShape.reduce((a, b) => a * b),
        4,
      ),
      fShape,
    ),
    [32, 1, 3, 3],
    device,
  );
  const yLen = CONV.batch * CONV.outH * CONV.outW * CONV.outC;
  const dy = put(uniform(yLen, 5), [CONV.batch, 32, 26, 26], device);
  const convFn = (xa: Arr, wa: Arr) => lax.conv(xa, wa, [1, 1], 'VALID');
  try {
    const fwd = await timePerRep(async (reps) => {
      const outs: Arr[] = [];
      for (let i = 0; i < reps; i++) outs.push(convFn(x.ref, w.ref));
      await jax.blockUntilReady(outs);
      tree.dispose(outs);
    }, budget.kernelSeconds);
    // The pullback of one forward: each call computes dX and dW together.
    const [y, pullback] = jax.vjp(convFn, [x.ref, w.ref]);
    y.dispose();
    const bwd = await timePerRep(async (reps) => {
      const outs: Arr[][] = [];
      for (let i = 0; i < reps; i++) outs.push(pullback(dy.ref) as Arr[]);
      await jax.blockUntilReady(outs);
      tree.dispose(outs);
    }, budget.kernelSeconds);
    pullback.dispose();
    const both = 'jax-js computes dX and dW together (vjp pullback)';
    return {
      'conv-forward': { value: fwd.seconds * 1000, samples: fwd.samples },
      'conv-backward-input': { unavailable: both },
      'conv-backward-filter': { unavailable: both },
      'conv-backward-both': { value: bwd.seconds * 1000, samples: bwd.samples },
      'conv-total': { value: (fwd.seconds + bwd.seconds) * 1000 },
    };
  } finally {
    x.dispose();
    w.dispose();
    dy.dispose();
  }
}

function oneHot(y: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(y.length * classes);
  y.forEach((label, i) => (out[i * classes + label] = 1));
  return out;
}

type Params = Record<string, Arr>;

/** Cross-entropy of logits against one-hot targets, mean over the batch. */
function crossEntropy(logits: Arr, target: Arr, batch: number): Arr {
  return nn
    .logSoftmax(logits, -1)
    .mul(target)
    .sum()
    .mul(-1 / batch);
}

function mlpLoss(p: Params, x: Arr, y: Arr): Arr {
  const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
  return crossEntropy(np.matmul(h, p.w2).add(p.b2), y, MLP_BATCH);
}

function cnnLoss(p: Params, x: Arr, y: Arr): Arr {
  const c = nn.relu(lax.conv(x, p.cw, [1, 1], 'VALID').add(p.cb.reshape([1, 32, 1, 1])));
  const pooled = c.reshape([CNN_BATCH, 32, 13, 2, 13, 2]).max([3, 5]).reshape([CNN_BATCH, 5408]);
  const h = nn.relu(np.matmul(pooled, p.w1).add(p.b1));
  return crossEntropy(np.matmul(h, p.w2).add(p.b2), y, CNN_BATCH);
}

/** The CNN's dense1 kernel with rows reordered from NHWC flattening to jax-js's NCHW flattening. */
function nchwRows(w: Weight): Float32Array {
  const out = new Float32Array(w.data.length);
  const cols = w.shape[1];
  for (let c = 0; c < 32; c++)
    for (let hw = 0; hw < 169; hw++) {
      const from = (hw * 32 + c) * cols;
      out.set(w.data.subarray(from, from + cols), (c * 169 + hw) * cols);
    }
  return out;
}

async function train(device: Device, which: 'mlp' | 'cnn', budget: Budget): Promise<Cell> {
  let params: Params;
  if (which === 'mlp') {
    const [w1, b1, w2, b2] = mlpWeights();
    params = {
      w1: put(w1.data, w1.shape, device),
      b1: put(b1.data, b1.shape, device),
      w2: put(w2.data, w2.shape, device),
      b2: put(b2.data, b2.shape, device),
    };
  } else {
    const [cw, cb, w1, b1, w2, b2] = cnnWeights();
    params = {
      cw: put(toOihw(cw.data, cw.shape), [32, 1, 3, 3], device),
      cb: put(cb.data, cb.shape, device),
      w1: put(nchwRows(w1), w1.shape, device),
      b1: put(b1.data, b1.shape, device),
      w2: put(w2.data, w2.shape, device),
      b2: put(b2.data, b2.shape, device),
    };
  }
  const lossFn = which === 'mlp' ? mlpLoss : cnnLoss;
  const batch = which === 'mlp' ? MLP_BATCH : CNN_BATCH;
  const step = jax.jit((p: Params, x: Arr, y: Arr): [Params, Arr] => {
    const [loss, grads] = jax.valueAndGrad(lossFn)(tree.ref(p), x, y);
    const next = tree.map((pi: Arr, gi: Arr) => pi.sub(gi.mul(SGD_LR)), p, grads as Params) as Params;
    return [next, loss];
  });
  const { x, y } = batchData(batch, which === 'mlp' ? 7 : 8);
  const xNchw = which === 'mlp' ? x : toNchw(x, [batch, 28, 28, 1]);
  const xShape = which === 'mlp' ? [batch, 784] : [batch, 1, 28, 28];
  const target = oneHot(y, 10);
  try {
    const { cell, losses } = await trainThroughput(
      async () => {
        // A batch comes from the host every step, as in a real training loop (and as for every engine).
        const xs = put(xNchw, xShape, device);
        const ys = put(target, [batch, 10], device);
        const [next, loss] = step(params, xs, ys);
        params = next;
        return (await loss.data())[0];
      },
      batch,
      budget,
    );
    progress(`    losses ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}`);
    return cell;
  } finally {
    tree.dispose(params);
    step.dispose();
  }
}

const NO_ADAM = "jax-js's core has no Adam (that is @jax-js/optax, not installed): its plain SGD is in the SGD row";

/** Every jax-js measurement, device by device, keyed by row id. */
export async function measureJax(
  shapes: MatmulShape[],
  budget: Budget,
  devices: readonly Device[] = ['webgpu', 'wasm'],
): Promise<Record<string, Partial<Record<Device, Cell>>>> {
  const out: Record<string, Partial<Record<Device, Cell>>> = {};
  const available: string[] = [];
  const initErrors: Record<string, string> = {};
  for (const device of devices) {
    try {
      if ((await jax.init(device)).includes(device)) available.push(device);
    } catch (e) {
      initErrors[device] = (e as Error).message;
    }
  }
  for (const device of devices) {
    const put = (row: string, cell: Cell) => ((out[row] ??= {})[device] = cell);
    put('train-mlp', { unavailable: NO_ADAM });
    put('train-cnn', { unavailable: NO_ADAM });
    if (!available.includes(device)) {
      for (const row of [...shapes.map((s) => s.id), 'conv-forward', 'train-mlp-sgd', 'train-cnn-sgd']) {
        put(row, {
          unavailable: `jax-js init() did not start its ${device} device ${initErrors[device] ?? ''}`.trim(),
        });
      }
      continue;
    }
    jax.defaultDevice(device);
    const beside = device === 'wasm' ? await wasmCeilingSampler() : undefined;
    for (const shape of shapes) {
      progress(`jax-js ${device} ${shape.id}`);
      put(shape.id, await attempt('jax-js matmul', () => matmul(device, shape, budget, beside)));
    }
    progress(`jax-js ${device} conv2d`);
    try {
      for (const [row, cell] of Object.entries(await conv(device, budget))) put(row, cell);
    } catch (e) {
      put('conv-forward', { unavailable: `jax-js conv failed: ${(e as Error).message}` });
    }
    progress(`jax-js ${device} MLP training (SGD)`);
    put('train-mlp-sgd', await attempt('jax-js MLP training', () => train(device, 'mlp', budget)));
    progress(`jax-js ${device} CNN training (SGD)`);
    put('train-cnn-sgd', await attempt('jax-js CNN training', () => train(device, 'cnn', budget)));
  }
  return out;
}
