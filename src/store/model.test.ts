// The model panel's store: a checkpoint loaded from picked files, and fill-mask, whose result records whether the
// call uploaded the weights to the GPU (the first call per checkpoint and engine) or reused them.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../gpu/engine';
import { testEngine } from '../gpu/test-engine';
import { tinyCheckpointFiles } from '../model/test-checkpoint';
import { useModelStore } from './model';

let engine: Engine;

beforeAll(async () => {
  engine = await testEngine();
});

function pickedFiles(seed: number): File[] {
  return [...tinyCheckpointFiles({ prefix: 'bert.', mlmHead: true, seed })].map(([name, bytes]) => new File([bytes as BlobPart], name));
}

describe('model store fill-mask', () => {
  it('reports the weight upload on the first run only', async () => {
    await useModelStore.getState().load({ kind: 'files', files: pickedFiles(1) });
    expect(useModelStore.getState().status).toBe('ready');

    const first = await useModelStore.getState().fillMask(engine, 'the [MASK] sat');
    expect(first.uploadedWeights).toBe(true);
    const second = await useModelStore.getState().fillMask(engine, 'the [MASK] sat');
    expect(second.uploadedWeights).toBe(false);
    expect(second.masks).toEqual(first.masks);

    // Another checkpoint uploads its own weights again.
    await useModelStore.getState().load({ kind: 'files', files: pickedFiles(2) });
    const third = await useModelStore.getState().fillMask(engine, 'the [MASK] sat');
    expect(third.uploadedWeights).toBe(true);
  });
});
