// The experiment setup form: its defaults, the allowed range of every field, and the validation that
// turns what the user typed into an ExperimentSpec's methods, seeds, hyperparameters and task options.
import { ADAPTER_METHODS, isAdapterMethod } from '../adapters/methods';
import { isGlueTaskId } from '../data/glue-configs';
import { UPLOAD_TASK_PREFIX, type UploadedTaskSpec } from '../data/upload';
import { ADAPTER_MODULES, ALL_METHODS, type AdapterModule, type ExperimentSpec, type Hyperparameters, type MethodId, type ModelRef, type TaskOptions } from '../train/types';
import { DEFAULT_TRAIN_SIZE_CHOICE, trainSizeChoiceOf, validateTrainSizeChoice, type TrainSizeChoice } from './train-size';

/** A model the setup panel offers, with the sizes that bound the hyperparameters. */
export interface ModelOption {
  ref: ModelRef;
  name: string;
  /** The checkpoint files of a model picked on this computer (ref.source "files"), sent to the training Worker. */
  files?: readonly File[];
  hiddenSize: number;
  /** Maximum sequence length the position embeddings cover, in tokens. */
  maxPositionEmbeddings: number;
}

/**
 * The encoder served from public/models/mtlora-bert-tiny/, built by tools/pretrain (hidden size 128,
 * 2 layers, 2 heads, 512 positions).
 * NOTE: the sizes are copied from tools/pretrain/bert_model.py's CONFIG_DEFAULTS. They should come from the
 * loaded config.json once the page loads the model before training.
 */
export const EMBEDDED_MODEL: ModelOption = {
  ref: { id: 'embedded', source: 'embedded' },
  name: 'mtlora-bert-tiny',
  hiddenSize: 128,
  maxPositionEmbeddings: 512,
};

export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = {
  rank: 8,
  alpha: 16,
  // The compare CLI's defaults, whose reasons are given in src/cli/compare-options.ts.
  learningRate: 5e-3,
  fullLearningRate: 5e-5,
  batchSize: 16,
  maxLength: 128,
  steps: 200,
  warmupSteps: 20,
  weightDecay: 0.01,
  dropout: 0.1,
  maxGradNorm: 1,
  modules: ['query', 'value'],
  evalInterval: 50,
  evalExamples: 0,
};

export const DEFAULT_SEED_COUNT = 3;

export const DEFAULT_METHODS: readonly MethodId[] = ADAPTER_METHODS;

/** Numeric fields of the form, kept as the text the user typed until validation parses them. */
export type NumericField = 'seedCount' | Exclude<keyof Hyperparameters, 'modules'>;

export interface ExperimentForm {
  modelId: string;
  taskId: string;
  /** Training examples of a GLUE task. Other tasks ignore it. */
  trainSize: TrainSizeChoice;
  methods: MethodId[];
  modules: AdapterModule[];
  values: Record<NumericField, string>;
}

export type FormField = NumericField | 'modelId' | 'taskId' | 'trainSize' | 'methods' | 'modules';

export type FormErrors = Partial<Record<FormField, string>>;

export interface FormContext {
  model: ModelOption;
  taskIds: readonly string[];
  /** Returns the file and mapping of an uploaded task ("upload:…"), or undefined when the page has none for the id. */
  uploadSpec?: (taskId: string) => UploadedTaskSpec | undefined;
}

interface Range {
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed (e.g. a learning rate of 0). */
  minExclusive?: boolean;
  /** Why the maximum is what it is, when it depends on another value, e.g. "the number of steps". */
  maxReason?: string;
}

interface FieldSpec {
  label: string;
  /** Unit or meaning shown next to the input. */
  hint: string;
  range(values: Partial<Record<NumericField, number>>, model: ModelOption): Range;
}

const MAX_STEPS = 100_000;

