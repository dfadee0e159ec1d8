// Where a WebGPU training step's time goes outside the big matmul / conv kernels, in Node on Dawn.
// Two ways, both in one process:
// - timestamp queries, where the device has them (Dawn's SwiftShader adapter in Node does): each primitive
//   recorded in its own compute pass with timestamps at its start and end; GPU ms per primitive, median
//   over steps, for the kernels as they are now and as they were before (`beforeRun`);
// - elimination: the step as the benchmark times it (trainStep + the loss read back) beside the same step
//   with one kind of primitive skipped (its dispatches not recorded) or changed; the difference is that
//   part's cost. Variants run interleaved, round by round, so machine noise hits them alike.
// Also: dispatches and submits per step, buffers created in a steady step, the JS time to record a step,
// and the fixed costs (an empty submit, a dispatch, a small readback, the batch upload) on their own.
//   node bench/run-node.mjs bench/step-profile-node.ts [--net mlp|cnn] [--opt adam|sgd] [--rounds 5]
//     [--steps 5] [--only full,before,no-optim,...]
import { acquireGpu } from '../src/engine/gpu/device';
import * as engine from '../src/engine/index';
import type { GpuStorage, WebGpuBackend } from '../src/engine/backend/webgpu/webgpu';
import { optimProgram } from '../src/kernels/optim';
import { grid1d, WORKGROUP_1D } from '../src/kernels/program';
import { packParams } from '../src/kernels/runtime';
import { unaryBackwardProgram, type UnaryOp } from '../src/kernels/unary';
import { reduceParts, reduceProgram, REDUCE_SCRATCH_ELEMENTS } from '../src/kernels/reduce';
import { ADAM, batchData, CNN_BATCH, cnnWeights, median, MLP_BATCH, mlpWeights, now, SGD_LR } from './suite/common';
import { nodeGpu } from '../tests/unit/helpers/webgpu';

type Net = 'mlp' | 'cnn';
type Opt = 'adam' | 'sgd';
type Run = Record<string, (...args: never[]) => unknown>;

/** A step variant: primitives whose dispatches are not recorded, and how the step ends. */
interface Variant {
  id: string;
  what: string;
  skip: string[];
  /** Wait with onSubmittedWorkDone instead of reading the loss back (no mapAsync). */
  noReadback?: boolean;
  /** Upload the batch only once (the pooled input buffers keep it). */
  noUpload?: boolean;
  /** Each primitive in its own compute pass (as the timestamp profile records them). */
  passEach?: boolean;
  /** Primitives replaced by the kernels as they were before this profile's changes (see `beforeRun`). */
  before?: boolean;
}

const BIG = ['matmul', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardFilter'];
const VARIANTS: Variant[] = [
  { id: 'full', what: 'the step as the benchmark times it', skip: [] },
  { id: 'before', what: 'elementwise kernels one element per thread, as before', skip: [], before: true },
  { id: 'no-optim', what: 'optimiser update skipped', skip: ['adamUpdate', 'sgdUpdate'] },
  { id: 'no-ce', what: 'softmax-cross-entropy skipped', skip: ['softmaxCrossEntropy'] },
  { id: 'no-reduce', what: 'reductions skipped (bias grads, loss mean)', skip: ['reduce'] },
  { id: 'no-relu-bwd', what: 'relu backward skipped', skip: ['unaryBackward'] },
  { id: 'no-pool', what: 'max-pool forward + backward skipped', skip: ['maxPool', 'maxPoolBackward'] },
  { id: 'no-fill', what: 'fills skipped (backward seed, metrics clear)', skip: ['fill'] },
  { id: 'no-readback', what: 'onSubmittedWorkDone instead of the loss mapAsync', skip: [], noReadback: true },
  { id: 'no-upload', what: 'batch uploaded once, not every step', skip: [], noUpload: true },
  { id: 'pass-each', what: 'one compute pass per primitive instead of one per step', skip: [], passEach: true },
  { id: 'big-only', what: 'only matmul / conv dispatches', skip: ['*'] },
];

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

function build(net: Net, opt: Opt, backend: WebGpuBackend) {
  const e = engine;
  const layers =
    net === 'mlp'
      ? [new e.Dense({ units: 500, activation: 'relu' }), new e.Dense({ units: 10 })]
      : [
          new e.Conv2D({ filters: 32, kernelSize: 3, padding: 'valid', activation: 'relu' }),
          new e.MaxPool2D({ poolSize: 2, strides: 2 }),
          new e.Flatten(),
          new e.Dense({ units: 128, activation: 'relu' }),
          new e.Dense({ units: 10 }),
        ];
  const model = new e.Sequential(layers, net === 'mlp' ? [784] : [28, 28, 1], backend);
  model.setWeights(net === 'mlp' ? mlpWeights() : cnnWeights());
  const optimizer = new e.Optimizer(opt === 'adam' ? { kind: 'adam', ...ADAM } : { kind: 'sgd', lr: SGD_LR });
  const trainer = new e.Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 1 });
  const batch = net === 'mlp' ? MLP_BATCH : CNN_BATCH;
  return { model, trainer, data: batchData(batch, net === 'mlp' ? 7 : 8) };
}

