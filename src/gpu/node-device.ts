// Device acquisition in Node through the `webgpu` package (Dawn). Never imported by the browser bundle.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { describeAdapter, requestDeviceWithLimits, type AcquiredDevice } from './device';
import { WebGPUUnavailableError } from './errors';

/** Chromium's CPU Vulkan driver, as Debian's `chromium` package installs it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Dawn instances created so far, referenced for the life of the process. When the first, adapterless
 * instance was garbage-collected during a run, webgpu 0.6.2 on SwiftShader crashed the process
 * (segmentation faults, futex and mutex assertion failures).
 */
const instances: GPU[] = [];

/**
 * Points XDG_RUNTIME_DIR at a fresh private temporary folder when it is unset or empty, and removes the folder
 * at exit. Without it, every Dawn instance prints "error: XDG_RUNTIME_DIR is invalid or not set in the
 * environment." twice on stderr (from the Vulkan window-system code, webgpu 0.6.2 on Debian, checked with
 * SwiftShader), which reads as a failure although nothing fails. A CLI run then starts with those lines.
 */
function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  // mkdtemp creates the folder with mode 0700, so only this user can read it, as a runtime directory must be.
  const folder = mkdtempSync(join(tmpdir(), 'mtlora-xdg-runtime-'));
  process.env.XDG_RUNTIME_DIR = folder;
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
}

/**
 * Acquires a Dawn device. A hardware adapter is preferred; when there is none and SwiftShader is
 * installed, VK_ICD_FILENAMES is pointed at it and Dawn is asked again. The chosen adapter is
 * reported on stderr so that a slow run can be traced to a software adapter.
 */
export async function acquireNodeDevice(): Promise<AcquiredDevice> {
  Object.assign(globalThis, globals);
  ensureRuntimeDir();

  let gpu = create([]);
  instances.push(gpu);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    // The Vulkan loader reads VK_ICD_FILENAMES each time Dawn creates an instance.
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    gpu = create([]);
    instances.push(gpu);
    adapter = await gpu.requestAdapter();
  }
  if (!adapter) {
    throw new WebGPUUnavailableError(
      `Dawn found no adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}). ` +
        `Install a Vulkan driver and the loader, or on Debian run \`apt-get install chromium libvulkan1\` so that ${SWIFTSHADER_ICD} exists`,
    );
  }

  const adapterName = describeAdapter(adapter.info);
  const device = await requestDeviceWithLimits(adapter);
  process.stderr.write(`webgpu: using adapter "${adapterName}"${process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})` : ''}\n`);
  return { device, adapterName };
}
