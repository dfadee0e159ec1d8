// `npm run bench [-- --node] [-- --full]`: loads bench/runner.ts through Vite's SSR module loader (which
// understands TypeScript and the kernels' `?raw` imports) and runs it. In --node mode it first gives the
// process the Dawn GPU environment (scripts/node-gpu-env.mjs) and relaxed SIMD where Node needs a flag.
import { spawnSync } from 'node:child_process';
import { createServer } from 'vite';
import { nodeGpuEnv } from '../scripts/node-gpu-env.mjs';

const args = process.argv.slice(2);
if (args.includes('--node')) {
  const relaxedFlag = '--experimental-wasm-relaxed-simd';
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22 && !process.execArgv.includes(relaxedFlag)) {
    const r = spawnSync(
      process.execPath,
      [relaxedFlag, ...process.execArgv, new URL(import.meta.url).pathname, ...args],
      {
        stdio: 'inherit',
      },
    );
    process.exit(r.status ?? 1);
  }
  Object.assign(process.env, nodeGpuEnv());
}
const server = await createServer({
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
  logLevel: 'error',
});
let code;
try {
  const runner = await server.ssrLoadModule(new URL('./runner.ts', import.meta.url).pathname);
  code = await runner.main(args);
} finally {
  await server.close();
}
process.exit(code ?? 1);