export async function main(args: string[]): Promise<void> {
  const nets = arg(args, 'net', 'mlp,cnn').split(',') as Net[];
  const opt = arg(args, 'opt', 'adam') as Opt;
  const rounds = Number(arg(args, 'rounds', '5'));
  const stepsPerSample = Number(arg(args, 'steps', '5'));
  const only = args.includes('--only') ? arg(args, 'only', '').split(',') : null;
  const variants = VARIANTS.filter((v) => !only || only.includes(v.id));

  const ctx = await acquireGpu(nodeGpu());
  const features = [...ctx.adapter.features];
  console.log(`adapter: ${ctx.summary.vendor} / ${ctx.summary.architecture}; features: ${features.join(', ') || '-'}`);
  console.log(`timestamp-query: ${features.includes('timestamp-query') ? 'yes' : 'no (measuring by elimination)'}`);
  const backend = await engine.webgpuBackend(ctx);
  const { device } = backend;

  await fixedCosts(backend);

  const run = backend.run as unknown as Run;
  const original: Run = { ...run };
  const counts = new Map<string, number>();
  let counting = false;
  const rtDispatch = backend.rt.dispatch.bind(backend.rt);
  backend.rt.dispatch = (pass, program, bindings, params, grid) => {
    if (counting) counts.set(program.key, (counts.get(program.key) ?? 0) + 1);
    rtDispatch(pass, program, bindings, params, grid);
  };
  const before = beforeRun(backend);
  const setSkips = (skip: string[], useBefore = false) => {
    for (const name of Object.keys(original)) {
      const skipped = skip.includes(name) || (skip.includes('*') && !BIG.includes(name));
      run[name] = skipped ? () => undefined : (useBefore && before[name]) || original[name];
    }
  };

  for (const net of nets) {
    const { model, trainer, data } = build(net, opt, backend);
    const write = backend.write.bind(backend);
    let uploads = true;
    backend.write = (s, d) => {
      if (uploads) write(s, d);
    };
    const computePass = backend.computePass.bind(backend);
    const b = backend as unknown as { pass: GPUComputePassEncoder | null };
    const step = async (v: Variant, setPass = true) => {
      if (setPass)
        backend.computePass = v.passEach
          ? () => {
              if (b.pass) {
                b.pass.end();
                b.pass = null;
              }
              return computePass();
            }
          : computePass;
      const t0 = now();
      const done = trainer.trainStep(data.x, data.y);
      const recordMs = now() - t0;
      await done;
      if (v.noReadback) {
        backend.flush();
        await device.queue.onSubmittedWorkDone();
      } else {
        await trainer.readMetrics();
      }
      return { ms: now() - t0, recordMs };
    };
    try {
      // Warm-up (pipelines compile), then one counted step.
      setSkips([]);
      for (let i = 0; i < 3; i++) await step(VARIANTS[0]);
      counts.clear();
      counting = true;
      const submits0 = backend.stats().submits;
      const created0 = backend.stats().buffersCreated;
      const uniforms0 = backend.rt.uniformBuffersCreated;
      await step(VARIANTS[0]);
      counting = false;
      const dispatches = [...counts.values()].reduce((a, b) => a + b, 0);
      console.log(
        `\n== ${net.toUpperCase()} (${opt}), batch ${data.y.length}: one step records ${dispatches} dispatches`,
      );
      console.log(
        `   submits ${backend.stats().submits - submits0}, buffers created ${backend.stats().buffersCreated - created0}, ` +
          `uniform buffers created ${backend.rt.uniformBuffersCreated - uniforms0}`,
      );
      for (const [key, n] of [...counts.entries()].sort()) console.log(`   ${String(n).padStart(3)}  ${key}`);
      if (device.features.has('timestamp-query')) {
        for (const useBefore of [false, true]) {
          if (useBefore && !variants.some((v) => v.before)) continue;
          console.log(useBefore ? '   -- kernels as before:' : '   -- kernels now:');
          const kernels = useBefore ? { ...original, ...before } : original;
          await timestampProfile(backend, run, kernels, () => step(VARIANTS[0], false), rounds * stepsPerSample);
        }
      }
      // Each variant once more as warm-up (its first run may compile nothing new, but settles caches).
      for (const v of variants) {
        setSkips(v.skip, v.before);
        await step(v);
      }
      const samples = new Map<string, number[]>(variants.map((v) => [v.id, []]));
      const records = new Map<string, number[]>(variants.map((v) => [v.id, []]));
      for (let r = 0; r < rounds; r++) {
        for (const v of variants) {
          setSkips(v.skip, v.before);
          uploads = !v.noUpload;
          for (let i = 0; i < stepsPerSample; i++) {
            const t = await step(v);
            samples.get(v.id)!.push(t.ms);
            records.get(v.id)!.push(t.recordMs);
          }
          uploads = true;
        }
      }
      setSkips([]);
      const full = median(samples.get('full') ?? [Number.NaN]);
      console.log(`   ${'variant'.padEnd(12)} ${'step ms'.padStart(8)} ${'saves'.padStart(7)} ${'JS rec'.padStart(7)}`);
      for (const v of variants) {
        const ms = median(samples.get(v.id)!);
        const rec = median(records.get(v.id)!);
        const saves = v.id === 'full' ? '' : (full - ms).toFixed(1);
        console.log(
          `   ${v.id.padEnd(12)} ${ms.toFixed(1).padStart(8)} ${saves.padStart(7)} ${rec.toFixed(2).padStart(7)}  ${v.what}`,
        );
      }
    } finally {
      backend.computePass = computePass;
      backend.write = write;
      trainer.dispose();
      model.dispose();
    }
  }
  backend.destroy();
}

