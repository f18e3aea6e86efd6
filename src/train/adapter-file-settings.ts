// Settings that an imported native adapter file records and that both its re-evaluation and its continued
// training read: the base model to load, the hyperparameters of its run and the task it fits. Kept apart from the GPU code, so
// the page can build a continuation spec without bundling the runner.
import type { NativeAdapterDescription } from '../adapters/io/native-format';
import type { TaskDefinition } from '../data/task';
import { taskSpecOf } from './encoded-data';
import type { Hyperparameters, ModelRef } from './types';

/**
 * Returns the base model to load for an adapter file: the model source and Hub revision it records, or the
 * embedded model for a file that names local files (the compare CLI's folders), which a Worker cannot read. The
 * base-model check then decides whether the adapters fit. `note` explains that fallback.
 */
export function modelRefForAdapters(description: NativeAdapterDescription): { ref: ModelRef; note?: string } {
  const { modelId, modelSource, modelRevision } = description;
  if (modelSource === 'hub' && modelRevision !== undefined) return { ref: { id: modelId, source: modelSource, revision: modelRevision } };
  if (modelSource === 'embedded' || modelSource === 'hub' || modelSource === 'url') return { ref: { id: modelId, source: modelSource } };
  if (modelSource === undefined && modelId === 'embedded') return { ref: { id: 'embedded', source: 'embedded' } };
  return {
    ref: { id: 'embedded', source: 'embedded' },
    note: `The adapters were trained on "${modelId}" from local files, which the browser cannot open again, so they are evaluated on the embedded model.`,
  };
}

/**
 * Returns the hyperparameters stored in the file; throws when they are missing, because repeating the evaluation
 * and continuing the training both need them.
 */
export function storedHyperparameters(description: NativeAdapterDescription, fileName: string): Hyperparameters {
  const hp = description.hyperparameters;
  if (!hp) {
    throw new Error(`${fileName} records no hyperparameters, so the batch size, maximum length and eval-examples cap of its run are unknown; its evaluation cannot be repeated and its training cannot continue.`);
  }
  for (const key of ['batchSize', 'maxLength', 'steps'] as const) {
    const value = hp[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`${fileName}: hyperparameters.${key} is ${JSON.stringify(value)}; expected a positive integer.`);
  }
  return hp;
}

/** Checks that the task the Worker built is the one the adapters were trained on, with the same head. */
export function checkAdapterTask(description: NativeAdapterDescription, task: TaskDefinition, fileName: string): void {
  if (task.id !== description.taskId) throw new Error(`${fileName} was trained on task "${description.taskId}", but task "${task.id}" was loaded.`);
  const spec = taskSpecOf(task);
  const stored = description.task;
  const describe = (head: typeof spec): string => (head.kind === 'classification' ? `classification into ${head.numLabels} labels` : 'regression');
  if (spec.kind !== stored.kind || (spec.kind === 'classification' && stored.kind === 'classification' && spec.numLabels !== stored.numLabels)) {
    throw new Error(`${fileName} has a head for ${describe(stored)}, but task "${task.id}" is ${describe(spec)} now.`);
  }
}
