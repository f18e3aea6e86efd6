// Command-line options of `npm run compare`: the table of options with units and defaults (the --help
// text is built from it), parsing and validation with messages that name the value and what is allowed.
import { ALL_METHODS, ADAPTER_MODULES, type AdapterModule, type Hyperparameters, type MethodId } from '../train/types';
import { EMBEDDED_MODEL_PATH } from '../train/embedded-model';
import { GLUE_TASK_IDS, isGlueTaskId } from '../data/glue-configs';

/** Thrown for invalid command-line input; the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/*
 * Defaults, chosen for the embedded model (hidden size 128, 2 layers) on the spam task:
 * - rank 8, alpha 16: the scaling alpha / rank = 2 of common LoRA setups; rank 8 is 1/16 of the hidden size.
 * - learning rate 5e-3 for adapters and the head, which start from zero or random values and train few
 *   parameters. At 1e-3, 60 steps of LoRA on spam still predicted the majority class everywhere, while 5e-3
 *   reached clearly above it with every adapter method (docs/results.md). Full fine-tuning gets 5e-5, the top of the BERT paper's range (2e-5 to 5e-5), because a rate
 *   of 1e-3 on every pretrained weight tends to wipe out what pretraining learned.
 * - batch 16: the small end of the BERT paper's fine-tuning batch sizes (16, 32), so a step stays short.
 * - max length 128 tokens: the subject and opening lines of a mail carry most of the spam signal, and the
 *   attention cost grows with the square of the length.
 * - warm-up 10% of the steps and weight decay 0.01, the defaults of Google's BERT fine-tuning script
 *   (run_classifier.py). Max grad norm 1.0 is the default of transformers' Trainer. Dropout 0.1 is BERT's
 *   hidden dropout.
 * - modules query and value: the LoRA paper's choice for attention layers.
 * - eval interval 50 steps: four dev evaluations in the default 200 steps.
 */
export const DEFAULT_ADAPTER_LEARNING_RATE = 5e-3;
export const DEFAULT_FULL_LEARNING_RATE = 5e-5;
export const DEFAULT_WARMUP_FRACTION = 0.1;
export const DEFAULT_METHODS: readonly MethodId[] = ['lora', 'shim', 'icfm', 'ctcm', 'dtsm'];

export interface CompareOptions {
  task: string;
  methods: MethodId[];
  seeds: number[];
  /** Folder of the checkpoint (config.json, model.safetensors, tokenizer files). */
  model: string;
  /** True when --model was not given, so `model` is the embedded model's folder. */
  modelIsDefault: boolean;
  out: string;
  hyperparameters: Hyperparameters;
  /** Per-method learning rates that replace hyperparameters.learningRate (full fine-tuning without --lr). */
  learningRates: Partial<Record<MethodId, number>>;
  /** Data source of the task: a GLUE folder and train size, or a file and its columns. */
  taskOptions: CompareTaskOptions;
}

/** Prefix of --task for the user's own data file, e.g. "file:reviews.csv". */
export const FILE_TASK_PREFIX = 'file:';

export interface CompareTaskOptions {
  /** --data: local folder with the Hub layout of nyu-mll/glue, for a GLUE task; the Hub when absent. */
  data?: string;
  /** --train-size: training examples kept after the GLUE test hold-out; the task's default when absent. */
  trainSize?: number | 'all';
  /** Path after "file:" in --task. */
  file?: string;
  /** --text, --text-pair and --label: the columns of a file task. */
  text?: string;
  textPair?: string;
  label?: string;
  /** --task-type of a file task; inferred from the label column when absent. */
  taskType?: 'classification' | 'regression';
}

type Kind = 'integer' | 'number' | 'text' | 'list';