/** Labels, hints and allowed ranges, in the order the setup panel shows the fields. */
export const FIELD_SPECS: Readonly<Record<NumericField, FieldSpec>> = {
  seedCount: {
    label: 'Seeds',
    hint: 'Runs per method, with seeds 1, 2, …',
    range: () => ({ min: 1, max: 10, integer: true }),
  },
  rank: {
    label: 'Rank r',
    hint: 'Inner dimension of A and B',
    // The runner's limit (validateHyperparameters): a rank above the smaller side of a weight adds nothing.
    range: (_, model) => ({ min: 1, max: model.hiddenSize, integer: true, maxReason: `the hidden size of ${model.name}` }),
  },
  alpha: {
    label: 'Alpha',
    hint: 'Scale s = alpha / r',
    range: () => ({ min: 0, max: 1024, integer: false, minExclusive: true }),
  },
  learningRate: {
    label: 'Learning rate',
    hint: 'Peak AdamW rate',
    range: () => ({ min: 0, max: 1, integer: false, minExclusive: true }),
  },
  fullLearningRate: {
    label: 'Full FT learning rate',
    hint: 'Peak AdamW rate of full fine-tuning',
    range: () => ({ min: 0, max: 1, integer: false, minExclusive: true }),
  },
  batchSize: {
    label: 'Batch size',
    hint: 'Sequences per step',
    range: () => ({ min: 1, max: 256, integer: true }),
  },
  maxLength: {
    label: 'Max length',
    hint: 'Tokens per sequence',
    // The runner's limits: [CLS] and [SEP] (three specials for a pair) leave no text below 4 tokens.
    range: (_, model) => ({ min: 4, max: model.maxPositionEmbeddings, integer: true, maxReason: `the position embeddings of ${model.name}` }),
  },
  steps: {
    label: 'Steps',
    hint: 'Optimizer steps per run',
    range: () => ({ min: 1, max: MAX_STEPS, integer: true }),
  },
  warmupSteps: {
    label: 'Warm-up steps',
    hint: 'Linear warm-up, then linear decay',
    // The schedule needs at least one step after the warm-up, as validateHyperparameters in src/train/spec.ts checks.
    range: ({ steps }) => ({ min: 0, max: (steps ?? MAX_STEPS) - 1, integer: true, maxReason: steps === undefined ? undefined : 'the number of steps − 1' }),
  },
  weightDecay: {
    label: 'Weight decay',
    hint: 'AdamW, decoupled',
    range: () => ({ min: 0, max: 1, integer: false }),
  },
  dropout: {
    label: 'Dropout',
    hint: 'Hidden dropout probability',
    range: () => ({ min: 0, max: 0.9, integer: false }),
  },
  maxGradNorm: {
    label: 'Max grad norm',
    hint: 'Global L2 norm for clipping',
    range: () => ({ min: 0, max: 1000, integer: false, minExclusive: true }),
  },
  evalInterval: {
    label: 'Eval interval',
    hint: 'Steps between dev evaluations',
    range: ({ steps }) => ({ min: 1, max: steps ?? MAX_STEPS, integer: true, maxReason: steps === undefined ? undefined : 'the number of steps' }),
  },
  evalExamples: {
    label: 'Eval examples',
    hint: 'Dev and test examples per evaluation (0: whole splits)',
    range: () => ({ min: 0, max: 1_000_000, integer: true }),
  },
};

export const NUMERIC_FIELDS = Object.keys(FIELD_SPECS) as NumericField[];

/** Returns the form with every default filled in, for a model and a task. */
export function defaultForm(model: ModelOption, taskId: string): ExperimentForm {
  return formFromValues(model.ref.id, taskId, DEFAULT_METHODS, DEFAULT_SEED_COUNT, DEFAULT_HYPERPARAMETERS);
}

/** Returns the form that reproduces a stored spec, e.g. to show the settings of an experiment being resumed. */
export function formFromSpec(spec: ExperimentSpec): ExperimentForm {
  const form = formFromValues(spec.model.id, spec.taskId, spec.methods, spec.seeds.length, spec.hyperparameters);
  const trainSize = spec.taskOptions?.trainSize;
  return trainSize === undefined ? form : { ...form, trainSize: trainSizeChoiceOf(trainSize) };
}

function formFromValues(modelId: string, taskId: string, methods: readonly MethodId[], seedCount: number, hyperparameters: Readonly<Hyperparameters>): ExperimentForm {
  const { modules, ...numbers } = hyperparameters;
  const values = { seedCount: String(seedCount) } as Record<NumericField, string>;
  for (const [field, value] of Object.entries(numbers)) values[field as NumericField] = String(value);
  // Specs stored before the eval-examples setting existed evaluated whole splits.
  values.evalExamples ??= '0';
  // Specs stored before the full fine-tuning rate existed trained every method at learningRate.
  values.fullLearningRate ??= String(hyperparameters.learningRate);
  return { modelId, taskId, trainSize: { ...DEFAULT_TRAIN_SIZE_CHOICE }, methods: [...methods], modules: [...modules], values };
}

export type FormResult =
  | { ok: true; methods: MethodId[]; seeds: number[]; hyperparameters: Hyperparameters; taskOptions?: TaskOptions }
  | { ok: false; errors: FormErrors };

