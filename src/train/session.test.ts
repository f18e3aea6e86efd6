// The Worker protocol through TrainingSession: ready, start with model and task loading, pause/resume/
// cancel routing, malformed commands, and the model source of each ModelRef.
import { beforeAll, describe, expect, it } from 'vitest';
import { getTask } from '../data/registry';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import type { WorkerEvent } from './protocol';
import { modelSourceOf, TrainingSession, type SessionHost } from './session';
import { tinyClassificationTask, tinyModel, tinySpec } from './test-fixtures';

let engine: Engine;

beforeAll(async () => {
  engine = await testEngine();
});

interface Harness {
  session: TrainingSession;
  events: WorkerEvent[];
  loads: string[];
  /** Resolves with the events once one matches. */
  until(predicate: (event: WorkerEvent) => boolean): Promise<WorkerEvent[]>;
}

function harness(overrides: Partial<SessionHost> = {}, onEvent?: (event: WorkerEvent, session: TrainingSession) => void): Harness {
  const events: WorkerEvent[] = [];
  const loads: string[] = [];
  const waiters: Array<{ predicate: (event: WorkerEvent) => boolean; resolve: () => void }> = [];
  const session: TrainingSession = new TrainingSession({
    post: (event) => {
      events.push(event);
      onEvent?.(event, session);
      for (const waiter of waiters.filter((candidate) => candidate.predicate(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    acquireEngine: () => Promise.resolve(engine),
    loadModel: (model) => {
      loads.push(model.id);
      return Promise.resolve({ ...tinyModel(), notes: ['The weights have no pooler.dense.'] });
    },
    getTask: (id) => (id === 'tiny-cat' ? tinyClassificationTask() : getTask(id)),
    ...overrides,
  });
  const until = (predicate: (event: WorkerEvent) => boolean): Promise<WorkerEvent[]> =>
    events.some(predicate) ? Promise.resolve(events) : new Promise((resolve) => waiters.push({ predicate, resolve: () => resolve(events) }));
  return { session, events, loads, until };
}

const kinds = (events: WorkerEvent[]): string[] => events.filter((event) => event.type !== 'status').map((event) => event.type);

describe('TrainingSession', () => {
  it('posts ready with the adapter name', async () => {
    const h = harness();
    await h.session.initialize();
    expect(h.events).toEqual([{ type: 'ready', adapterName: engine.adapterName }]);
  });

  it('posts an error when WebGPU is unavailable', async () => {
    const h = harness({ acquireEngine: () => Promise.reject(new Error('WebGPU is not available: navigator.gpu is undefined')) });
    await h.session.initialize();
    expect(h.events).toEqual([{ type: 'error', message: 'WebGPU is not available: navigator.gpu is undefined' }]);
  });

  it('runs a start command to the end', async () => {
    const h = harness();
    h.session.handle({ type: 'start', spec: tinySpec(['head'], [1], { steps: 2, evalInterval: 5 }), completed: [] });
    const events = await h.until((event) => event.type === 'experiment-finished');

    expect(kinds(events)).toEqual(['run-started', 'step', 'step', 'eval', 'eval', 'run-finished', 'experiment-finished']);
    const messages = events.flatMap((event) => (event.type === 'status' ? [event.message] : []));
    expect(messages).toContain('The weights have no pooler.dense.');
    expect(messages).toContain('Tokenizing the train split: 14 examples at max length 16.');
    expect(h.session.busy).toBe(false);
  });

  it('reuses the loaded model', async () => {
    const h = harness();
    for (let i = 0; i < 2; i++) {
      h.session.handle({ type: 'start', spec: tinySpec(['head'], [i], { steps: 1, warmupSteps: 0 }), completed: [] });
      await h.until((event) => event.type === 'experiment-finished' && h.events.filter((e) => e.type === 'experiment-finished').length === i + 1);
    }
    expect(h.loads).toEqual(['tiny']);
  });

  it('rejects a second start while running', async () => {
    const h = harness();
    const spec = tinySpec(['head'], [1], { steps: 2 });
    h.session.handle({ type: 'start', spec, completed: [] });
    h.session.handle({ type: 'start', spec, completed: [] });
    const events = await h.until((event) => event.type === 'experiment-finished');
    expect(events.filter((event) => event.type === 'error')).toEqual([
      { type: 'error', message: 'Experiment "experiment-test" cannot start while another experiment is running; cancel that one first.' },
    ]);
  });

  it('routes pause, resume and cancel', async () => {
    const h = harness({}, (event, session) => {
      if (event.type === 'step' && event.point.step === 1) session.handle({ type: 'pause' });
      if (event.type === 'paused') session.handle({ type: 'resume' });
      if (event.type === 'step' && event.point.step === 3) session.handle({ type: 'cancel' });
    });
    h.session.handle({ type: 'start', spec: tinySpec(['head'], [1], { steps: 6, evalInterval: 10 }), completed: [] });
    const events = await h.until((event) => event.type === 'experiment-finished');

    expect(kinds(events)).toEqual(['run-started', 'step', 'step', 'paused', 'resumed', 'step', 'step', 'run-finished', 'experiment-finished']);
    const finished = events.find((event) => event.type === 'run-finished');
    expect(finished?.type).toBe('run-finished');
    expect(finished?.type === 'run-finished' ? finished.record.status : null).toBe('cancelled');
    expect(events.at(-1)).toEqual({ type: 'experiment-finished', status: 'cancelled' });
  });

  it('ignores control commands when idle', () => {
    const h = harness();
    h.session.handle({ type: 'pause' });
    expect(h.events).toEqual([{ type: 'status', message: 'Ignored "pause": no experiment is running.' }]);
  });

  it('answers malformed commands with an error', () => {
    const h = harness();
    h.session.handle({ type: 'train' });
    h.session.handle(null);
    h.session.handle({ type: 'start', completed: [] });
    h.session.handle({ type: 'start', spec: tinySpec(['head'], [1]) });
    expect(h.events.map((event) => (event.type === 'error' ? event.message : event.type))).toEqual([
      'The training Worker received an unknown command {"type":"train"}; expected type "start", "pause", "resume", "cancel" or "evaluate-adapter".',
      'The training Worker received an unknown command null; expected type "start", "pause", "resume", "cancel" or "evaluate-adapter".',
      'The start command has no spec; send { type: "start", spec, completed }.',
      'The start command has no completed list; send completed: [] for a new experiment.',
    ]);
  });

  it('posts an error for an unknown task', async () => {
    const h = harness();
    h.session.handle({ type: 'start', spec: { ...tinySpec(['head'], [1]), taskId: 'missing' }, completed: [] });
    const events = await h.until((event) => event.type === 'error');
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.type === 'error' ? last.message : '').toMatch(/^Task "missing" is not found\. Known task ids: .*"spam"/);
    expect(h.session.busy).toBe(false);
  });

  it('passes picked model files to the loader', async () => {
    const received: Array<readonly File[] | undefined> = [];
    const h = harness({
      loadModel: (_model, _onStatus, files) => {
        received.push(files);
        return Promise.resolve({ ...tinyModel(), notes: [] });
      },
    });
    const files = [new File(['{}'], 'config.json', { lastModified: 1 })];
    const spec = { ...tinySpec(['head'], [1], { steps: 1, warmupSteps: 0, evalInterval: 5 }), model: { id: 'my-bert', source: 'files' as const } };
    h.session.handle({ type: 'start', spec, completed: [], modelFiles: files });
    const events = await h.until((event) => event.type === 'experiment-finished' || event.type === 'error');
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(received).toEqual([files]);

    // Other files under the same folder name are loaded again, not served from the session's model cache.
    const others = [new File(['{ }'], 'config.json', { lastModified: 2 })];
    h.session.handle({ type: 'start', spec: { ...spec, id: 'second' }, completed: [], modelFiles: others });
    await h.until(() => h.events.filter((event) => event.type === 'experiment-finished').length === 2);
    expect(received[1]).toBe(others);
  });

  it('posts an error for an invalid spec', async () => {
    const h = harness();
    h.session.handle({ type: 'start', spec: tinySpec(['head'], [1], { batchSize: 0 }), completed: [] });
    const events = await h.until((event) => event.type === 'error');
    expect(events.at(-1)).toEqual({ type: 'error', message: 'Batch size 0 is invalid; use an integer of at least 1.' });
  });
});

describe('modelSourceOf', () => {
  it('maps each model reference', () => {
    expect(modelSourceOf({ id: 'embedded', source: 'embedded' }, '/playground/')).toEqual({ kind: 'url', baseUrl: '/playground/models/mtlora-bert-tiny/' });
    expect(modelSourceOf({ id: 'prajjwal1/bert-tiny', source: 'hub' }, '/')).toEqual({ kind: 'hub', id: 'prajjwal1/bert-tiny' });
    expect(modelSourceOf({ id: 'http://127.0.0.1:8000/m/', source: 'url' }, '/')).toEqual({ kind: 'url', baseUrl: 'http://127.0.0.1:8000/m/' });
    expect(modelSourceOf({ id: 'prajjwal1/bert-tiny', source: 'hub', revision: 'v1' }, '/')).toEqual({ kind: 'hub', id: 'prajjwal1/bert-tiny', revision: 'v1' });
    const picked = [new File(['{}'], 'config.json')];
    expect(modelSourceOf({ id: 'my-bert', source: 'files' }, '/', picked)).toEqual({ kind: 'files', files: picked });
    expect(() => modelSourceOf({ id: 'picked', source: 'files' }, '/')).toThrow('Model "picked" was picked from files on this computer, and the page did not send them again');
  });
});
