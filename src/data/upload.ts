// A task from the user's own file. The user maps columns to the text, the optional second text and the
// label, and the task type (classification or regression) is inferred and can be changed. A preview shows
// the first rows and the label distribution, and taskFromUpload builds the TaskDefinition with seeded
// train/dev/test splits. Rows that cannot be used are skipped and listed with their line and reason.

import { createRandom, deriveSeed } from '../util/random';
import { quantileBinner, stratifiedSample } from './sampling';
import { countLabels, duplicateKey, shuffleInPlace, stratifiedSplit } from './split';
import type { MetricId, TaskDefinition, TaskExample, TaskKind, TaskSplits } from './task';
import { MIN_UPLOAD_ROWS, parseUploadTable, UploadError, type SkippedRow, type UploadFormat, type UploadLimits, type UploadRow, type UploadTable } from './upload-validation';

export { checkUploadSize, DEFAULT_UPLOAD_LIMITS, MIN_UPLOAD_ROWS, UploadError, type SkippedRow, type UploadFormat, type UploadLimits, type UploadTable } from './upload-validation';

export type UploadTaskType = TaskKind;

/** Column of each role. Names are the header's (CSV, TSV) or the object keys (JSON Lines). */
export interface ColumnMapping {
  text: string;
  /** Second text of a sentence-pair task (token type 1). */
  textPair?: string;
  /** Class name for classification, number for regression. */
  label: string;
}

/**
 * Everything needed to rebuild an uploaded task, so it can be stored (e.g. in IndexedDB, which clones
 * Uint8Array) and turned into the same task again by taskFromUpload.
 */
export interface UploadedTaskSpec {
  fileName: string;
  /** The file's bytes, preferred because invalid UTF-8 is then found exactly; or its decoded text. */
  bytes?: Uint8Array;
  text?: string;
  /** Default: from the file name's extension. */
  format?: UploadFormat;
  mapping: ColumnMapping;
  /** Default: inferred from the label column (inferTaskType). */
  taskType?: UploadTaskType;
  /** Display name; default the file name. */
  name?: string;
  /** Seed of the train/dev/test split; default UPLOAD_SPLIT_SEED. */
  seed?: number;
  limits?: Partial<UploadLimits>;
}

/** A numeric label column with more distinct values than this is inferred to be regression. */
export const MAX_INFERRED_CLASSES = 10;

/** Most classes of a classification task; more usually means the wrong column or a regression target. */
export const MAX_UPLOAD_CLASSES = 100;

export const UPLOAD_SPLIT_SEED = 7;

/** Prefix of the task id of an uploaded file, e.g. "upload:1a2b3c4d". The rest is a hash of the file and its settings. */
export const UPLOAD_TASK_PREFIX = 'upload:';

export const UPLOAD_SPLIT_FRACTIONS = { dev: 0.1, test: 0.1 } as const;

/** Score bins a regression task is stratified by (deciles). */
const REGRESSION_STRATA = 10;

/** Rows shown by the preview. */
export const PREVIEW_ROWS = 10;

/** Column names tried, in order, when suggesting a mapping. */
const TEXT_NAMES = ['text', 'sentence', 'sentence1', 'question', 'question1', 'premise', 'review', 'content', 'body', 'document'];
const PAIR_NAMES = ['text_pair', 'text2', 'sentence2', 'question2', 'hypothesis', 'pair'];
const LABEL_NAMES = ['label', 'labels', 'class', 'category', 'target', 'score', 'y'];

/** Parses a label cell as a finite number, or returns null. Accepts JSON numbers and numeric strings. */
function numericLabel(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const number = Number(value.trim());
  return Number.isFinite(number) ? number : null;
}

