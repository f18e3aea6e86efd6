// The page side of the training Worker: starts it, sends WorkerCommand messages and passes every
// WorkerEvent to one callback. Worker failures (a script that does not load, an uncaught exception,
// a message that cannot be deserialized) arrive at the same callback as 'error' events.
import type { WorkerCommand, WorkerEvent } from './protocol';

/** The part of the DOM Worker the client uses, so tests can pass a fake. */
export interface WorkerLike {
  postMessage(message: WorkerCommand): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export type WorkerFactory = () => WorkerLike;

/** Starts src/train/worker.ts as a module Worker. Vite bundles the Worker from this exact expression. */
export function createTrainingWorker(): WorkerLike {
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'mtlora-training' });
}

const EVENT_TYPES: ReadonlySet<WorkerEvent['type']> = new Set<WorkerEvent['type']>([
  'ready',
  'status',
  'run-started',
  'step',
  'eval',
  'run-finished',
  'adapter-evaluated',
  'adapter-evaluation-failed',
  'paused',
  'resumed',
  'experiment-finished',
  'error',
]);

export class TrainingWorkerClient {
  private worker: WorkerLike | null;

  constructor(
    private readonly onEvent: (event: WorkerEvent) => void,
    createWorker: WorkerFactory = createTrainingWorker,
  ) {
    const worker = createWorker();
    worker.onmessage = (message) => this.receive(message.data);
    worker.onerror = (error) => {
      // A Worker script that fails to load or throws at the top level reports here, not through a message.
      error.preventDefault();
      const where = error.filename ? ` (${error.filename}:${error.lineno}:${error.colno})` : '';
      this.onEvent({ type: 'error', message: `The training Worker failed: ${error.message || 'no message'}${where}.` });
    };
    worker.onmessageerror = () => {
      this.onEvent({ type: 'error', message: 'A message from the training Worker could not be deserialized.' });
    };
    this.worker = worker;
  }

  /** Whether terminate() has not been called yet. */
  get alive(): boolean {
    return this.worker !== null;
  }

  send(command: WorkerCommand): void {
    if (!this.worker) throw new Error(`The training Worker was terminated, so the "${command.type}" command cannot be sent. Start a new experiment.`);
    this.worker.postMessage(command);
  }

  /** Stops the Worker at once. Its training loop and GPU device end with it. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  private receive(data: unknown): void {
    if (!this.worker) return;
    if (!isWorkerEvent(data)) {
      this.onEvent({ type: 'error', message: `The training Worker sent an unknown message: ${describeMessage(data)}.` });
      return;
    }
    this.onEvent(data);
  }
}

function isWorkerEvent(data: unknown): data is WorkerEvent {
  if (typeof data !== 'object' || data === null) return false;
  const type = (data as { type?: unknown }).type;
  return typeof type === 'string' && EVENT_TYPES.has(type as WorkerEvent['type']);
}

function describeMessage(data: unknown): string {
  try {
    const text = JSON.stringify(data);
    if (text === undefined) return String(data);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(data);
  }
}
