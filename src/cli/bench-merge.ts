// npm run bench:merge — inference latency of the base model, a model with unmerged adapters and the same model
// with the adapters merged into its weights (mergeAdapters), per method, in Node (Dawn). The model is a random
// BERT with the embedded model's sizes (hidden 128, 2 layers, 2 heads, intermediate 512), so no checkpoint is
// needed. A timed run lasts from recording an evaluation forward to the arrival of its logits on the host.
// The variants alternate within each round, so that background load hits them alike; the table shows medians.
// It also counts the compute dispatches of one forward, which no background load changes.
// Options: --batch N (sequences, default 4), --tokens N (default 64), --rank N (default 8), --modules LIST
// (default query,value), --reps N (timed rounds, default 7), --warmup N (untimed rounds, at least 1, default 2).
import { parseArgs } from 'node:util';
import type { AdapterValues } from '../adapters/init';
import { mergeAdapters } from '../adapters/io/merge';
import { targetFeatures } from '../adapters/io/snapshot';
import { ADAPTER_METHODS, METHOD_SPECS } from '../adapters/methods';
import { relativeError } from '../gpu/checks/compare';
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';
import { BertModel, type BertBatch } from '../model/bert';
import { encoderWeightShapes, type BertArchitecture, type HostTensor } from '../model/bert-weights';
import { normalValues } from '../model/init';
import { ADAPTER_TARGETS, adapterModulePath, type AdapterTarget } from '../model/trainable';
import { createRandom, deriveSeed } from '../util/random';

const CONFIG: BertArchitecture = {
  vocabSize: 8192,
  hiddenSize: 128,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 512,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
};

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}".`);
  return value;
}

function readOptions(): { batch: number; tokens: number; rank: number; modules: AdapterTarget[]; reps: number; warmup: number } {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string', default: '4' },
      tokens: { type: 'string', default: '64' },
      rank: { type: 'string', default: '8' },
      modules: { type: 'string', default: 'query,value' },
      reps: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
    },
  });
  const modules = values.modules.split(',').map((module) => module.trim());
  for (const module of modules) {
    if (!(ADAPTER_TARGETS as readonly string[]).includes(module)) throw new Error(`--modules: "${module}" is unknown; use any of ${ADAPTER_TARGETS.join(', ')}.`);
  }
  const tokens = positiveInteger('tokens', values.tokens);
  if (tokens > CONFIG.maxPositionEmbeddings) throw new Error(`--tokens must be at most ${CONFIG.maxPositionEmbeddings}, got ${tokens}.`);
  return {
    batch: positiveInteger('batch', values.batch),
    tokens,
    rank: positiveInteger('rank', values.rank),
    modules: modules as AdapterTarget[],
    reps: positiveInteger('reps', values.reps),
    warmup: positiveInteger('warmup', values.warmup),
  };
}

/** Random base weights as BERT's init draws them: N(0, 0.02²) matrices, LayerNorm weight 1 and bias 0. */
function randomWeights(): Record<string, HostTensor> {
  const weights: Record<string, HostTensor> = {};
  for (const [name, shape] of encoderWeightShapes(CONFIG)) {
    const count = shape.reduce((product, size) => product * size, 1);
    let data: Float32Array;
    if (name.includes('LayerNorm')) {
      data = new Float32Array(count).fill(name.endsWith('weight') ? 1 : 0);
    } else {
      data = normalValues(deriveSeed(1, name), count, 0.02);
    }
    weights[name] = { shape, data };
  }
  return weights;
}

