// One shared Dawn engine for the Node unit tests, with output poisoning on.
import { Engine } from './engine';
import { acquireNodeDevice } from './node-device';

let shared: Promise<Engine> | null = null;

/** Returns the test engine, creating it on first use. */
export function testEngine(): Promise<Engine> {
  shared ??= acquireNodeDevice().then(({ device, adapterName }) => new Engine(device, { adapterName, poisonOutputs: true }));
  return shared;
}
