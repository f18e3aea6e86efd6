// The tasks the app ships with, by id, and the task of an experiment from its id and options. Loading a
// task's data is lazy, so importing this is cheap.

import type { TaskOptions } from '../train/types';
import { createGlueTask, glueTasks } from './glue';
import { isGlueTaskId } from './glue-configs';
import { sotuTask } from './sotu';
import { spamTask } from './spam';
import type { TaskDefinition } from './task';
import { taskFromUpload, UPLOAD_TASK_PREFIX } from './upload';

export const builtinTasks: readonly TaskDefinition[] = [spamTask, sotuTask, ...glueTasks];

/** Returns the built-in task with this id, or throws an error that lists the known ids. */
export function getTask(id: string): TaskDefinition {
  const task = builtinTasks.find((candidate) => candidate.id === id);
  if (task === undefined) {
    const known = builtinTasks.map((candidate) => `"${candidate.id}"`).join(', ');
    throw new Error(`Task "${id}" is not found. Known task ids: ${known}.`);
  }
  return task;
}

/** Returns true for the task id of an uploaded file ("upload:…"). */
export function isUploadTaskId(id: string): boolean {
  return id.startsWith(UPLOAD_TASK_PREFIX);
}

/**
 * Builds the task of an experiment: a built-in task, a GLUE task with `options.trainSize`, or the task of
 * the uploaded file in `options.upload`. Raises an error when the options do not fit the id, and an
 * UploadError when the file is invalid.
 */
export function resolveTask(id: string, options: TaskOptions = {}): TaskDefinition {
  if (isUploadTaskId(id)) {
    if (options.upload === undefined) {
      throw new Error(`Task "${id}" is an uploaded file, but the experiment carries no file; upload the file again and start a new experiment.`);
    }
    const { task } = taskFromUpload(options.upload);
    // The id hashes the file, the mapping and the seed, so another id means the stored file or settings changed.
    if (task.id !== id) {
      throw new Error(`The file "${options.upload.fileName}" stored with the experiment builds task "${task.id}", not "${id}"; upload the file again and start a new experiment.`);
    }
    return task;
  }
  if (options.upload !== undefined) {
    throw new Error(`Task "${id}" is not an uploaded task, but the experiment carries the file "${options.upload.fileName}"; uploaded tasks have ids that start with "${UPLOAD_TASK_PREFIX}".`);
  }

  if (options.trainSize !== undefined) {
    if (!isGlueTaskId(id)) {
      throw new Error(`A train size applies only to GLUE tasks, not to task "${id}"; remove trainSize from the task options.`);
    }
    return createGlueTask(id, { trainSize: options.trainSize });
  }
  return getTask(id);
}