function randomBatch(batch: number, tokens: number): BertBatch {
  const random = createRandom(5);
  const inputIds = Int32Array.from({ length: batch * tokens }, () => 1 + Math.floor(random.next() * (CONFIG.vocabSize - 1)));
  return { batch, tokens, inputIds, tokenTypeIds: new Int32Array(batch * tokens), attentionMask: new Int32Array(batch * tokens).fill(1) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Variant {
  name: string;
  model: BertModel;
  times: number[];
  dispatches: number;
  logits?: Float32Array;
}

/** Counts the dispatches that `run` records on `engine`. */
async function countDispatches(engine: Engine, run: () => Promise<unknown>): Promise<number> {
  const dispatch = engine.dispatch.bind(engine);
  let count = 0;
  engine.dispatch = (...args) => {
    count++;
    dispatch(...args);
  };
  try {
    await run();
  } finally {
    engine.dispatch = dispatch;
  }
  return count;
}

async function main(): Promise<number> {
  const options = readOptions();
  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName });
  const weights = randomWeights();
  const task = { kind: 'classification', numLabels: 2 } as const;
  const batch = randomBatch(options.batch, options.tokens);

  // One base model, and per method one model that keeps its adapters and one that merges them.
  const variants: Variant[] = [{ name: 'base', model: BertModel.create(engine, CONFIG, weights, { task, trainable: { kind: 'head' }, seed: 1 }), times: [], dispatches: 0 }];
  for (const method of ADAPTER_METHODS) {
    const values: Record<string, AdapterValues> = {};
    const r = options.rank;
    for (let layer = 0; layer < CONFIG.numHiddenLayers; layer++) {
      for (const target of options.modules) {
        // Trained-like values: B is non-zero, so the merge changes the weights.
        const path = adapterModulePath(layer, target);
        const [inFeatures, outFeatures] = targetFeatures(CONFIG, target);
        const draw = (factor: string, count: number, std: number): Float32Array => normalValues(deriveSeed(2, `${path}.${factor}`), count, std);
        const factors = METHOD_SPECS[method].factors;
        values[path] = {
          a: draw('A', r * inFeatures, 1 / Math.sqrt(inFeatures)),
          b: draw('B', outFeatures * r, 0.02),
          c: factors.includes('C') ? draw('C', r * r, 1 / Math.sqrt(r)) : undefined,
          d: factors.includes('D') ? draw('D', r * r, 1 / Math.sqrt(r)) : undefined,
        };
      }
    }
    const trainable = { kind: 'adapters', method, rank: options.rank, alpha: 2 * options.rank, modules: options.modules, values } as const;
    const unmerged = BertModel.create(engine, CONFIG, weights, { task, trainable, seed: 1 });
    const merged = BertModel.create(engine, CONFIG, weights, { task, trainable, seed: 1 });
    mergeAdapters(merged);
    variants.push({ name: `${method} unmerged`, model: unmerged, times: [], dispatches: 0 }, { name: `${method} merged`, model: merged, times: [], dispatches: 0 });
  }

  for (let round = 0; round < options.warmup + options.reps; round++) {
    for (const variant of variants) {
      const started = performance.now();
      const logits = await variant.model.forward(batch, { train: false }).logits.readFloat();
      const elapsed = performance.now() - started;
      if (round >= options.warmup) variant.times.push(elapsed);
      variant.logits = logits;
    }
  }

  for (const variant of variants) {
    variant.dispatches = await countDispatches(engine, () => variant.model.forward(batch, { train: false }).logits.readFloat());
  }

  const base = median(variants[0].times);
  console.log(`Adapter: ${adapterName}. Batch ${options.batch} × ${options.tokens} tokens, rank ${options.rank} on ${options.modules.join(', ')}, median of ${options.reps} runs after ${options.warmup} warm-up rounds.`);
  console.log('| model | median ms | min ms | median / base | dispatches per forward | merged vs unmerged logits |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [i, variant] of variants.entries()) {
    // Each merged variant follows the unmerged one of its method.
    let agreement = '';
    if (variant.name.endsWith(' merged')) agreement = relativeError(variant.logits!, variants[i - 1].logits!).toExponential(1);
    const time = median(variant.times);
    console.log(`| ${variant.name} | ${time.toFixed(1)} | ${Math.min(...variant.times).toFixed(1)} | ${(time / base).toFixed(2)} | ${variant.dispatches} | ${agreement} |`);
  }
  for (const variant of variants) variant.model.destroy();
  engine.dispose();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
