import { defineConfig } from '@playwright/test';

// Debian's Chromium (apt-get install chromium) or whatever CHROMIUM_PATH names; nothing downloads a browser.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);
// Where `vite build` wrote the app; E2E_DIST lets several builds be tested side by side.
const dist = process.env.E2E_DIST ?? 'dist';

// WebGPU in headless Chromium: on a machine without a GPU it runs on the bundled SwiftShader Vulkan driver.
// E2E_WEBGPU_ADAPTER=default lets Chromium pick a hardware adapter where there is one.
const adapterArgs = process.env.E2E_WEBGPU_ADAPTER === 'default' ? [] : ['--use-webgpu-adapter=swiftshader'];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath,
      args: [
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan',
        ...adapterArgs,
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // The production build, served as `npm run preview` serves it (with the COOP/COEP headers).
    command: `npx vite preview --port ${port} --strictPort --outDir ${dist}`,
    url: `http://localhost:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
