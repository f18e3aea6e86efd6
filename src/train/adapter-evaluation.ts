// Re-evaluation of an imported native adapter file: the adapters and head go back onto the base model, and
// dev and test are evaluated as the runner's final evaluation does. The same examples (eval-examples cap),
// maximum length, batch size and seed give the same metrics as the run recorded, which the page compares.
import type { ExpectedAdapters, NativeAdapters } from '../adapters/io/native-format';
import { createModelFromNative } from '../adapters/io/native-format';
import type { TaskDefinition, TaskSplits } from '../data/task';
import type { Engine } from '../gpu/engine';
import type { BertArchitecture, NamedBertWeights } from '../model/bert-weights';
import type { BertTokenizer } from '../model/tokenizer';
import { checkAdapterTask, storedHyperparameters } from './adapter-file-settings';
import { encodeSplit } from './encoded-data';
import { evaluate } from './evaluate';
import type { AdapterEvaluation } from './protocol';
import { splitExamples } from './runner';
import { withDropout } from './trainer';
import type { EvalPoint } from './types';

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
 * Evaluates the adapters of a native file on dev and test. Throws when the file does not fit the base model
 * (checkNativeAdapters lists every difference), the task or the expected settings.
 */
export async function evaluateNativeAdapters(inputs: AdapterEvaluationInputs): Promise<AdapterEvaluation> {
  const { engine, native, fileName, task } = inputs;
  const { description } = native;
  const status = inputs.onStatus ?? (() => {});
  const hp = storedHyperparameters(description, fileName);
  checkAdapterTask(description, task, fileName);

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