interface OptionSpec {
  name: string;
  /** Placeholder in the help text, e.g. "<count>". */
  value: string;
  kind: Kind;
  /** Help text: the setting and its unit. */
  help: string;
  /** The default as the help text shows it. */
  defaultText: string;
  /** Inclusive bounds of a numeric option. */
  min?: number;
  max?: number;
  /** min is excluded (a positive number). */
  exclusiveMin?: boolean;
  /** max is excluded (a probability below 1). */
  exclusiveMax?: boolean;
  /** Allowed items of a list option. */
  allowed?: readonly string[];
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  { name: 'task', value: '<id>', kind: 'text', help: `task to fine-tune on: a built-in id (spam, sotu-party, ${GLUE_TASK_IDS.join(', ')}) or file:<path> of a CSV, TSV or JSON Lines file`, defaultText: 'spam' },
  { name: 'methods', value: '<list>', kind: 'list', help: 'comma-separated methods to compare', defaultText: DEFAULT_METHODS.join(','), allowed: ALL_METHODS },
  { name: 'seeds', value: '<count>', kind: 'integer', help: 'runs per method, with seeds seed-base, seed-base + 1, …', defaultText: '3', min: 1, max: 1000 },
  { name: 'seed-base', value: '<integer>', kind: 'integer', help: 'first seed', defaultText: '1', min: 0, max: 0xffffffff },
  { name: 'steps', value: '<count>', kind: 'integer', help: 'optimizer steps per run', defaultText: '200', min: 1 },
  { name: 'model', value: '<folder>', kind: 'text', help: 'checkpoint folder in Hugging Face layout', defaultText: `public/${EMBEDDED_MODEL_PATH}` },
  { name: 'out', value: '<folder>', kind: 'text', help: 'folder for results.json, results.csv and summary.md', defaultText: 'results/' },
  { name: 'rank', value: '<integer>', kind: 'integer', help: 'adapter rank r', defaultText: '8', min: 1 },
  { name: 'alpha', value: '<number>', kind: 'number', help: 'adapter alpha; the update is scaled by alpha / rank', defaultText: '16', min: 0, exclusiveMin: true },
  {
    name: 'lr',
    value: '<number>',
    kind: 'number',
    help: 'peak learning rate of every method, full fine-tuning included',
    defaultText: `${DEFAULT_ADAPTER_LEARNING_RATE} for adapters and head, ${DEFAULT_FULL_LEARNING_RATE} for full`,
    min: 0,
    exclusiveMin: true,
  },
  { name: 'batch-size', value: '<count>', kind: 'integer', help: 'sequences per batch', defaultText: '16', min: 1 },
  { name: 'max-length', value: '<tokens>', kind: 'integer', help: 'tokens per sequence after truncation, special tokens included', defaultText: '128', min: 4 },
  { name: 'warmup', value: '<steps>', kind: 'integer', help: 'steps of linear warm-up before the linear decay', defaultText: `${DEFAULT_WARMUP_FRACTION * 100}% of --steps, rounded down`, min: 0 },
  { name: 'weight-decay', value: '<number>', kind: 'number', help: 'AdamW decoupled weight decay', defaultText: '0.01', min: 0 },
  { name: 'dropout', value: '<probability>', kind: 'number', help: 'hidden and classifier dropout during training', defaultText: '0.1', min: 0, max: 1, exclusiveMax: true },
  { name: 'max-grad-norm', value: '<number>', kind: 'number', help: 'global L2 norm above which gradients are scaled down', defaultText: '1.0', min: 0, exclusiveMin: true },
  { name: 'modules', value: '<list>', kind: 'list', help: 'comma-separated linear layers that get adapters', defaultText: 'query,value', allowed: ADAPTER_MODULES },
  { name: 'eval-interval', value: '<steps>', kind: 'integer', help: 'steps between dev evaluations (and one after the last step)', defaultText: '50', min: 1 },
  { name: 'eval-examples', value: '<count>', kind: 'integer', help: 'dev and test examples per evaluation, from the start of each split (0: whole splits)', defaultText: '0', min: 0 },
  { name: 'data', value: '<folder>', kind: 'text', help: 'GLUE tasks: folder with the Hub layout of nyu-mll/glue (<config>/<split>-00000-of-00001.parquet)', defaultText: 'download from the Hugging Face Hub' },
  { name: 'train-size', value: '<count|all>', kind: 'text', help: 'GLUE tasks: training examples kept after the test hold-out, a seeded stratified sample', defaultText: 'all, or 20000 for qnli, qqp and mnli' },
  { name: 'text', value: '<column>', kind: 'text', help: 'file tasks: column with the text', defaultText: 'none (required)' },
  { name: 'text-pair', value: '<column>', kind: 'text', help: 'file tasks: column with the second text of a sentence pair', defaultText: 'none' },
  { name: 'label', value: '<column>', kind: 'text', help: 'file tasks: column with the class or score', defaultText: 'none (required)' },
  { name: 'task-type', value: '<type>', kind: 'text', help: 'file tasks: classification or regression', defaultText: 'inferred from the label column' },
];

