// Packs a uniform `Params` struct whose fields are all 4-byte scalars (u32, i32, f32), in WGSL order.

export type ParamField = ['u32' | 'i32' | 'f32', number];

/** Returns the bytes of a uniform struct, zero-padded to 16 bytes as uniform buffers require. */
export function packParams(fields: readonly ParamField[]): ArrayBuffer {
  const byteLength = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  const bytes = new ArrayBuffer(byteLength);
  const view = new DataView(bytes);
  fields.forEach(([type, value], i) => {
    if (type === 'f32') {
      view.setFloat32(i * 4, value, true);
    } else if (type === 'i32') {
      view.setInt32(i * 4, value, true);
    } else {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new RangeError(`Uniform field ${i} expects a u32, got ${value}.`);
      }
      view.setUint32(i * 4, value, true);
    }
  });
  return bytes;
}

/** Splits a flat workgroup count over x and y, since each dimension is capped (65535 by default). */
export function gridFor(workgroups: number, maxPerDimension = 65535): [number, number, number] {
  if (workgroups <= maxPerDimension) return [Math.max(1, workgroups), 1, 1];
  return [maxPerDimension, Math.ceil(workgroups / maxPerDimension), 1];
}
