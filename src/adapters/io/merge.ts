// Merging adapters into the frozen weights for inference: W' = W + s·B·T·A in place on the GPU, after which
// each adapted layer runs as a plain linear layer, so a merged model costs what the base model costs.
// Unmerging subtracts the same product again; W comes back up to float32 rounding (about one ulp of W + ΔW
// per element), not bit for bit.
import type { BertModel } from '../../model/bert';
import type { ModelParameter } from '../../model/trainable';
import { matmul } from '../../gpu/ops/matmul';
import { buildCore } from '../core';
import type { LowRankAdapter } from '../lowrank';

/** Adds sign·s·(B·T)·A into `weight` [out, in] with one matmul (beta = 1); T is rebuilt from C and D. */
function addUpdate(adapter: LowRankAdapter, weight: ModelParameter, sign: 1 | -1): void {
  const core = buildCore(adapter.method, adapter.c, adapter.d);
  const bt = core ? matmul(adapter.b, core) : null;
  matmul(bt ?? adapter.b, adapter.a, { alpha: sign * adapter.scaling, beta: 1, out: weight.param });
  bt?.destroy();
  // SHIM's core is a view of C, and destroying a view leaves the buffer alone.
  core?.destroy();
}

function adaptersOf(model: BertModel, action: string): Array<[string, LowRankAdapter]> {
  const adapters = [...model.adapters];
  if (adapters.length === 0) throw new Error(`Cannot ${action}: the model has no adapters (it trains "${model.trainable.kind}").`);
  return adapters;
}

/** True when the model's adapters are merged into its weights. */
export function adaptersMerged(model: BertModel): boolean {
  return [...model.adapters.values()].some((adapter) => adapter.merged);
}

/**
 * Adds every adapter's ΔW = s·B·T·A into its layer's weight and marks the adapter merged, so the forward skips
 * it. A training forward then throws until unmergeAdapters(). Call it between steps, not between a training
 * forward and its backward.
 */
export function mergeAdapters(model: BertModel): void {
  const adapters = adaptersOf(model, 'merge adapters');
  if (adaptersMerged(model)) throw new Error('The adapters are already merged; call unmergeAdapters(model) first.');
  for (const [path, adapter] of adapters) {
    addUpdate(adapter, model.parameter(`${path}.weight`), 1);
    adapter.merged = true;
  }
}

/** Subtracts every adapter's ΔW from its layer's weight again and re-enables the adapter path. */
export function unmergeAdapters(model: BertModel): void {
  const adapters = adaptersOf(model, 'unmerge adapters');
  if (!adaptersMerged(model)) throw new Error('The adapters are not merged; there is nothing to unmerge.');
  for (const [path, adapter] of adapters) {
    addUpdate(adapter, model.parameter(`${path}.weight`), -1);
    adapter.merged = false;
  }
}
