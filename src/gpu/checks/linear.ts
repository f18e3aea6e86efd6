// Checks for matrix multiply and the linear layer against the PyTorch fixtures.
import type { Engine } from '../engine';
import { linearBackward, linearForward } from '../ops/linear';
import { matmul } from '../ops/matmul';
import type { Tensor } from '../tensor';
import type { KernelCheck } from './compare';
import { f32, type FixtureTensor } from './fixtures';

function upload(engine: Engine, tensor: FixtureTensor, label: string): Tensor {
  return engine.tensor(f32(tensor), tensor.shape, 'f32', label);
}

export const linearChecks: KernelCheck[] = [
  {
    row: 'matmul',
    fixture: 'matmul',
    async run(engine, { params, inputs }) {
      const a = upload(engine, inputs.a, 'a');
      const b = upload(engine, inputs.b, 'b');
      // With beta = 0 the output starts NaN-filled (poisoned), so reading it would show up as NaN.
      const out = inputs.c ? upload(engine, inputs.c, 'c') : undefined;
      const c = matmul(a, b, {
        transposeA: params.transposeA === true,
        transposeB: params.transposeB === true,
        alpha: Number(params.alpha),
        beta: Number(params.beta),
        out,
      });
      const outputs = { c: await c.readFloat() };
      for (const tensor of [a, b, c]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'linear-backward',
    fixture: 'linear-backward',
    async run(engine, { params, inputs }) {
      const x = upload(engine, inputs.x, 'x');
      const weight = upload(engine, inputs.weight, 'weight');
      const bias = upload(engine, inputs.bias, 'bias');
      const dy = upload(engine, inputs.dy, 'dy');
      const accumulate = params.accumulate === true;
      // Without accumulation the gradient buffers start NaN-filled, so every element must be written.
      const weightGrad = accumulate ? upload(engine, inputs.dW0, 'dW0') : engine.empty(inputs.weight.shape, 'f32', 'dW');
      const biasGrad = accumulate ? upload(engine, inputs.db0, 'db0') : engine.empty(inputs.bias.shape, 'f32', 'db');

      const y = linearForward(x, weight, bias);
      const { dx } = linearBackward(x, weight, dy, { inputGrad: true, weightGrad, biasGrad, accumulate });
      if (!dx) throw new Error('linearBackward returned no dx although inputGrad was set.');

      const outputs = { y: await y.readFloat(), dx: await dx.readFloat(), dW: await weightGrad.readFloat(), db: await biasGrad.readFloat() };
      for (const tensor of [x, weight, bias, dy, weightGrad, biasGrad, y, dx]) tensor.destroy();
      return outputs;
    },
  },
];