/** Returns the --help text: usage, then every option with its unit and default. */
export function helpText(): string {
  const width = Math.max(...OPTION_SPECS.map((spec) => `--${spec.name} ${spec.value}`.length));
  const lines = OPTION_SPECS.map((spec) => {
    const allowed = spec.allowed ? ` (${spec.allowed.join(', ')})` : '';
    return `  ${`--${spec.name} ${spec.value}`.padEnd(width)}  ${spec.help}${allowed}; default ${spec.defaultText}`;
  });
  return [
    'Usage: npm run compare -- [options]',
    '',
    'Fine-tunes the model on the task with every method and seed on the GPU (Dawn), and writes',
    'results.json, results.csv and summary.md to the --out folder. Progress goes to stderr.',
    '',
    'Options:',
    ...lines,
    `  ${'--save-adapters'.padEnd(width)}  also write each finished run's adapters next to results.json: <method>-seed<seed>-peft/ (PEFT LoRA, T folded into B) and <method>-seed<seed>.mtlora.safetensors (native)`,
    `  ${'--help'.padEnd(width)}  print this text and exit`,
    '',
    'Example: npm run compare -- --task spam --methods lora,shim,icfm,ctcm,dtsm --seeds 3 --steps 200 --out results/',
    'GLUE:    npm run compare -- --task rte --train-size all --data glue/',
    'File:    npm run compare -- --task file:reviews.csv --text review --label stars --task-type classification',
  ].join('\n');
}

/** Parses the arguments after the script name. Returns null for --help. Throws UsageError on invalid input. */
export function parseCompareOptions(argv: readonly string[]): CompareOptions | null {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--help' || argument === '-h') return null;
    if (!argument.startsWith('--')) throw new UsageError(`Unexpected argument "${argument}"; options start with "--". Run with --help for the list.`);
    const equals = argument.indexOf('=');
    const name = argument.slice(2, equals < 0 ? undefined : equals);
    const spec = OPTION_SPECS.find((candidate) => candidate.name === name);
    if (!spec) throw new UsageError(`Unknown option "--${name}"; the options are ${OPTION_SPECS.map((candidate) => `--${candidate.name}`).join(', ')} and --help.`);
    if (values.has(name)) throw new UsageError(`Option --${name} is given twice; give it once.`);
    let value: string | undefined;
    if (equals >= 0) {
      value = argument.slice(equals + 1);
    } else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (equals < 0 && value.startsWith('--'))) throw new UsageError(`Option --${name} needs a value ${spec.value}.`);
    values.set(name, value);
  }

  const number = (name: string, fallback: number): number => (values.has(name) ? parseNumber(specOf(name), values.get(name)!) : fallback);
  const list = (name: string, fallback: readonly string[]): string[] => (values.has(name) ? parseList(specOf(name), values.get(name)!) : [...fallback]);

  const steps = number('steps', 200);
  const seedCount = number('seeds', 3);
  const seedBase = number('seed-base', 1);
  if (seedBase + seedCount - 1 > 0xffffffff) {
    throw new UsageError(`--seed-base ${seedBase} with --seeds ${seedCount} reaches seed ${seedBase + seedCount - 1}, above the largest seed 4294967295; lower --seed-base.`);
  }
  const warmupSteps = number('warmup', Math.floor(steps * DEFAULT_WARMUP_FRACTION));
  if (warmupSteps >= steps) throw new UsageError(`--warmup ${warmupSteps} is invalid for --steps ${steps}; use an integer from 0 to ${steps - 1}.`);

  const explicitRate = values.has('lr');
  const hyperparameters: Hyperparameters = {
    rank: number('rank', 8),
    alpha: number('alpha', 16),
    learningRate: number('lr', DEFAULT_ADAPTER_LEARNING_RATE),
    batchSize: number('batch-size', 16),
    maxLength: number('max-length', 128),
    steps,
    warmupSteps,
    weightDecay: number('weight-decay', 0.01),
    dropout: number('dropout', 0.1),
    maxGradNorm: number('max-grad-norm', 1),
    modules: list('modules', ['query', 'value']) as AdapterModule[],
    evalInterval: number('eval-interval', 50),
    evalExamples: number('eval-examples', 0),
  };
  const methods = list('methods', DEFAULT_METHODS) as MethodId[];
  return {
    task: values.get('task') ?? 'spam',
    methods,
    seeds: Array.from({ length: seedCount }, (_, i) => seedBase + i),
    model: values.get('model') ?? `public/${EMBEDDED_MODEL_PATH}`,
    modelIsDefault: !values.has('model'),
    out: values.get('out') ?? 'results/',
    hyperparameters,
    learningRates: explicitRate || !methods.includes('full') ? {} : { full: DEFAULT_FULL_LEARNING_RATE },
    taskOptions: parseTaskOptions(values.get('task') ?? 'spam', values),
  };
}

