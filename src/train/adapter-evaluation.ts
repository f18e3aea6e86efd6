// Re-evaluation of an imported native adapter file: the adapters and head go back onto the base model, and
// dev and test are evaluated as the runner's final evaluation does. The same examples (eval-examples cap),
// maximum length, batch size and seed give the same metrics as the run recorded, which the page compares.
import type { ExpectedAdapters, NativeAdapterDescription, NativeAdapters } from '../adapters/io/native-format';
import { createModelFromNative } from '../adapters/io/native-format';
import type { TaskDefinition, TaskSplits } from '../data/task';
import type { Engine } from '../gpu/engine';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import type { BertTokenizer } from '../model/tokenizer';
import { encodeSplit, taskSpecOf } from './encoded-data';
import { evaluate } from './evaluate';
import type { AdapterEvaluation } from './protocol';
import { splitExamples } from './runner';
import { withDropout } from './trainer';
import type { EvalPoint, Hyperparameters, ModelRef } from './types';

export interface AdapterEvaluationInputs {
  engine: Engine;
  native: NativeAdapters;
  fileName: string;
  /** The base model, loaded from the reference modelRefForAdapters() returned. */
  config: BertArchitecture;
  weights: NamedBertWeights;
  tokenizer: BertTokenizer;
  /** The task named by the file, with its loaded splits. */
  task: TaskDefinition;
  splits: TaskSplits;
  /** Settings of the stored experiment, which the file must match; base model, rank and modules are always checked. */
  expected?: ExpectedAdapters;
  onStatus?: (message: string) => void;
}

/**
 * Returns the base model to load for an adapter file: the model source it records, or the embedded model for a
 * file that names local files (the compare CLI's folders), which a Worker cannot read. The base-model check
 * then decides whether the adapters fit. `note` explains that fallback.
 */
export function modelRefForAdapters(description: NativeAdapterDescription): { ref: ModelRef; note?: string } {
  const { modelId, modelSource } = description;
  if (modelSource === 'embedded' || modelSource === 'hub' || modelSource === 'url') return { ref: { id: modelId, source: modelSource } };
  if (modelSource === undefined && modelId === 'embedded') return { ref: { id: 'embedded', source: 'embedded' } };
  return {
    ref: { id: 'embedded', source: 'embedded' },
    note: `The adapters were trained on "${modelId}" from local files, which the browser cannot open again, so they are evaluated on the embedded model.`,
  };
}

/** Returns the hyperparameters stored in the file; throws when they are missing, because the evaluation needs them. */
function storedHyperparameters(description: NativeAdapterDescription, fileName: string): Hyperparameters {
  const hp = description.hyperparameters;
  if (!hp) {
    throw new Error(`${fileName} records no hyperparameters, so the batch size, maximum length and eval-examples cap of its run are unknown and its evaluation cannot be repeated.`);
  }
  for (const key of ['batchSize', 'maxLength', 'steps'] as const) {
    const value = hp[key];
    if (!Number.isInteger(value) || value < 1) throw new Error(`${fileName}: hyperparameters.${key} is ${JSON.stringify(value)}; expected a positive integer.`);
  }
  return hp;
}

/** Checks that the task the page built is the one the adapters were trained on, with the same head. */
function checkTask(description: NativeAdapterDescription, task: TaskDefinition, fileName: string): void {
  if (task.id !== description.taskId) throw new Error(`${fileName} was trained on task "${description.taskId}", but task "${task.id}" was loaded.`);
  const spec = taskSpecOf(task);
  const stored = description.task;
  const describe = (head: typeof spec): string => (head.kind === 'classification' ? `classification into ${head.numLabels} labels` : 'regression');
  if (spec.kind !== stored.kind || (spec.kind === 'classification' && stored.kind === 'classification' && spec.numLabels !== stored.numLabels)) {
    throw new Error(`${fileName} has a head for ${describe(stored)}, but task "${task.id}" is ${describe(spec)} now.`);
  }
}

/**
 * Evaluates the adapters of a native file on dev and test. Throws when the file does not fit the base model
 * (checkNativeAdapters lists every difference), the task or the expected settings.
 */
export async function evaluateNativeAdapters(inputs: AdapterEvaluationInputs): Promise<AdapterEvaluation> {
  const { engine, native, fileName, task } = inputs;
  const { description } = native;
  const status = inputs.onStatus ?? (() => {});
  const hp = storedHyperparameters(description, fileName);
  checkTask(description, task, fileName);

  // The model is created before tokenizing, so that a file that does not fit stops before the slow part.
  const model = createModelFromNative(engine, withDropout(inputs.config, hp.dropout), inputs.weights, native, inputs.expected);
  try {
    const reproduced: EvalPoint[] = [];
    const examples = { dev: 0, test: 0 };
    for (const split of ['dev', 'test'] as const) {
      const selected = splitExamples(inputs.splits, split, hp);
      status(`Tokenizing the ${split} split: ${selected.length} examples at max length ${hp.maxLength}.`);
      const encoded = await encodeSplit(inputs.tokenizer, selected, split, description.task, hp.maxLength);
      status(`Evaluating ${fileName} on the ${split} split.`);
      const result = await evaluate(model, encoded, { batchSize: hp.batchSize, metrics: task.metrics });
      reproduced.push({ step: hp.steps, split, loss: result.loss, metrics: result.metrics });
      examples[split] = selected.length;
    }
    return {
      fileName,
      method: description.method,
      seed: description.seed,
      taskId: description.taskId,
      modelId: description.modelId,
      reproduced,
      stored: description.metrics ?? [],
      examples,
    };
  } finally {
    model.destroy();
    engine.flush();
  }
}
