// The files `npm run compare` writes: results.json (spec and every run in full), results.csv (one row per
// run) and summary.md (per-method statistics over the seeds, from src/train/statistics.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { METHOD_SPECS } from '../adapters/methods';
import { METRIC_NAMES } from '../data/metric-names';
import type { MetricId, TaskDefinition } from '../data/task';
import { finalEvalMetric, stepTimeMs, summarizeByMethod, type MethodSummary, type Summary } from '../train/statistics';
import type { EvalPoint, ExperimentSpec, MethodId, RunRecord } from '../train/types';

/** Everything the three files are built from. */
export interface CompareReport {
  spec: ExperimentSpec;
  task: Pick<TaskDefinition, 'id' | 'name' | 'metrics' | 'primaryMetric'>;
  /** The checkpoint folder and its sizes. */
  model: { folder: string; hiddenSize: number; layers: number };
  adapterName: string;
  /** Peak learning rate each method trained with. */
  learningRates: Record<string, number>;
  status: 'running' | 'done' | 'cancelled';
  startedAt: string;
  updatedAt: string;
  /** Runs in plan order; an unfinished experiment has fewer than methods × seeds. */
  runs: RunRecord[];
}

const METHOD_NAMES: Readonly<Record<MethodId, string>> = {
  lora: METHOD_SPECS.lora.name,
  shim: METHOD_SPECS.shim.name,
  icfm: METHOD_SPECS.icfm.name,
  ctcm: METHOD_SPECS.ctcm.name,
  dtsm: METHOD_SPECS.dtsm.name,
  head: 'Head only',
  full: 'Full fine-tuning',
};

/** Writes results.json, results.csv and summary.md into `folder` (created when missing); returns their paths. */
export async function writeReport(folder: string, report: CompareReport): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const files: Array<[string, string]> = [
    ['results.json', resultsJson(report)],
    ['results.csv', resultsCsv(report)],
    ['summary.md', summaryMarkdown(report)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(folder, name);
    await writeFile(path, text);
    paths.push(path);
  }
  return paths;
}

/** Returns the last evaluation of a run on a split (the end of training), or undefined before it. */
function finalEval(run: RunRecord, split: EvalPoint['split']): EvalPoint | undefined {
  return run.evals.filter((point) => point.split === split).reduce<EvalPoint | undefined>((latest, point) => (!latest || point.step >= latest.step ? point : latest), undefined);
}

function trainablePercent(run: RunRecord): number {
  return run.totalParameters > 0 ? (100 * run.trainableParameters) / run.totalParameters : 0;
}

/** JSON with the spec and, per run, the whole record plus its learning rate and final metrics. Non-finite numbers become null. */
export function resultsJson(report: CompareReport): string {
  const runs = report.runs.map((run) => ({
    method: run.method,
    seed: run.seed,
    status: run.status,
    ...(run.error === undefined ? {} : { error: run.error }),
    learningRate: report.learningRates[run.method],
    trainableParameters: run.trainableParameters,
    totalParameters: run.totalParameters,
    trainablePercent: trainablePercent(run),
    stepTimeMs: run.stepTimeMs,
    dev: finalEval(run, 'dev') ?? null,
    test: finalEval(run, 'test') ?? null,
    curve: run.curve,
    evals: run.evals,
  }));
  const { runs: _runs, ...rest } = report;
  return `${JSON.stringify({ ...rest, runs }, null, 2)}\n`;
}