/** Checks every field and returns either the parsed values or one message per invalid field. */
export function validateForm(form: ExperimentForm, context: FormContext): FormResult {
  const errors: FormErrors = {};
  const parsed: Partial<Record<NumericField, number>> = {};

  // Steps first, because the ranges of warm-up and eval interval depend on it.
  const order: NumericField[] = ['steps', ...NUMERIC_FIELDS.filter((field) => field !== 'steps')];
  for (const field of order) {
    const result = parseField(field, form.values[field], parsed, context.model);
    if (typeof result === 'number') parsed[field] = result;
    else errors[field] = result.error;
  }

  if (form.modelId !== context.model.ref.id) {
    errors.modelId = `Model "${form.modelId}" is not available: choose ${context.model.name}.`;
  }
  if (form.taskId === '') {
    errors.taskId = context.taskIds.length === 0 ? 'No task is available yet.' : 'Choose a task.';
  } else if (!context.taskIds.includes(form.taskId)) {
    errors.taskId = `Task "${form.taskId}" is not available: choose one of ${context.taskIds.join(', ') || '(none)'}.`;
  }
  const taskOptions = taskOptionsOf(form, context, errors);

  const methods = ALL_METHODS.filter((method) => form.methods.includes(method));
  if (methods.length === 0) errors.methods = 'Select at least one method.';
  // The runner's spec check requires a module even when only the baselines run, which then ignore it.
  const modules = ADAPTER_MODULES.filter((module) => form.modules.includes(module));
  // Head-only and full fine-tuning add no adapters, so only the adapter methods need a module.
  const adapterMethod = methods.find(isAdapterMethod);
  if (modules.length === 0 && adapterMethod !== undefined) errors.modules = 'Select at least one adapter module for the adapter methods, or choose only baselines.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const { seedCount, ...numbers } = parsed as Record<NumericField, number>;
  return {
    ok: true,
    methods,
    seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
    hyperparameters: { ...numbers, modules },
    ...(taskOptions === undefined ? {} : { taskOptions }),
  };
}

/**
 * Returns the task options of the chosen task: the train size of a GLUE task, the file of an uploaded
 * task, nothing for the others. Records a message in `errors` when the train size is invalid or the file
 * of an uploaded task is missing.
 */
function taskOptionsOf(form: ExperimentForm, context: FormContext, errors: FormErrors): TaskOptions | undefined {
  if (isGlueTaskId(form.taskId)) {
    const trainSize = validateTrainSizeChoice(form.trainSize, form.taskId);
    if (typeof trainSize === 'object') {
      errors.trainSize = trainSize.error;
      return undefined;
    }
    return { trainSize };
  }
  if (form.taskId.startsWith(UPLOAD_TASK_PREFIX) && context.taskIds.includes(form.taskId)) {
    // NOTE: the spec carries the file's bytes, so every experiment on the file stores its own copy in IndexedDB,
    // and the history list reads them all at each page load.
    const upload = context.uploadSpec?.(form.taskId);
    if (upload === undefined) {
      errors.taskId = `The file of task "${form.taskId}" is no longer in this page; upload it again under "Your own data".`;
      return undefined;
    }
    return { upload };
  }
  return undefined;
}

/** Describes the allowed values of a field, e.g. "an integer from 1 to 64". */
export function describeRange(range: Range): string {
  const kind = range.integer ? 'an integer' : 'a number';
  const upper = range.maxReason ? `${range.max} (${range.maxReason})` : String(range.max);
  return range.minExclusive ? `${kind} greater than ${range.min} and at most ${upper}` : `${kind} from ${range.min} to ${upper}`;
}

/** Writes the allowed values compactly for a hint, e.g. "1–64" or "> 0 and ≤ 1024". */
export function formatRange(range: Range): string {
  return range.minExclusive ? `> ${range.min} and ≤ ${range.max}` : `${range.min}–${range.max}`;
}

/** Returns the range of one field for the current values and model, for hints. */
export function fieldRange(field: NumericField, form: ExperimentForm, model: ModelOption): Range {
  const steps = Number(form.values.steps);
  const stepsValid = Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS;
  return FIELD_SPECS[field].range(stepsValid ? { steps } : {}, model);
}

function parseField(field: NumericField, text: string, parsed: Partial<Record<NumericField, number>>, model: ModelOption): number | { error: string } {
  const { label } = FIELD_SPECS[field];
  const range = FIELD_SPECS[field].range(parsed, model);
  const allowed = describeRange(range);
  const trimmed = text.trim();
  if (trimmed === '') return { error: `${label} is empty: enter ${allowed}.` };

  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `${label} "${trimmed}" is not a number: enter ${allowed}.` };
  if (range.integer && !Number.isInteger(value)) return { error: `${label} ${trimmed} is not an integer: enter ${allowed}.` };
  const belowMin = range.minExclusive ? value <= range.min : value < range.min;
  if (belowMin || value > range.max) return { error: `${label} ${trimmed} is out of range: enter ${allowed}.` };
  return value;
}
