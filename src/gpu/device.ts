// Device acquisition in the browser (and in a Web Worker): navigator.gpu.
import { WebGPUUnavailableError } from './errors';

export interface AcquiredDevice {
  device: GPUDevice;
  /** Human-readable adapter name, e.g. "SwiftShader Device (Subzero)" or a GPU model. */
  adapterName: string;
}

/** Describes an adapter in one line from whatever GPUAdapterInfo fields the platform fills in. */
export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((part) => part && part.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unnamed adapter';
}

/**
 * Requests the adapter's maximum storage-buffer and workgroup limits, because the defaults
 * (128 MiB bindings) are too small for batch × tokens × intermediate activations of larger encoders.
 */
export async function requestDeviceWithLimits(adapter: GPUAdapter): Promise<GPUDevice> {
  const limits = adapter.limits;
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
}

/** Acquires a device from `navigator.gpu`, or throws WebGPUUnavailableError saying how to enable WebGPU. */
export async function acquireBrowserDevice(): Promise<AcquiredDevice> {
  const gpu = typeof navigator === 'undefined' ? undefined : navigator.gpu;
  if (!gpu) {
    throw new WebGPUUnavailableError('navigator.gpu is undefined in this browser');
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError('navigator.gpu.requestAdapter() returned no adapter');
  }
  const device = await requestDeviceWithLimits(adapter);
  return { device, adapterName: describeAdapter(adapter.info) };
}
