// Checks for the in-place sum and the strided row gather/scatter that the BERT model uses.
import { addInPlace } from '../ops/add';
import { gatherRows, scatterRows } from '../ops/rows';
import type { KernelCheck } from './compare';
import { f32 } from './fixtures';

export const modelOpChecks: KernelCheck[] = [
  {
    row: 'add',
    fixture: 'add',
    async run(engine, { inputs }) {
      const x = engine.tensor(f32(inputs.x), inputs.x.shape, 'f32', 'x');
      const y = engine.tensor(f32(inputs.y), inputs.y.shape, 'f32', 'y');
      addInPlace(y, x);
      const outputs = { sum: await y.readFloat() };
      for (const tensor of [x, y]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'rows',
    fixture: 'rows',
    async run(engine, { inputs, params }) {
      const selection = { stride: Number(params.stride), offset: Number(params.offset) };
      const x = engine.tensor(f32(inputs.x), inputs.x.shape, 'f32', 'x');
      const dy = engine.tensor(f32(inputs.dy), inputs.dy.shape, 'f32', 'dy');
      // dx starts from a non-zero gradient, so the scatter must add and must leave unselected rows alone.
      const dx = engine.tensor(f32(inputs.dx0), inputs.dx0.shape, 'f32', 'dx');
      const gathered = gatherRows(x, selection);
      scatterRows(dy, dx, selection);
      const outputs = { gathered: await gathered.readFloat(), dx: await dx.readFloat() };
      for (const tensor of [x, dy, dx, gathered]) tensor.destroy();
      return outputs;
    },
  },
];
