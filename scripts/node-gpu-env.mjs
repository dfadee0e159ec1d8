// Environment for WebGPU in Node (Dawn via the `webgpu` package). With a real GPU the Vulkan loader
// finds its driver by itself; with none, Dawn needs Chromium's SwiftShader Vulkan driver, because it
// does not accept Mesa's lavapipe. NODE_GPU=swiftshader forces the software driver on any machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

// Asks Dawn, in a child process (the Vulkan loader reads its environment once per process), whether
// the default drivers give a hardware adapter.
const PROBE = `
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info;
const software = !adapter || adapter.info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(info.architecture + info.description + info.device);
process.stdout.write(software ? 'software' : 'hardware');
process.exit(0);
`;

function defaultDriverIsHardware() {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return r.stdout === 'hardware';
}

/** @returns {Record<string, string>} variables to add to the environment of a Node WebGPU process */
export function nodeGpuEnv(env = process.env) {
  if (env.VK_ICD_FILENAMES) return {};
  if (env.NODE_GPU !== 'swiftshader' && defaultDriverIsHardware()) return {};
  return existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {};
}
