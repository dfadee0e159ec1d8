// Compiles the AssemblyScript kernels (src/wasm/assembly/) into modules under src/wasm/build/:
// kernels-simd.wasm (128-bit SIMD) and kernels-relaxed.wasm (plus relaxed SIMD: fused multiply-add), and
// the same two importing a shared memory (kernels-*-shared.wasm) for the multi-threaded backend, whose
// worker threads each instantiate the module on one SharedArrayBuffer-backed memory.
// The loader (src/wasm/kernels.ts) picks the relaxed one only where WebAssembly.validate accepts it.
// Build outputs, git-ignored, never committed. Runs on install, before dev/build and before unit tests;
// skips the compile when both outputs are newer than every source (pass --force to rebuild).
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src', 'wasm', 'assembly');
const outDir = join(root, 'src', 'wasm', 'build');

/** Shared memory up to 2 GiB (32768 pages): the memory the loader passes may declare any maximum below. */
const SHARED = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '32768'];

/** Output file name -> extra compiler flags. */
export const WASM_BUILDS = {
  'kernels-simd.wasm': [],
  'kernels-relaxed.wasm': ['--enable', 'relaxed-simd'],
  'kernels-simd-shared.wasm': [...SHARED],
  'kernels-relaxed-shared.wasm': ['--enable', 'relaxed-simd', ...SHARED],
};

const COMMON_FLAGS = [
  '-O3',
  '--noAssert',
  // No garbage collector: kernels never allocate; the TS side owns the memory and imports it.
  '--runtime',
  'stub',
  '--importMemory',
  '--enable',
  'simd',
];

function newestSourceMs() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  for (const name of readdirSync(sourceDir)) {
    if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(sourceDir, name)).mtimeMs);
  }
  return newest;
}

export async function buildWasm({ force = false } = {}) {
  mkdirSync(outDir, { recursive: true });
  const newest = newestSourceMs();
  for (const [file, flags] of Object.entries(WASM_BUILDS)) {
    const out = join(outDir, file);
    if (!force && existsSync(out) && statSync(out).mtimeMs > newest) continue;
    // Imported only when something needs compiling: loading the compiler alone takes ~2 s here.
    const { default: asc } = await import('assemblyscript/asc');
    // Compile to a private file and rename: test workers may build at the same time, and a reader must
    // never see a half-written module.
    const tmp = `${out}.${process.pid}.tmp`;
    const args = [join(sourceDir, 'index.ts'), ...COMMON_FLAGS, ...flags, '--outFile', tmp];
    let log = '';
    const sink = { write: (chunk) => ((log += String(chunk)), true) };
    const { error } = await asc.main(args, { stdout: sink, stderr: sink });
    if (error) throw new Error(`build-wasm: compiling ${file} failed: ${error.message}\n${log}`);
    renameSync(tmp, out);
    console.log(`build-wasm: wrote ${join('src', 'wasm', 'build', file)} (${statSync(out).size} bytes)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWasm({ force: process.argv.includes('--force') });
}
