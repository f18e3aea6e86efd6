import { describe, expect, it } from 'vitest';
import { builtinTasks, getTask, isUploadTaskId, resolveTask } from './registry';
import { taskFromUpload, UploadError, type UploadedTaskSpec } from './upload';

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

/** Returns a valid upload of 40 rows with two classes. */
function upload(overrides: Partial<UploadedTaskSpec> = {}): UploadedTaskSpec {
  const rows = Array.from({ length: 40 }, (_, index) => `sentence number ${index},${index % 2 === 0 ? 'yes' : 'no'}`);
  return { fileName: 'answers.csv', bytes: new TextEncoder().encode(['sentence,label', ...rows].join('\n')), mapping: { text: 'sentence', label: 'label' }, ...overrides };
}

describe('resolveTask', () => {
  it('returns the built-in task without options', () => {
    expect(resolveTask('spam')).toBe(getTask('spam'));
    expect(resolveTask('sst2', {})).toBe(getTask('sst2'));
  });

  it('builds a GLUE task with the train size', () => {
    const task = resolveTask('sst2', { trainSize: 1000 });
    expect(task.id).toBe('sst2');
    expect(task.splitDescription).toContain('a seeded stratified sample of 1,000 examples');
    expect(resolveTask('cola', { trainSize: 'all' }).splitDescription).toContain("train: the rest of the Hub's train split, all of it.");
  });

  it('rejects an invalid train size', () => {
    expect(() => resolveTask('sst2', { trainSize: 0 })).toThrow('Train size 0 is invalid: use a positive integer or "all".');
  });

  it('rejects a train size for a task that is not GLUE', () => {
    expect(() => resolveTask('spam', { trainSize: 1000 })).toThrow('A train size applies only to GLUE tasks, not to task "spam"');
  });

  it('rebuilds an uploaded task from a structured clone', async () => {
    const spec = upload();
    const built = taskFromUpload(spec);
    expect(isUploadTaskId(built.task.id)).toBe(true);
    const task = resolveTask(built.task.id, structuredClone({ upload: spec }));
    expect(task.id).toBe(built.task.id);
    expect(task.name).toBe('answers.csv');
    expect(await task.load()).toEqual(built.splits);
  });

  it('rejects an uploaded task without its file', () => {
    expect(() => resolveTask('upload:0123abcd')).toThrow('Task "upload:0123abcd" is an uploaded file, but the experiment carries no file');
  });

  it('rejects a stored file that builds another task', () => {
    const id = taskFromUpload(upload()).task.id;
    expect(() => resolveTask(id, { upload: upload({ seed: 3 }) })).toThrow(`The file "answers.csv" stored with the experiment builds task "upload:`);
  });

  it('rejects a file for a built-in task id', () => {
    expect(() => resolveTask('spam', { upload: upload() })).toThrow('Task "spam" is not an uploaded task, but the experiment carries the file "answers.csv"');
  });

  it('raises the UploadError of an invalid file', () => {
    const invalid = upload({ bytes: new TextEncoder().encode('sentence,label\nonly one,yes\n') });
    expect(() => resolveTask('upload:0123abcd', { upload: invalid })).toThrow(UploadError);
  });
});
