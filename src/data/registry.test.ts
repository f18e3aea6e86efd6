import { describe, expect, it } from 'vitest';
import { builtinTasks, getTask } from './registry';

describe('task registry', () => {
  it('finds the spam task', () => {
    expect(getTask('spam').id).toBe('spam');
  });

  it('finds the State of the Union and GLUE tasks', () => {
    expect(getTask('sotu-party').id).toBe('sotu-party');
    for (const id of ['sst2', 'cola', 'mrpc', 'stsb', 'rte', 'qnli', 'qqp', 'mnli']) {
      expect(getTask(id).id).toBe(id);
    }
  });

  it('names the known ids for an unknown id', () => {
    expect(() => getTask('wnli')).toThrow('Task "wnli" is not found. Known task ids: "spam", "sotu-party", "sst2", "cola", "mrpc", "stsb", "rte", "qnli", "qqp", "mnli".');
  });

  it('has unique ids and a primary metric among the metrics', () => {
    const ids = builtinTasks.map((task) => task.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const task of builtinTasks) {
      expect(task.metrics).toContain(task.primaryMetric);
    }
  });
});
