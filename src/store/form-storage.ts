// Keeps the setup form in localStorage, so a reload shows the settings the user typed instead of the defaults.
// Only the form's text is stored: experiments and uploaded files live in IndexedDB.
import { ADAPTER_MODULES, ALL_METHODS, type AdapterModule, type MethodId } from '../train/types';
import { NUMERIC_FIELDS, type ExperimentForm } from './form';
import { DEFAULT_TRAIN_SIZE_CHOICE, type TrainSizeChoice, type TrainSizeOption } from './train-size';

export const FORM_STORAGE_KEY = 'mtlora-playground:setup-form';

const TRAIN_SIZE_OPTIONS: readonly TrainSizeOption[] = ['default', '1000', '4000', 'all', 'custom'];

/** The part of the Web Storage API the form needs; tests pass a Map-backed one. */
export type FormStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Returns the browser's localStorage, or null where it is missing or blocked (Node, some privacy settings). */
export function browserFormStorage(): FormStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Reading `localStorage` throws a SecurityError when the browser blocks storage for the page.
    return null;
  }
}

/** Writes the form; a full or blocked storage only loses the convenience, so its error is ignored. */
export function saveForm(storage: FormStorage | null, form: ExperimentForm): void {
  if (!storage) return;
  try {
    storage.setItem(FORM_STORAGE_KEY, JSON.stringify(form));
  } catch {
    // QuotaExceededError or SecurityError: the next reload shows the defaults.
  }
}

/**
 * Returns the stored form merged over `defaults`: every field whose stored value has the right type replaces
 * the default, so a form stored by an older version (fewer fields) or edited by hand still loads. The model
 * always comes from `defaults`, because a model loaded in the Model panel is gone after a reload.
 */
export function loadForm(storage: FormStorage | null, defaults: ExperimentForm): ExperimentForm {
  let stored: unknown;
  try {
    const text = storage?.getItem(FORM_STORAGE_KEY);
    if (!text) return defaults;
    stored = JSON.parse(text);
  } catch {
    return defaults;
  }
  if (typeof stored !== 'object' || stored === null) return defaults;
  const record = stored as Record<string, unknown>;

  const values = { ...defaults.values };
  const storedValues = record.values;
  if (typeof storedValues === 'object' && storedValues !== null) {
    for (const field of NUMERIC_FIELDS) {
      const value = (storedValues as Record<string, unknown>)[field];
      if (typeof value === 'string') values[field] = value;
    }
  }

  return {
    modelId: defaults.modelId,
    taskId: typeof record.taskId === 'string' ? record.taskId : defaults.taskId,
    trainSize: trainSizeOf(record.trainSize) ?? defaults.trainSize,
    methods: listOf<MethodId>(record.methods, ALL_METHODS) ?? defaults.methods,
    modules: listOf<AdapterModule>(record.modules, ADAPTER_MODULES) ?? defaults.modules,
    values,
  };
}

function listOf<T extends string>(value: unknown, allowed: readonly T[]): T[] | null {
  if (!Array.isArray(value)) return null;
  return value.every((item) => allowed.includes(item as T)) ? [...new Set(value as T[])] : null;
}

function trainSizeOf(value: unknown): TrainSizeChoice | null {
  if (typeof value !== 'object' || value === null) return null;
  const { option, custom } = value as Record<string, unknown>;
  if (!TRAIN_SIZE_OPTIONS.includes(option as TrainSizeOption)) return null;
  return { ...DEFAULT_TRAIN_SIZE_CHOICE, option: option as TrainSizeOption, custom: typeof custom === 'string' ? custom : '' };
}
