// Errors raised by the engine. Each message names the offending value and what to do about it.

export class WebGPUUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `WebGPU is not available: ${detail}. ` +
        'Use a Chromium-based browser (Chrome 113 or later) with WebGPU enabled: ' +
        'open chrome://flags/#enable-unsafe-webgpu, enable it and restart, or start Chromium with --enable-unsafe-webgpu.',
    );
    this.name = 'WebGPUUnavailableError';
  }
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Formats a shape the way messages print it, e.g. `[37, 45]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws a ShapeError unless `shape` equals `expected` element by element. */
export function expectShape(name: string, shape: readonly number[], expected: readonly number[]): void {
  const same = shape.length === expected.length && shape.every((size, i) => size === expected[i]);
  if (!same) {
    throw new ShapeError(`${name} has shape ${formatShape(shape)}, expected ${formatShape(expected)}.`);
  }
}

/** Throws a TypeError unless the tensor has the expected element type. */
export function expectDType(name: string, tensor: { dtype: string; label: string }, expected: 'f32' | 'i32' | 'u32'): void {
  if (tensor.dtype !== expected) {
    throw new TypeError(`${name} ("${tensor.label}") is ${tensor.dtype}, expected ${expected}.`);
  }
}
