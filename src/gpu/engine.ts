// The engine owns one GPUDevice, every tensor allocated on it and the pipelines built from shaders/*.wgsl.
// Dispatches are recorded into one command encoder and submitted together on flush() or read().
import { ShapeError, formatShape } from './errors';
import { Tensor, type DType, type HostArray } from './tensor';

export interface EngineOptions {
  adapterName?: string;
  /**
   * Fill every new output tensor with NaN instead of zeros, so that a kernel that skips an element
   * is caught by the comparison. Tests and kernel checks turn this on.
   */
  poisonOutputs?: boolean;
}

export interface DispatchBindings {
  /** Bytes of the uniform `params` struct at @binding(0), from packParams(). */
  params?: ArrayBuffer;
  /** Storage buffers at @binding(1), @binding(2)…; null leaves a binding the entry point does not use. */
  buffers: ReadonlyArray<Tensor | null>;
}

/** The NaN bit pattern used to poison outputs. */
const POISON_BITS = 0x7fc00000;

/** Uniform buffers are immutable, so identical params share one; the cache is cleared past this many. */
const MAX_CACHED_UNIFORMS = 4096;

export class Engine {
  readonly adapterName: string;
  readonly poisonOutputs: boolean;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly uniforms = new Map<string, GPUBuffer>();
  private pendingDestroy: GPUBuffer[] = [];
  private errors: string[] = [];
  private liveBytes = 0;
  private liveTensors = 0;

