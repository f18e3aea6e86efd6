// The page side of the Worker protocol against a fake Worker: commands out, events and failures in.
import { describe, expect, it } from 'vitest';
import type { WorkerCommand, WorkerEvent } from './protocol';
import { TrainingWorkerClient, type WorkerLike } from './worker-client';

class FakeWorker implements WorkerLike {
  readonly posted: WorkerCommand[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;

  postMessage(message: WorkerCommand): void {
    this.posted.push(message);
  }

  terminate(): void {
    this.terminated = true;
  }

  deliver(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}

function connect(): { worker: FakeWorker; client: TrainingWorkerClient; events: WorkerEvent[] } {
  const worker = new FakeWorker();
  const events: WorkerEvent[] = [];
  const client = new TrainingWorkerClient((event) => events.push(event), () => worker);
  return { worker, client, events };
}

describe('TrainingWorkerClient', () => {
  it('sends commands and forwards events', () => {
    const { worker, client, events } = connect();
    client.send({ type: 'pause' });
    expect(worker.posted).toEqual([{ type: 'pause' }]);

    const step: WorkerEvent = {
      type: 'step',
      run: { method: 'lora', seed: 1 },
      point: { step: 1, loss: 0.7, learningRate: 1e-4, tokensPerSecond: 900, elapsedMs: 12 },
      progress: { done: 1, total: 10 },
      etaMs: 108,
    };
    worker.deliver({ type: 'ready', adapterName: 'SwiftShader' });
    worker.deliver(step);
    expect(events).toEqual([{ type: 'ready', adapterName: 'SwiftShader' }, step]);
  });

  it('reports an unknown message as an error', () => {
    const { worker, events } = connect();
    worker.deliver({ type: 'progress', value: 3 });
    worker.deliver('hello');
    expect(events).toEqual([
      { type: 'error', message: 'The training Worker sent an unknown message: {"type":"progress","value":3}.' },
      { type: 'error', message: 'The training Worker sent an unknown message: "hello".' },
    ]);
  });

  it('reports a Worker script failure', () => {
    const { worker, events } = connect();
    let prevented = false;
    worker.onerror?.({ message: 'Uncaught SyntaxError: Unexpected token', filename: 'worker.js', lineno: 3, colno: 7, preventDefault: () => (prevented = true) } as unknown as ErrorEvent);
    worker.onmessageerror?.({} as MessageEvent);

    expect(prevented).toBe(true);
    expect(events).toEqual([
      { type: 'error', message: 'The training Worker failed: Uncaught SyntaxError: Unexpected token (worker.js:3:7).' },
      { type: 'error', message: 'A message from the training Worker could not be deserialized.' },
    ]);
  });

  it('ignores the Worker after terminate', () => {
    const { worker, client, events } = connect();
    client.terminate();
    expect(worker.terminated).toBe(true);
    expect(client.alive).toBe(false);

    worker.deliver({ type: 'paused' });
    expect(events).toEqual([]);
    expect(() => client.send({ type: 'resume' })).toThrow('The training Worker was terminated, so the "resume" command cannot be sent.');
  });
});
