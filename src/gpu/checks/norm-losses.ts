// Checks for LayerNorm, tanh, dropout, embedding, cross-entropy and MSE against the PyTorch fixtures.
import type { Engine } from '../engine';
import { crossEntropyBackward, crossEntropyForward, uploadLabels } from '../ops/cross-entropy';
import { dropoutBackward, dropoutForward } from '../ops/dropout';
import { embeddingBackward, embeddingForward, uploadTokenIds } from '../ops/embedding';
import { layerNormBackward, layerNormForward } from '../ops/layernorm';
import { mseBackward, mseForward } from '../ops/mse';
import { tanhBackward, tanhForward } from '../ops/tanh';
import type { Tensor } from '../tensor';
import type { KernelCheck } from './compare';
import { f32, i32, type FixtureTensor } from './fixtures';

function upload(engine: Engine, tensor: FixtureTensor, label: string): Tensor {
  return engine.tensor(f32(tensor), tensor.shape, 'f32', label);
}

export const normLossChecks: KernelCheck[] = [
  {
    row: 'layernorm',
    fixture: 'layernorm',
    async run(engine, { params, inputs }) {
      const x = upload(engine, inputs.x, 'x');
      const gamma = upload(engine, inputs.gamma, 'gamma');
      const beta = upload(engine, inputs.beta, 'beta');
      const dy = upload(engine, inputs.dy, 'dy');
      const accumulate = params.accumulate === true;
      // Without accumulation the gradient tensors start NaN-filled (poisoned), so every element must be written.
      const gammaGrad = accumulate ? upload(engine, inputs.gammaGradIn, 'gammaGradIn') : engine.empty(inputs.gamma.shape, 'f32', 'dgamma');
      const betaGrad = accumulate ? upload(engine, inputs.betaGradIn, 'betaGradIn') : engine.empty(inputs.beta.shape, 'f32', 'dbeta');

      const { y, mean, rstd } = layerNormForward(x, gamma, beta, Number(params.eps));
      const dx = layerNormBackward(x, gamma, mean, rstd, dy, { gammaGrad, betaGrad, accumulate });

      const outputs = {
        y: await y.readFloat(),
        mean: await mean.readFloat(),
        rstd: await rstd.readFloat(),
        dx: await dx.readFloat(),
        dgamma: await gammaGrad.readFloat(),
        dbeta: await betaGrad.readFloat(),
      };
      for (const tensor of [x, gamma, beta, dy, gammaGrad, betaGrad, y, mean, rstd, dx]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'tanh',
    fixture: 'tanh',
    async run(engine, { inputs }) {
      const x = upload(engine, inputs.x, 'x');
      const dy = upload(engine, inputs.dy, 'dy');
      const y = tanhForward(x);
      const dx = tanhBackward(y, dy);
      const outputs = { y: await y.readFloat(), dx: await dx.readFloat() };
      for (const tensor of [x, dy, y, dx]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'dropout',
    fixture: 'dropout',
    async run(engine, { params, inputs }) {
      // The fixture contains the exact mask of the shared hash, so a single differing element shows as a large error.
      const x = upload(engine, inputs.x, 'x');
      const dy = upload(engine, inputs.dy, 'dy');
      const p = Number(params.p);
      const seed = Number(params.seed);
      const y = dropoutForward(x, p, seed);
      const dx = dropoutBackward(dy, p, seed);
      const outputs = { y: await y.readFloat(), dx: await dx.readFloat() };
      for (const tensor of [x, dy, y, dx]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'embedding',
    fixture: 'embedding',
    async run(engine, { inputs }) {
      const table = upload(engine, inputs.table, 'table');
      const ids = uploadTokenIds(engine, i32(inputs.ids), inputs.ids.shape, inputs.table.shape[0], 'ids');
      const dOut = upload(engine, inputs.dOut, 'dOut');
      // The backward adds into the table gradient, so it starts from the fixture's nonzero values.
      const tableGrad = upload(engine, inputs.tableGradIn, 'tableGradIn');

      const out = embeddingForward(ids, table);
      embeddingBackward(ids, dOut, tableGrad);

      const outputs = { out: await out.readFloat(), dTable: await tableGrad.readFloat() };
      for (const tensor of [table, ids, dOut, tableGrad, out]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'cross-entropy',
    fixture: 'cross-entropy',
    async run(engine, { params, inputs }) {
      const logits = upload(engine, inputs.logits, 'logits');
      const classes = inputs.logits.shape[inputs.logits.shape.length - 1];
      const labels = uploadLabels(engine, i32(inputs.labels), inputs.labels.shape, classes, 'labels');

      const forward = crossEntropyForward(logits, labels);
      const dlogits = crossEntropyBackward(logits, labels, forward, Number(params.lossGrad));

      const outputs = { loss: await forward.loss.readFloat(), logSumExp: await forward.logSumExp.readFloat(), dlogits: await dlogits.readFloat() };
      for (const tensor of [logits, labels, forward.loss, forward.logSumExp, forward.validRows, dlogits]) tensor.destroy();
      return outputs;
    },
  },
  {
    row: 'mse',
    fixture: 'mse',
    async run(engine, { params, inputs }) {
      const pred = upload(engine, inputs.pred, 'pred');
      const target = upload(engine, inputs.target, 'target');
      const loss = mseForward(pred, target);
      const dpred = mseBackward(pred, target, Number(params.lossGrad));
      const outputs = { loss: await loss.readFloat(), dpred: await dpred.readFloat() };
      for (const tensor of [pred, target, loss, dpred]) tensor.destroy();
      return outputs;
    },
  },
];