/** Returns the label cell as a class name (trimmed strings, numbers and booleans as text), or null when it is empty or not a scalar. */
function classLabel(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

/** Returns "1 row", "2 rows": the count in en-US digits and the noun, plural unless the count is 1. */
function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : `${noun}s`}`;
}

export interface TaskTypeInference {
  taskType: UploadTaskType;
  /** Distinct non-empty label values. */
  distinct: number;
  /** Why, in one sentence, for the UI. */
  reason: string;
}

/**
 * Infers the task type from the label values. Numbers with more than MAX_INFERRED_CLASSES distinct
 * values are regression. Anything else (text labels, or few distinct numbers) is classification.
 */
export function inferTaskType(values: readonly unknown[]): TaskTypeInference {
  const present = values.filter((value) => classLabel(value) !== null);
  if (present.length === 0) {
    return { taskType: 'classification', distinct: 0, reason: 'No row has a label in the chosen column, so the task type cannot be inferred and classification is assumed.' };
  }
  const numbers = present.map(numericLabel);
  const numericCount = numbers.filter((number) => number !== null).length;
  const allNumeric = numericCount === present.length;
  const distinct = allNumeric ? new Set(numbers).size : new Set(present.map(classLabel)).size;
  if (allNumeric && distinct > MAX_INFERRED_CLASSES) {
    return { taskType: 'regression', distinct, reason: `All labels are numbers with ${distinct} distinct values (more than ${MAX_INFERRED_CLASSES}), so they are treated as scores.` };
  }
  let kind = 'text';
  if (allNumeric) kind = 'numbers';
  else if (numericCount > 0) kind = 'a mix of numbers and words';
  return { taskType: 'classification', distinct, reason: `The labels are ${kind} with ${countOf(distinct, 'distinct value')}, so each value is a class.` };
}

/** Label values that a warning names, at most; the rest are counted. */
const ODD_LABELS_SHOWN = 5;

/**
 * Returns a warning for a classification label column whose values look like typos, or null. Two patterns
 * are flagged: numbers mixed with words (the values of the rarer kind are named, e.g. "maybe" among 0 and 1),
 * and a few fractional numbers among whole numbers (e.g. "1.5" among 0 and 1). Each such value would
 * silently become a class of its own.
 */
export function mixedLabelWarning(values: readonly unknown[], column: string): string | null {
  const counts = new Map<string, number>();
  for (const value of values) {
    const label = classLabel(value);
    if (label !== null) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const entries = [...counts.entries()];
  const rowsOf = (list: readonly [string, number][]) => list.reduce((sum, [, count]) => sum + count, 0);
  const numeric = entries.filter(([label]) => numericLabel(label) !== null);
  const words = entries.filter(([label]) => numericLabel(label) === null);
  const whole = numeric.filter(([label]) => Number.isInteger(numericLabel(label)));
  const fractional = numeric.filter(([label]) => !Number.isInteger(numericLabel(label)));

  const odd: [string, number][] = [];
  const mixed = numeric.length > 0 && words.length > 0;
  if (mixed) odd.push(...(rowsOf(words) <= rowsOf(numeric) ? words : numeric));
  // Fractional numbers are flagged when whole numbers are the usual labels. One that is already listed as a number among words is skipped.
  if (rowsOf(whole) > rowsOf(fractional)) odd.push(...fractional.filter((entry) => !odd.includes(entry)));
  if (odd.length === 0) return null;

  odd.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const named = odd.slice(0, ODD_LABELS_SHOWN).map(([label, count]) => `"${label}" (${countOf(count, 'row')})`);
  const more = odd.length > ODD_LABELS_SHOWN ? ` and ${countOf(odd.length - ODD_LABELS_SHOWN, 'more value')}` : '';
  const pattern = mixed
    ? `Column "${column}" mixes numbers (${countOf(rowsOf(numeric), 'row')}) and words (${countOf(rowsOf(words), 'row')}) in its labels.`
    : `Column "${column}" has whole-number labels and a few fractional ones.`;
  return (
    `${pattern} These values look out of place, and each becomes a class of its own: ${named.join(', ')}${more}. ` +
    'If they are typos, correct them in the file and choose it again; if the column contains scores, choose Regression as the task type, which skips the rows whose label is not a number.'
  );
}

/** Suggests a mapping from common column names, falling back to the first and last columns. */
export function suggestMapping(columns: readonly string[]): ColumnMapping | null {
  if (columns.length < 2) return null;
  const find = (names: string[]): string | undefined => columns.find((column) => names.includes(column.toLowerCase()));
  const label = find(LABEL_NAMES) ?? columns[columns.length - 1];
  const text = find(TEXT_NAMES) ?? columns.find((column) => column !== label)!;
  const textPair = find(PAIR_NAMES);
  return textPair !== undefined && textPair !== text && textPair !== label ? { text, textPair, label } : { text, label };
}

const SEMICOLON_HINT =
  'The header contains semicolons, but semicolon-separated files are not supported: save the file as CSV with commas, or as TSV with tabs, and choose it again.';

/**
 * Returns the likely cause of a single column: the delimiter that its name contains, or the format's own
 * delimiter. The format comes from the extension or from the Format menu, so both fixes are named.
 */
function delimiterHint(format: UploadFormat, onlyColumn: string | undefined): string {
  if (format === 'jsonl') return 'Each JSON object needs one key for the text and one for the label.';
  if (onlyColumn?.includes(';')) return SEMICOLON_HINT;
  if (format === 'csv') {
    return onlyColumn?.includes('\t')
      ? 'The header contains tabs, so the file is probably tab-separated: choose TSV in the Format menu, or rename the file to .tsv.'
      : 'Fields of a CSV file are separated by commas. If the file uses tabs, choose TSV in the Format menu, or rename the file to .tsv.';
  }
  return onlyColumn?.includes(',')
    ? 'The header contains commas, so the file is probably comma-separated: choose CSV in the Format menu, or rename the file to .csv.'
    : 'Fields of a TSV file are separated by tabs. If the file uses commas, choose CSV in the Format menu, or rename the file to .csv.';
}

/**
 * Raises an UploadError when the table has fewer than two columns, because a task needs a text and a
 * label. One column usually means the wrong delimiter, e.g. a tab-separated file named .csv.
 */
export function checkColumnCount(table: Pick<UploadTable, 'fileName' | 'format' | 'columns' | 'skipped'>): void {
  if (table.columns.length >= 2) return;
  if (table.columns.length === 0) {
    const first = table.skipped[0];
    throw new UploadError(`${table.fileName}: no row could be read, so the file has no columns${first === undefined ? '' : ` (line ${first.line} ${first.reason})`}. ${delimiterHint(table.format, undefined)}`);
  }
  throw new UploadError(`${table.fileName} has only one column, "${table.columns[0]}"; a task needs a text column and a label column. ${delimiterHint(table.format, table.columns[0])}`);
}

/** Checks that the mapped columns exist and differ. */
export function validateMapping(table: Pick<UploadTable, 'fileName' | 'columns'>, mapping: ColumnMapping): void {
  const roles: [keyof ColumnMapping, string | undefined][] = [
    ['text', mapping.text],
    ['textPair', mapping.textPair],
    ['label', mapping.label],
  ];
  const known = table.columns.map((column) => `"${column}"`).join(', ');
  for (const [role, column] of roles) {
    if (role !== 'textPair' && (column === undefined || column === '')) {
      throw new UploadError(`${table.fileName}: no ${role} column is chosen; choose one of ${known}.`);
    }
    if (column !== undefined && !table.columns.includes(column)) {
      throw new UploadError(`${table.fileName}: the ${role} column "${column}" is missing; the file has columns ${known}.`);
    }
  }
  const chosen = roles.filter(([, column]) => column !== undefined).map(([, column]) => column);
  if (new Set(chosen).size !== chosen.length) {
    throw new UploadError(`${table.fileName}: text, second text and label must be different columns; got text "${mapping.text}", second text "${mapping.textPair ?? ''}", label "${mapping.label}".`);
  }
}

/** Returns the text of a cell, or null when it is missing, empty or not a string or number. */
function textCell(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value;
}

function describeCell(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** A row with its text, pair and raw label, before the label becomes a class index or a score. */
interface MappedRow {
  line: number;
  text: string;
  textPair?: string;
  label: unknown;
}

/** Maps rows to texts and labels; rows without a text or a label are skipped with the column's name. */
function mapRows(rows: readonly UploadRow[], mapping: ColumnMapping, skipped: SkippedRow[]): MappedRow[] {
  const mapped: MappedRow[] = [];
  for (const row of rows) {
    const text = textCell(row.values[mapping.text]);
    const textPair = mapping.textPair === undefined ? undefined : textCell(row.values[mapping.textPair]);
    if (text === null) {
      skipped.push({ line: row.line, reason: `has an empty or missing text in column "${mapping.text}" (${describeCell(row.values[mapping.text])})` });
    } else if (textPair === null) {
      skipped.push({ line: row.line, reason: `has an empty or missing second text in column "${mapping.textPair}" (${describeCell(row.values[mapping.textPair!])})` });
    } else if (classLabel(row.values[mapping.label]) === null) {
      skipped.push({ line: row.line, reason: `has an empty or missing label in column "${mapping.label}" (${describeCell(row.values[mapping.label])})` });
    } else {
      mapped.push({ line: row.line, text, ...(textPair === undefined ? {} : { textPair }), label: row.values[mapping.label] });
    }
  }
  return mapped;
}

/** Sorts class names: numerically when all are numbers, else by code unit, so the order never depends on the locale. */
function sortClassNames(names: string[]): string[] {
  const numbers = names.map((name) => Number(name));
  if (numbers.every((number) => Number.isFinite(number))) {
    return names.sort((a, b) => Number(a) - Number(b));
  }
  return names.sort((a, b) => {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  });
}

export type LabelDistribution =
  | { kind: 'classification'; classes: { name: string; count: number }[] }
  | { kind: 'regression'; min: number; max: number; mean: number; histogram: { from: number; to: number; count: number }[] };

/** Examples with line numbers, the class names and the distribution, after labels are parsed. */
interface LabelledRows {
  examples: (TaskExample & { line: number })[];
  classNames?: string[];
  distribution: LabelDistribution;
}

/** Histogram bins of the regression distribution in the preview. */
const HISTOGRAM_BINS = 10;

function labelRows(rows: readonly MappedRow[], taskType: UploadTaskType, mapping: ColumnMapping, skipped: SkippedRow[]): LabelledRows {
  if (taskType === 'regression') {
    const examples: LabelledRows['examples'] = [];
    for (const row of rows) {
      const score = numericLabel(row.label);
      if (score === null) {
        const hint = typeof row.label === 'string' && /^\s*-?\d+,\d+\s*$/.test(row.label) ? '; write decimals with a period, e.g. 3.5' : '';
        skipped.push({ line: row.line, reason: `has the label ${describeCell(row.label)} in column "${mapping.label}", which is not a number${hint}` });
      } else {
        examples.push({ line: row.line, text: row.text, ...(row.textPair === undefined ? {} : { textPair: row.textPair }), label: score });
      }
    }
    return { examples, distribution: distributionOf(examples, 'regression') };
  }

  // All-numeric class names are normalised ("1.0" and "1" are one class).
  const names = rows.map((row) => classLabel(row.label)!);
  const numeric = names.every((name) => Number.isFinite(Number(name)));
  const normalised = numeric ? names.map((name) => String(Number(name))) : names;
  const classNames = sortClassNames([...new Set(normalised)]);
  const index = new Map(classNames.map((name, position) => [name, position]));
  const examples = rows.map((row, position) => ({ line: row.line, text: row.text, ...(row.textPair === undefined ? {} : { textPair: row.textPair }), label: index.get(normalised[position])! }));
  return { examples, classNames, distribution: distributionOf(examples, 'classification', classNames) };
}

/** Counts the examples per class, or describes the scores by range, mean and a histogram of equal bins. */
function distributionOf(examples: readonly TaskExample[], taskType: UploadTaskType, classNames: readonly string[] = []): LabelDistribution {
  if (taskType === 'classification') {
    const counts = countLabels(examples);
    return { kind: 'classification', classes: classNames.map((name, position) => ({ name, count: counts.get(position) ?? 0 })) };
  }

  const scores = examples.map((example) => example.label);
  if (scores.length === 0) {
    return { kind: 'regression', min: 0, max: 0, mean: 0, histogram: [] };
  }
  const min = scores.reduce((low, score) => Math.min(low, score), Infinity);
  const max = scores.reduce((high, score) => Math.max(high, score), -Infinity);
  const width = (max - min) / HISTOGRAM_BINS;
  const histogram = Array.from({ length: HISTOGRAM_BINS }, (_, bin) => ({ from: min + bin * width, to: bin === HISTOGRAM_BINS - 1 ? max : min + (bin + 1) * width, count: 0 }));
  for (const score of scores) {
    const bin = width === 0 ? 0 : Math.min(HISTOGRAM_BINS - 1, Math.floor((score - min) / width));
    histogram[bin].count++;
  }
  const mean = scores.reduce((sum, score) => sum + score, 0) / scores.length;
  return { kind: 'regression', min, max, mean, histogram };
}

/**
 * Removes duplicates so that no input can be in two splits. A later row with the same text and pair
 * (case-insensitive) and the same label is skipped as a duplicate. All rows of a text that occurs with
 * different labels are skipped as conflicts.
 */
function deduplicateRows(examples: readonly (TaskExample & { line: number })[], taskType: UploadTaskType, classNames: string[] | undefined, skipped: SkippedRow[]): (TaskExample & { line: number })[] {
  const byKey = new Map<string, (TaskExample & { line: number })[]>();
  for (const example of examples) {
    const key = duplicateKey(example);
    const group = byKey.get(key) ?? [];
    group.push(example);
    byKey.set(key, group);
  }
  const describe = (label: number): string => (taskType === 'classification' ? `"${classNames![label]}"` : String(label));

  const kept: (TaskExample & { line: number })[] = [];
  for (const example of examples) {
    const group = byKey.get(duplicateKey(example))!;
    const labels = new Set(group.map((member) => member.label));
    if (labels.size > 1) {
      const others = group.filter((member) => member !== example).map((member) => `line ${member.line} (${describe(member.label)})`);
      skipped.push({ line: example.line, reason: `has the same text as ${others.join(', ')} but label ${describe(example.label)}; rows whose text has two labels are all skipped` });
    } else if (group[0] !== example) {
      skipped.push({ line: example.line, reason: `duplicates the text and label of line ${group[0].line}` });
    } else {
      kept.push(example);
    }
  }
  return kept;
}

/** Splits regression examples 80/10/10, stratified by score decile. */
function splitRegression(examples: readonly TaskExample[], seed: number): TaskSplits {
  const bin = quantileBinner(
    examples.map((example) => example.label),
    REGRESSION_STRATA,
  );
  const stratum = (example: TaskExample): number => bin(example.label);
  const testCount = Math.round(examples.length * UPLOAD_SPLIT_FRACTIONS.test);
  const devCount = Math.round(examples.length * UPLOAD_SPLIT_FRACTIONS.dev);
  const test = stratifiedSample(examples, testCount, stratum, seed, 'upload.test');
  const dev = stratifiedSample(test.rest, devCount, stratum, seed, 'upload.dev');
  const train = shuffleInPlace([...dev.rest], createRandom(deriveSeed(seed, 'upload.train')));
  return { train, dev: dev.selected, test: test.selected };
}

export interface UploadPreview {
  table: Pick<UploadTable, 'fileName' | 'format' | 'columns' | 'bytes'>;
  /** Data rows in the file (header and blank lines excluded), readable or not: the total that the skipped rows are counted against. */
  dataRows: number;
  /** Data rows read (after rows with encoding or width problems were skipped). */
  rowCount: number;
  /** The first PREVIEW_ROWS rows, as read. */
  rows: UploadRow[];
  /** Given mapping, or the suggestion from the column names. */
  mapping: ColumnMapping | null;
  inference: TaskTypeInference | null;
  /** Task type used for the distribution: the given one, else the inferred one. */
  taskType: UploadTaskType | null;
  distribution: LabelDistribution | null;
  /** Rows skipped so far, with the mapping applied when there is one. */
  skipped: SkippedRow[];
  /** Notes on the label column that do not stop the task, e.g. mixedLabelWarning's. */
  warnings: string[];
}

/**
 * Reads the file and describes it for the mapping form: columns, first rows, a suggested or given
 * mapping, the inferred task type and the label distribution. Raises UploadError for whole-file
 * problems and for a mapping that names a missing column.
 */
export function previewUpload(
  fileName: string,
  input: string | Uint8Array,
  options: { format?: UploadFormat; mapping?: ColumnMapping; taskType?: UploadTaskType; limits?: Partial<UploadLimits> } = {},
): UploadPreview {
  const table = parseUploadTable(fileName, input, options);
  checkColumnCount(table);
  const mapping = options.mapping ?? suggestMapping(table.columns);
  const skipped = [...table.skipped];
  let inference: TaskTypeInference | null = null;
  let distribution: LabelDistribution | null = null;
  let taskType: UploadTaskType | null = options.taskType ?? null;
  const warnings: string[] = [];
  if (mapping !== null) {
    validateMapping(table, mapping);
    const mapped = mapRows(table.rows, mapping, skipped);
    inference = inferTaskType(mapped.map((row) => row.label));
    taskType ??= inference.taskType;
    distribution = labelRows(mapped, taskType, mapping, skipped).distribution;
    const labelWarning = taskType === 'classification' ? mixedLabelWarning(mapped.map((row) => row.label), mapping.label) : null;
    if (labelWarning !== null) warnings.push(labelWarning);
  }
  return {
    table: { fileName: table.fileName, format: table.format, columns: table.columns, bytes: table.bytes },
    dataRows: table.rows.length + table.skipped.length,
    rowCount: table.rows.length,
    rows: table.rows.slice(0, PREVIEW_ROWS),
    mapping,
    inference,
    taskType,
    distribution,
    skipped: skipped.sort((a, b) => a.line - b.line),
    warnings,
  };
}

export interface UploadResult {
  task: TaskDefinition;
  splits: TaskSplits;
  /** Every row left out, by line: unreadable, unmapped, unparsable label, duplicate or conflict. */
  skipped: SkippedRow[];
  /** Data rows read and rows that became examples. */
  rows: number;
  examples: number;
  taskType: UploadTaskType;
  inference: TaskTypeInference;
  /** Labels of the examples, after duplicates and conflicts are skipped. */
  distribution: LabelDistribution;
  /** Notes that do not stop the task, e.g. a class too small to reach dev and test. */
  warnings: string[];
}

/** FNV-1a hash of the parts (strings by UTF-16 code unit, bytes as they are), as 8 hex digits. */
function hashParts(parts: readonly (string | Uint8Array)[]): string {
  let hash = 0x811c9dc5;
  const mix = (value: number): void => {
    hash ^= value;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  for (const part of parts) {
    if (typeof part === 'string') {
      for (let i = 0; i < part.length; i++) mix(part.charCodeAt(i));
    } else {
      for (let i = 0; i < part.length; i++) mix(part[i]);
    }
    // A separator, so that ["ab", "c"] and ["a", "bc"] differ.
    mix(0xffff);
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Share of the smaller class below which a binary task is scored by MCC: always predicting the majority
 * class then scores a high accuracy but an MCC of 0.
 */
export const IMBALANCED_MINORITY_SHARE = 0.35;

function metricsFor(taskType: UploadTaskType, counts: readonly number[]): { metrics: MetricId[]; primaryMetric: MetricId } {
  if (taskType === 'regression') return { metrics: ['pearson', 'spearman'], primaryMetric: 'pearson' };
  if (counts.length > 2) return { metrics: ['accuracy', 'f1'], primaryMetric: 'accuracy' };
  const minority = Math.min(...counts) / counts.reduce((sum, count) => sum + count, 0);
  return { metrics: ['accuracy', 'f1', 'mcc'], primaryMetric: minority < IMBALANCED_MINORITY_SHARE ? 'mcc' : 'accuracy' };
}

/**
 * Builds the task of an uploaded file. Raises UploadError for problems with the whole file (encoding,
 * limits, missing columns, fewer than MIN_UPLOAD_ROWS usable rows, a single class or a constant score)
 * and returns every skipped row with its line and reason.
 */
export function taskFromUpload(spec: UploadedTaskSpec): UploadResult {
  const input = spec.bytes ?? spec.text;
  if (input === undefined) {
    throw new UploadError(`${spec.fileName}: the upload has neither bytes nor text; read the file first.`);
  }
  const seed = spec.seed ?? UPLOAD_SPLIT_SEED;
  const table = parseUploadTable(spec.fileName, input, { format: spec.format, limits: spec.limits });
  checkColumnCount(table);
  validateMapping(table, spec.mapping);

  const skipped = [...table.skipped];
  const mapped = mapRows(table.rows, spec.mapping, skipped);
  const inference = inferTaskType(mapped.map((row) => row.label));
  const taskType = spec.taskType ?? inference.taskType;
  if (taskType !== 'classification' && taskType !== 'regression') {
    throw new UploadError(`${spec.fileName}: task type "${String(taskType)}" is invalid; use "classification" or "regression".`);
  }
  const labelled = labelRows(mapped, taskType, spec.mapping, skipped);
  const unique = deduplicateRows(labelled.examples, taskType, labelled.classNames, skipped);
  skipped.sort((a, b) => a.line - b.line);

  const firstReasons = skipped
    .slice(0, 3)
    .map((row) => `line ${row.line} ${row.reason}`)
    .join('; ');
  if (unique.length < MIN_UPLOAD_ROWS) {
    throw new UploadError(
      `${spec.fileName}: only ${countOf(unique.length, 'usable row')} of ${table.rows.length + table.skipped.length}; at least ${MIN_UPLOAD_ROWS} are needed.` +
        (skipped.length > 0 ? ` ${skipped.length === 1 ? '1 row was' : `${skipped.length} rows were`} skipped, e.g. ${firstReasons}.` : ''),
    );
  }

  const warnings: string[] = [];
  const counts: number[] = [];
  if (taskType === 'classification') {
    const labelWarning = mixedLabelWarning(mapped.map((row) => row.label), spec.mapping.label);
    if (labelWarning !== null) warnings.push(labelWarning);
    const classNames = labelled.classNames!;
    const present = countLabels(unique);
    if (present.size < 2) {
      throw new UploadError(`${spec.fileName}: every usable row has the label "${classNames[unique[0].label]}" in column "${spec.mapping.label}"; classification needs at least two classes.`);
    }
    if (classNames.length > MAX_UPLOAD_CLASSES) {
      throw new UploadError(
        `${spec.fileName}: column "${spec.mapping.label}" has ${classNames.length} distinct labels, more than the ${MAX_UPLOAD_CLASSES} classes supported; choose another label column, or regression for numeric scores.`,
      );
    }
    classNames.forEach((name, index) => {
      const count = present.get(index) ?? 0;
      counts.push(count);
      if (count > 0 && Math.round(count * UPLOAD_SPLIT_FRACTIONS.test) === 0) {
        warnings.push(`Class "${name}" has ${countOf(count, 'usable row')}, too few to reach the dev and test splits.`);
      }
    });
  } else if (new Set(unique.map((example) => example.label)).size < 2) {
    throw new UploadError(`${spec.fileName}: every usable row has the score ${unique[0].label} in column "${spec.mapping.label}"; regression needs at least two distinct scores.`);
  }

  const examples: TaskExample[] = unique.map(({ text, textPair, label }) => (textPair === undefined ? { text, label } : { text, textPair, label }));
  const splits = taskType === 'classification' ? stratifiedSplit(examples, UPLOAD_SPLIT_FRACTIONS, seed) : splitRegression(examples, seed);
  const { metrics, primaryMetric } = metricsFor(taskType, counts);
  // The id changes with the file's content, the mapping, the task type and the seed.
  const id = `${UPLOAD_TASK_PREFIX}${hashParts([spec.fileName, table.format, taskType, spec.mapping.text, spec.mapping.textPair ?? '', spec.mapping.label, String(seed), input])}`;
  const columns = `text column "${spec.mapping.text}"${spec.mapping.textPair === undefined ? '' : `, second text "${spec.mapping.textPair}"`}, label column "${spec.mapping.label}"`;

  const task: TaskDefinition = {
    id,
    name: spec.name ?? spec.fileName,
    description:
      taskType === 'classification'
        ? `Predict the "${spec.mapping.label}" class (${labelled.classNames!.length} classes) of each row from ${spec.mapping.textPair === undefined ? 'its text' : 'its two texts'}.`
        : `Predict the "${spec.mapping.label}" score of each row from ${spec.mapping.textPair === undefined ? 'its text' : 'its two texts'}.`,
    source: `Uploaded file "${spec.fileName}" (${table.format.toUpperCase()}, ${table.rows.length + table.skipped.length} data rows, ${unique.length} used, ${skipped.length} skipped; ${columns}).`,
    license: 'Provided by the user; its licence is not known to the app.',
    kind: taskType,
    ...(taskType === 'classification' ? { labels: [...labelled.classNames!] } : {}),
    splitDescription:
      'Rows whose text and second text repeat (case-insensitive) are kept once, and texts seen with two labels are dropped, so no text is in two splits. ' +
      `The rest is split 80/10/10 into train/dev/test, stratified by ${taskType === 'classification' ? 'class' : 'score decile'}, with the seed ${seed}.`,
    metrics,
    primaryMetric,
    load: async (options) => {
      options?.signal?.throwIfAborted();
      return splits;
    },
  };
  // The distribution of the examples that remain, so its counts add up to `examples`.
  const distribution = distributionOf(unique, taskType, labelled.classNames);
  return { task, splits, skipped, rows: table.rows.length + table.skipped.length, examples: unique.length, taskType, inference, distribution, warnings };
}
