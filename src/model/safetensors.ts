// Reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
//
//   bytes [0, 8)        N, the header length, as an unsigned 64-bit little-endian integer
//   bytes [8, 8 + N)    a UTF-8 JSON object { name: { dtype, shape, data_offsets: [begin, end] } },
//                       with an optional "__metadata__" entry that maps strings to strings
//   bytes [8 + N, end)  the data section; data_offsets are relative to its start, and the tensors
//                       cover it without gaps or overlaps
//
// The reader parses the header from the first 8 + N bytes and reads each tensor on request, so a
// Blob or File source (a dropped file, `fs.openAsBlob` in Node) is never copied whole.

import { ModelFileError } from './errors';
import { bfloat16ArrayToFloat32, float16ArrayToFloat32, float32ToBfloat16Bits, float32ToFloat16Bits } from './float16';

/** Bytes per element of each dtype in the specification. Only F32, F16 and BF16 can be read. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** The dtypes that `SafetensorsFile.read` converts to float32. */
export type FloatDtype = 'F32' | 'F16' | 'BF16';
const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];

/** The same limit as the reference Rust implementation (safetensors crate, MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';

/** One header entry. `dataOffsets` are relative to the start of the data section, in bytes. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  dataOffsets: [number, number];
}

/** The parsed header of one file, checked against the file size. */
export interface SafetensorsHeader {
  fileName: string;
  fileSize: number;
  /** Byte offset of the data section in the file: 8 + the header length. */
  dataStart: number;
  /** Entries in file order of their data. */
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
}

/** An in-memory file or a Blob/File that is read by slices. */
export type SafetensorsSource = Blob | ArrayBuffer | Uint8Array;

/** A tensor for `serializeSafetensors`: float32 values, stored as `dtype`. */
export interface SafetensorsWriteTensor {
  dtype: FloatDtype;
  shape: readonly number[];
  data: Float32Array;
}

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * Reads the header length N from the first 8 bytes and checks that 8 + N bytes fit in the file.
 * Returns N.
 */
