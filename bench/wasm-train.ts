// Training throughput of the wasm backend in Node beside jax-js's wasm device in the same process: the
// seed MLP 784-500-10 (batch 100) and the classic Keras MNIST CNN (Conv2D 32 3x3 relu, max-pool 2, Dense
// 128 relu, Dense 10; batch 128), from the benchmark's shared initial weights and synthetic batches
// (bench/suite/common.ts), ours on 1 thread and on N threads (every core up to 8), jax-js with plain SGD
// (its core has no Adam), ours with SGD and with Adam:
//   node --experimental-wasm-relaxed-simd bench/run-node.mjs bench/wasm-train.ts [--steps 20]
// jax-js starts no workers in Node (it needs a global Worker), so its wasm device runs on one thread here:
// "ours 1 thread / jax-js" is single vs single. Multi vs multi is the browser run (`npm run bench`), where
// jax-js runs a worker per core. samples/s = batch / median wall time of a step, after warm-up steps; on
// a shared machine compare the ratios of one run, not figures across runs.
import { ADAM, batchData, cnnWeights, mlpWeights, MLP_BATCH, CNN_BATCH, SGD_LR, trainThroughput } from './suite/common';
import type { Budget, Cell } from './suite/common';
import { measureJax } from './suite/jax';
import {
  Conv2D,
  Dense,
  Flatten,
  MaxPool2D,
  Optimizer,
  Sequential,
  Trainer,
  wasmBackend,
  type Layer,
} from '../src/engine';

type Net = 'mlp' | 'cnn';

function layers(net: Net): Layer[] {
  if (net === 'mlp') return [new Dense({ units: 500, activation: 'relu' }), new Dense({ units: 10 })];
  return [
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 128, activation: 'relu' }),
    new Dense({ units: 10 }),
  ];
}

/** samples/s of our wasm backend on `threads` threads (undefined: the default) training `net`. */
async function ours(net: Net, kind: 'sgd' | 'adam', threads: number | undefined, budget: Budget) {
  const backend = await wasmBackend({ threads });
  const model = new Sequential(layers(net), net === 'mlp' ? [784] : [28, 28, 1], backend, 1);
  model.setWeights(net === 'mlp' ? mlpWeights() : cnnWeights());
  const optimizer = new Optimizer(kind === 'adam' ? { kind, ...ADAM } : { kind, lr: SGD_LR });
  const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 1 });
  const batch = net === 'mlp' ? MLP_BATCH : CNN_BATCH;
  const { x, y } = batchData(batch, net === 'mlp' ? 7 : 8);
  try {
    const { cell } = await trainThroughput(
      async () => {
        await trainer.trainStep(x, y);
        return (await trainer.readMetrics())?.loss ?? Number.NaN;
      },
      batch,
      budget,
    );
    return { cell, threads: backend.threads, simd: backend.simd };
  } finally {
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    backend.destroy();
  }
}

const text = (c: Cell | undefined) => (!c ? '-' : 'value' in c ? c.value.toFixed(0) : `n/a (${c.unavailable})`);
const ratio = (a: Cell | undefined, b: Cell | undefined) =>
  a && b && 'value' in a && 'value' in b ? `${(a.value / b.value).toFixed(2)}x` : '-';

export async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--steps');
  const steps = at >= 0 ? Number(args[at + 1]) : 20;
  const budget: Budget = { trainSteps: steps, trainWarmupSteps: 3, trainSeconds: 600, kernelSeconds: 1 };
  const jax = await measureJax([], budget, ['wasm']);
  const rows: string[] = [];
  let header = '';
  for (const net of ['mlp', 'cnn'] as const) {
    for (const kind of ['sgd', 'adam'] as const) {
      const one = await ours(net, kind, 1, budget);
      const many = await ours(net, kind, undefined, budget);
      header ||= `wasm training in Node ${process.version}, ${one.simd} build, ours 1 and ${many.threads} threads, median of ${steps} steps`;
      const peer = kind === 'sgd' ? jax[`train-${net}-sgd`]?.wasm : undefined;
      const label = net === 'mlp' ? 'MLP 784-500-10, batch 100' : 'CNN conv32-pool-128-10, batch 128';
      rows.push(
        `| ${label} | ${kind === 'sgd' ? 'SGD' : 'Adam'} | ${text(one.cell)} | ${text(many.cell)} | ` +
          `${text(peer)} | ${ratio(one.cell, peer)} | ${ratio(many.cell, one.cell)} |`,
      );
    }
  }
  console.log(header);
  console.log(
    '| model | optimiser | ours 1 thread | ours N threads | jax-js wasm (1 thread in Node, SGD) | ours 1 thread / jax-js | N threads / 1 thread |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