  constructor(readonly device: GPUDevice, options: EngineOptions = {}) {
    this.adapterName = options.adapterName ?? 'unknown adapter';
    this.poisonOutputs = options.poisonOutputs ?? false;
    device.addEventListener('uncapturederror', (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Bytes held by tensors that have not been destroyed. */
  get allocatedBytes(): number {
    return this.liveBytes;
  }

  get allocatedTensors(): number {
    return this.liveTensors;
  }

  // ---- Allocation ---------------------------------------------------------------------------

  /** Uploads host data into a new tensor of the given shape. */
  tensor(data: HostArray | readonly number[], shape: readonly number[], dtype: DType = 'f32', label = 'tensor'): Tensor {
    const size = this.checkShape(shape, label);
    if (data.length !== size) {
      throw new ShapeError(`Tensor "${label}" has ${data.length} values for shape ${formatShape(shape)}, which needs ${size}.`);
    }
    const buffer = this.createStorageBuffer(size, label, true);
    const mapped = buffer.getMappedRange();
    if (dtype === 'f32') new Float32Array(mapped).set(data as ArrayLike<number>);
    else if (dtype === 'i32') new Int32Array(mapped).set(data as ArrayLike<number>);
    else new Uint32Array(mapped).set(data as ArrayLike<number>);
    buffer.unmap();
    return this.track(buffer, shape, dtype, label);
  }

  /** Allocates an output tensor: zero-filled, or NaN-filled when poisonOutputs is on. */
  empty(shape: readonly number[], dtype: DType = 'f32', label = 'output'): Tensor {
    const size = this.checkShape(shape, label);
    const buffer = this.createStorageBuffer(size, label, this.poisonOutputs);
    if (this.poisonOutputs) {
      new Uint32Array(buffer.getMappedRange()).fill(POISON_BITS);
      buffer.unmap();
    }
    return this.track(buffer, shape, dtype, label);
  }

  /** Allocates a zero-filled tensor, for accumulators such as gradients and optimizer moments. */
  zeros(shape: readonly number[], dtype: DType = 'f32', label = 'zeros'): Tensor {
    const size = this.checkShape(shape, label);
    return this.track(this.createStorageBuffer(size, label, false), shape, dtype, label);
  }

  /** Overwrites the contents of an existing tensor; pending dispatches run first. */
  write(tensor: Tensor, data: HostArray): void {
    if (data.length !== tensor.size) {
      throw new ShapeError(`Cannot write ${data.length} values into tensor "${tensor.label}" of shape ${formatShape(tensor.shape)}.`);
    }
    this.flush();
    this.device.queue.writeBuffer(tensor.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Copies `source` into `target` (same element count) in stream order. */
  copy(source: Tensor, target: Tensor): void {
    if (source.size !== target.size) {
      throw new ShapeError(`Cannot copy "${source.label}" ${formatShape(source.shape)} into "${target.label}" ${formatShape(target.shape)}.`);
    }
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(source.buffer, 0, target.buffer, 0, source.byteLength);
  }

  /** Fills a tensor with zeros in stream order (e.g. gradient accumulators before a step). */
  clear(tensor: Tensor): void {
    this.endPass();
    this.commandEncoder().clearBuffer(tensor.buffer);
  }

  /** Reads a tensor back to the host after submitting all pending work. */
  async read(tensor: Tensor): Promise<HostArray> {
    if (tensor.isDestroyed) throw new Error(`Tensor "${tensor.label}" was destroyed before it was read.`);
    const staging = this.device.createBuffer({ size: tensor.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `read ${tensor.label}` });
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(tensor.buffer, 0, staging, 0, tensor.byteLength);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    this.throwPendingErrors();
    if (tensor.dtype === 'f32') return new Float32Array(bytes);
    if (tensor.dtype === 'i32') return new Int32Array(bytes);
    return new Uint32Array(bytes);
  }

  /** Called by Tensor.destroy(); the buffer is destroyed after the work that may use it is submitted. */
  release(tensor: Tensor): void {
    this.liveBytes -= tensor.buffer.size;
    this.liveTensors -= 1;
    this.pendingDestroy.push(tensor.buffer);
    if (!this.encoder) this.destroyPending();
  }

  // ---- Pipelines and dispatch -----------------------------------------------------------------

  /**
   * Returns the compute pipeline for one entry point of a WGSL source, built once and cached.
   * `constants` sets the shader's override constants (workgroup sizes, variant flags).
   */
  pipeline(code: string, entryPoint: string, constants: Record<string, number> = {}, label = entryPoint): GPUComputePipeline {
    const constantKey = Object.keys(constants).sort().map((name) => `${name}=${constants[name]}`).join(',');
    const key = `${label}|${entryPoint}|${constantKey}|${code.length}|${hashString(code)}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: `${label}:${entryPoint}`,
        layout: 'auto',
        compute: { module: this.shaderModule(code, label), entryPoint, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /**
   * Builds every named entry point of a shader and resolves with the compiler's errors, if any.
   * Used by tests that validate each .wgsl file.
   */
  async validateShader(code: string, entryPoints: readonly string[], label: string, constants: Record<string, number> = {}): Promise<string[]> {
    // An error scope keeps a broken shader's errors out of the queue that the next read() reports.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label });
    const info = await module.getCompilationInfo();
    const messages = info.messages.filter((message) => message.type === 'error').map((message) => `${label}:${message.lineNum}:${message.linePos} ${message.message}`);
    for (const entryPoint of entryPoints) {
      try {
        await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint, constants } });
      } catch (error) {
        messages.push(`${label}:${entryPoint} ${(error as Error).message}`);
      }
    }
    const scoped = await this.device.popErrorScope();
    if (scoped && messages.length === 0) messages.push(`${label}: ${scoped.message}`);
    return messages;
  }

  /** Records one dispatch of `pipeline` over `workgroups` into the current compute pass. */
  dispatch(pipeline: GPUComputePipeline, bindings: DispatchBindings, workgroups: readonly [number, number?, number?]): void {
    const [x, y = 1, z = 1] = workgroups;
    const maxPerDimension = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x < 1 || y < 1 || z < 1 || x > maxPerDimension || y > maxPerDimension || z > maxPerDimension) {
      throw new RangeError(`Dispatch of ${pipeline.label} over [${x}, ${y}, ${z}] workgroups is outside 1..${maxPerDimension} per dimension.`);
    }

    const entries: GPUBindGroupEntry[] = [];
    if (bindings.params) entries.push({ binding: 0, resource: { buffer: this.uniformBuffer(bindings.params) } });
    bindings.buffers.forEach((tensor, i) => {
      if (!tensor) return;
      if (tensor.isDestroyed) throw new Error(`Tensor "${tensor.label}" is bound to ${pipeline.label} after it was destroyed.`);
      entries.push({ binding: i + 1, resource: { buffer: tensor.buffer } });
    });

    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: pipeline.label });
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
  }

  /** Submits all recorded work. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.destroyPending();
    if (this.uniforms.size > MAX_CACHED_UNIFORMS) {
      for (const buffer of this.uniforms.values()) buffer.destroy();
      this.uniforms.clear();
    }
  }

  /** Waits until the GPU has finished all submitted work, then raises any validation error. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.throwPendingErrors();
  }

  /** Destroys cached resources and the device. Tensors still alive become unusable. */
  dispose(): void {
    this.flush();
    for (const buffer of this.uniforms.values()) buffer.destroy();
    this.uniforms.clear();
    this.device.destroy();
  }

  // ---- Internals ------------------------------------------------------------------------------

  private checkShape(shape: readonly number[], label: string): number {
    if (shape.length === 0) throw new ShapeError(`Tensor "${label}" has an empty shape; use [1] for a scalar.`);
    for (const dim of shape) {
      if (!Number.isInteger(dim) || dim <= 0) {
        throw new ShapeError(`Tensor "${label}" has shape ${formatShape(shape)}: every dimension must be a positive integer.`);
      }
    }
    const size = shape.reduce((product, dim) => product * dim, 1);
    const bytes = size * 4;
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new ShapeError(
        `Tensor "${label}" of shape ${formatShape(shape)} needs ${bytes} bytes, over this device's maxStorageBufferBindingSize of ${limit} bytes. ` +
          'Reduce the batch size or the maximum sequence length.',
      );
    }
    return size;
  }

  private createStorageBuffer(size: number, label: string, mappedAtCreation: boolean): GPUBuffer {
    // Rounded up to 16 bytes so that a shader may bind the buffer as array<vec4<f32>>.
    const byteLength = Math.ceil((size * 4) / 16) * 16;
    return this.device.createBuffer({
      size: byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation,
      label,
    });
  }

  private track(buffer: GPUBuffer, shape: readonly number[], dtype: DType, label: string): Tensor {
    this.liveBytes += buffer.size;
    this.liveTensors += 1;
    return new Tensor(this, buffer, [...shape], dtype, label);
  }

  private shaderModule(code: string, label: string): GPUShaderModule {
    const key = `${code.length}|${hashString(code)}`;
    let module = this.modules.get(key);
    if (!module) {
      module = this.device.createShaderModule({ code, label });
      this.modules.set(key, module);
    }
    return module;
  }

  private uniformBuffer(params: ArrayBuffer): GPUBuffer {
    const key = Array.from(new Uint32Array(params)).join(',');
    let buffer = this.uniforms.get(key);
    if (!buffer) {
      buffer = this.device.createBuffer({ size: params.byteLength, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true, label: 'params' });
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(params));
      buffer.unmap();
      this.uniforms.set(key, buffer);
    }
    return buffer;
  }

  private commandEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private destroyPending(): void {
    for (const buffer of this.pendingDestroy) buffer.destroy();
    this.pendingDestroy = [];
  }

  private throwPendingErrors(): void {
    if (this.errors.length === 0) return;
    const messages = this.errors;
    this.errors = [];
    throw new Error(`WebGPU reported ${messages.length} error(s):\n${messages.join('\n')}`);
  }
}

/** FNV-1a over UTF-16 code units; only used to key caches. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
