// Keeping and re-importing adapters through TrainingSession on Dawn: a finished adapter run's 'run-finished'
// event carries its native file, and 'evaluate-adapter' on that file reproduces the run's final dev and test
// metrics exactly. Files that do not fit the base model, the expected settings or the format fail with a reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNativeAdapters } from '../adapters/io/native-format';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import { finalEvaluations } from '../adapters/io/run-info';
import type { EvaluateAdapterCommand, WorkerEvent } from './protocol';
import { TrainingSession, type RunnableModel, type SessionHost } from './session';
import { tinyClassificationTask, tinyModel, tinySpec } from './test-fixtures';
import type { MethodId, ModelRef, RunRecord } from './types';

let engine: Engine;

beforeAll(async () => {
  engine = await testEngine();
});

type RunFinished = Extract<WorkerEvent, { type: 'run-finished' }>;

interface Harness {
  session: TrainingSession;
  events: WorkerEvent[];
  loads: ModelRef[];
  until(predicate: (event: WorkerEvent) => boolean): Promise<WorkerEvent>;
}

function harness(loadModel: () => RunnableModel = () => ({ ...tinyModel(), notes: [] })): Harness {
  const events: WorkerEvent[] = [];
  const loads: ModelRef[] = [];
  const waiters: Array<{ predicate: (event: WorkerEvent) => boolean; resolve: (event: WorkerEvent) => void }> = [];
  const host: SessionHost = {
    post: (event) => {
      events.push(event);
      for (const waiter of waiters.filter((candidate) => candidate.predicate(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    },
    acquireEngine: () => Promise.resolve(engine),
    loadModel: (model) => {
      loads.push(model);
      return Promise.resolve(loadModel());
    },
    getTask: (id) => {
      if (id !== 'tiny-cat') throw new Error(`Task "${id}" is not found.`);
      return tinyClassificationTask();
    },
  };
  const until = (predicate: (event: WorkerEvent) => boolean): Promise<WorkerEvent> => {
    const found = events.find(predicate);
    return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ predicate, resolve }));
  };
  return { session: new TrainingSession(host), events, loads, until };
}

/** Trains the methods with seed 1 for 2 steps and returns the run-finished events. */
async function train(h: Harness, methods: MethodId[], evalExamples?: number): Promise<RunFinished[]> {
  h.session.handle({ type: 'start', spec: tinySpec(methods, [1], { steps: 2, warmupSteps: 0, evalInterval: 5, evalExamples }), completed: [] });
  await h.until((event) => event.type === 'experiment-finished');
  return h.events.filter((event): event is RunFinished => event.type === 'run-finished');
}

/** Sends evaluate-adapter and returns the event that ends this request. */
async function evaluateFile(h: Harness, command: Omit<EvaluateAdapterCommand, 'type' | 'requestId'>, requestId = 'request-1'): Promise<WorkerEvent> {
  h.session.handle({ type: 'evaluate-adapter', requestId, ...command });
  return h.until((event) => (event.type === 'adapter-evaluated' || event.type === 'adapter-evaluation-failed') && event.requestId === requestId);
}

function failure(event: WorkerEvent): string {
  expect(event.type).toBe('adapter-evaluation-failed');
  return event.type === 'adapter-evaluation-failed' ? event.message : '';
}

describe('adapters of finished runs', () => {
  it('attaches the native file to run-finished', async () => {
    const h = harness();
    const [lora, head] = await train(h, ['lora', 'head']);

    expect(lora.record.status).toBe('done');
    expect(lora.adapterError).toBeUndefined();
    expect(lora.adapters?.fileName).toBe('lora-seed1.mtlora.safetensors');
    const native = await parseNativeAdapters(lora.adapters!.bytes, lora.adapters!.fileName);
    expect(native.description).toMatchObject({ method: 'lora', seed: 1, rank: 2, taskId: 'tiny-cat', experimentId: 'experiment-test', modelSource: 'files' });
    expect(native.description.metrics).toEqual(finalEvaluations(lora.record));

    // A head-only run has no adapters, and that is not an error.
    expect(head.record.method).toBe('head');
    expect(head.adapters).toBeUndefined();
    expect(head.adapterError).toBeUndefined();
  });
});

