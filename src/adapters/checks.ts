// Checks of the adapter path (frozen linear layer + low-rank update) against the PyTorch fixtures,
// one report row per method.
import type { KernelCheck } from '../gpu/checks/compare';
import { f32 } from '../gpu/checks/fixtures';
import { linearBackward, linearForward } from '../gpu/ops/linear';
import { releaseActivations, LowRankAdapter } from './lowrank';
import { ADAPTER_METHODS, parseMethod } from './methods';

export const adapterChecks: KernelCheck[] = ADAPTER_METHODS.map((method) => ({
  row: `adapter-${method}`,
  fixture: `adapter-${method}`,
  async run(engine, { inputs, params }) {
    const [rows, inFeatures] = inputs.x.shape;
    const outFeatures = inputs.W.shape[0];
    const x = engine.tensor(f32(inputs.x), inputs.x.shape, 'f32', 'x');
    const weight = engine.tensor(f32(inputs.W), inputs.W.shape, 'f32', 'W');
    const bias = engine.tensor(f32(inputs.b), inputs.b.shape, 'f32', 'b');
    const dy = engine.tensor(f32(inputs.dy), [rows, outFeatures], 'f32', 'dy');
    const adapter = LowRankAdapter.fromValues(
      engine,
      { method: parseMethod(String(params.method)), rank: Number(params.rank), alpha: Number(params.alpha), inFeatures, outFeatures, name: `check.${method}` },
      { a: f32(inputs.A), b: f32(inputs.B), c: inputs.C ? f32(inputs.C) : undefined, d: inputs.D ? f32(inputs.D) : undefined },
    );

    // Forward: the frozen layer, then the adapter adds its update in place.
    adapter.beginStep();
    const y = linearForward(x, weight, bias);
    const activations = adapter.forward(x, y);

    // Backward: the frozen layer's input gradient, then the adapter adds its share and fills its gradients.
    const { dx } = linearBackward(x, weight, dy, { inputGrad: true });
    if (!dx) throw new Error('linearBackward returned no input gradient.');
    adapter.backward(x, activations, dy, dx);

    const outputs: Record<string, Float32Array> = {
      y: await y.readFloat(),
      dx: await dx.readFloat(),
      dA: await adapter.gradA.readFloat(),
      dB: await adapter.gradB.readFloat(),
    };
    if (adapter.gradC) outputs.dC = await adapter.gradC.readFloat();
    if (adapter.gradD) outputs.dD = await adapter.gradD.readFloat();

    releaseActivations(activations);
    adapter.destroy();
    for (const tensor of [x, weight, bias, dy, y, dx]) tensor.destroy();
    return outputs;
  },
}));
