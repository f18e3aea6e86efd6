import { describe, expect, it } from 'vitest';
import type { ExperimentRecord } from '../train/types';
import { describeExperiment } from './describe';
import { taskLabel } from './task-label';

describe('taskLabel', () => {
  it('built-in task uses its display name', () => {
    expect(taskLabel({ taskId: 'spam' })).toBe('Spam detection (SpamAssassin)');
  });

  it('GLUE train size joins the brackets', () => {
    expect(taskLabel({ taskId: 'rte', taskOptions: { trainSize: 1000 } })).toBe('RTE entailment (GLUE; train: 1,000 examples)');
    expect(taskLabel({ taskId: 'sst2', taskOptions: { trainSize: 'all' } })).toBe('SST-2 sentiment (GLUE; train: all examples)');
  });

  it('uploaded file keeps its file name', () => {
    const upload = { fileName: 'reviews.csv', mapping: { text: 'text', label: 'label' } };
    expect(taskLabel({ taskId: 'upload:4b2a2edf', taskOptions: { upload } })).toBe('reviews.csv (uploaded)');
  });

  it('unknown task id is shown as it is', () => {
    expect(taskLabel({ taskId: 'retired-task' })).toBe('retired-task');
    expect(taskLabel({ taskId: 'retired-task', taskOptions: { trainSize: 200 } })).toBe('retired-task (train: 200 examples)');
  });
});

describe('describeExperiment', () => {
  it('title names the task, not its id', () => {
    const record = {
      spec: { id: 'x', createdAt: 'not a date', taskId: 'rte', taskOptions: { trainSize: 1000 }, methods: ['lora'], seeds: [1], hyperparameters: { steps: 4 } },
      status: 'done',
      updatedAt: 'not a date',
    } as unknown as ExperimentRecord;
    expect(describeExperiment(record)).toBe('The RTE entailment (GLUE; train: 1,000 examples) experiment of not a date (LoRA; 1 seed; 4 steps)');
  });
});
