// npm run compare — fine-tunes a checkpoint on a task with several methods and seeds in Node (Dawn), with
// the same runner as the browser Worker, and writes results.json, results.csv and summary.md. Progress
// lines go to stderr. Ctrl-C cancels at the next step and still writes the results so far.
// Run `npm run compare -- --help` for the options.
import { resolve } from 'node:path';
import { fingerprintBaseModel } from '../adapters/io/fingerprint';
import type { TaskDefinition } from '../data/task';
import { Engine } from '../gpu/engine';
import { acquireNodeDevice } from '../gpu/node-device';
import { weightsFromCheckpoint } from '../model/bert-weights';
import { loadCheckpointFromFolder } from '../model/node-sources';
import { ExperimentControl } from '../train/control';
import type { WorkerEvent } from '../train/protocol';
import { learningRateFor, runExperiment } from '../train/runner';
import { validateSpec } from '../train/spec';
import type { ExperimentSpec, RunRecord } from '../train/types';
import { helpText, parseCompareOptions, UsageError } from './compare-options';
import { compareSpecTaskOptions, resolveCompareTask } from './compare-task';
import { SAVE_ADAPTERS_FLAG, saveRunAdapters, takeFlag } from './save-adapters';
import { writeReport, type CompareReport } from './compare-report';

