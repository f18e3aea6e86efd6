// Checks for multi-head attention (forward and backward) and for AdamW with gradient clipping against the
// PyTorch fixtures written by tools/reference/kernel_refs/attention_adamw.py.
import { AdamW, type AdamWParameter } from '../ops/adamw';
import { attentionBackward, attentionForward } from '../ops/attention';
import type { KernelCheck } from './compare';
import { f32, i32, type FixtureCase } from './fixtures';

export const attentionAdamWChecks: KernelCheck[] = [
  {
    row: 'attention',
    fixture: 'attention',
    async run(engine, { params, inputs }) {
      const heads = Number(params.heads);
      const q = engine.tensor(f32(inputs.q), inputs.q.shape, 'f32', 'q');
      const k = engine.tensor(f32(inputs.k), inputs.k.shape, 'f32', 'k');
      const v = engine.tensor(f32(inputs.v), inputs.v.shape, 'f32', 'v');
      const mask = engine.tensor(i32(inputs.mask), inputs.mask.shape, 'i32', 'mask');
      const dContext = engine.tensor(f32(inputs.dcontext), inputs.dcontext.shape, 'f32', 'dcontext');

      const { context, probs } = attentionForward(q, k, v, mask, { heads });
      const { dq, dk, dv } = attentionBackward(q, k, v, probs, dContext, { heads });

      const outputs = {
        context: await context.readFloat(),
        probs: await probs.readFloat(),
        dq: await dq.readFloat(),
        dk: await dk.readFloat(),
        dv: await dv.readFloat(),
      };
      for (const tensor of [q, k, v, mask, dContext, context, probs, dq, dk, dv]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'adamw',
    fixture: 'adamw',
    async run(engine, fixtureCase) {
      const { params, inputs } = fixtureCase;
      const learningRates = f32(inputs.lr);
      const parameterCount = countParameters(fixtureCase);

      // Gradients are [steps, ...shape] in the fixture, and step s uploads slice s into each gradient tensor.
      const pairs: AdamWParameter[] = [];
      for (let i = 0; i < parameterCount; i++) {
        const initial = inputs[`param${i}`];
        pairs.push({
          param: engine.tensor(f32(initial), initial.shape, 'f32', `param${i}`),
          grad: engine.zeros(initial.shape, 'f32', `grad${i}`),
        });
      }
      const optimizer = new AdamW(engine, pairs, {
        lr: learningRates[0],
        betas: [Number(params.beta1), Number(params.beta2)],
        eps: Number(params.eps),
        weightDecay: Number(params.weight_decay),
        maxGradNorm: params.max_norm === undefined ? undefined : Number(params.max_norm),
      });

      const after: number[] = [];
      const updates: number[] = [];
      const totalNorms: number[] = [];
      let previous = await readParameters(pairs);
      for (let step = 0; step < learningRates.length; step++) {
        pairs.forEach(({ param, grad }, i) => {
          const grads = f32(inputs[`grad${i}`]);
          engine.write(grad, grads.subarray(step * param.size, (step + 1) * param.size));
        });
        optimizer.step(learningRates[step]);

        const current = await readParameters(pairs);
        after.push(...current);
        updates.push(...current.map((value, j) => value - previous[j]));
        totalNorms.push(await optimizer.gradNorm());
        previous = current;
      }

      optimizer.destroy();
      for (const { param, grad } of pairs) {
        param.destroy();
        grad.destroy();
      }
      return { params: Float32Array.from(after), updates: Float32Array.from(updates), total_norm: Float32Array.from(totalNorms) };
    },
  },
];

/** Counts the param0, param1… inputs of an AdamW case. */
function countParameters({ inputs }: FixtureCase): number {
  let count = 0;
  while (inputs[`param${count}`]) count += 1;
  if (count === 0) throw new Error('AdamW fixture case has no param0 input. Regenerate it with `npm run reference:kernels`.');
  return count;
}

/** Reads every parameter and concatenates them in order, as the fixture flattens them. */
async function readParameters(pairs: readonly AdamWParameter[]): Promise<number[]> {
  const values: number[] = [];
  for (const { param } of pairs) values.push(...(await param.readFloat()));
  return values;
}
