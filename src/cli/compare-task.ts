// The task of `npm run compare`: a built-in task, a GLUE task read from the Hub or a local folder, or the
// user's own file (--task file:<path>) with the column mapping and the same validation as the app.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createGlueTask, loadGluePreparation, type GlueFileReader } from '../data/glue';
import { GLUE_CONFIGS, isGlueTaskId } from '../data/glue-configs';
import { folderFileReader } from '../data/glue-node';
import { getTask } from '../data/registry';
import type { TaskDefinition, TaskLoadOptions, TaskSplits } from '../data/task';
import type { TaskOptions } from '../train/types';
import { taskFromUpload, UploadError, type SkippedRow } from '../data/upload';
import { FILE_TASK_PREFIX, UsageError, type CompareTaskOptions } from './compare-options';

/** Skipped rows printed one per line; the rest are counted. */
const SKIPPED_ROWS_SHOWN = 20;

/** Logs how many rows were skipped and why, the first SKIPPED_ROWS_SHOWN of them by line. */
export function logSkippedRows(source: string, skipped: readonly { line?: number; row?: number; reason: string }[], log: (line: string) => void): void {
  if (skipped.length === 0) return;
  log(`${source}: skipped ${skipped.length} row${skipped.length === 1 ? '' : 's'}:`);
  for (const row of skipped.slice(0, SKIPPED_ROWS_SHOWN)) {
    log(`  ${row.line === undefined ? `row ${row.row}` : `line ${row.line}`} ${row.reason}`);
  }
  if (skipped.length > SKIPPED_ROWS_SHOWN) log(`  … and ${skipped.length - SKIPPED_ROWS_SHOWN} more.`);
}

/**
 * Returns the TaskDefinition for --task with its data options. Unknown ids, unreadable files and file
 * problems (encoding, limits, missing columns, too few rows) raise a UsageError with the app's message.
 */
export async function resolveCompareTask(id: string, options: CompareTaskOptions, log: (line: string) => void): Promise<TaskDefinition> {
  if (id.startsWith(FILE_TASK_PREFIX)) {
    return fileTask(options, log);
  }
  if (isGlueTaskId(id)) {
    return glueTask(id, options, log);
  }
  try {
    return getTask(id);
  } catch (error) {
    throw new UsageError(`--task: ${(error as Error).message} Or use --task file:<path> for a CSV, TSV or JSON Lines file.`, { cause: error });
  }
}

/**
 * Returns the task options that the experiment spec records, as the app records them: the effective train
 * size of a GLUE task, and the file name, mapping and task type of a file task. Unlike the app's spec, a
 * file task's spec omits the file's content, because results.json is text and the file may have megabytes.
 * The task id ("upload:" and a hash of the content and settings) identifies that content.
 */
export function compareSpecTaskOptions(id: string, options: CompareTaskOptions, task: Pick<TaskDefinition, 'kind'>): TaskOptions | undefined {
  if (isGlueTaskId(id)) {
    return { trainSize: options.trainSize ?? GLUE_CONFIGS[id].defaultTrainSize };
  }
  if (!id.startsWith(FILE_TASK_PREFIX)) {
    return undefined;
  }
  return {
    upload: {
      fileName: options.file!,
      mapping: { text: options.text!, label: options.label!, ...(options.textPair === undefined ? {} : { textPair: options.textPair }) },
      taskType: task.kind,
    },
  };
}

function glueTask(id: Parameters<typeof createGlueTask>[0], options: CompareTaskOptions, log: (line: string) => void): TaskDefinition {
  const reader: GlueFileReader | undefined = options.data === undefined ? undefined : folderFileReader(options.data);
  const task = createGlueTask(id, { trainSize: options.trainSize, reader });
  log(options.data === undefined ? `GLUE ${id}: reading the Parquet files from the Hugging Face Hub.` : `GLUE ${id}: reading the Parquet files under ${resolve(options.data)}.`);
  return {
    ...task,
    async load(loadOptions?: TaskLoadOptions): Promise<TaskSplits> {
      let lastPercent = -1;
      const prepared = await loadGluePreparation(id, {
        ...loadOptions,
        trainSize: options.trainSize,
        reader,
        onProgress: (loaded, total) => {
          loadOptions?.onProgress?.(loaded, total);
          const percent = total === null || total === 0 ? -1 : Math.floor((100 * loaded) / total / 10) * 10;
          if (percent > lastPercent) {
            lastPercent = percent;
            log(`GLUE ${id}: ${(loaded / 1e6).toFixed(1)} of ${(total! / 1e6).toFixed(1)} MB read.`);
          }
        },
      });
      logSkippedRows(`GLUE ${id}`, prepared.skipped, log);
      log(
        `GLUE ${id}: ${prepared.trainRows} train and ${prepared.evaluationRows} validation rows; test holds out ${prepared.splits.test.length} ` +
          `(${prepared.heldOutCopies} duplicate copies left train), train keeps ${prepared.splits.train.length} of ${prepared.trainAvailable}.`,
      );
      return prepared.splits;
    },
  };
}

async function fileTask(options: CompareTaskOptions, log: (line: string) => void): Promise<TaskDefinition> {
  const path = resolve(options.file!);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`--task ${FILE_TASK_PREFIX}${options.file}: the file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path.`, { cause: error });
  }
  try {
    const result = taskFromUpload({
      fileName: options.file!,
      bytes,
      mapping: { text: options.text!, label: options.label!, ...(options.textPair === undefined ? {} : { textPair: options.textPair }) },
      ...(options.taskType === undefined ? {} : { taskType: options.taskType }),
    });
    logSkippedRows(options.file!, result.skipped as SkippedRow[], log);
    for (const warning of result.warnings) log(`note: ${warning}`);
    log(`${options.file}: ${result.taskType}${options.taskType === undefined ? ` (inferred: ${result.inference.reason})` : ''}, ${result.examples} examples.`);
    return result.task;
  } catch (error) {
    if (error instanceof UploadError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
