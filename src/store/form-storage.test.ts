import { describe, expect, it } from 'vitest';
import { defaultForm, EMBEDDED_MODEL } from './form';
import { FORM_STORAGE_KEY, loadForm, saveForm, type FormStorage } from './form-storage';

function memoryStorage(initial: Record<string, string> = {}): FormStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

const DEFAULTS = defaultForm(EMBEDDED_MODEL, 'spam');

describe('form storage', () => {
  it('round-trips a changed form', () => {
    const storage = memoryStorage();
    const form = { ...DEFAULTS, taskId: 'sst2', methods: ['lora' as const, 'full' as const], values: { ...DEFAULTS.values, steps: '40', maxLength: '32' } };
    saveForm(storage, form);
    expect(loadForm(storage, DEFAULTS)).toEqual(form);
  });

  it('keeps defaults for missing fields', () => {
    const storage = memoryStorage({ [FORM_STORAGE_KEY]: JSON.stringify({ taskId: 'cola', values: { steps: '10' } }) });
    const loaded = loadForm(storage, DEFAULTS);
    expect(loaded.taskId).toBe('cola');
    expect(loaded.values.steps).toBe('10');
    expect(loaded.values.rank).toBe(DEFAULTS.values.rank);
    expect(loaded.methods).toEqual(DEFAULTS.methods);
    expect(loaded.trainSize).toEqual(DEFAULTS.trainSize);
  });

  it('ignores invalid stored values', () => {
    const stored = { modelId: 'gone', methods: ['lora', 'bogus'], modules: 'query', trainSize: { option: 'huge' }, values: { steps: 5 } };
    const loaded = loadForm(memoryStorage({ [FORM_STORAGE_KEY]: JSON.stringify(stored) }), DEFAULTS);
    expect(loaded).toEqual(DEFAULTS);
  });

  it('falls back on unreadable JSON', () => {
    expect(loadForm(memoryStorage({ [FORM_STORAGE_KEY]: '{not json' }), DEFAULTS)).toBe(DEFAULTS);
    expect(loadForm(null, DEFAULTS)).toBe(DEFAULTS);
  });

  it('survives a full storage', () => {
    const full: FormStorage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    };
    expect(() => saveForm(full, DEFAULTS)).not.toThrow();
  });
});
