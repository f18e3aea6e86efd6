// The train-size choice of GLUE tasks and how validateForm turns it, or an uploaded file, into task options.
import { describe, expect, it } from 'vitest';
import type { UploadedTaskSpec } from '../data/upload';
import type { ExperimentSpec, TaskOptions } from '../train/types';
import { defaultForm, EMBEDDED_MODEL, formFromSpec, validateForm, type ExperimentForm, type FormContext, type FormErrors, type FormResult } from './form';
import { describeTrainSize, trainSizeChoiceOf, validateTrainSizeChoice } from './train-size';

describe('train size choice', () => {
  it('resolves the default, presets and all', () => {
    expect(validateTrainSizeChoice({ option: 'default', custom: '' }, 'sst2')).toBe('all');
    expect(validateTrainSizeChoice({ option: 'default', custom: '' }, 'qnli')).toBe(20_000);
    expect(validateTrainSizeChoice({ option: '1000', custom: '' }, 'sst2')).toBe(1000);
    expect(validateTrainSizeChoice({ option: '4000', custom: '' }, 'sst2')).toBe(4000);
    expect(validateTrainSizeChoice({ option: 'all', custom: '12' }, 'sst2')).toBe('all');
  });

  it('reads a custom number, with or without commas', () => {
    expect(validateTrainSizeChoice({ option: 'custom', custom: ' 2500 ' }, 'cola')).toBe(2500);
    expect(validateTrainSizeChoice({ option: 'custom', custom: '20,000' }, 'cola')).toBe(20_000);
  });

  it('names an invalid custom number', () => {
    for (const text of ['0', '-5', '2.5', '1e3', 'many', '2,00']) {
      expect(validateTrainSizeChoice({ option: 'custom', custom: text }, 'cola')).toEqual({
        error: `Train size "${text}" is not a positive whole number: enter the number of training examples, such as 2000, or choose All.`,
      });
    }
    expect(validateTrainSizeChoice({ option: 'custom', custom: '  ' }, 'cola')).toEqual({
      error: 'Train size is empty: enter a positive whole number of training examples, such as 2000, or choose All.',
    });
  });

  it('shows a stored size as a preset or a custom number', () => {
    expect(trainSizeChoiceOf(1000)).toEqual({ option: '1000', custom: '' });
    expect(trainSizeChoiceOf('all')).toEqual({ option: 'all', custom: '' });
    expect(trainSizeChoiceOf(20_000)).toEqual({ option: 'custom', custom: '20000' });
    expect(describeTrainSize(20_000)).toBe('20,000 examples');
    expect(describeTrainSize('all')).toBe('all examples');
  });
});

const UPLOAD_ID = 'upload:0123abcd';

function context(uploads: Record<string, UploadedTaskSpec> = {}): FormContext {
  return { model: EMBEDDED_MODEL, taskIds: ['spam', 'sst2', UPLOAD_ID], uploadSpec: (id) => uploads[id] };
}

function form(taskId: string, changes: Partial<ExperimentForm> = {}): ExperimentForm {
  return { ...defaultForm(EMBEDDED_MODEL, taskId), ...changes };
}

/** Returns the task options of a valid form, failing the test when the form is invalid. */
function taskOptionsOf(result: FormResult): TaskOptions | undefined {
  expect(result).toMatchObject({ ok: true });
  return result.ok ? result.taskOptions : undefined;
}

/** Returns the errors of an invalid form, failing the test when the form is valid. */
function errorsOf(result: FormResult): FormErrors {
  expect(result.ok).toBe(false);
  return result.ok ? {} : result.errors;
}

describe('validateForm task options', () => {
  it('records the train size of a GLUE task', () => {
    expect(taskOptionsOf(validateForm(form('sst2', { trainSize: { option: '1000', custom: '' } }), context()))).toEqual({ trainSize: 1000 });
    expect(taskOptionsOf(validateForm(form('sst2'), context()))).toEqual({ trainSize: 'all' });
  });

  it('rejects an invalid custom train size', () => {
    const errors = errorsOf(validateForm(form('sst2', { trainSize: { option: 'custom', custom: 'abc' } }), context()));
    expect(errors.trainSize).toBe('Train size "abc" is not a positive whole number: enter the number of training examples, such as 2000, or choose All.');
  });

  it('ignores the train size of other tasks', () => {
    expect(taskOptionsOf(validateForm(form('spam', { trainSize: { option: 'custom', custom: 'abc' } }), context()))).toBeUndefined();
  });

  it('records the file of an uploaded task', () => {
    const upload: UploadedTaskSpec = { fileName: 'r.csv', text: 'text,label\n', mapping: { text: 'text', label: 'label' } };
    expect(taskOptionsOf(validateForm(form(UPLOAD_ID), context({ [UPLOAD_ID]: upload })))).toEqual({ upload });
  });

  it('rejects an uploaded task whose file is gone', () => {
    expect(errorsOf(validateForm(form(UPLOAD_ID), context())).taskId).toBe(`The file of task "${UPLOAD_ID}" is no longer in this page; upload it again under "Your own data".`);
  });

  it('restores the train size of a stored spec', () => {
    const spec: ExperimentSpec = {
      id: 'e',
      createdAt: '2025-01-01T00:00:00.000Z',
      model: EMBEDDED_MODEL.ref,
      taskId: 'cola',
      taskOptions: { trainSize: 300 },
      methods: ['lora'],
      seeds: [1],
      hyperparameters: { ...validateFormHyperparameters() },
    };
    expect(formFromSpec(spec).trainSize).toEqual({ option: 'custom', custom: '300' });
    expect(formFromSpec({ ...spec, taskOptions: undefined }).trainSize).toEqual({ option: 'default', custom: '' });
  });
});

function validateFormHyperparameters() {
  const result = validateForm(form('spam'), context());
  if (!result.ok) throw new Error('the default form is invalid');
  return result.hyperparameters;
}