describe('evaluate-adapter', () => {
  for (const method of ['dtsm', 'shim'] as const) {
    it(`${method}: reproduces the final metrics exactly`, async () => {
      const h = harness();
      const [finished] = await train(h, [method], 3);
      const outcome = await evaluateFile(h, { file: finished.adapters!, expected: { method, rank: 2, targets: ['query', 'value'] } });

      expect(outcome.type).toBe('adapter-evaluated');
      if (outcome.type !== 'adapter-evaluated') return;
      const { result } = outcome;
      const final: RunRecord['evals'] = finalEvaluations(finished.record);
      expect(result.reproduced).toEqual(final);
      expect(result.stored).toEqual(final);
      expect(result.examples).toEqual({ dev: 3, test: 3 });
      expect(result).toMatchObject({ fileName: `${method}-seed1.mtlora.safetensors`, method, seed: 1, taskId: 'tiny-cat', modelId: 'tiny' });
      // The file names a model from local files, so the embedded model is loaded, with a note saying so.
      expect(h.loads.at(-1)).toEqual({ id: 'embedded', source: 'embedded' });
      expect(h.events).toContainEqual({ type: 'status', message: 'The adapters were trained on "tiny" from local files, which the browser cannot open again, so they are evaluated on the embedded model.' });
    });
  }

  it('stops on another base model', async () => {
    const h = harness();
    const [finished] = await train(h, ['lora']);
    const other = harness(() => {
      const model = tinyModel();
      const name = 'encoder.layer.1.attention.self.query.weight';
      const weights = { ...model.weights, [name]: { ...model.weights[name], data: model.weights[name].data.map((value) => value * 1.5) } };
      return { ...model, weights, notes: [] };
    });
    const message = failure(await evaluateFile(other, { file: finished.adapters! }));
    expect(message).toMatch(/^The adapters in this file \(trained on "tiny"\) do not fit: base model: the values of "encoder\.layer\.1\.attention\.self\.query\.weight" differ\.$/);
  });

  it('stops on another rank or module set', async () => {
    const h = harness();
    const [finished] = await train(h, ['lora']);
    const message = failure(await evaluateFile(h, { file: finished.adapters!, expected: { rank: 4, targets: ['query', 'key', 'value'] } }));
    expect(message).toBe('The adapters in this file (trained on "tiny") do not fit: rank: the file has rank 2, expected 4; modules: the file adapts query, value, expected query, key, value.');
  });

  it('reports a corrupt file', async () => {
    const h = harness();
    const bytes = new Uint8Array(64).fill(7);
    const message = failure(await evaluateFile(h, { file: { fileName: 'corrupt.mtlora.safetensors', bytes } }));
    expect(message).toContain('corrupt.mtlora.safetensors');
    expect(h.loads).toEqual([]);
  });

  it('rejects a command without a file', () => {
    const h = harness();
    h.session.handle({ type: 'evaluate-adapter', requestId: 'r', file: { fileName: 'x.mtlora.safetensors', bytes: [1, 2] } });
    h.session.handle({ type: 'evaluate-adapter', file: { fileName: 'x.mtlora.safetensors', bytes: new Uint8Array(2) } });
    expect(h.events).toEqual([
      { type: 'error', message: 'The evaluate-adapter command needs file: { fileName: string, bytes: Uint8Array } with the bytes of a .mtlora.safetensors file.' },
      { type: 'error', message: 'The evaluate-adapter command has no requestId; send { type: "evaluate-adapter", requestId, file: { fileName, bytes } }.' },
    ]);
  });
});
