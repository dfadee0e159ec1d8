// Compile time of conv2d programs on Dawn (SwiftShader's JIT is slow on some code shapes; see conv2d.ts).
//   node bench/run-node.mjs bench/conv2d-compile-node.ts '[["label", {"kind": "backwardInput", "padded": true}], ...]'
import { acquireGpu } from '../src/engine/gpu/device';
import { compilePipeline } from '../src/engine/gpu/pipeline';
import { conv2dProgramFor, type Conv2dTemplate } from '../src/kernels/conv2d';
import { nodeGpu } from '../tests/unit/helpers/webgpu';

const base: Conv2dTemplate = {
  kind: 'forward',
  variant: 'gemm',
  rowsPerThread: 4,
  colsPerThread: 8,
  workgroupSize: 64,
  nAligned: true,
  padded: false,
  unitStride: false,
  bias: false,
  activation: 'none',
  kw: 0,
  strideW: 0,
  kh: 0,
  inC: 0,
};

export async function main(args: string[]): Promise<void> {
  const { device } = await acquireGpu(nodeGpu());
  const list: [string, Partial<Conv2dTemplate>][] = JSON.parse(args[0] ?? '[]');
  for (const [label, t] of list) {
    const program = conv2dProgramFor({ ...base, ...t });
    const t0 = performance.now();
    await compilePipeline(device, program);
    console.log(`${label.padEnd(40)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms  ${program.key}`);
  }
}
