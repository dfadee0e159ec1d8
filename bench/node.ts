// `npm run bench -- --node`: our engines' part of the benchmark in Node on Dawn (the `webgpu` package),
// so it runs on a GPU machine with no browser. The peers (jax-js WebGPU, TF.js WebGPU) need a browser
// and are not measured here.
import { budgetFor, type Cell } from './suite/common';
import type { Measured } from './suite/report';
import { runSuite } from './suite/run';
import { nodeGpu } from '../tests/unit/helpers/webgpu';

export async function measureInNode(full: boolean, quick = false): Promise<Measured> {
  const firstStep: Cell = { unavailable: 'page-open time exists only in the browser run' };
  const result = await runSuite({
    mode: 'node',
    gpu: nodeGpu(),
    ours: true,
    budget: budgetFor({ full, quick }),
    userAgent: `Node ${process.version}`,
    firstStep,
    peers: [],
  });
  result.notes.push('Node run: the peers (jax-js, TF.js) are measured only in the browser run');
  return result;
}
