// The safetensors reader and writer: round trips, 16-bit conversions, lazy Blob reads and every format error.
import { describe, expect, it } from 'vitest';
import { ModelFileError } from './errors';
import { bfloat16ArrayToFloat32, float16ArrayToFloat32, float16BitsToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from './float16';
import { MAX_HEADER_BYTES, readHeaderLength, SafetensorsFile, serializeSafetensors } from './safetensors';

/** Builds a file from a header (object or raw text) and `dataBytes` bytes of data 0, 1, 2, … */
function rawFile(header: unknown, dataBytes: number, headerLengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  for (let i = 0; i < dataBytes; i++) {
    out[8 + json.length + i] = i & 0xff;
  }
  return out;
}

function values(count: number, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => scale * Math.sin(1.7 * i + 0.3) * (i % 3 === 0 ? 10 : 1));
}

async function expectOpenError(bytes: Uint8Array, ...fragments: string[]): Promise<void> {
  const error = await SafetensorsFile.open(bytes, 'model.safetensors').then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ModelFileError);
  for (const fragment of fragments) {
    expect((error as Error).message).toContain(fragment);
  }
}

describe('safetensors writer', () => {
  it('round-trips F32 values exactly', async () => {
    const weight = values(12);
    const bias = values(3, 0.1);
    const bytes = serializeSafetensors({ 'dense.weight': { dtype: 'F32', shape: [3, 4], data: weight }, 'dense.bias': { dtype: 'F32', shape: [3], data: bias } }, { format: 'pt' });

    const file = await SafetensorsFile.open(bytes);
    expect(file.names.sort()).toEqual(['dense.bias', 'dense.weight']);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.info('dense.weight')).toMatchObject({ dtype: 'F32', shape: [3, 4] });
    expect(await file.read('dense.weight')).toEqual(weight);
    expect(await file.read('dense.bias')).toEqual(bias);
  });

  it('pads the header with spaces to 8 bytes', () => {
    const bytes = serializeSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));

    expect(headerLength % 8).toBe(0);
    expect(header).toMatch(/^\{"x":\{"dtype":"F32","shape":\[1\],"data_offsets":\[0,4\]\}\} *$/);
    expect(header.length - header.trimEnd().length).toBe(headerLength - JSON.stringify(JSON.parse(header)).length);
    expect(bytes.length).toBe(8 + headerLength + 4);
  });

  it('orders tensors by element size, then name', async () => {
    const bytes = serializeSafetensors({
      b16: { dtype: 'BF16', shape: [1], data: new Float32Array([1]) },
      z32: { dtype: 'F32', shape: [1], data: new Float32Array([2]) },
      a32: { dtype: 'F32', shape: [2], data: new Float32Array([3, 4]) },
      h16: { dtype: 'F16', shape: [1], data: new Float32Array([5]) },
    });
    const file = await SafetensorsFile.open(bytes);

    expect(file.names).toEqual(['a32', 'z32', 'b16', 'h16']);
    expect(file.info('z32')!.dataOffsets).toEqual([8, 12]);
    expect(file.info('h16')!.dataOffsets).toEqual([14, 16]);
  });

  it('writes metadata first and empty tensors', async () => {
    const bytes = serializeSafetensors({ empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) } }, { note: 'adapter' });
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))));
    const file = await SafetensorsFile.open(bytes);

    expect(header.startsWith('{"__metadata__":{"note":"adapter"}')).toBe(true);
    expect(await file.read('empty')).toEqual(new Float32Array(0));
  });

  it('rejects invalid tensors', () => {
    const data = new Float32Array(6);
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data } })).toThrow('Cannot write tensor "w": it has 6 values, but shape [2, 2] needs 4.');
    expect(() => serializeSafetensors({ w: { dtype: 'I64' as 'F32', shape: [6], data } })).toThrow('Cannot write tensor "w" as dtype I64');
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2.5], data } })).toThrow('shape [2.5] must contain non-negative integers');
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [6], data } })).toThrow('not "__metadata__"');
    expect(() => serializeSafetensors({}, { key: 3 as unknown as string })).toThrow('Cannot write metadata key "key"');
  });
});

