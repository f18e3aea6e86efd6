// A typed, shaped handle to one GPU storage buffer. Layout is row-major everywhere.
import type { Engine } from './engine';

export type DType = 'f32' | 'i32' | 'u32';

export type HostArray = Float32Array | Int32Array | Uint32Array;

export class Tensor {
  readonly size: number;
  private destroyed = false;

  constructor(
    readonly engine: Engine,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly label: string,
    /** The tensor whose buffer this view shares (set by reshape()); destroying a view leaves the buffer to it. */
    readonly owner: Tensor | null = null,
  ) {
    this.size = shape.reduce((product, dim) => product * dim, 1);
  }

  /** Size in bytes of the elements (the buffer may be padded beyond it). */
  get byteLength(): number {
    return this.size * 4;
  }

  /** True once this tensor, or the owner of this view, has been destroyed. */
  get isDestroyed(): boolean {
    return this.destroyed || (this.owner?.isDestroyed ?? false);
  }

  /** Copies the elements back to the host; pending dispatches are submitted first. */
  read(): Promise<HostArray> {
    return this.engine.read(this);
  }

  /** Reads an f32 tensor back as a Float32Array. */
  async readFloat(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`Tensor "${this.label}" is ${this.dtype}, not f32; use read() instead.`);
    return (await this.engine.read(this)) as Float32Array;
  }

  /** Returns a view of the same buffer with another shape of the same element count, e.g. [batch, tokens, hidden] as [batch·tokens, hidden]. */
  reshape(shape: readonly number[]): Tensor {
    const size = shape.reduce((product, dim) => product * dim, 1);
    if (size !== this.size || shape.some((dim) => !Number.isInteger(dim) || dim <= 0)) {
      throw new Error(`Cannot reshape tensor "${this.label}" of shape [${this.shape.join(', ')}] (${this.size} elements) to [${shape.join(', ')}].`);
    }
    return new Tensor(this.engine, this.buffer, [...shape], this.dtype, this.label, this.owner ?? this);
  }

  /** Releases the GPU memory (a view only marks itself unusable). The tensor must not be used afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.owner) this.engine.release(this);
  }
}