export function readHeaderLength(firstBytes: Uint8Array, fileSize: number, fileName: string): number {
  if (fileSize < 8 || firstBytes.length < 8) {
    throw new ModelFileError(
      fileName,
      `the file has ${fileSize} bytes, but a safetensors file starts with an 8-byte header length; the file is truncated or not a safetensors file.`,
    );
  }

  const view = new DataView(firstBytes.buffer, firstBytes.byteOffset, 8);
  const headerLength = view.getBigUint64(0, true);
  const available = fileSize - 8;
  if (headerLength > BigInt(available)) {
    throw new ModelFileError(
      fileName,
      `the header length in the first 8 bytes is ${headerLength} bytes, but only ${available} bytes follow them ` +
        `(file size ${fileSize}); the file is truncated or not a safetensors file.`,
    );
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFileError(
      fileName,
      `the header length is ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} bytes that safetensors allows.`,
    );
  }
  return Number(headerLength);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks one header entry and returns it typed; `entry` is the parsed JSON value. */
function parseTensorEntry(fileName: string, name: string, entry: unknown): SafetensorsTensorInfo {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ModelFileError(fileName, `header entry for tensor "${name}" is ${JSON.stringify(entry)}; expected an object with dtype, shape and data_offsets.`);
  }
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;

  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw new ModelFileError(
      fileName,
      `tensor "${name}" has dtype ${JSON.stringify(dtype)}, which is not a safetensors dtype; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}.`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new ModelFileError(fileName, `tensor "${name}" has shape ${JSON.stringify(shape)}; expected an array of non-negative integers.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
    throw new ModelFileError(
      fileName,
      `tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with integers 0 <= begin <= end.`,
    );
  }

  const [begin, end] = offsets as [number, number];
  const count = elementCount(shape);
  const expectedBytes = count * DTYPE_BYTES[dtype];
  if (end - begin !== expectedBytes) {
    throw new ModelFileError(
      fileName,
      `tensor "${name}" (${dtype}, shape ${formatShape(shape)}) has ${end - begin} bytes at data_offsets [${begin}, ${end}], ` +
        `expected ${expectedBytes} (${count} elements × ${DTYPE_BYTES[dtype]} bytes).`,
    );
  }
  return { name, dtype, shape: [...shape], dataOffsets: [begin, end] };
}

function parseMetadata(fileName: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModelFileError(fileName, `"${METADATA_KEY}" is ${JSON.stringify(value)}; expected an object of strings.`);
  }
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw new ModelFileError(fileName, `"${METADATA_KEY}" key "${key}" is ${JSON.stringify(entry)}; expected a string.`);
    }
    metadata[key] = entry;
  }
  return metadata;
}

/** Checks that the tensors cover the data section exactly: from byte 0 to its end, no gap, no overlap. */
function checkDataLayout(fileName: string, tensors: SafetensorsTensorInfo[], dataLength: number, fileSize: number): void {
  for (const tensor of tensors) {
    const end = tensor.dataOffsets[1];
    if (end > dataLength) {
      throw new ModelFileError(
        fileName,
        `tensor "${tensor.name}" ends at byte ${end} of the data section, but the file has only ${dataLength} data bytes ` +
          `(file size ${fileSize}, expected at least ${fileSize - dataLength + end}); the file is truncated.`,
      );
    }
  }

  let position = 0;
  let previous: SafetensorsTensorInfo | null = null;
  for (const tensor of tensors) {
    const [begin, end] = tensor.dataOffsets;
    if (begin !== position) {
      const where = previous === null ? 'the start of the data section (0)' : `the end of tensor "${previous.name}" (${position})`;
      const problem = begin > position ? 'leaves a gap after' : 'overlaps';
      throw new ModelFileError(fileName, `tensor "${tensor.name}" begins at data offset ${begin}, which ${problem} ${where}; expected ${position}.`);
    }
    position = end;
    previous = tensor;
  }
  if (position !== dataLength) {
    throw new ModelFileError(
      fileName,
      `the tensors cover ${position} bytes of the ${dataLength}-byte data section, expected all of it; ` +
        `the file has ${dataLength - position} unindexed trailing bytes.`,
    );
  }
}

/**
 * Parses and validates a header. `prefix` contains at least the first 8 + N bytes of the file, and
 * `fileSize` is the size of the whole file, which the data offsets are checked against.
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number, fileName: string): SafetensorsHeader {
  const headerLength = readHeaderLength(prefix, fileSize, fileName);
  if (prefix.length < 8 + headerLength) {
    throw new ModelFileError(fileName, `got ${prefix.length} bytes of the file to parse the header, expected ${8 + headerLength}.`);
  }

  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, 8 + headerLength));
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(fileName, `the ${headerLength}-byte header is not valid UTF-8 JSON (${(error as Error).message}).`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ModelFileError(fileName, `the header is ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}; expected a JSON object.`);
  }

  let metadata: Record<string, string> = {};
  const entries: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(fileName, entry);
    } else {
      entries.push(parseTensorEntry(fileName, name, entry));
    }
  }

  entries.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  const dataStart = 8 + headerLength;
  checkDataLayout(fileName, entries, fileSize - dataStart, fileSize);

  return { fileName, fileSize, dataStart, tensors: new Map(entries.map((entry) => [entry.name, entry])), metadata };
}

/** Returns bytes [begin, end) of the file in a new buffer that starts at byte offset 0. */
type ByteReader = (begin: number, end: number) => Promise<Uint8Array>;

function byteReader(source: SafetensorsSource): { size: number; read: ByteReader } {
  if (source instanceof Blob) {
    return {
      size: source.size,
      read: async (begin, end) => new Uint8Array(await source.slice(begin, end).arrayBuffer()),
    };
  }
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return { size: bytes.length, read: async (begin, end) => bytes.slice(begin, end) };
}

/** Decodes little-endian F32, F16 or BF16 bytes (in a buffer of their own) to float32 values. */
function decodeFloats(dtype: FloatDtype, bytes: Uint8Array): Float32Array {
  if (isLittleEndianHost && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) {
    if (dtype === 'F32') {
      return new Float32Array(bytes.buffer as ArrayBuffer);
    }
    const halves = new Uint16Array(bytes.buffer as ArrayBuffer);
    return dtype === 'F16' ? float16ArrayToFloat32(halves) : bfloat16ArrayToFloat32(halves);
  }

  // Big-endian hosts or shared buffers: read element by element through a DataView.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) {
      out[i] = view.getFloat32(4 * i, true);
    }
    return out;
  }
  const halves = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < halves.length; i++) {
    halves[i] = view.getUint16(2 * i, true);
  }
  return dtype === 'F16' ? float16ArrayToFloat32(halves) : bfloat16ArrayToFloat32(halves);
}

/** An opened safetensors file: the parsed header, and tensors read on request. */
export class SafetensorsFile {
  readonly header: SafetensorsHeader;
  private readonly readBytes: ByteReader;

  private constructor(header: SafetensorsHeader, readBytes: ByteReader) {
    this.header = header;
    this.readBytes = readBytes;
  }

  /** Reads and validates the header; a Blob source is read by slices, never whole. */
  static async open(source: SafetensorsSource, fileName = 'model.safetensors'): Promise<SafetensorsFile> {
    const { size, read } = byteReader(source);
    const firstBytes = await read(0, Math.min(8, size));
    const headerLength = readHeaderLength(firstBytes, size, fileName);
    const prefix = await read(0, 8 + headerLength);
    return new SafetensorsFile(parseSafetensorsHeader(prefix, size, fileName), read);
  }

  /** Tensor names in the order of their data in the file. */
  get names(): string[] {
    return [...this.header.tensors.keys()];
  }

  get fileName(): string {
    return this.header.fileName;
  }

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  info(name: string): SafetensorsTensorInfo | undefined {
    return this.header.tensors.get(name);
  }

  /** Reads one tensor and converts it to float32. Rejects dtypes other than F32, F16 and BF16. */
  async read(name: string): Promise<Float32Array> {
    const info = this.header.tensors.get(name);
    if (info === undefined) {
      throw new ModelFileError(this.fileName, `tensor "${name}" not found; the file has ${this.header.tensors.size} tensors.`);
    }
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new ModelFileError(
        this.fileName,
        `tensor "${name}" has dtype ${info.dtype}; only ${FLOAT_DTYPES.join(', ')} can be read as float32. Convert the checkpoint to float32.`,
      );
    }

    const [begin, end] = info.dataOffsets;
    const bytes = await this.readBytes(this.header.dataStart + begin, this.header.dataStart + end);
    if (bytes.length !== end - begin) {
      throw new ModelFileError(
        this.fileName,
        `reading tensor "${name}" returned ${bytes.length} bytes, expected ${end - begin}; the file changed or is truncated.`,
      );
    }
    return decodeFloats(info.dtype as FloatDtype, bytes);
  }
}

/** Encodes float32 values as little-endian `dtype` bytes into `out` at byte offset `offset`. */
function encodeFloats(dtype: FloatDtype, data: Float32Array, view: DataView, offset: number): void {
  if (dtype === 'F32') {
    for (let i = 0; i < data.length; i++) {
      view.setFloat32(offset + 4 * i, data[i], true);
    }
    return;
  }
  const encode = dtype === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
  for (let i = 0; i < data.length; i++) {
    view.setUint16(offset + 2 * i, encode(data[i]), true);
  }
}

/**
 * Writes tensors (and optional string metadata) in the safetensors format. As the reference
 * implementation does, tensors are ordered by element size (largest first) and then by name, and
 * the JSON header is padded with spaces so that the data section starts at a multiple of 8 bytes.
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, SafetensorsWriteTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = Object.entries(tensors);
  for (const [name, tensor] of entries) {
    if (name === METADATA_KEY || name.length === 0) {
      throw new Error(`Cannot write a tensor named ${JSON.stringify(name)}: the name must be non-empty and not "${METADATA_KEY}".`);
    }
    if (!FLOAT_DTYPES.includes(tensor.dtype)) {
      throw new Error(`Cannot write tensor "${name}" as dtype ${tensor.dtype}: use F32, F16 or BF16.`);
    }
    if (!tensor.shape.every(isNonNegativeInteger)) {
      throw new Error(`Cannot write tensor "${name}": shape ${formatShape(tensor.shape)} must contain non-negative integers.`);
    }
    if (tensor.data.length !== elementCount(tensor.shape)) {
      throw new Error(`Cannot write tensor "${name}": it has ${tensor.data.length} values, but shape ${formatShape(tensor.shape)} needs ${elementCount(tensor.shape)}.`);
    }
  }
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value !== 'string') {
      throw new Error(`Cannot write metadata key "${key}": its value ${JSON.stringify(value)} must be a string.`);
    }
  }

  entries.sort(([nameA, a], [nameB, b]) => {
    const bySize = DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype];
    if (bySize !== 0) {
      return bySize;
    }
    return nameA < nameB ? -1 : 1;
  });

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    header[METADATA_KEY] = { ...metadata };
  }
  let dataLength = 0;
  for (const [name, tensor] of entries) {
    const byteLength = tensor.data.length * DTYPE_BYTES[tensor.dtype];
    header[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [dataLength, dataLength + byteLength] };
    dataLength += byteLength;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + dataLength);
  const view = new DataView(out.buffer);

  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);

  let offset = 8 + headerLength;
  for (const [, tensor] of entries) {
    encodeFloats(tensor.dtype, tensor.data, view, offset);
    offset += tensor.data.length * DTYPE_BYTES[tensor.dtype];
  }
  return out;
}
