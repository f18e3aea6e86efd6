// Conversions between float32 and the two 16-bit float formats that checkpoints use.
// IEEE 754 binary16 (safetensors dtype F16) has 1 sign, 5 exponent and 10 mantissa bits.
// bfloat16 (dtype BF16) is the upper 16 bits of a float32: 1 sign, 8 exponent and 7 mantissa bits.

const float32Scratch = new Float32Array(1);
const uint32Scratch = new Uint32Array(float32Scratch.buffer);

let float16Table: Float32Array | null = null;

/** Decodes one binary16 bit pattern (0…65535), including subnormals, infinities and NaN. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;

  if (exponent === 0) {
    return sign * mantissa * 2 ** -24;
  }
  if (exponent === 0x1f) {
    return mantissa === 0 ? sign * Infinity : Number.NaN;
  }
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Returns a table of all 65536 binary16 values, built on first use (256 KiB). */
function float16Lookup(): Float32Array {
  if (float16Table === null) {
    float16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      float16Table[bits] = float16BitsToFloat32(bits);
    }
  }
  return float16Table;
}

/** Converts binary16 bit patterns to float32 values. */
export function float16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const table = float16Lookup();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    out[i] = table[bits[i]];
  }
  return out;
}

/** Converts bfloat16 bit patterns to float32 values, exactly, by placing them in the upper 16 bits. */
export function bfloat16ArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    outBits[i] = bits[i] << 16;
  }
  return out;
}

/**
 * Encodes a number as binary16 with round-to-nearest-even, as PyTorch's `.half()` does.
 * Values beyond the largest finite binary16 (65504) become ±Infinity, and NaN stays NaN.
 */
export function float32ToFloat16Bits(value: number): number {
  float32Scratch[0] = value;
  const bits = uint32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) {
    return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  }

  // Rebias the exponent from float32 (127) to binary16 (15).
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) {
    return sign | 0x7c00;
  }

  if (halfExponent <= 0) {
    // Subnormal binary16 (or zero): shift the mantissa, with its implicit leading 1, into place.
    if (halfExponent < -10) {
      return sign;
    }
    const fullMantissa = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const truncated = fullMantissa >>> shift;
    const remainder = fullMantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const roundUp = remainder > halfway || (remainder === halfway && (truncated & 1) === 1);
    return sign | (truncated + (roundUp ? 1 : 0));
  }

  // Normal binary16: keep 10 of the 23 mantissa bits. A carry out of the mantissa correctly
  // increments the exponent, and a carry into exponent 31 correctly gives Infinity.
  const truncated = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (truncated & 1) === 1);
  return sign | (truncated + (roundUp ? 1 : 0));
}

/** Encodes a number as bfloat16 with round-to-nearest-even; NaN stays NaN. */
export function float32ToBfloat16Bits(value: number): number {
  float32Scratch[0] = value;
  const bits = uint32Scratch[0];
  if (Number.isNaN(value)) {
    return ((bits >>> 16) | 0x40) & 0xffff;
  }
  const lower = bits & 0xffff;
  const upper = bits >>> 16;
  const roundUp = lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1);
  return (upper + (roundUp ? 1 : 0)) & 0xffff;
}
