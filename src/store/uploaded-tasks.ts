// The uploaded tasks of this page: the file and column mapping behind each "upload:…" task id. The specs
// are kept outside React state, because their bytes are large and never rendered. The experiment store's
// task list contains only the TaskChoice. After a reload, the uploaded tasks of stored experiments are
// rebuilt from the files stored with them, so their results show the right metric and they can be resumed.
import type { StoreApi } from 'zustand';
import type { TaskDefinition } from '../data/task';
import { taskFromUpload, UPLOAD_TASK_PREFIX, type UploadedTaskSpec } from '../data/upload';
import type { ExperimentRecord } from '../train/types';
import type { ExperimentState } from './experiment';

const specs = new Map<string, UploadedTaskSpec>();

/** Task ids whose stored file failed to build a task, with the error, so they are not parsed again. */
const failedRestores = new Map<string, string>();

/** Returns the file and mapping of an uploaded task, or undefined when this page has none for the id. */
export function uploadedTaskSpec(taskId: string): UploadedTaskSpec | undefined {
  return specs.get(taskId);
}

/** Forgets every uploaded task. Tests call it, because their stores share this module. */
export function clearUploadedTasks(): void {
  specs.clear();
  failedRestores.clear();
}

/** Adds an uploaded task to the task list of `store` (replacing one with the same id) and selects it. */
export function addUploadedTask(store: StoreApi<ExperimentState>, task: TaskDefinition, spec: UploadedTaskSpec): void {
  specs.set(task.id, spec);
  const state = store.getState();
  state.setTasks([...state.tasks.filter((candidate) => candidate.id !== task.id), task]);
  store.getState().setTaskId(task.id);
}

/**
 * Rebuilds the tasks of stored experiments on uploaded files that the task list lacks, and adds them to it
 * without changing the chosen task. Returns the ids that could not be rebuilt, with the reason.
 */
export function restoreStoredUploads(store: StoreApi<ExperimentState>, records: readonly ExperimentRecord[]): Map<string, string> {
  const known = new Set(store.getState().tasks.map((task) => task.id));
  const restored: TaskDefinition[] = [];
  for (const { spec } of records) {
    const upload = spec.taskOptions?.upload;
    const id = spec.taskId;
    if (!id.startsWith(UPLOAD_TASK_PREFIX) || upload === undefined || known.has(id) || failedRestores.has(id)) continue;
    known.add(id);
    try {
      const { task } = taskFromUpload(upload);
      if (task.id !== id) throw new Error(`The file "${upload.fileName}" stored with the experiment builds task "${task.id}", not "${id}".`);
      specs.set(id, upload);
      restored.push(task);
    } catch (error) {
      failedRestores.set(id, error instanceof Error ? error.message : String(error));
    }
  }

  if (restored.length > 0) {
    // setTasks keeps the chosen task when it is still listed, so restoring never changes the form.
    const state = store.getState();
    state.setTasks([...state.tasks, ...restored]);
  }
  return new Map([...failedRestores].filter(([id]) => records.some((record) => record.spec.taskId === id)));
}

/**
 * Restores the uploaded tasks of the stored experiments now and whenever the history changes. Returns the
 * function that stops watching.
 */
export function watchStoredUploads(store: StoreApi<ExperimentState>): () => void {
  restoreStoredUploads(store, store.getState().history);
  return store.subscribe((state, previous) => {
    // Deferred, because setTasks inside a store listener would notify listeners in the middle of a set().
    if (state.history !== previous.history) queueMicrotask(() => restoreStoredUploads(store, store.getState().history));
  });
}
