// The ceilings every speed figure is compared with, measured in the same run as the figures:
// - the GPU adapter's register-only vec4 multiply-add kernel (GFLOP/s): independent chains per thread, no
//   memory traffic, the fastest arithmetic the adapter's compiler lets WGSL reach;
// - the adapter's copy kernel (GB/s, bytes read + written): one vec4 per thread;
// - one CPU core's register-only WebAssembly SIMD loop (GFLOP/s): `f32x4.relaxed_madd` chains where the
//   runtime validates relaxed SIMD, else f32x4.mul + f32x4.add. The module is assembled here byte by byte
//   so the ceiling does not depend on our own wasm build.
import { median, now, timePerRep } from './common';

// ---------------------------------------------------------------------------------------------------------
// GPU

function fmaWgsl(iterations: number, chains: number): string {
  const s = ['@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;'];
  s.push('@compute @workgroup_size(64)', 'fn main(@builtin(global_invocation_id) gid: vec3<u32>) {');
  s.push('  let x = vec4<f32>(f32(gid.x) * 1e-9 + 0.999999);', '  let y = vec4<f32>(1e-7);');
  for (let c = 0; c < chains; c++) s.push(`  var c${c} = vec4<f32>(f32(${c}) + f32(gid.x));`);
  s.push(`  for (var i = 0u; i < ${iterations}u; i += 1u) {`);
  for (let c = 0; c < chains; c++) s.push(`    c${c} = c${c} * x + y;`);
  s.push('  }');
  s.push(`  out[gid.x] = ${Array.from({ length: chains }, (_, c) => `c${c}`).join(' + ')};`);
  s.push('}');
  return s.join('\n');
}

const COPY_WGSL = `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 256u;
  if (i < arrayLength(&src)) { dst[i] = src[i]; }
}`;

/** Seconds per dispatch of `record` repeated `reps` times in one submit, synchronised. */
function gpuRunner(device: GPUDevice, record: (pass: GPUComputePassEncoder) => void) {
  return async (reps: number) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let i = 0; i < reps; i++) record(pass);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
}

export interface GpuCeilings {
  fmaGflops: number;
  fmaChains: number;
  copyGBs: number;
}

/**
 * The adapter's FMA ceiling (best of 4 / 8 / 16 chains, each timed for `seconds` / 4) and copy bandwidth.
 * `scale` sizes the work: 1 for software adapters, more for real GPUs (so a dispatch is not all overhead).
 */
export async function gpuCeilings(device: GPUDevice, seconds: number, software: boolean): Promise<GpuCeilings> {
  const workgroups = software ? 64 : 4096;
  const threads = workgroups * 64;
  const out = device.createBuffer({ size: threads * 16, usage: GPUBufferUsage.STORAGE });
  let best = { gflops: 0, chains: 0 };
  for (const chains of [4, 8, 16]) {
    const iterations = (software ? 65536 : 262144) / chains;
    const module = device.createShaderModule({ code: fmaWgsl(iterations, chains) });
    const pipeline = await device.createComputePipelineAsync({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    const group = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: out } }],
    });
    const t = await timePerRep(
      gpuRunner(device, (pass) => {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(workgroups);
      }),
      seconds / 4,
    );
    const gflops = (threads * iterations * chains * 8) / t.seconds / 1e9;
    if (gflops > best.gflops) best = { gflops, chains };
  }
  out.destroy();

  const bytes = (software ? 32 : 256) * 2 ** 20;
  const vec4s = bytes / 16;
  const usage = GPUBufferUsage.STORAGE;
  const src = device.createBuffer({ size: bytes, usage });
  const dst = device.createBuffer({ size: bytes, usage });
  const module = device.createShaderModule({ code: COPY_WGSL });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
    ],
  });
  const groups = vec4s / 256;
  const gx = Math.min(groups, 32768);
  const gy = Math.ceil(groups / gx);
  const t = await timePerRep(
    gpuRunner(device, (pass) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(gx, gy);
    }),
    seconds / 4,
  );
  src.destroy();
  dst.destroy();
  return { fmaGflops: best.gflops, fmaChains: best.chains, copyGBs: (2 * bytes) / t.seconds / 1e9 };
}

// ---------------------------------------------------------------------------------------------------------
// WebAssembly (one core: the calling thread)

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function f32Bytes(v: number): number[] {
  return [...new Uint8Array(new Float32Array([v]).buffer)];
}

const SIMD = 0xfd;
const F32X4_SPLAT = [SIMD, ...uleb(0x13)];
const F32X4_EXTRACT_LANE0 = [SIMD, ...uleb(0x1f), 0];
const F32X4_ADD = [SIMD, ...uleb(0xe4)];
const F32X4_MUL = [SIMD, ...uleb(0xe6)];
const F32X4_RELAXED_MADD = [SIMD, ...uleb(0x105)];

/**
 * A module exporting `run(iterations: i32) -> f32`: `chains` v128 accumulators, each updated per iteration
 * by c = c * a + b (relaxed_madd, or mul + add), all kept in locals (registers).
 */
