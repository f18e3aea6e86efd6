// WebGPU status of the page: the engine on the browser's device, or the reason there is none.
import { create } from 'zustand';
import { acquireBrowserDevice } from '../gpu/device';
import { Engine } from '../gpu/engine';
import { WebGPUUnavailableError } from '../gpu/errors';

/** Device limits that bound the model and batch sizes the playground can train, in bytes or counts. */
export interface GpuLimits {
  /** Largest storage buffer a shader may bind, in bytes. It caps activations of shape [batch, tokens, hidden]. */
  maxStorageBufferBindingSize: number;
  /** Workgroup shared memory, in bytes. It caps the tile sizes of the matmul kernels. */
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxStorageBuffersPerShaderStage: number;
}

export type GpuStatus =
  | { kind: 'idle' }
  | { kind: 'acquiring' }
  | { kind: 'ready'; engine: Engine; adapterName: string; limits: GpuLimits }
  /** The browser has no WebGPU or no adapter, and `message` explains how to enable WebGPU. */
  | { kind: 'unavailable'; message: string }
  /** WebGPU exists but requesting the device failed, or the device was lost later. */
  | { kind: 'failed'; message: string };

interface GpuStore {
  status: GpuStatus;
  /** Acquires the device on the first call. Later calls return at once. */
  connect(): Promise<void>;
}

export const useGpuStore = create<GpuStore>()((set, get) => ({
  status: { kind: 'idle' },

  async connect() {
    // React's StrictMode runs effects twice in development, so a second call must not request a second device.
    if (get().status.kind !== 'idle') return;
    set({ status: { kind: 'acquiring' } });

    try {
      const { device, adapterName } = await acquireBrowserDevice();
      const limits = device.limits;
      set({
        status: {
          kind: 'ready',
          engine: new Engine(device, { adapterName }),
          adapterName,
          limits: {
            maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
            maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
            maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
            maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
          },
        },
      });

      // A lost device (driver reset, GPU process crash) cannot be used again, so the page needs a new one.
      void device.lost.then((info) => {
        set({ status: { kind: 'failed', message: `The GPU device was lost (${info.reason}): ${info.message || 'no details'}. Reload the page to request a new device.` } });
      });
    } catch (error) {
      if (error instanceof WebGPUUnavailableError) {
        set({ status: { kind: 'unavailable', message: error.message } });
      } else {
        const detail = error instanceof Error ? error.message : String(error);
        set({ status: { kind: 'failed', message: `Requesting the WebGPU device failed: ${detail}` } });
      }
    }
  },
}));
