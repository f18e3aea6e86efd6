// Inference latency of the base model, a model with unmerged adapters and the same model with the adapters
// merged into its weights (mergeAdapters), per method, on any Engine: `npm run bench:merge` runs it in Node
// (Dawn) and `npm run bench:merge:browser` in Chromium through bench/merge.html. The model is a random BERT with
// the embedded model's sizes (hidden 128, 2 layers, 2 heads, intermediate 512), so no checkpoint is needed.
// A timed run lasts from recording an evaluation forward to the arrival of its logits on the host. The
// variants alternate within each round, so that background load hits them alike; the table shows medians.
// It also counts the compute dispatches of one forward, which no background load changes.
import type { AdapterValues } from '../adapters/init';
import { mergeAdapters } from '../adapters/io/merge';
import { targetFeatures } from '../adapters/io/snapshot';
import { ADAPTER_METHODS, METHOD_SPECS } from '../adapters/methods';
import type { Engine } from '../gpu/engine';
import { BertModel, type BertBatch } from '../model/bert';
import { encoderWeightShapes, type HostTensor } from '../model/bert-weights';
import { normalValues } from '../model/init';
import { adapterModulePath } from '../model/trainable';
import { createRandom, deriveSeed } from '../util/random';
import { MERGE_BENCH_CONFIG, type MergeBenchOptions, type MergeBenchReport, type MergeBenchRow } from './merge-report';

/** Random base weights as BERT's init draws them: N(0, 0.02²) matrices, LayerNorm weight 1 and bias 0. */
function randomWeights(): Record<string, HostTensor> {
  const weights: Record<string, HostTensor> = {};
  for (const [name, shape] of encoderWeightShapes(MERGE_BENCH_CONFIG)) {
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
  const inputIds = Int32Array.from({ length: batch * tokens }, () => 1 + Math.floor(random.next() * (MERGE_BENCH_CONFIG.vocabSize - 1)));
  return { batch, tokens, inputIds, tokenTypeIds: new Int32Array(batch * tokens), attentionMask: new Int32Array(batch * tokens).fill(1) };
}

/**
 * ‖actual − expected‖ / ‖expected‖, or NaN for a non-finite value. It is the same as relativeError in
 * src/gpu/checks/compare.ts, which this browser code cannot import because that module reads fixtures with node:fs.
 */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.NaN;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(actual[i])) return Number.NaN;
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
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

/** Builds the base model and, per method, one model that keeps its adapters and one that merges them. */
function buildVariants(engine: Engine, options: MergeBenchOptions): Variant[] {
  const weights = randomWeights();
  const task = { kind: 'classification', numLabels: 2 } as const;
  const variants: Variant[] = [{ name: 'base', model: BertModel.create(engine, MERGE_BENCH_CONFIG, weights, { task, trainable: { kind: 'head' }, seed: 1 }), times: [], dispatches: 0 }];
  for (const method of ADAPTER_METHODS) {
    const values: Record<string, AdapterValues> = {};
    const r = options.rank;
    for (let layer = 0; layer < MERGE_BENCH_CONFIG.numHiddenLayers; layer++) {
      for (const target of options.modules) {
        // Trained-like values: B is non-zero, so the merge changes the weights.
        const path = adapterModulePath(layer, target);
        const [inFeatures, outFeatures] = targetFeatures(MERGE_BENCH_CONFIG, target);
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
    const unmerged = BertModel.create(engine, MERGE_BENCH_CONFIG, weights, { task, trainable, seed: 1 });
    const merged = BertModel.create(engine, MERGE_BENCH_CONFIG, weights, { task, trainable, seed: 1 });
    mergeAdapters(merged);
    variants.push({ name: `${method} unmerged`, model: unmerged, times: [], dispatches: 0 }, { name: `${method} merged`, model: merged, times: [], dispatches: 0 });
  }
  return variants;
}

/** Runs the benchmark on `engine` and frees its models. `onProgress` receives a line per finished round. */
export async function runMergeBenchmark(engine: Engine, options: MergeBenchOptions, onProgress: (line: string) => void = () => {}): Promise<MergeBenchReport> {
  const batch = randomBatch(options.batch, options.tokens);
  const variants = buildVariants(engine, options);
  try {
    const rounds = options.warmup + options.reps;
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const started = performance.now();
        const logits = await variant.model.forward(batch, { train: false }).logits.readFloat();
        const elapsed = performance.now() - started;
        if (round >= options.warmup) variant.times.push(elapsed);
        variant.logits = logits;
      }
      onProgress(`Round ${round + 1} of ${rounds} done${round < options.warmup ? ' (warm-up)' : ''}.`);
    }

    for (const variant of variants) {
      variant.dispatches = await countDispatches(engine, () => variant.model.forward(batch, { train: false }).logits.readFloat());
    }

    const base = median(variants[0].times);
    const rows = variants.map((variant, i): MergeBenchRow => {
      const time = median(variant.times);
      // Each merged variant follows the unmerged one of its method.
      const mergedVsUnmerged = variant.name.endsWith(' merged') ? relativeError(variant.logits!, variants[i - 1].logits!) : null;
      return { name: variant.name, medianMs: time, minMs: Math.min(...variant.times), relative: time / base, dispatches: variant.dispatches, mergedVsUnmerged };
    });
    return { adapterName: engine.adapterName, options, rows };
  } finally {
    for (const variant of variants) variant.model.destroy();
  }
}
