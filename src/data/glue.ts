// GLUE tasks read from the Parquet files of the Hugging Face Hub dataset nyu-mll/glue. The Hub's GLUE test
// splits have no public labels (label −1), so the Hub's validation split is the dev split here and the
// test split is a seeded, stratified hold-out carved from the Hub's train split.

import { ModelFileError } from '../model/errors';
import { fetchModelFile } from '../model/http-files';
import { GLUE_CONFIGS, GLUE_TASK_IDS, type GlueConfig, type GlueTaskId, type GlueTrainSize } from './glue-configs';
import { DatasetFileError, readParquetColumns } from './parquet';
import { quantileBinner, stratifiedSample } from './sampling';
import { duplicateKey } from './split';
import type { TaskDefinition, TaskExample, TaskLoadOptions, TaskSplits } from './task';

export const GLUE_HUB_REPOSITORY = 'nyu-mll/glue';

/** Cache Storage name for downloaded data files, apart from the model files' cache. */
export const DATASET_CACHE_NAME = 'mtlora-dataset-files-v1';

/** Seed of the test hold-out and the train subsample. Fixed, so every user and run gets the same splits. */
export const GLUE_SPLIT_SEED = 2018;

/** Largest share of the Hub's train split held out as the test split. */
export const GLUE_HOLD_OUT_FRACTION = 0.1;

/** Score bins that STS-B is stratified by (deciles of the score). */
const REGRESSION_STRATA = 10;

/**
 * Share of a file's rows that may be skipped for an empty text before the file counts as invalid. GLUE
 * has a few such rows (QQP has pairs with an empty question); many of them mean a wrong column layout.
 */
const MAX_SKIPPED_SHARE = 0.01;

export type GlueFileSplit = 'train' | GlueConfig['evaluationSplit'];

/** Path of one split inside the Hub repository or a local copy of it, e.g. "sst2/train-00000-of-00001.parquet". */
export function glueFilePath(config: GlueConfig, split: GlueFileSplit): string {
  return `${config.hubConfig}/${split}-00000-of-00001.parquet`;
}

/** Download URL of a file of the Hub repository at a revision (branch, tag or commit). */
export function glueHubUrl(path: string, revision = 'main'): string {
  return `https://huggingface.co/datasets/${GLUE_HUB_REPOSITORY}/resolve/${encodeURIComponent(revision)}/${path}`;
}

/**
 * Reads one file of the repository layout by its path, reporting bytes read so far and the total
 * (null while unknown). The Hub reader is the default; src/data/glue-node.ts reads a local folder.
 */
export type GlueFileReader = (path: string, onProgress: (loaded: number, total: number | null) => void, signal?: AbortSignal) => Promise<ArrayBuffer>;

export interface HubReaderOptions {
  /** Branch, tag or commit of nyu-mll/glue; default "main". */
  revision?: string;
  /** Cache Storage name; null disables caching. Default DATASET_CACHE_NAME. */
  cacheName?: string | null;
}

/**
 * Downloads files from the Hub with byte progress, keeping them in Cache Storage where it exists (the
 * browser), through the model loader's fetchModelFile. Errors name the URL and the HTTP status.
 */
export function hubFileReader(options: HubReaderOptions = {}): GlueFileReader {
  const cacheName = options.cacheName === undefined ? DATASET_CACHE_NAME : options.cacheName;
  return async (path, onProgress, signal) => {
    const url = glueHubUrl(path, options.revision);
    try {
      const file = await fetchModelFile(url, path, true, { signal, cacheName, onProgress: (progress) => onProgress(progress.loaded, progress.total) });
      return await file!.data.arrayBuffer();
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof ModelFileError) {
        throw new DatasetFileError(url, `download failed: ${datasetDownloadReason(error.message.slice(error.file.length + 2), options.revision ?? 'main')}`);
      }
      throw error;
    }
  };
}

/**
 * Rewrites the reason of a failed fetchModelFile call for a dataset file. After an HTTP error that
 * reason reads "HTTP <status> <text> for required file <path>. <hint>", and its hint speaks of model ids
 * and model folders, so the status is kept and the hint replaced. Other reasons (a network failure, a
 * truncated body) name no model and stay as they are.
 */