/**
 * GPU time per primitive from timestamp queries: every primitive gets its own compute pass with timestamps
 * at its beginning and end (the real step shares one pass; the extra pass boundaries add a little). Prints
 * the median over `steps` steps of each primitive's time, by primitive and by the tensor it writes.
 */
async function timestampProfile(
  backend: WebGpuBackend,
  run: Run,
  original: Run,
  stepOnce: () => Promise<unknown>,
  steps: number,
): Promise<void> {
  const { device } = backend;
  const slots = 256;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * slots });
  const resolve = device.createBuffer({
    size: 16 * slots,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const staging = device.createBuffer({ size: 16 * slots, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const b = backend as unknown as { pass: GPUComputePassEncoder | null };
  const computePass = backend.computePass.bind(backend);
  let current = '';
  let labels: string[] = [];
  backend.computePass = () => {
    if (b.pass) {
      b.pass.end();
      b.pass = null;
    }
    const i = labels.length;
    labels.push(current);
    b.pass = backend.commandEncoder().beginComputePass({
      timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
    });
    return b.pass;
  };
  for (const name of Object.keys(original)) {
    run[name] = (a: { out?: unknown; dx?: unknown; param?: unknown }) => {
      current = name;
      return (original[name] as (x: unknown) => unknown)(a);
    };
  }
  const perLabel = new Map<string, number[]>();
  const totals: number[] = [];
  const walls: number[] = [];
  try {
    for (let s = 0; s < steps + 1; s++) {
      labels = [];
      const t0 = now();
      await stepOnce();
      const wall = now() - t0;
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(querySet, 0, 2 * labels.length, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, staging, 0, 16 * labels.length);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(staging.getMappedRange().slice(0, 16 * labels.length));
      staging.unmap();
      if (s === 0) continue; // the first step after switching modes compiles nothing but allocates passes
      const byName = new Map<string, number>();
      labels.forEach((name, i) => {
        const key = `${String(i).padStart(2)} ${name}`;
        byName.set(key, Number(t[2 * i + 1] - t[2 * i]) / 1e6);
      });
      for (const [k, ms] of byName) (perLabel.get(k) ?? perLabel.set(k, []).get(k)!).push(ms);
      totals.push(Number(t[2 * labels.length - 1] - t[0]) / 1e6);
      walls.push(wall);
    }
  } finally {
    backend.computePass = computePass;
    for (const name of Object.keys(original)) run[name] = original[name];
    querySet.destroy();
    resolve.destroy();
    staging.destroy();
  }
  const byPrim = new Map<string, number>();
  console.log(`   GPU time per primitive (timestamp queries, one pass each; median of ${totals.length} steps), ms:`);
  for (const [k, ms] of perLabel) {
    const m = median(ms);
    const prim = k.slice(3);
    byPrim.set(prim, (byPrim.get(prim) ?? 0) + m);
    console.log(`     ${k.padEnd(26)} ${m.toFixed(2).padStart(8)}`);
  }
  console.log(`   by primitive: ${[...byPrim].map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  const outside = [...byPrim].filter(([k]) => !BIG.includes(k)).reduce((sum, [, v]) => sum + v, 0);
  console.log(`   outside matmul / conv: ${outside.toFixed(1)} ms`);
  console.log(
    `   first pass start -> last pass end: ${median(totals).toFixed(1)} ms; the same steps' wall time ` +
      `(record, submit, wait, read the loss): ${median(walls).toFixed(1)} ms`,
  );
}

/**
 * The primitives whose kernels this profile's work changed, dispatched as they were before, for A/B runs
 * in one process: the optimiser updates, unary kernels and reductions one element per thread. (The hyper-parameter
 * block is not rewritten: it keeps the last step's values, which does not change the time.)
 */
function beforeRun(backend: WebGpuBackend): Run {
  const { rt } = backend;
  const grid = (n: number) => grid1d(n, WORKGROUP_1D, rt.device.limits.maxComputeWorkgroupsPerDimension);
  const buf = (s: unknown) => backend.buf(s as GpuStorage);
  const update = (rule: 'sgd' | 'sgd_momentum' | 'adam', storage: unknown[], hyper: unknown, length: number) =>
    rt.dispatch(
      backend.computePass(),
      optimProgram(rule, false),
      [...storage.map(buf), rt.uniform(packParams([{ u32: length }])), buf(hyper)],
      null,
      grid(length),
    );
  type A = Record<string, never>;
  const scratch = rt.device.createBuffer({ size: REDUCE_SCRATCH_ELEMENTS * 4, usage: GPUBufferUsage.STORAGE });
  const reduceOnce = (op: 'sum' | 'max', from: GPUBuffer, to: GPUBuffer, threads: number, params: ArrayBuffer) =>
    rt.dispatch(backend.computePass(), reduceProgram(op, false), [from, to], params, grid(threads));
  return {
    reduce: ((a: A & { op: 'sum' | 'max' | 'mean'; outer: number; size: number; inner: number }) => {
      const op = a.op === 'max' ? 'max' : 'sum';
      const outputs = a.outer * a.inner;
      const parts = reduceParts(outputs, a.size);
      const scale = a.op === 'mean' ? 1 / a.size : 1;
      const params = (size: number, p: number, sc: number) =>
        packParams([{ u32: outputs * p }, { u32: size }, { u32: a.inner }, { u32: p }, { f32: sc }]);
      if (parts === 1) return reduceOnce(op, buf(a.x), buf(a.out), outputs, params(a.size, 1, scale));
      reduceOnce(op, buf(a.x), scratch, outputs * parts, params(a.size, parts, 1));
      reduceOnce(op, scratch, buf(a.out), outputs, params(parts, 1, scale));
    }) as never,
    adamUpdate: ((a: A) => update('adam', [a.param, a.grad, a.m, a.v], a.hyperStorage, a.length)) as never,
    sgdUpdate: ((a: A) =>
      a.velocity
        ? update('sgd_momentum', [a.param, a.grad, a.velocity], a.hyperStorage, a.length)
        : update('sgd', [a.param, a.grad], a.hyperStorage, a.length)) as never,
    unaryBackward: ((a: A & { op: UnaryOp }) => {
      const reads = a.op === 'exp' || a.op === 'sqrt' ? [a.y] : a.op === 'neg' ? [] : [a.x];
      rt.dispatch(
        backend.computePass(),
        unaryBackwardProgram(a.op, false),
        [...reads, a.dy, a.dx].map(buf),
        packParams([{ u32: a.length }, { f32: a.alpha ?? 0.01 }]),
        grid(a.length),
      );
    }) as never,
  };
}

/** Costs that do not depend on the model: an empty dispatch, a small readback, an empty submit, an upload. */
async function fixedCosts(backend: WebGpuBackend): Promise<void> {
  const { device } = backend;
  const small = backend.alloc(4, 'f32', 'probe');
  const input = backend.alloc(CNN_BATCH * 784, 'f32', 'probe input');
  const batch = new Float32Array(CNN_BATCH * 784);
  const time = async (reps: number, f: () => Promise<void>) => {
    await f();
    const ts: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = now();
      await f();
      ts.push(now() - t0);
    }
    return median(ts);
  };
  const dispatches = 200;
  const emptyMs = await time(5, async () => {
    backend.flush();
    await device.queue.onSubmittedWorkDone();
  });
  const dispatchMs = await time(5, async () => {
    for (let i = 0; i < dispatches; i++) backend.run.fill({ out: small, length: 1, value: i });
    backend.flush();
    await device.queue.onSubmittedWorkDone();
  });
  const readMs = await time(9, async () => {
    await backend.read(small, 2, 'f32');
  });
  const uploadMs = await time(9, async () => {
    backend.write(input, batch);
    await device.queue.onSubmittedWorkDone();
  });
  console.log(
    `fixed costs: empty submit + onSubmittedWorkDone ${emptyMs.toFixed(2)} ms; ` +
      `one 1-element dispatch ${((1000 * (dispatchMs - emptyMs)) / dispatches).toFixed(0)} us; ` +
      `8-byte readback (copy + submit + mapAsync) ${readMs.toFixed(2)} ms; ` +
      `upload of ${(batch.byteLength / 1024).toFixed(0)} KiB + onSubmittedWorkDone ${uploadMs.toFixed(2)} ms`,
  );
  backend.free(small);
  backend.free(input);
}
