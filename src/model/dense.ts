// One nn.Linear of the model, y = x·Wᵀ + b with W [out, in], optionally with a low-rank adapter that adds
// s·x·Aᵀ·Tᵀ·Bᵀ. The backward fills the gradients that exist (weight, bias, adapter) and the input gradient
// the caller asks for.
import { releaseActivations, type AdapterActivations, type LowRankAdapter } from '../adapters/lowrank';
import { linearBackward, linearForward } from '../gpu/ops/linear';
import { matmul } from '../gpu/ops/matmul';
import type { Tensor } from '../gpu/tensor';
import type { ActivationTape } from './step';
import type { ModelParameter } from './trainable';

/** The values the backward needs from one forward: the input (owned by the caller) and the adapter's intermediates. */
export interface DenseCache {
  x: Tensor;
  adapter: AdapterActivations | null;
}

/**
 * Destination of the input gradient. 'none' skips it because nothing below trains, 'new' returns a new tensor,
 * and a tensor [rows, in] receives dx added to its contents (a residual branch's gradient, or Q, K and V
 * summing into one).
 */
export type InputGradTarget = 'none' | 'new' | Tensor;

export class Dense {
  constructor(
    /** Module path, e.g. "encoder.layer.0.attention.self.query". */
    readonly name: string,
    readonly weight: ModelParameter,
    readonly bias: ModelParameter,
    readonly adapter: LowRankAdapter | null = null,
  ) {}

  /** Returns y [rows, out] for x [rows, in]; with a tape, the cache for backward(). */
  forward(x: Tensor, tape: ActivationTape | null): { y: Tensor; cache: DenseCache | null } {
    // A merged adapter is already part of the weight, so the layer runs as a plain linear layer.
    const merged = this.adapter?.merged ?? false;
    if (merged && tape) throw new Error(`${this.name}: the adapter is merged into the weight; call unmergeAdapters(model) before training.`);
    const y = linearForward(x, this.weight.param, this.bias.param);
    let activations: AdapterActivations | null = null;
    if (this.adapter && !merged) activations = this.adapter.forward(x, y);

    if (!tape) {
      if (activations) releaseActivations(activations);
      return { y, cache: null };
    }
    if (activations) {
      tape.keep(`${this.name}.adapter.u`, activations.u);
      // LoRA's v is a view of u, so only a separate v needs its own entry.
      if (activations.v.buffer !== activations.u.buffer) tape.keep(`${this.name}.adapter.v`, activations.v);
    }
    return { y, cache: { x, adapter: activations } };
  }

  /**
   * Backpropagates dy [rows, out]: writes (or with `accumulate` adds) the weight, bias and adapter gradients
   * that exist, and returns dx per `inputGrad` (null for 'none').
   */
  backward(cache: DenseCache, dy: Tensor, inputGrad: InputGradTarget, accumulate: boolean): Tensor | null {
    const { weight, bias, adapter } = this;
    if (adapter?.merged) throw new Error(`${this.name}: the adapter was merged into the weight after the training forward; run backward() before merging.`);
    linearBackward(cache.x, weight.param, dy, { weightGrad: weight.grad ?? undefined, biasGrad: bias.grad ?? undefined, accumulate });

    // dx = dy·W [rows, in], into a new tensor or added to the caller's.
    let dx: Tensor | null = null;
    if (inputGrad === 'new') {
      dx = matmul(dy, weight.param);
    } else if (inputGrad !== 'none') {
      dx = matmul(dy, weight.param, { beta: 1, out: inputGrad });
    }

    if (adapter) {
      if (!cache.adapter) throw new Error(`${this.name}: the forward kept no adapter activations; run the forward with a tape before backward().`);
      adapter.backward(cache.x, cache.adapter, dy, dx, accumulate);
    }
    return dx;
  }
}