export function datasetDownloadReason(modelFileReason: string, revision: string): string {
  const http = /^HTTP (\d{3})(.*?) for required file /.exec(modelFileReason);
  if (http === null) {
    return modelFileReason;
  }
  const status = Number(http[1]);
  return `HTTP ${status}${http[2]}. ${datasetStatusHint(status, revision)}`;
}

function datasetStatusHint(status: number, revision: string): string {
  if (status === 401 || status === 403) {
    return `The Hub rejected the request although ${GLUE_HUB_REPOSITORY} is public; check for a proxy or firewall between this machine and huggingface.co.`;
  }
  if (status === 404) {
    return `The file is not in ${GLUE_HUB_REPOSITORY} at revision "${revision}"; check the revision, and whether the Hub still serves its Parquet files at this path.`;
  }
  return 'The Hub or the network failed; try again later.';
}

export interface GlueLoadOptions extends TaskLoadOptions {
  /** Training examples to keep after the hold-out; default the task's defaultTrainSize. */
  trainSize?: GlueTrainSize;
  /** Source of the Parquet files; the Hub (hubFileReader()) by default. */
  reader?: GlueFileReader;
}

/** A row left out of a split because it has no text, with its 1-based row number in the file. */
export interface GlueSkippedRow {
  file: string;
  row: number;
  reason: string;
}

/** The splits and how they were made from the two files, for the UI, the CLI and the tests. */
export interface GluePreparation {
  splits: TaskSplits;
  /** Usable rows read from the train and the evaluation file. */
  trainRows: number;
  evaluationRows: number;
  skipped: GlueSkippedRow[];
  /** Train rows dropped because an identical text (case-insensitive) went to the test hold-out. */
  heldOutCopies: number;
  /** Train examples available after the hold-out, before any subsample. */
  trainAvailable: number;
}

/** Checks a train size option: a positive integer or 'all'. */
export function validateTrainSize(trainSize: GlueTrainSize): GlueTrainSize {
  if (trainSize !== 'all' && !(Number.isSafeInteger(trainSize) && trainSize > 0)) {
    throw new RangeError(`Train size ${String(trainSize)} is invalid: use a positive integer or "all".`);
  }
  return trainSize;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Converts a label cell (INT64 arrives as bigint, FLOAT as number) into a number, or NaN. */
function labelNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  return Number.NaN;
}

/**
 * Turns rows [text, pair?, label] read from one file into examples. Rows with an empty text are
 * skipped and reported; an invalid label (such as the −1 of an unlabelled test split) rejects the file.
 */
export function examplesFromGlueRows(config: GlueConfig, rows: readonly unknown[][], file: string): { examples: TaskExample[]; skipped: GlueSkippedRow[] } {
  const textColumns = config.pairColumn === undefined ? [config.textColumn] : [config.textColumn, config.pairColumn];
  const labelIndex = textColumns.length;
  const examples: TaskExample[] = [];
  const skipped: GlueSkippedRow[] = [];

  rows.forEach((cells, index) => {
    const row = index + 1;
    const emptyColumn = textColumns.find((_, column) => typeof cells[column] !== 'string' || (cells[column] as string).trim() === '');
    if (emptyColumn !== undefined) {
      skipped.push({ file, row, reason: `empty or missing text in column "${emptyColumn}"` });
      return;
    }

    const raw = cells[labelIndex];
    const label = labelNumber(raw);
    if (config.kind === 'classification') {
      const classes = config.labels!.length;
      if (label === -1) {
        throw new DatasetFileError(file, `row ${row} has label -1, which marks an unlabelled split (GLUE's test splits); read the train or validation file.`);
      }
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new DatasetFileError(file, `row ${row} has label ${describeValue(raw)} in column "label"; expected a class index from 0 to ${classes - 1} (${config.labels!.join(', ')}).`);
      }
    } else {
      const [low, high] = config.scoreRange!;
      if (!Number.isFinite(label) || label < low || label > high) {
        throw new DatasetFileError(file, `row ${row} has score ${describeValue(raw)} in column "label"; expected a number from ${low} to ${high}.`);
      }
    }

    // STS-B scores are float32 on the Hub: 3.8 arrives as 3.799999952…, so keep float32's 7 significant digits.
    const value = config.kind === 'regression' ? Number(label.toPrecision(7)) : label;
    const example: TaskExample = { text: cells[0] as string, label: value };
    if (config.pairColumn !== undefined) {
      example.textPair = cells[1] as string;
    }
    examples.push(example);
  });

  if (skipped.length > MAX_SKIPPED_SHARE * rows.length) {
    throw new DatasetFileError(file, `${skipped.length} of ${rows.length} rows have an empty text (first: row ${skipped[0].row}, ${skipped[0].reason}); the file does not have the expected GLUE layout.`);
  }
  return { examples, skipped };
}