describe('16-bit floats', () => {
  it('round-trips every F16 bit pattern', () => {
    for (let bits = 0; bits < 65536; bits++) {
      const value = float16BitsToFloat32(bits);
      if (Number.isNaN(value)) {
        expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(value)))).toBe(true);
      } else if (float32ToFloat16Bits(value) !== bits) {
        expect.fail(`F16 bits 0x${bits.toString(16)} (${value}) encode to 0x${float32ToFloat16Bits(value).toString(16)}`);
      }
    }
  });

  it('round-trips every BF16 bit pattern', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const decoded = bfloat16ArrayToFloat32(all);
    for (let bits = 0; bits < 65536; bits++) {
      const value = decoded[bits];
      const encoded = float32ToBfloat16Bits(value);
      if (Number.isNaN(value)) {
        expect(Number.isNaN(bfloat16ArrayToFloat32(new Uint16Array([encoded]))[0])).toBe(true);
      } else if (encoded !== bits) {
        expect.fail(`BF16 bits 0x${bits.toString(16)} (${value}) encode to 0x${encoded.toString(16)}`);
      }
    }
  });

  it('rounds F16 to nearest even', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-1e6)).toBe(0xfc00);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400);
    expect(float16ArrayToFloat32(new Uint16Array([0x3555]))[0]).toBeCloseTo(0.333251953125, 12);
  });

  it('rounds BF16 to nearest even', () => {
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(float32ToBfloat16Bits(-Infinity)).toBe(0xff80);
  });
});