export function wasmCeilingModule(chains: number, relaxed: boolean): Uint8Array<ArrayBuffer> {
  const a = chains + 1;
  const b = chains + 2;
  const body: number[] = [];
  body.push(...uleb(1), ...uleb(chains + 2), 0x7b); // locals: chains + 2 v128
  const splat = (v: number, local: number) => body.push(0x43, ...f32Bytes(v), ...F32X4_SPLAT, 0x21, ...uleb(local));
  splat(0.999999, a);
  splat(1e-7, b);
  for (let c = 1; c <= chains; c++) splat(c, c);
  body.push(0x03, 0x40); // loop
  for (let c = 1; c <= chains; c++) {
    if (relaxed) body.push(0x20, ...uleb(c), 0x20, ...uleb(a), 0x20, ...uleb(b), ...F32X4_RELAXED_MADD);
    else body.push(0x20, ...uleb(c), 0x20, ...uleb(a), ...F32X4_MUL, 0x20, ...uleb(b), ...F32X4_ADD);
    body.push(0x21, ...uleb(c));
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0); // iterations -= 1; br_if (iterations != 0)
  body.push(0x0b); // end loop
  body.push(0x20, 1);
  for (let c = 2; c <= chains; c++) body.push(0x20, ...uleb(c), ...F32X4_ADD);
  body.push(...F32X4_EXTRACT_LANE0, 0x0b);
  const code = [...uleb(1), ...uleb(body.length), ...body];
  const name = [...new TextEncoder().encode('run')];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type: (i32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, name.length, ...name, 0x00, 0]), // export "run" = function 0
    ...section(10, code),
  ]);
}

export interface WasmCeiling {
  gflops: number;
  relaxed: boolean;
  chains: number;
}

type CeilingLoop = { chains: number; run: (iterations: number) => number };

/** The 8- and 12-chain loops, compiled once per page / process, relaxed where the runtime validates it. */
let loops: Promise<{ relaxed: boolean; loops: CeilingLoop[] }> | null = null;
function ceilingLoops(): Promise<{ relaxed: boolean; loops: CeilingLoop[] }> {
  loops ??= (async () => {
    const relaxed = WebAssembly.validate(wasmCeilingModule(8, true));
    const compiled = await Promise.all(
      [8, 12].map(async (chains) => {
        const instance = await WebAssembly.instantiate(await WebAssembly.compile(wasmCeilingModule(chains, relaxed)));
        const run = instance.exports.run as (iterations: number) => number;
        run(1000);
        return { chains, run };
      }),
    );
    return { relaxed, loops: compiled };
  })();
  return loops;
}

/** GFLOP/s of one run of `loop` for `iterations`. */
function rate(loop: CeilingLoop, iterations: number): number {
  const t0 = now();
  const r = loop.run(iterations);
  const dt = (now() - t0) / 1000;
  if (!Number.isFinite(r)) throw new Error('wasm ceiling loop produced a non-finite value');
  return (iterations * loop.chains * 8) / dt / 1e9;
}

/** One core's register-only wasm SIMD ceiling: the best of 8 and 12 chains, timed for `seconds` in all. */
export async function wasmCeiling(seconds: number): Promise<WasmCeiling> {
  const { relaxed, loops } = await ceilingLoops();
  let best: WasmCeiling = { gflops: 0, relaxed, chains: 0 };
  for (const loop of loops) {
    const rates: number[] = [];
    const started = now();
    while (rates.length < 3 || (rates.length < 9 && (now() - started) / 1000 < seconds / 2)) {
      rates.push(rate(loop, 1 << 22));
    }
    const gflops = median(rates);
    if (gflops > best.gflops) best = { gflops, relaxed, chains: loop.chains };
  }
  return best;
}

/**
 * A quick sampler of the same ceiling, for timing it right beside a CPU figure (timePerRep's `beside`):
 * each call runs the 8- and 12-chain loops for about `ms` each and returns the faster rate, GFLOP/s.
 * This machine's speed drifts by 10-30% over minutes (other tenants), so a ratio is only meaningful
 * against the ceiling of the same moment.
 */
export function wasmCeilingSampler(ms = 40): Promise<() => number> {
  let made = samplers.get(ms);
  if (!made) samplers.set(ms, (made = makeSampler(ms)));
  return made;
}

/** Samplers by run length, sized once per page / process (every CPU matmul cell asks for one). */
const samplers = new Map<number, Promise<() => number>>();

async function makeSampler(ms: number): Promise<() => number> {
  const { loops } = await ceilingLoops();
  // Warm up (the optimising tier replaces the baseline code after a few calls), then size the runs.
  const probe = 1 << 16;
  for (let i = 0; i < 5; i++) for (const loop of loops) rate(loop, probe);
  const sized = loops.map((loop) => ({
    loop,
    iterations: Math.max(probe, Math.round((ms / 1000) * ((rate(loop, probe) * 1e9) / (loop.chains * 8)))),
  }));
  return () => Math.max(...sized.map(({ loop, iterations }) => rate(loop, iterations)));
}
