/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { nodeGpuEnv } from './scripts/node-gpu-env.mjs';

// Cross-origin isolation lets the WebAssembly engine use SharedArrayBuffer threads; the documented
// static deployment must send the same two headers (README, "Deploying").
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1500 },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    // Dawn (the `webgpu` package) runs on the real GPU where there is one and on Chromium's SwiftShader
    // Vulkan driver where there is none; see scripts/node-gpu-env.mjs.
    env: nodeGpuEnv(),
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One Dawn instance per worker process is plenty on a 2-core machine and keeps GPU memory bounded.
    pool: 'forks',
    maxWorkers: 2,
  },
});
