import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** Port of `vite preview`; playwright.config.ts starts the server on it and waits for it. */
export const PREVIEW_PORT = 4173;

const NODE_DEVICE_PATH = fileURLToPath(new URL('./src/gpu/node-device.ts', import.meta.url));

/**
 * Fails the build when browser code imports the Node-only Dawn binding. The `webgpu` npm package is a
 * native addon, and src/gpu/node-device.ts wraps it for the tests and CLIs that run in Node.
 */
function rejectNodeOnlyModules(): Plugin {
  return {
    name: 'mtlora:reject-node-only-modules',
    resolveId(source, importer) {
      if (source === 'webgpu') {
        this.error(`${importer ?? 'An entry'} imports the Node-only package "webgpu" (Dawn). Browser code must get its device from acquireBrowserDevice() in src/gpu/device.ts.`);
      }
      return null;
    },
    load(id) {
      if (id === NODE_DEVICE_PATH) {
        this.error('src/gpu/node-device.ts is in the browser bundle, but it only runs in Node. Browser code must use acquireBrowserDevice() from src/gpu/device.ts.');
      }
      return null;
    },
  };
}

export default defineConfig({
  plugins: [react(), rejectNodeOnlyModules()],
  build: {
    // WebGPU needs Chrome 113 or later, so there is no reason to transpile for older browsers.
    target: 'es2022',
    // The task corpora (spam 6.9 MB, State of the Union 1.5 MB) are lazy chunks loaded when a task is picked.
    chunkSizeWarningLimit: 8000,
  },
  worker: {
    // Module workers keep dynamic imports as separate chunks; the default iife format would inline every
    // task corpus into the worker script.
    format: 'es',
    plugins: () => [rejectNodeOnlyModules()],
  },
  preview: {
    host: '127.0.0.1',
    port: PREVIEW_PORT,
    strictPort: true,
  },
});
