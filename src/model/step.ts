// Per-forward bookkeeping: the tape of intermediates that the backward needs, and the dropout mask of
// each dropout site, seeded per step so that a run reproduces.
import { dropoutBackward, dropoutForward } from '../gpu/ops/dropout';
import type { Tensor } from '../gpu/tensor';
import { deriveSeed } from '../util/random';

/**
 * The intermediates of one forward that its backward reads, by name (e.g. "encoder.layer.0.attention.probs").
 * The tape owns them: release() destroys them all once the backward has been recorded.
 */
export class ActivationTape {
  private readonly tensors = new Map<string, Tensor>();

  /** Records `tensor` under `name` and returns it; a name can be used once per forward. */
  keep(name: string, tensor: Tensor): Tensor {
    if (this.tensors.has(name)) throw new Error(`Activation "${name}" is already on the tape; each intermediate needs its own name.`);
    this.tensors.set(name, tensor);
    return tensor;
  }

  get names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Destroys every intermediate. Destruction waits for the recorded dispatches, so this may follow the backward directly. */
  release(): void {
    for (const tensor of this.tensors.values()) tensor.destroy();
    this.tensors.clear();
  }
}

/**
 * Hands over an intermediate whose last forward use is recorded: it goes onto the tape when the module
 * records for a backward, and is destroyed otherwise.
 */
export function retain(tape: ActivationTape | null, name: string, tensor: Tensor): void {
  if (tape) tape.keep(name, tensor);
  else tensor.destroy();
}

/** The mask of one dropout site in one forward: drop probability and the seed that regenerates the mask. */
export interface DropoutMask {
  p: number;
  seed: number;
}

/** Dropout settings of one forward. */
export interface ForwardStep {
  /** Whether dropout is applied (training) or not (evaluation, or gradients of the evaluation-mode function). */
  dropout: boolean;
  /** Seed of the model; with `step` and the site name it seeds each mask. */
  seed: number;
  /** Optimizer step, so that each step draws new masks. */
  step: number;
}

/** Returns the mask of dropout site `site` (e.g. "encoder.layer.1.output.dropout"), or null when dropout is off or p = 0. */
export function dropoutMask(step: ForwardStep, site: string, p: number): DropoutMask | null {
  if (!step.dropout || p === 0) return null;
  return { p, seed: deriveSeed(step.seed, `${site}@${step.step}`) };
}

/** Returns dropout(x) as a new tensor, or x itself when `mask` is null. */
export function applyDropout(x: Tensor, mask: DropoutMask | null): Tensor {
  return mask ? dropoutForward(x, mask.p, mask.seed) : x;
}

/** Returns the gradient through dropout as a new tensor, or dy itself when `mask` is null. */
export function dropoutGrad(dy: Tensor, mask: DropoutMask | null): Tensor {
  return mask ? dropoutBackward(dy, mask.p, mask.seed) : dy;
}
