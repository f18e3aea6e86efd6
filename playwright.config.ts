// End-to-end tests in the system Chromium with WebGPU on SwiftShader (Vulkan on the CPU), against `vite preview`.
// `npm run test:e2e` builds dist/ first, and the web server below only serves it.
import { defineConfig } from '@playwright/test';
import { PREVIEW_PORT } from './vite.config';

const BASE_URL = `http://127.0.0.1:${PREVIEW_PORT}`;

export default defineConfig({
  testDir: 'e2e',
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // One worker, because SwiftShader runs the shaders on the same few CPU cores that parallel pages would share.
  workers: 1,

  // SwiftShader compiles and runs every shader on the CPU, so a page that dispatches kernels takes seconds.
  timeout: 120_000,
  expect: { timeout: 60_000 },

  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Default headless mode already exposes WebGPU on SwiftShader (Chromium 156, Debian 12), so no --headless=new.
      args: [
        '--enable-unsafe-webgpu',
        // CI runs as root, where Chromium's sandbox cannot start.
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },

  webServer: {
    // --bypass-lock: Vite 8 refuses a second preview of the same project, but the tests own their port and
    // may run while a developer previews the app on another one.
    command: `npx vite preview --host 127.0.0.1 --port ${PREVIEW_PORT} --strictPort --bypass-lock`,
    url: BASE_URL,
    // Never reuse a server already on the port: it may serve another checkout's build, and the tests would
    // then check that build without a warning. A busy port fails the run instead.
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
