// Checks for the element-wise activations against the PyTorch fixtures.
import { geluBackward, geluForward } from '../ops/gelu';
import type { KernelCheck } from './compare';
import { f32 } from './fixtures';

export const activationChecks: KernelCheck[] = [
  {
    row: 'gelu',
    fixture: 'gelu',
    async run(engine, { inputs }) {
      const x = engine.tensor(f32(inputs.x), inputs.x.shape);
      const dy = engine.tensor(f32(inputs.dy), inputs.dy.shape);
      const y = geluForward(x);
      const dx = geluBackward(x, dy);
      const outputs = { y: await y.readFloat(), dx: await dx.readFloat() };
      for (const tensor of [x, dy, y, dx]) tensor.destroy();
      return outputs;
    },
  },
];