/** Size of the test hold-out: as large as the evaluation split, but at most 10% of train. */
export function glueHoldOutSize(trainRows: number, evaluationRows: number): number {
  return Math.min(evaluationRows, Math.round(GLUE_HOLD_OUT_FRACTION * trainRows));
}

/** Returns a stratum per example: the class, or the score's decile for regression. */
function strataFor(config: GlueConfig, examples: readonly TaskExample[]): (example: TaskExample) => number {
  if (config.kind === 'classification') {
    return (example) => example.label;
  }
  const bin = quantileBinner(
    examples.map((example) => example.label),
    REGRESSION_STRATA,
  );
  return (example) => bin(example.label);
}

/**
 * Makes the three splits from the parsed train and evaluation files. Pure, so tests can run it on
 * examples of their own.
 *
 * 1. dev is the evaluation file as it is.
 * 2. test is glueHoldOutSize(...) texts of train, stratified by label (by score decile for regression),
 *    chosen with `seed`. Train examples are grouped by duplicateKey (text and pair, lower-cased), a
 *    group goes to the test split once, and all its copies leave train, so no text is in both. Groups
 *    whose copies disagree on the label are never held out.
 * 3. train is the rest, or a stratified sample of `trainSize` of it, also seeded.
 */
export function prepareGlueSplits(config: GlueConfig, train: readonly TaskExample[], evaluation: readonly TaskExample[], trainSize: GlueTrainSize, seed = GLUE_SPLIT_SEED): Omit<GluePreparation, 'skipped'> {
  validateTrainSize(trainSize);
  if (train.length === 0 || evaluation.length === 0) {
    throw new RangeError(`GLUE ${config.id}: the train file has ${train.length} usable rows and the evaluation file ${evaluation.length}; both need at least one.`);
  }

  const groups = new Map<string, { examples: TaskExample[]; labels: Set<number> }>();
  for (const example of train) {
    const key = duplicateKey(example);
    const group = groups.get(key) ?? { examples: [], labels: new Set<number>() };
    group.examples.push(example);
    group.labels.add(example.label);
    groups.set(key, group);
  }
  const candidates = [...groups.entries()].filter(([, group]) => group.labels.size === 1).map(([key, group]) => ({ key, example: group.examples[0] }));

  const holdOut = Math.min(glueHoldOutSize(train.length, evaluation.length), candidates.length);
  const stratumOfExample = strataFor(
    config,
    candidates.map((candidate) => candidate.example),
  );
  const { selected } = stratifiedSample(candidates, holdOut, (candidate) => stratumOfExample(candidate.example), seed, `glue.${config.id}.test`);
  const heldOutKeys = new Set(selected.map((candidate) => candidate.key));
  const test = selected.map((candidate) => candidate.example);
  const remaining = train.filter((example) => !heldOutKeys.has(duplicateKey(example)));
  const heldOutCopies = train.length - remaining.length - test.length;

  let trainSplit = remaining;
  if (trainSize !== 'all' && trainSize < remaining.length) {
    const stratumOfTrain = strataFor(config, remaining);
    trainSplit = stratifiedSample(remaining, trainSize, stratumOfTrain, seed, `glue.${config.id}.train`).selected;
  }

  return {
    splits: { train: trainSplit, dev: [...evaluation], test },
    trainRows: train.length,
    evaluationRows: evaluation.length,
    heldOutCopies,
    trainAvailable: remaining.length,
  };
}

