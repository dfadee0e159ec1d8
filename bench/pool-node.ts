// Max-pool forward and backward on the classic CNN's map, [128, 26, 26, 32] -> [128, 13, 13, 32] (2x2,
// stride 2), on Dawn in Node: the scalar kernels (one thread per element, the path for channels % 4 != 0)
// against the vec4 kernels that maxPool/maxPoolBackward pick for channels % 4 == 0, interleaved in one run.
// Also checks that both paths give the same bits.
//   flock /tmp/team/cpu.lock node bench/run-node.mjs bench/pool-node.ts [rounds]
import { acquireGpu } from '../src/engine/gpu/device';
import {
  maxPool,
  maxPoolBackward,
  maxPoolBackwardProgram,
  maxPoolBackwardVec4Program,
  maxPoolProgram,
  poolPrograms,
  type Pool2dShape,
} from '../src/kernels/pool';
import { grid1d, WORKGROUP_1D, type KernelProgram } from '../src/kernels/program';
import { KernelRuntime, packParams } from '../src/kernels/runtime';
import { randomF32 } from '../tests/unit/helpers/random';
import { nodeGpu, readF32, uploadBuffer } from '../tests/unit/helpers/webgpu';

const geo: Pool2dShape = {
  batch: 128,
  inH: 26,
  inW: 26,
  inC: 32,
  kh: 2,
  kw: 2,
  strideH: 2,
  strideW: 2,
  padTop: 0,
  padLeft: 0,
  outH: 13,
  outW: 13,
};

export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 7);
  const { device } = await acquireGpu(nodeGpu());
  const rt = new KernelRuntime(device);
  await rt.warmUp(poolPrograms);
  const inN = geo.batch * geo.inH * geo.inW * geo.inC;
  const outN = geo.batch * geo.outH * geo.outW * geo.inC;
  const x = uploadBuffer(device, randomF32(inN, 1, -1, 1));
  const dy = uploadBuffer(device, randomF32(outN, 2, -1, 1));
  const mk = (n: number) => uploadBuffer(device, new Float32Array(n));
  const [out0, arg0, dx0, out1, arg1, dx1] = [mk(outN), mk(outN), mk(inN), mk(outN), mk(outN), mk(inN)];
  const dx2 = mk(inN);
  // The scalar kernels dispatched as pool.ts does for channels % 4 != 0.
  const scalar = (pass: GPUComputePassEncoder, prog: KernelProgram, buffers: GPUBuffer[], count: number) =>
    rt.dispatch(
      pass,
      prog,
      buffers,
      packParams(
        [
          geo.batch,
          geo.inH,
          geo.inW,
          geo.inC,
          geo.kh,
          geo.kw,
          geo.strideH,
          geo.strideW,
          0,
          0,
          geo.outH,
          geo.outW,
          count,
        ].map((u32) => ({ u32 })),
      ),
      grid1d(count, WORKGROUP_1D, device.limits.maxComputeWorkgroupsPerDimension),
    );
  const variants: Record<string, (pass: GPUComputePassEncoder) => void> = {
    'forward scalar': (pass) => scalar(pass, maxPoolProgram, [x, out0, arg0], outN),
    'forward vec4': (pass) => maxPool(rt, pass, { ...geo, x, out: out1, argmax: arg1 }),
    'backward scalar': (pass) => scalar(pass, maxPoolBackwardProgram, [dy, arg0, dx0], inN),
    'backward vec4': (pass) => maxPoolBackward(rt, pass, { ...geo, dy, argmax: arg1, dx: dx1 }),
    // The vec4 gather, which maxPoolBackward uses when the windows do not tile the input exactly.
    'backward gather': (pass) =>
      rt.dispatch(
        pass,
        maxPoolBackwardVec4Program,
        [dy, arg1, dx2],
        packParams(
          [geo.batch, geo.inH, geo.inW, geo.inC / 4, 2, 2, 2, 2, 0, 0, geo.outH, geo.outW, inN / 4].map((u32) => ({
            u32,
          })),
        ),
        grid1d(inN / 4, WORKGROUP_1D, device.limits.maxComputeWorkgroupsPerDimension),
      ),
  };
  const times: Record<string, number[]> = {};
  for (let r = 0; r <= rounds; r++) {
    for (const [name, record] of Object.entries(variants)) {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      record(pass);
      pass.end();
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (r > 0) (times[name] ??= []).push(performance.now() - t0); // round 0 warms up
    }
  }
  for (const [name, ts] of Object.entries(times)) {
    ts.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(16)} median ${ts[ts.length >> 1].toFixed(1)} ms  min ${ts[0].toFixed(1)} ms  (${ts.length} runs)`,
    );
  }
  const [a, b, c, d, e, f, h] = await Promise.all(
    [out0, out1, arg0, arg1, dx0, dx1, dx2].map((buf) => readF32(device, buf)),
  );
  const same = (p: Float32Array, q: Float32Array) => p.every((v, i) => Object.is(v, q[i]));
  console.log(`same bits: out ${same(a, b)}, argmax ${same(c, d)}, dx ${same(e, f)} ${same(e, h)}`);
}