/** Exit status after Ctrl-C, the shell convention 128 + SIGINT. */
const EXIT_CANCELLED = 130;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function formatMetrics(metrics: Partial<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${value!.toFixed(4)}`)
    .join('  ');
}

async function main(commandLine: readonly string[]): Promise<number> {
  // --save-adapters takes no value, so it is removed before the option parser, which expects values.
  const { argv, present: saveAdapters } = takeFlag(commandLine, SAVE_ADAPTERS_FLAG);
  const options = parseCompareOptions(argv);
  if (!options) {
    console.log(helpText());
    return 0;
  }

  const task: TaskDefinition = await resolveCompareTask(options.task, options.taskOptions, log);
  const modelFolder = resolve(options.model);
  log(`Loading the model from ${modelFolder}.`);
  const { checkpoint, tokenizer } = await loadCheckpointFromFolder(modelFolder).catch((error: unknown) => {
    const hint = options.modelIsDefault ? ' The embedded model is built by `sh tools/pretrain/run.sh`; or pass --model <folder>.' : '';
    throw new Error(`${(error as Error).message}${hint}`, { cause: error });
  });
  checkpoint.notes.forEach((note) => log(`note: ${note}`));
  const startedAt = new Date().toISOString();
  const taskOptions = compareSpecTaskOptions(options.task, options.taskOptions, task);
  const spec: ExperimentSpec = {
    id: `compare-${startedAt.replace(/[:.]/g, '-')}`,
    createdAt: startedAt,
    model: { id: modelFolder, source: 'files' },
    taskId: task.id,
    ...(taskOptions === undefined ? {} : { taskOptions }),
    methods: options.methods,
    seeds: options.seeds,
    hyperparameters: options.hyperparameters,
  };
  try {
    validateSpec(spec, checkpoint.config);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (model ${modelFolder})`, { cause: error });
  }

  log(`Loading task "${task.id}".`);
  const splits = await task.load();
  log(`Task "${task.id}": ${splits.train.length} train, ${splits.dev.length} dev, ${splits.test.length} test examples.`);

  const { device, adapterName } = await acquireNodeDevice();
  const engine = new Engine(device, { adapterName });
  const learningRates = Object.fromEntries(options.methods.map((method) => [method, learningRateFor(method, spec, options.learningRates)]));
  const report: CompareReport = {
    spec,
    task: { id: task.id, name: task.name, metrics: task.metrics, primaryMetric: task.primaryMetric },
    model: { folder: modelFolder, hiddenSize: checkpoint.config.hiddenSize, layers: checkpoint.config.numHiddenLayers },
    adapterName,
    learningRates,
    status: 'running',
    startedAt,
    updatedAt: startedAt,
    runs: [],
  };

  const control = new ExperimentControl();
  const onInterrupt = (): void => {
    if (control.cancelled) {
      log('Second Ctrl-C: exiting without writing results.');
      process.exit(EXIT_CANCELLED);
    }
    log('Ctrl-C: cancelling at the next step; press again to exit at once.');
    control.cancel();
  };
  process.on('SIGINT', onInterrupt);

  // Results are rewritten after every run, so an interrupted comparison keeps the runs it finished.
  let writes = Promise.resolve<string[]>([]);
  const save = (): Promise<string[]> => {
    report.updatedAt = new Date().toISOString();
    writes = writes.then(() => writeReport(options.out, report));
    return writes;
  };

  const printStepEvery = Math.max(1, Math.floor(options.hyperparameters.steps / 20));
  const onEvent = (event: WorkerEvent): void => {
    switch (event.type) {
      case 'status':
        log(event.message);
        return;
      case 'run-started': {
        const percent = ((100 * event.trainableParameters) / event.totalParameters).toFixed(3);
        log(`${event.run.method} seed ${event.run.seed}: ${event.trainableParameters.toLocaleString('en-US')} of ${event.totalParameters.toLocaleString('en-US')} parameters train (${percent}%), learning rate ${learningRates[event.run.method]}.`);
        return;
      }
      case 'step': {
        const { point, progress } = event;
        if (point.step % printStepEvery !== 0 && point.step !== options.hyperparameters.steps) return;
        log(
          `${event.run.method} seed ${event.run.seed}  step ${point.step}/${options.hyperparameters.steps}  loss ${point.loss.toFixed(4)}  lr ${point.learningRate.toExponential(2)}  ` +
            `${Math.round(point.tokensPerSecond).toLocaleString('en-US')} tokens/s  total ${progress.done}/${progress.total}  ETA ${formatDuration(event.etaMs)}`,
        );
        return;
      }
      case 'eval':
        log(`${event.run.method} seed ${event.run.seed}  ${event.point.split} at step ${event.point.step}: loss ${event.point.loss.toFixed(4)}  ${formatMetrics(event.point.metrics)}`);
        return;
      case 'run-finished': {
        const record: RunRecord = event.record;
        const detail = record.status === 'failed' ? `: ${record.error}` : `, mean step time ${record.stepTimeMs.toFixed(1)} ms`;
        log(`${record.method} seed ${record.seed} ${record.status}${detail}.`);
        report.runs.push(record);
        save().catch((error: unknown) => log(`Writing results to ${options.out} failed: ${(error as Error).message}`));
        return;
      }
      case 'paused':
      case 'resumed':
      case 'ready':
      case 'experiment-finished':
        return;
      case 'error':
        log(`error: ${event.message}`);
        return;
    }
  };

  const weights = weightsFromCheckpoint(checkpoint);
  const baseModel = saveAdapters ? fingerprintBaseModel(checkpoint.config, weights) : null;
  const onRunFinished = async (model: Parameters<typeof saveRunAdapters>[1], record: RunRecord): Promise<void> => {
    if (!baseModel) return;
    // A failed export is logged and does not fail the run, whose metrics are still valid.
    try {
      const written = await saveRunAdapters(resolve(options.out), model, spec, record, baseModel);
      log(`Saved the adapters of ${record.method} seed ${record.seed}: ${written.join(', ')}.`);
    } catch (error) {
      log(`error: saving the adapters of ${record.method} seed ${record.seed} failed: ${(error as Error).message}`);
    }
  };

  try {
    const result = await runExperiment({
      engine,
      spec,
      config: checkpoint.config,
      weights,
      tokenizer,
      task,
      splits,
      learningRates: options.learningRates,
      control,
      onEvent,
      onRunFinished,
    });
    report.runs = result.runs;
    report.status = result.status;
    const paths = await save();
    log(`Wrote ${paths.join(', ')}.`);
    const failed = result.runs.filter((run) => run.status === 'failed').length;
    if (failed > 0) log(`${failed} of ${result.runs.length} runs failed; summary.md lists them.`);
    return result.status === 'cancelled' ? EXIT_CANCELLED : 0;
  } finally {
    process.off('SIGINT', onInterrupt);
    engine.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      log(`error: ${error.message}`);
      process.exit(2);
    }
    // The messages name the file or value and the fix, so a stack trace would only hide them.
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