/** Checks that the data options fit the kind of --task: --data and --train-size for GLUE, the columns for file:. */
function parseTaskOptions(task: string, values: ReadonlyMap<string, string>): CompareTaskOptions {
  const isFile = task.startsWith(FILE_TASK_PREFIX);
  const glueOnly = ['data', 'train-size'].filter((name) => values.has(name));
  if (glueOnly.length > 0 && !isGlueTaskId(task)) {
    throw new UsageError(`--${glueOnly[0]} applies to GLUE tasks (${GLUE_TASK_IDS.join(', ')}), not to --task ${task}.`);
  }
  const fileOnly = ['text', 'text-pair', 'label', 'task-type'].filter((name) => values.has(name));
  if (fileOnly.length > 0 && !isFile) {
    throw new UsageError(`--${fileOnly[0]} applies to file tasks (--task file:<path>), not to --task ${task}.`);
  }

  if (isGlueTaskId(task)) {
    const options: CompareTaskOptions = {};
    if (values.has('data')) options.data = values.get('data')!;
    if (values.has('train-size')) {
      const text = values.get('train-size')!;
      const count = Number(text);
      if (text !== 'all' && !(Number.isSafeInteger(count) && count > 0)) {
        throw new UsageError(`--train-size ${text} is invalid; use a positive integer or "all".`);
      }
      options.trainSize = text === 'all' ? 'all' : count;
    }
    return options;
  }
  if (!isFile) return {};

  const file = task.slice(FILE_TASK_PREFIX.length);
  if (file === '') throw new UsageError('--task file: needs a path, e.g. --task file:reviews.csv.');
  for (const name of ['text', 'label']) {
    if (!values.has(name)) throw new UsageError(`--task ${task} needs --${name} <column>: the column with the ${name === 'text' ? 'text' : 'class or score'}.`);
  }
  const taskType = values.get('task-type');
  if (taskType !== undefined && taskType !== 'classification' && taskType !== 'regression') {
    throw new UsageError(`--task-type ${taskType} is invalid; use classification or regression.`);
  }
  return {
    file,
    text: values.get('text')!,
    label: values.get('label')!,
    ...(values.has('text-pair') ? { textPair: values.get('text-pair')! } : {}),
    ...(taskType === undefined ? {} : { taskType }),
  };
}

function specOf(name: string): OptionSpec {
  return OPTION_SPECS.find((spec) => spec.name === name)!;
}

function parseNumber(spec: OptionSpec, text: string): number {
  const value = Number(text);
  const integer = spec.kind === 'integer';
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new UsageError(`--${spec.name} ${text} is not ${integer ? 'an integer' : 'a number'}; ${allowedRange(spec)}.`);
  }
  const belowMin = spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min);
  const aboveMax = spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max);
  if (belowMin || aboveMax) throw new UsageError(`--${spec.name} ${text} is out of range; ${allowedRange(spec)}.`);
  return value;
}

/** Describes the allowed values of a numeric option, e.g. "use an integer of at least 1". */
function allowedRange(spec: OptionSpec): string {
  const what = spec.kind === 'integer' ? 'an integer' : 'a number';
  let low = '';
  if (spec.min !== undefined) low = spec.exclusiveMin ? `above ${spec.min}` : `of at least ${spec.min}`;
  if (spec.max === undefined) return low === '' ? `use ${what}` : `use ${what} ${low}`;
  if (spec.kind === 'integer' && !spec.exclusiveMin && !spec.exclusiveMax) return `use an integer from ${spec.min} to ${spec.max}`;
  return `use ${what} in ${spec.exclusiveMin ? '(' : '['}${spec.min}, ${spec.max}${spec.exclusiveMax ? ')' : ']'}`;
}

function parseList(spec: OptionSpec, text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  const allowed = spec.allowed!;
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') throw new UsageError(`--${spec.name} "${text}" has an empty item; separate values with single commas, e.g. ${allowed.slice(0, 2).join(',')}.`);
    if (!allowed.includes(item)) throw new UsageError(`--${spec.name}: "${item}" is not allowed; use one or more of ${allowed.join(', ')}.`);
    if (seen.has(item)) throw new UsageError(`--${spec.name}: "${item}" is listed twice.`);
    seen.add(item);
  }
  return items;
}