/** Builds the CSV: one row per run with status, learning rate, last training loss, final dev and test loss and metrics, sizes, step time and error. */
export function resultsCsv(report: CompareReport): string {
  const metrics = report.task.metrics;
  const header = [
    'method',
    'seed',
    'status',
    'learning_rate',
    'steps_done',
    'final_train_loss',
    'dev_loss',
    ...metrics.map((metric) => `dev_${metric}`),
    'test_loss',
    ...metrics.map((metric) => `test_${metric}`),
    'trainable_parameters',
    'total_parameters',
    'trainable_percent',
    'step_time_ms',
    'error',
  ];
  const rows = report.runs.map((run) => {
    const dev = finalEval(run, 'dev');
    const test = finalEval(run, 'test');
    const last = run.curve.at(-1);
    return [
      run.method,
      run.seed,
      run.status,
      report.learningRates[run.method],
      last?.step ?? 0,
      last?.loss,
      dev?.loss,
      ...metrics.map((metric) => dev?.metrics[metric]),
      test?.loss,
      ...metrics.map((metric) => test?.metrics[metric]),
      run.trainableParameters,
      run.totalParameters,
      trainablePercent(run),
      run.stepTimeMs,
      run.error ?? '',
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** Formats one CSV field, quoted when it contains a comma, a quote or a line break (RFC 4180). A missing or non-finite number is empty. */
function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatMetric(value: number): string {
  return value.toFixed(4);
}

/** Formats mean ± sample std over seeds. One finished run has no spread, so it gets "(1 run, no std)" as on the page. */
function formatMeanStd(summary: Summary | null): string {
  if (summary === null) return '–';
  if (summary.count === 1) return `${formatMetric(summary.mean)} (1 run, no std)`;
  return `${formatMetric(summary.mean)} ± ${formatMetric(summary.std)}`;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * Builds the Markdown summary. Its first table has one row per method with the primary test metric (mean ± sample
 * std, min and max over the finished runs), trainable parameters and step time. A second table has every test
 * metric, and a list gives the failed runs.
 */
export function summaryMarkdown(report: CompareReport): string {
  const { spec, task } = report;
  const hp = spec.hyperparameters;
  const primary = task.primaryMetric;
  const primaryName = METRIC_NAMES[primary];
  const primarySummaries = summarizeByMethod(report.runs, finalEvalMetric('test', primary));
  const stepTimes = summarizeByMethod(report.runs, stepTimeMs);
  const byMethod = (summaries: MethodSummary[], method: MethodId): MethodSummary | undefined => summaries.find((entry) => entry.method === method);

  const lines: string[] = [
    `# ${task.name}: ${spec.methods.map((method) => METHOD_NAMES[method]).join(', ')}`,
    '',
    `- Model: ${report.model.folder} (hidden size ${report.model.hiddenSize}, ${report.model.layers} layers); GPU adapter: ${report.adapterName}`,
    `- Seeds: ${spec.seeds.join(', ')}; ${hp.steps} steps per run, batch ${hp.batchSize}, max length ${hp.maxLength} tokens, warm-up ${hp.warmupSteps} steps`,
    `- Adapters: rank ${hp.rank}, alpha ${hp.alpha}, modules ${hp.modules.join(', ')}; weight decay ${hp.weightDecay}, dropout ${hp.dropout}, max grad norm ${hp.maxGradNorm}`,
    `- Learning rates: ${spec.methods.map((method) => `${method} ${report.learningRates[method]}`).join(', ')}`,
    `- Status: ${report.status}, ${report.runs.filter((run) => run.status === 'done').length} of ${spec.methods.length * spec.seeds.length} runs finished (${report.startedAt} to ${report.updatedAt})`,
    '',
    `Test ${primaryName} at the end of training over the finished runs of each method. ± is the sample standard deviation over seeds; a method with one finished run has none.`,
    '',
    `| Method | Runs | Test ${primaryName} mean ± std | Min | Max | Trainable parameters | Trainable % | Step time (ms) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const method of spec.methods) {
    const runs = report.runs.filter((run) => run.method === method);
    const summary = byMethod(primarySummaries, method)?.summary ?? null;
    const sized = runs.find((run) => run.totalParameters > 0);
    const stepTime = byMethod(stepTimes, method)?.summary ?? null;
    lines.push(
      `| ${METHOD_NAMES[method]} | ${summary?.count ?? 0}/${spec.seeds.length} | ${formatMeanStd(summary)} | ${summary ? formatMetric(summary.min) : '–'} | ${summary ? formatMetric(summary.max) : '–'} | ` +
        `${sized ? formatCount(sized.trainableParameters) : '–'} | ${sized ? `${trainablePercent(sized).toFixed(3)}%` : '–'} | ${stepTime ? stepTime.mean.toFixed(1) : '–'} |`,
    );
  }

  lines.push('', 'Every test metric, mean ± std over the finished runs:', '', `| Method | ${task.metrics.map((metric) => METRIC_NAMES[metric]).join(' | ')} |`, `| --- |${task.metrics.map(() => ' ---: |').join('')}`);
  const metricSummaries = new Map<MetricId, MethodSummary[]>(task.metrics.map((metric) => [metric, summarizeByMethod(report.runs, finalEvalMetric('test', metric))]));
  for (const method of spec.methods) {
    const cells = task.metrics.map((metric) => formatMeanStd(byMethod(metricSummaries.get(metric)!, method)?.summary ?? null));
    lines.push(`| ${METHOD_NAMES[method]} | ${cells.join(' | ')} |`);
  }

  const failed = report.runs.filter((run) => run.status === 'failed');
  if (failed.length > 0) {
    lines.push('', 'Failed runs:', '');
    for (const run of failed) lines.push(`- ${METHOD_NAMES[run.method]}, seed ${run.seed}: ${run.error ?? 'no message'}`);
  }
  return `${lines.join('\n')}\n`;
}
