// Entry point of the training Worker (started by worker-client.ts): acquires the browser's WebGPU device,
// then trains experiments on command. Everything but the wiring to the Worker scope is in session.ts.
import { resolveTask } from '../data/registry';
import { acquireBrowserDevice } from '../gpu/device';
import { Engine } from '../gpu/engine';
import type { WorkerEvent } from './protocol';
import { loadModelByRef, TrainingSession } from './session';

/** The part of DedicatedWorkerGlobalScope this file uses; tsconfig's DOM lib types `self` as a Window. */
interface WorkerScope {
  postMessage(message: WorkerEvent): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

const scope = self as unknown as WorkerScope;

const session = new TrainingSession({
  post: (event) => scope.postMessage(event),
  acquireEngine: async () => {
    const { device, adapterName } = await acquireBrowserDevice();
    return new Engine(device, { adapterName });
  },
  loadModel: (model, onStatus, files) => loadModelByRef(model, import.meta.env.BASE_URL, onStatus, files),
  // A GLUE train size or an uploaded file (its bytes travel in the start command) builds the task here.
  getTask: resolveTask,
});

scope.onmessage = (event) => session.handle(event.data);
void session.initialize();
