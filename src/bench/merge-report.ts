// The options, result rows and table of the merge latency benchmark (merge-latency.ts), without GPU code, so
// that the Chromium driver src/cli/bench-merge-browser.ts can check options and print the table in plain Node.
import type { BertArchitecture } from '../model/bert-weights';
import { ADAPTER_TARGETS, type AdapterTarget } from '../model/trainable';

/** A random BERT with the embedded model's sizes, so that no checkpoint is needed. */
export const MERGE_BENCH_CONFIG: BertArchitecture = {
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

export interface MergeBenchOptions {
  /** Sequences per forward. */
  batch: number;
  /** Tokens per sequence. */
  tokens: number;
  rank: number;
  modules: AdapterTarget[];
  /** Timed rounds. */
  reps: number;
  /** Untimed rounds before them, at least 1 (the first forward of a variant builds its pipelines). */
  warmup: number;
}

/** The options as text, from the command line or a page's query string; absent fields take the defaults. */
export type MergeBenchOptionText = Partial<Record<keyof MergeBenchOptions, string>>;

export const MERGE_BENCH_DEFAULTS: Readonly<Required<MergeBenchOptionText>> = {
  batch: '4',
  tokens: '64',
  rank: '8',
  modules: 'query,value',
  reps: '7',
  warmup: '2',
};

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${text}".`);
  return value;
}

/** Parses and checks the options; throws naming the invalid option and the values it accepts. */
export function parseMergeBenchOptions(text: MergeBenchOptionText): MergeBenchOptions {
  const values = { ...MERGE_BENCH_DEFAULTS, ...Object.fromEntries(Object.entries(text).filter(([, value]) => value !== undefined)) };
  const modules = values.modules.split(',').map((module) => module.trim());
  for (const module of modules) {
    if (!(ADAPTER_TARGETS as readonly string[]).includes(module)) throw new Error(`--modules: "${module}" is unknown; use any of ${ADAPTER_TARGETS.join(', ')}.`);
  }
  const tokens = positiveInteger('tokens', values.tokens);
  if (tokens > MERGE_BENCH_CONFIG.maxPositionEmbeddings) throw new Error(`--tokens must be at most ${MERGE_BENCH_CONFIG.maxPositionEmbeddings}, got ${tokens}.`);
  return {
    batch: positiveInteger('batch', values.batch),
    tokens,
    rank: positiveInteger('rank', values.rank),
    modules: modules as AdapterTarget[],
    reps: positiveInteger('reps', values.reps),
    warmup: positiveInteger('warmup', values.warmup),
  };
}

/** One row of the result table. */
export interface MergeBenchRow {
  /** "base", or "<method> unmerged" / "<method> merged". */
  name: string;
  medianMs: number;
  minMs: number;
  /** Median over the base model's median. */
  relative: number;
  dispatches: number;
  /** ‖merged − unmerged‖ / ‖unmerged‖ of the logits, on merged rows only. */
  mergedVsUnmerged: number | null;
}

export interface MergeBenchReport {
  adapterName: string;
  options: MergeBenchOptions;
  rows: MergeBenchRow[];
}

/** Formats the report as a description line and a Markdown table. */
export function formatMergeReport(report: MergeBenchReport): string {
  const { options } = report;
  const lines = [
    `Adapter: ${report.adapterName}. Batch ${options.batch} × ${options.tokens} tokens, rank ${options.rank} on ${options.modules.join(', ')}, median of ${options.reps} runs after ${options.warmup} warm-up rounds.`,
    '| model | median ms | min ms | median / base | dispatches per forward | merged vs unmerged logits |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of report.rows) {
    const agreement = row.mergedVsUnmerged === null ? '' : row.mergedVsUnmerged.toExponential(1);
    lines.push(`| ${row.name} | ${row.medianMs.toFixed(1)} | ${row.minMs.toFixed(1)} | ${row.relative.toFixed(2)} | ${row.dispatches} | ${agreement} |`);
  }
  return lines.join('\n');
}