/** Reads the train and evaluation files at once, reporting their bytes summed (the total once both are known). */
async function readGlueFiles(config: GlueConfig, reader: GlueFileReader, options: TaskLoadOptions): Promise<[ArrayBuffer, ArrayBuffer]> {
  const paths = [glueFilePath(config, 'train'), glueFilePath(config, config.evaluationSplit)];
  const progress = paths.map(() => ({ loaded: 0, total: null as number | null }));
  const report = (): void => {
    const loaded = progress.reduce((sum, file) => sum + file.loaded, 0);
    const total = progress.every((file) => file.total !== null) ? progress.reduce((sum, file) => sum + file.total!, 0) : null;
    options.onProgress?.(loaded, total);
  };
  const [train, evaluation] = await Promise.all(
    paths.map((path, index) =>
      reader(
        path,
        (loaded, total) => {
          progress[index] = { loaded, total };
          report();
        },
        options.signal,
      ),
    ),
  );
  return [train, evaluation];
}

/** Downloads (or reads) and parses both files of a GLUE task and prepares its splits. */
export async function loadGluePreparation(id: GlueTaskId, options: GlueLoadOptions = {}): Promise<GluePreparation> {
  const config = GLUE_CONFIGS[id];
  const trainSize = validateTrainSize(options.trainSize ?? config.defaultTrainSize);
  options.signal?.throwIfAborted();
  const [trainData, evaluationData] = await readGlueFiles(config, options.reader ?? hubFileReader(), options);

  const columns = [config.textColumn, ...(config.pairColumn === undefined ? [] : [config.pairColumn]), 'label'];
  const trainPath = glueFilePath(config, 'train');
  const evaluationPath = glueFilePath(config, config.evaluationSplit);
  const train = examplesFromGlueRows(config, (await readParquetColumns(trainData, trainPath, columns)).rows, trainPath);
  options.signal?.throwIfAborted();
  const evaluation = examplesFromGlueRows(config, (await readParquetColumns(evaluationData, evaluationPath, columns)).rows, evaluationPath);
  options.signal?.throwIfAborted();

  const prepared = prepareGlueSplits(config, train.examples, evaluation.examples, trainSize);
  return { ...prepared, skipped: [...train.skipped, ...evaluation.skipped] };
}

/** Describes the split rules of one task in words, for TaskDefinition.splitDescription. */
export function glueSplitDescription(config: GlueConfig, trainSize: GlueTrainSize): string {
  const strata = config.kind === 'classification' ? 'label' : 'score decile';
  return (
    `dev: the Hub's ${config.evaluationSplit} split, unchanged (GLUE's test labels are not public). ` +
    `test: held out from the Hub's train split, as many examples as dev has but at most ${GLUE_HOLD_OUT_FRACTION * 100}% of train, ` +
    `stratified by ${strata} with the fixed seed ${GLUE_SPLIT_SEED}; every copy of a held-out text leaves train, and texts seen with two labels stay in train. ` +
    `train: the rest of the Hub's train split, ${trainSize === 'all' ? 'all of it' : `a seeded stratified sample of ${trainSize.toLocaleString('en-US')} examples (all of it when it has fewer)`}.`
  );
}

export interface GlueTaskDefaults {
  /** Train size used when load() is called without one. */
  trainSize?: GlueTrainSize;
  /** File source used when load() is called without one. */
  reader?: GlueFileReader;
}

/** Creates the TaskDefinition of a GLUE task; load() also accepts GlueLoadOptions. */
export function createGlueTask(id: GlueTaskId, defaults: GlueTaskDefaults = {}): TaskDefinition {
  const config = GLUE_CONFIGS[id];
  const trainSize = validateTrainSize(defaults.trainSize ?? config.defaultTrainSize);
  return {
    id: config.id,
    name: config.name,
    description: config.description,
    source: `${config.source} Read from the Parquet files of the Hugging Face Hub dataset ${GLUE_HUB_REPOSITORY} (config "${config.hubConfig}").`,
    license: config.license,
    kind: config.kind,
    ...(config.labels === undefined ? {} : { labels: [...config.labels] }),
    splitDescription: glueSplitDescription(config, trainSize),
    metrics: [...config.metrics],
    primaryMetric: config.primaryMetric,
    async load(options: GlueLoadOptions = {}): Promise<TaskSplits> {
      const prepared = await loadGluePreparation(id, { ...options, trainSize: options.trainSize ?? trainSize, reader: options.reader ?? defaults.reader });
      return prepared.splits;
    },
  };
}

/** The eight GLUE tasks with their default train sizes, reading from the Hub. */
export const glueTasks: readonly TaskDefinition[] = GLUE_TASK_IDS.map((id) => createGlueTask(id));
