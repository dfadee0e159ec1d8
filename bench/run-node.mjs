// Runs a TypeScript benchmark in Node through Vite's SSR module loader (which understands `?raw` WGSL
// imports and TypeScript), on Dawn with the same GPU environment as the unit tests:
//   node bench/run-node.mjs bench/matmul-node.ts [args...]
import { createServer } from 'vite';
import { nodeGpuEnv } from '../scripts/node-gpu-env.mjs';

Object.assign(process.env, nodeGpuEnv());
const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('usage: node bench/run-node.mjs <file.ts> [args...]');
const server = await createServer({
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
  logLevel: 'error',
});
try {
  const mod = await server.ssrLoadModule(new URL(entry, `file://${process.cwd()}/`).pathname);
  if (typeof mod.main !== 'function') throw new Error(`${entry} exports no main(args)`);
  await mod.main(args);
} finally {
  await server.close();
}
process.exit(0);
