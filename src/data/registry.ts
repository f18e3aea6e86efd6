// The tasks the app ships with, by id. Loading a task's data is lazy, so importing this is cheap.

import { glueTasks } from './glue';
import { sotuTask } from './sotu';
import { spamTask } from './spam';
import type { TaskDefinition } from './task';

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
