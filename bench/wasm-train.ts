// Training throughput of the wasm backend in Node, one core: the seed MLP 784-500-10 (batch 100) with SGD
// and with Adam, and the classic Keras MNIST CNN (Conv2D 32 3x3 relu, max-pool 2, Dense 128 relu, Dense 10;
// batch 128) with SGD, on synthetic inputs (throughput does not depend on the values):
//   node --experimental-wasm-relaxed-simd bench/run-node.mjs bench/wasm-train.ts [--steps 20]
// samples/s is the median over steps after 3 warm-up steps, from this process's CPU time (the machine may
// be shared; wall time would also count other processes holding the core); wall-time figures beside it.
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

interface Case {
  label: string;
  layers: () => Layer[];
  inputShape: number[];
  batch: number;
  optimizer: 'sgd' | 'adam';
}

const CASES: Case[] = [
  { label: 'MLP 784-500-10, SGD', layers: mlp, inputShape: [784], batch: 100, optimizer: 'sgd' },
  { label: 'MLP 784-500-10, Adam', layers: mlp, inputShape: [784], batch: 100, optimizer: 'adam' },
  { label: 'CNN conv32-pool-128-10, SGD', layers: cnn, inputShape: [28, 28, 1], batch: 128, optimizer: 'sgd' },
];

function mlp(): Layer[] {
  return [new Dense({ units: 500, activation: 'relu' }), new Dense({ units: 10 })];
}

function cnn(): Layer[] {
  return [
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 128, activation: 'relu' }),
    new Dense({ units: 10 }),
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--steps');
  const steps = at >= 0 ? Number(args[at + 1]) : 20;
  const backend = await wasmBackend();
  console.log(`wasm training, one core, ${backend.simd} build, Node ${process.version}, median of ${steps} steps`);
  console.log('| model | batch | samples/s (CPU time) | samples/s (wall) |');
  console.log('|---|---|---|---|');
  for (const c of CASES) {
    const model = new Sequential(c.layers(), c.inputShape, backend, 1);
    const optimizer = new Optimizer({ kind: c.optimizer, lr: 0.01 });
    const trainer = new Trainer(model, optimizer, { loss: 'softmax-cross-entropy', stepsPerReadback: 1000 });
    const features = c.inputShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: c.batch * features }, (_, i) => Math.sin(i) * 0.5 + 0.5);
    const y = Int32Array.from({ length: c.batch }, (_, i) => i % 10);
    for (let i = 0; i < 3; i++) await trainer.trainStep(x, y);
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < steps; i++) {
      const c0 = cpuMs();
      const w0 = performance.now();
      await trainer.trainStep(x, y);
      cpu.push(cpuMs() - c0);
      wall.push(performance.now() - w0);
    }
    await trainer.readMetrics();
    const rate = (ms: number) => ((c.batch * 1000) / ms).toFixed(0);
    console.log(`| ${c.label} | ${c.batch} | ${rate(median(cpu))} | ${rate(median(wall))} |`);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
  }
  backend.destroy();
}
