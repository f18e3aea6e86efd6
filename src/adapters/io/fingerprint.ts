// A fingerprint of the base model that adapters were trained on, so that a re-import onto another
// checkpoint stops with a message naming the difference. It stores the architecture sizes and, per weight,
// a hash of 64 evenly spaced values: cheap on a 110M-parameter model, and any other checkpoint (another
// pretraining run, another fine-tune) differs in nearly every sampled value.
import { DEFAULT_INITIALIZER_RANGE, encoderWeightShapes, POOLER_WEIGHTS, type BertArchitecture, type NamedBertWeights } from '../../model/bert-weights';

/** Values sampled per weight tensor, spread evenly from the first to the last. */
const SAMPLES_PER_TENSOR = 64;

/** The architecture fields that decide the shapes and the forward; dropout is a training setting and left out. */
const ARCHITECTURE_FIELDS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
  'typeVocabSize',
  'layerNormEps',
  'padTokenId',
  'initializerRange',
] as const;

export type ArchitectureField = (typeof ARCHITECTURE_FIELDS)[number];

export interface BaseModelFingerprint {
  /** Architecture sizes and settings; padTokenId and initializerRange with their defaults filled in. */
  architecture: Record<ArchitectureField, number>;
  /** FNV-1a hash (8 hex digits) of the sampled float32 bits and the length of each encoder weight, by name. */
  weights: Record<string, string>;
  /** False when the checkpoint has no pooler, so the model drew pooler.dense from its seed. */
  hasPooler: boolean;
}

/** FNV-1a 32-bit over bytes, continuing from `hash`. */
function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let value = hash;
  for (let i = 0; i < bytes.length; i++) {
    value ^= bytes[i];
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value >>> 0;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** Hashes the length and SAMPLES_PER_TENSOR evenly spaced values (their float32 bits) of one tensor. */
function sampleHash(data: Float32Array): string {
  const count = Math.min(SAMPLES_PER_TENSOR, data.length);
  const samples = new Float32Array(count + 1);
  samples[0] = data.length;
  for (let k = 0; k < count; k++) {
    const index = count === 1 ? 0 : Math.floor((k * (data.length - 1)) / (count - 1));
    samples[k + 1] = data[index];
  }
  return hex8(fnv1a(new Uint8Array(samples.buffer)));
}

/** Returns the architecture fields of `config` with the model's defaults for the optional ones. */
export function architectureOf(config: BertArchitecture): Record<ArchitectureField, number> {
  return {
    vocabSize: config.vocabSize,
    hiddenSize: config.hiddenSize,
    numHiddenLayers: config.numHiddenLayers,
    numAttentionHeads: config.numAttentionHeads,
    intermediateSize: config.intermediateSize,
    maxPositionEmbeddings: config.maxPositionEmbeddings,
    typeVocabSize: config.typeVocabSize,
    layerNormEps: config.layerNormEps,
    padTokenId: config.padTokenId ?? 0,
    initializerRange: config.initializerRange ?? DEFAULT_INITIALIZER_RANGE,
  };
}

/**
 * Fingerprints the host weights of a base model: every encoder weight (embeddings, layers and the pooler when
 * present), not the masked-language-model head, which a classification model does not use.
 */
export function fingerprintBaseModel(config: BertArchitecture, weights: NamedBertWeights): BaseModelFingerprint {
  const hasPooler = POOLER_WEIGHTS.every((name) => name in weights);
  const hashes: Record<string, string> = {};
  for (const name of encoderWeightShapes(config).keys()) {
    const tensor = weights[name];
    if (!tensor) {
      if ((POOLER_WEIGHTS as readonly string[]).includes(name)) continue;
      throw new Error(`Cannot fingerprint the base model: weight "${name}" is missing.`);
    }
    hashes[name] = sampleHash(tensor.data);
  }
  return { architecture: architectureOf(config), weights: hashes, hasPooler };
}

/** Returns a short id of the whole fingerprint (8 hex digits), for file names and READMEs. */
export function fingerprintId(fingerprint: BaseModelFingerprint): string {
  const text = JSON.stringify([ARCHITECTURE_FIELDS.map((field) => fingerprint.architecture[field]), fingerprint.hasPooler, Object.entries(fingerprint.weights).sort()]);
  return hex8(fnv1a(new TextEncoder().encode(text)));
}

/**
 * Lists how `actual` differs from `stored`, one phrase per difference (at most five weights by name), or an
 * empty list when they match.
 */
export function fingerprintDifferences(stored: BaseModelFingerprint, actual: BaseModelFingerprint): string[] {
  const differences: string[] = [];
  for (const field of ARCHITECTURE_FIELDS) {
    if (stored.architecture[field] !== actual.architecture[field]) {
      differences.push(`${field} is ${stored.architecture[field]} in the file and ${actual.architecture[field]} in the model`);
    }
  }
  if (stored.hasPooler !== actual.hasPooler) {
    differences.push(stored.hasPooler ? 'the file was trained on a checkpoint with a pooler, the model has none' : 'the file was trained on a checkpoint without a pooler, the model has one');
  }
  if (differences.length > 0) return differences;

  const changed = Object.keys(stored.weights).filter((name) => stored.weights[name] !== actual.weights[name]);
  const added = Object.keys(actual.weights).filter((name) => !(name in stored.weights));
  const named = [...changed, ...added];
  if (named.length > 0) {
    const more = named.length > 5 ? ` and ${named.length - 5} more` : '';
    differences.push(`the values of ${named.slice(0, 5).map((name) => `"${name}"`).join(', ')}${more} differ`);
  }
  return differences;
}

/** Checks that a fingerprint read from a file has the expected fields and types; throws naming the first bad field. */
export function parseFingerprint(value: unknown, where: string): BaseModelFingerprint {
  if (value === null || typeof value !== 'object') throw new Error(`${where}: baseModel is ${JSON.stringify(value)}; expected an object.`);
  const { architecture, weights, hasPooler } = value as Record<string, unknown>;
  if (architecture === null || typeof architecture !== 'object') throw new Error(`${where}: baseModel.architecture is missing.`);
  for (const field of ARCHITECTURE_FIELDS) {
    if (typeof (architecture as Record<string, unknown>)[field] !== 'number') {
      throw new Error(`${where}: baseModel.architecture.${field} is ${JSON.stringify((architecture as Record<string, unknown>)[field])}; expected a number.`);
    }
  }
  if (weights === null || typeof weights !== 'object' || !Object.values(weights).every((hash) => typeof hash === 'string')) {
    throw new Error(`${where}: baseModel.weights must map weight names to hash strings.`);
  }
  if (typeof hasPooler !== 'boolean') throw new Error(`${where}: baseModel.hasPooler is ${JSON.stringify(hasPooler)}; expected true or false.`);
  return { architecture: architecture as Record<ArchitectureField, number>, weights: weights as Record<string, string>, hasPooler };
}
