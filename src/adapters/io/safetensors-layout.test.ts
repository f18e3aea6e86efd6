// The exported safetensors files follow the format byte by byte: an 8-byte little-endian header length N,
// N bytes of UTF-8 JSON padded with spaces to a multiple of 8, entries {dtype, shape, data_offsets} that
// tile the data section from 0 without gaps, "__metadata__" mapping strings to strings, and little-endian
// float32 data. Also a round trip through SafetensorsFile.
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../gpu/test-engine';
import type { Engine } from '../../gpu/engine';
import { BertModel } from '../../model/bert';
import { loadEncoderFixture, type EncoderFixture } from '../../model/encoder-check';
import { SafetensorsFile } from '../../model/safetensors';
import { buildPeftFiles, peftTensors, PEFT_WEIGHTS_FILE } from './export-peft';
import { serializeNativeAdapters } from './native-format';
import { readAdapterSnapshot, type AdapterSnapshot } from './snapshot';
import { fixtureRunInfo, TEST_TARGETS, trainedLikeHead, trainedLikeValues } from './fixture-models';

let engine: Engine;
let fixture: EncoderFixture;
let snapshot: AdapterSnapshot;

beforeAll(async () => {
  engine = await testEngine();
  fixture = await loadEncoderFixture();
  const model = BertModel.create(engine, fixture.config, fixture.weights, {
    task: { kind: 'classification', numLabels: 3 },
    trainable: { kind: 'adapters', method: 'ctcm', rank: 2, alpha: 4, modules: TEST_TARGETS, values: trainedLikeValues(fixture, 'ctcm', 2, TEST_TARGETS, 51) },
    seed: 4,
    head: trainedLikeHead(fixture, 52),
  });
  snapshot = await readAdapterSnapshot(model);
  model.destroy();
});

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Parses the header by hand from the raw bytes, checking the layout rules on the way. */
function parseByHand(bytes: Uint8Array): { headerLength: number; header: Record<string, unknown> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  expect(headerLength % 8, 'header length is a multiple of 8').toBe(0);
  expect(8 + headerLength).toBeLessThanOrEqual(bytes.length);

  const headerBytes = bytes.subarray(8, 8 + headerLength);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  const trimmed = text.replace(/ +$/, '');
  // Only spaces pad the JSON, and the JSON object starts at byte 8.
  expect(text.slice(trimmed.length)).toMatch(/^ {0,7}$/);
  expect(trimmed.startsWith('{')).toBe(true);
  return { headerLength, header: JSON.parse(trimmed) as Record<string, unknown> };
}

function checkLayout(bytes: Uint8Array): void {
  const { headerLength, header } = parseByHand(bytes);
  const metadata = header.__metadata__ as Record<string, unknown>;
  expect(Object.values(metadata).every((value) => typeof value === 'string')).toBe(true);

  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, entry]) => [name, entry as HeaderEntry] as const)
    .sort(([, a], [, b]) => a.data_offsets[0] - b.data_offsets[0]);
  const dataStart = 8 + headerLength;
  let position = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, entry] of entries) {
    expect(Object.keys(entry).sort(), name).toEqual(['data_offsets', 'dtype', 'shape']);
    expect(entry.dtype, name).toBe('F32');
    const count = entry.shape.reduce((product, size) => product * size, 1);
    expect(entry.data_offsets, name).toEqual([position, position + 4 * count]);
    position += 4 * count;
    // The first value, read as little-endian float32 at its offset, is finite (adapter values are).
    expect(Number.isFinite(view.getFloat32(dataStart + entry.data_offsets[0], true)), name).toBe(true);
  }
  expect(dataStart + position, 'the data section ends the file').toBe(bytes.length);
}

describe('safetensors layout', () => {
  it('PEFT file header and data follow the format', async () => {
    const bytes = buildPeftFiles(snapshot, fixtureRunInfo(fixture))[PEFT_WEIGHTS_FILE];
    checkLayout(bytes);

    // The bytes of one tensor are its values as little-endian float32.
    const { headerLength, header } = parseByHand(bytes);
    const name = 'base_model.model.bert.encoder.layer.1.attention.self.value.lora_A.weight';
    const entry = header[name] as HeaderEntry;
    const expected = peftTensors(snapshot, fixtureRunInfo(fixture))[name].data;
    const view = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength + entry.data_offsets[0], 4 * expected.length);
    expect(Float32Array.from({ length: expected.length }, (_, i) => view.getFloat32(4 * i, true))).toEqual(expected);
  });

  it('native file header and data follow the format', () => {
    const bytes = serializeNativeAdapters(snapshot, fixtureRunInfo(fixture));
    checkLayout(bytes);
    const { header } = parseByHand(bytes);
    const metadata = header.__metadata__ as Record<string, string>;
    expect(metadata.format).toBe('mtlora-adapters');
    expect(metadata.format_version).toBe('1');
    expect((JSON.parse(metadata.description) as { method: string }).method).toBe('ctcm');
  });

  it('round-trips every tensor through SafetensorsFile', async () => {
    const bytes = serializeNativeAdapters(snapshot, fixtureRunInfo(fixture));
    const file = await SafetensorsFile.open(bytes);
    for (const module of snapshot.modules) {
      expect(await file.read(`${module.path}.A`)).toEqual(module.values.a);
      expect(await file.read(`${module.path}.B`)).toEqual(module.values.b);
      expect(await file.read(`${module.path}.C`)).toEqual(module.values.c);
      expect(await file.read(`${module.path}.D`)).toEqual(module.values.d);
      expect(file.info(`${module.path}.B`)?.shape).toEqual([module.outFeatures, 2]);
    }
    expect(await file.read('classifier.bias')).toEqual(snapshot.head.bias);
    expect(file.names).toHaveLength(2 * TEST_TARGETS.length * 4 + 2);
  });
});
