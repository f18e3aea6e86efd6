// The "Continue training" fields of the import panel: the optimizer steps of the continued run and an optional
// new peak learning rate. Both accept the ranges of the setup form's Steps and Learning rate fields.
import type { Hyperparameters } from '../train/types';
import { describeRange, EMBEDDED_MODEL, FIELD_SPECS, formatRange } from './form';

/** The fields as typed. */
export interface ContinueForm {
  steps: string;
  /** Empty keeps the learning rate stored in the file. */
  learningRate: string;
}

export type ContinueField = keyof ContinueForm;

export type ContinueErrors = Partial<Record<ContinueField, string>>;

export type ContinueFormResult = { ok: true; steps: number; /** Undefined: the file's rate. */ learningRate?: number } | { ok: false; errors: ContinueErrors };

export const CONTINUE_LABELS: Readonly<Record<ContinueField, string>> = {
  steps: 'Additional steps',
  learningRate: 'Learning rate',
};

/** Returns the fields filled with the file's own steps and learning rate. */
export function defaultContinueForm(stored: Pick<Hyperparameters, 'steps' | 'learningRate'>): ContinueForm {
  return { steps: String(stored.steps), learningRate: String(stored.learningRate) };
}

/** Returns the allowed values of a field in the short form that the setup form shows, e.g. "1–100000". */
export function continueFieldRange(field: ContinueField): string {
  return formatRange(rangeOf(field));
}

// Neither range depends on the model or on other fields, so any model fits the model argument.
function rangeOf(field: ContinueField) {
  return FIELD_SPECS[field].range({}, EMBEDDED_MODEL);
}

/** Parses one field, or returns the message that names the value and the allowed range. */
function parseContinueField(field: ContinueField, text: string): number | { error: string } {
  const label = CONTINUE_LABELS[field];
  const range = rangeOf(field);
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

/** Checks both fields. An empty learning rate is valid and keeps the file's rate. */
export function validateContinueForm(form: ContinueForm): ContinueFormResult {
  const errors: ContinueErrors = {};
  const steps = parseContinueField('steps', form.steps);
  if (typeof steps !== 'number') errors.steps = steps.error;

  let learningRate: number | undefined;
  if (form.learningRate.trim() !== '') {
    const parsed = parseContinueField('learningRate', form.learningRate);
    if (typeof parsed === 'number') learningRate = parsed;
    else errors.learningRate = parsed.error;
  }

  if (typeof steps !== 'number' || errors.learningRate !== undefined) return { ok: false, errors };
  return { ok: true, steps, learningRate };
}