describe('safetensors reader', () => {
  it('converts F16 and BF16 within their precision', async () => {
    const data = values(50);
    const bytes = serializeSafetensors({ half: { dtype: 'F16', shape: [5, 10], data }, brain: { dtype: 'BF16', shape: [50], data } });
    const file = await SafetensorsFile.open(bytes);
    const half = await file.read('half');
    const brain = await file.read('brain');

    for (let i = 0; i < data.length; i++) {
      // Round to nearest: relative error at most 2^-11 (F16, 10 mantissa bits) and 2^-8 (BF16, 7 bits).
      expect(Math.abs(half[i] - data[i])).toBeLessThanOrEqual(Math.abs(data[i]) * 2 ** -11);
      expect(Math.abs(brain[i] - data[i])).toBeLessThanOrEqual(Math.abs(data[i]) * 2 ** -8);
    }
    expect(file.info('half')!.dtype).toBe('F16');
  });

  it('reads a Blob by slices, not whole', async () => {
    const big = values(4096);
    const bytes = serializeSafetensors({ big: { dtype: 'F32', shape: [4096], data: big }, small: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
    const requested: [number, number][] = [];
    class CountingBlob extends Blob {
      override slice(start?: number, end?: number, contentType?: string): Blob {
        requested.push([start ?? 0, end ?? this.size]);
        return super.slice(start, end, contentType);
      }
    }
    const blob = new CountingBlob([bytes as BlobPart]);

    const file = await SafetensorsFile.open(blob);
    expect(await file.read('small')).toEqual(new Float32Array([1, 2]));

    const bytesRead = requested.reduce((sum, [start, end]) => sum + end - start, 0);
    expect(requested.length).toBe(3);
    expect(bytesRead).toBeLessThan(bytes.length / 10);
    expect(await file.read('big')).toEqual(big);
  });

  it('reads a header that is not padded', async () => {
    const bytes = rawFile({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8);
    new DataView(bytes.buffer).setFloat32(bytes.length - 8, 1.25, true);
    new DataView(bytes.buffer).setFloat32(bytes.length - 4, -3, true);
    const file = await SafetensorsFile.open(bytes.buffer as ArrayBuffer);

    expect(await file.read('t')).toEqual(new Float32Array([1.25, -3]));
  });

  it('rejects unsupported dtypes on read', async () => {
    const bytes = rawFile({ 'embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [0, 16] } }, 16);
    const file = await SafetensorsFile.open(bytes);

    await expect(file.read('embeddings.position_ids')).rejects.toThrow(
      'model.safetensors: tensor "embeddings.position_ids" has dtype I64; only F32, F16, BF16 can be read as float32.',
    );
    await expect(file.read('nothing')).rejects.toThrow('model.safetensors: tensor "nothing" not found; the file has 1 tensors.');
  });

  it('rejects a file shorter than 8 bytes', async () => {
    await expectOpenError(new Uint8Array(5), 'model.safetensors: the file has 5 bytes, but a safetensors file starts with an 8-byte header length');
    await expectOpenError(new Uint8Array(0), 'the file has 0 bytes');
  });

  it('rejects a header length beyond the file', async () => {
    await expectOpenError(rawFile({}, 0, 1000n), 'the header length in the first 8 bytes is 1000 bytes, but only 2 bytes follow them (file size 10)');
    await expectOpenError(rawFile({}, 0, 2n ** 63n), `is ${2n ** 63n} bytes`, 'truncated or not a safetensors file');
  });

  it('rejects a header over the size limit', () => {
    const first = new Uint8Array(8);
    new DataView(first.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(() => readHeaderLength(first, 2 * MAX_HEADER_BYTES, 'big.safetensors')).toThrow(
      `big.safetensors: the header length is ${MAX_HEADER_BYTES + 1} bytes, more than the ${MAX_HEADER_BYTES} bytes that safetensors allows.`,
    );
  });

  it('rejects invalid JSON', async () => {
    await expectOpenError(rawFile('{"t": {"dtype": "F32",', 0), 'model.safetensors: the 22-byte header is not valid UTF-8 JSON');
    await expectOpenError(rawFile('', 0), 'the 0-byte header is not valid UTF-8 JSON');
    const invalidUtf8 = rawFile('{"x":1}', 0);
    invalidUtf8[10] = 0xff;
    await expectOpenError(invalidUtf8, 'is not valid UTF-8 JSON');
    await expectOpenError(rawFile('[1, 2]', 0), 'the header is an array; expected a JSON object.');
  });

  it('rejects invalid header entries', async () => {
    await expectOpenError(rawFile({ t: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, 4), 'tensor "t" has dtype "F31", which is not a safetensors dtype');
    await expectOpenError(rawFile({ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), 'tensor "t" has shape [-1]; expected an array of non-negative integers.');
    await expectOpenError(rawFile({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), 'tensor "t" has data_offsets [4,0]; expected [begin, end]');
    await expectOpenError(rawFile({ t: 7 }, 0), 'header entry for tensor "t" is 7');
    await expectOpenError(rawFile({ __metadata__: { format: 1 } }, 0), '"__metadata__" key "format" is 1; expected a string.');
  });

  it('rejects a byte length that does not match the shape', async () => {
    await expectOpenError(
      rawFile({ w: { dtype: 'F16', shape: [3, 4], data_offsets: [0, 20] } }, 20),
      'model.safetensors: tensor "w" (F16, shape [3, 4]) has 20 bytes at data_offsets [0, 20], expected 24 (12 elements × 2 bytes).',
    );
  });

  it('rejects a truncated file', async () => {
    const complete = serializeSafetensors({ a: { dtype: 'F32', shape: [4], data: values(4) }, b: { dtype: 'F32', shape: [8], data: values(8) } });
    const truncated = complete.subarray(0, complete.length - 10);

    await expectOpenError(
      truncated,
      `tensor "b" ends at byte 48 of the data section, but the file has only 38 data bytes (file size ${truncated.length}, expected at least ${complete.length}); the file is truncated.`,
    );
  });

  it('rejects gaps, overlaps and unindexed bytes', async () => {
    await expectOpenError(
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12),
      'tensor "b" begins at data offset 8, which leaves a gap after the end of tensor "a" (4); expected 4.',
    );
    await expectOpenError(
      rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      'tensor "b" begins at data offset 4, which overlaps the end of tensor "a" (8); expected 8.',
    );
    await expectOpenError(
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      'tensor "a" begins at data offset 4, which leaves a gap after the start of the data section (0); expected 0.',
    );
    await expectOpenError(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 7), 'the tensors cover 4 bytes of the 7-byte data section, expected all of it');
  });
});
