// Shows which WebGPU adapter the page runs on and its limits, or why WebGPU is unavailable.
import type { GpuLimits, GpuStatus } from '../store/gpu';

const LIMIT_ROWS: ReadonlyArray<{ name: keyof GpuLimits; unit: 'bytes' | 'count'; meaning: string }> = [
  { name: 'maxStorageBufferBindingSize', unit: 'bytes', meaning: 'largest tensor a kernel can bind' },
  { name: 'maxComputeWorkgroupStorageSize', unit: 'bytes', meaning: 'shared memory per workgroup' },
  { name: 'maxComputeInvocationsPerWorkgroup', unit: 'count', meaning: 'threads per workgroup' },
  { name: 'maxStorageBuffersPerShaderStage', unit: 'count', meaning: 'storage buffers per kernel' },
];

export function WebGpuPanel({ status }: { status: GpuStatus }) {
  return (
    <section className="panel" aria-labelledby="webgpu-heading">
      <h2 id="webgpu-heading">WebGPU</h2>
      <WebGpuStatusBody status={status} />
    </section>
  );
}

function WebGpuStatusBody({ status }: { status: GpuStatus }) {
  switch (status.kind) {
    case 'idle':
    case 'acquiring':
      return (
        <p role="status" className="muted">
          Requesting a WebGPU device…
        </p>
      );

    case 'unavailable':
    case 'failed':
      return (
        <p role="alert" className="error" data-testid="webgpu-error">
          {status.message}
        </p>
      );

    case 'ready':
      return (
        <dl className="facts">
          <div className="facts-row">
            <dt>Adapter</dt>
            <dd data-testid="adapter-name">{status.adapterName}</dd>
          </div>
          {LIMIT_ROWS.map(({ name, unit, meaning }) => (
            <div key={name} className="facts-row">
              <dt>
                <code>{name}</code>
                <span className="muted"> ({meaning})</span>
              </dt>
              <dd data-testid={`limit-${name}`}>{unit === 'bytes' ? formatBytes(status.limits[name]) : status.limits[name].toLocaleString('en-US')}</dd>
            </div>
          ))}
        </dl>
      );
  }
}

/** Formats a byte count in binary units with the exact count beside it, e.g. "128 MiB (134,217,728 bytes)". */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes.toLocaleString('en-US')} bytes`;
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${rounded} ${units[unit]} (${bytes.toLocaleString('en-US')} bytes)`;
}
