// The 'evaluate-adapter' command of the training Worker: checks the message, parses the adapter file, loads the
// base model and the task it names, and re-evaluates it (adapter-evaluation.ts). TrainingSession calls these.
import { parseNativeAdapters } from '../adapters/io/native-format';
import type { TaskDefinition } from '../data/task';
import type { Engine } from '../gpu/engine';
import { evaluateNativeAdapters } from './adapter-evaluation';
import { modelRefForAdapters } from './adapter-file-settings';
import type { AdapterEvaluation, EvaluateAdapterCommand } from './protocol';
import type { RunnableModel } from './session';
import type { ModelRef, TaskOptions } from './types';

export interface AdapterEvaluationServices {
  engine: Engine;
  loadModel(ref: ModelRef): Promise<RunnableModel>;
  getTask(id: string, options?: TaskOptions): TaskDefinition;
  onStatus(message: string): void;
}

/** Returns the command, or an error message naming the missing or invalid field. */
export function parseEvaluateAdapter(message: unknown): EvaluateAdapterCommand | string {
  const command = message as Partial<EvaluateAdapterCommand>;
  if (typeof command.requestId !== 'string' || command.requestId === '') {
    return 'The evaluate-adapter command has no requestId; send { type: "evaluate-adapter", requestId, file: { fileName, bytes } }.';
  }
  const file = command.file;
  if (typeof file !== 'object' || file === null || typeof file.fileName !== 'string' || !(file.bytes instanceof Uint8Array)) {
    return 'The evaluate-adapter command needs file: { fileName: string, bytes: Uint8Array } with the bytes of a .mtlora.safetensors file.';
  }
  return command as EvaluateAdapterCommand;
}

/** Loads what the adapter file names and evaluates it; throws with a message for the page on any failure. */
export async function evaluateAdapterFile(command: EvaluateAdapterCommand, services: AdapterEvaluationServices): Promise<AdapterEvaluation> {
  const { fileName, bytes } = command.file;
  const native = await parseNativeAdapters(bytes, fileName);
  const { description } = native;

  const { ref, note } = modelRefForAdapters(description);
  if (note) services.onStatus(note);
  services.onStatus(`Loading model "${ref.id}" for ${fileName}.`);
  const model = await services.loadModel(ref);

  // The stored experiment's options come first: only they can hold an uploaded data set.
  const task = services.getTask(description.taskId, command.taskOptions ?? description.taskOptions);
  services.onStatus(`Loading task "${task.name}".`);
  const splits = await task.load();

  return evaluateNativeAdapters({
    engine: services.engine,
    native,
    fileName,
    config: model.config,
    weights: model.weights,
    tokenizer: model.tokenizer,
    task,
    splits,
    expected: command.expected,
    onStatus: services.onStatus,
  });
}
